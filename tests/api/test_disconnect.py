"""A client that goes away mid-stream stops its answer: the pipeline's stream is closed at once
(which is what ends an LLM generation and frees its queue slot), on /api and on /v1 alike."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.fakes import FakePipeline
from api.serving import make_settings, running
from rag.records import Answer, Turn
from rag.server import create_app


class EndlessPipeline(FakePipeline):
    """Streams a piece every 50 ms for up to a minute, and records how its stream ended."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = threading.Event()
        self.pieces = 0

    def stream(self, question: str, history: Sequence[Turn] = (), top_k: int | None = None,
               mode: str | None = None, filters: Any = None) -> Iterator[str | Answer]:
        try:
            for _ in range(1200):
                self.pieces += 1
                yield "字"
                time.sleep(0.05)
            yield self.ask(question, history, top_k, mode)
        finally:
            self.closed.set()


@pytest.mark.parametrize(("path", "body"), [
    ("/api/ask/stream", {"question": "局长是谁？"}),
    ("/v1/chat/completions", {"model": "rag-news", "stream": True,
                              "messages": [{"role": "user", "content": "局长是谁？"}]}),
])
def test_a_client_that_goes_away_closes_the_stream(tmp_path: Path, path: str, body: dict) -> None:
    pipeline = EndlessPipeline()
    app = create_app(make_settings(tmp_path, rate_limit_per_minute=0), pipeline, ui=False)
    with running(app) as url:
        with httpx.Client(base_url=url, timeout=10) as c, c.stream("POST", path, json=body) as r:
            assert r.status_code == 200
            for line in r.iter_lines():
                if "字" in line:
                    break  # one piece read; the client leaves
        assert pipeline.closed.wait(5), "the stream ran on after its client left"
        sent = pipeline.pieces
        time.sleep(0.3)
        assert pipeline.pieces == sent and sent < 100
