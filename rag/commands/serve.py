"""`rag serve`: the UI at "/", the JSON API under /api, the OpenAI-compatible API under /v1."""

from __future__ import annotations

import argparse
import os

from rag.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Start uvicorn; the index is built in the background if it is missing."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    server = settings.server.model_copy(update={
        k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None})
    from rag.server import serve

    serve(settings.model_copy(update={"server": server}))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command to the CLI."""
    p = sub.add_parser("serve", help="serve the web UI and the JSON API in one process")
    p.add_argument("--host", default=None, help="address to listen on (default from settings: 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default from settings: 7860)")
    p.set_defaults(func=run)
