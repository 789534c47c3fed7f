"""Composition root: settings -> server (JSON API under /api and /v1, Gradio UI at "/").

Run `python app.py` (or `rag serve`); host and port come from settings (RAG_SERVER__HOST, RAG_SERVER__PORT).
"""

from __future__ import annotations

import logging
import os


def main() -> None:
    """Start the one server process."""
    # Set before gradio is imported: no analytics, no version checks, nothing leaves the machine.
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    from rag.config import Settings
    from rag.server import serve

    serve(Settings())


if __name__ == "__main__":
    main()
