"""Run an ASGI app with uvicorn on a free loopback port in a background thread (for tests)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn

from rag.config import Settings

REPO = Path(__file__).resolve().parents[2]


def make_settings(tmp: Path, **server: Any) -> Settings:
    """Settings on a private copy of the bundled corpus, with the fake embedder."""
    corpus = tmp / "corpus"
    if not corpus.exists():
        shutil.copytree(REPO / "corpus", corpus)
    s = Settings(corpus_dir=corpus, index_dir=tmp / "index")
    return s.model_copy(update={
        "model": s.model.model_copy(update={"name": "fake"}),
        "server": type(s.server).model_validate({**s.server.model_dump(), **server}),
    })


def open_test_pipeline(tmp: Path) -> Any:
    """The real Pipeline with the fake embedder on a copy of the corpus; the in-memory fake until
    every part of the real one has landed."""
    from rag.pipeline import Pipeline

    try:
        return Pipeline.open(make_settings(tmp))
    except ImportError:
        from api.fakes import FakePipeline

        return FakePipeline()


@contextlib.contextmanager
def running(app: Any, timeout_s: float = 30.0) -> Iterator[str]:
    """Serve `app` until the block exits; yields the base URL, e.g. http://127.0.0.1:54321.
    Keep-alive outlasts any test (uvicorn closes idle connections after 5 s by default, and a
    client that reuses one just as it closes gets a connection reset on a loaded machine)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on",
                                           timeout_keep_alive=120))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
