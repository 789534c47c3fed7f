"""The on-box LLM's benchmark rows: one streamed generation timed over a real HTTP round trip
(a stand-in OpenAI stream here; the real llama.cpp server in the slow test), and the report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from api.serving import running
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from bench.llm import stream_once
from bench.measure import summarize_ms
from bench.report import render_llm

MESSAGES = [("system", "只根据段落回答。"), ("human", "新闻段落：\n[1] 局长是龙超俊。\n\n问题：局长是谁？")]


def _stream_app(seen: list[dict[str, Any]], timings: bool) -> Starlette:
    async def completions(request: Request) -> StreamingResponse:
        seen.append(await request.json())

        def events() -> Iterator[str]:
            for piece in ("局长", "是龙超俊", "[1]"):
                yield "data: " + json.dumps({"choices": [{"delta": {"content": piece}}]}) + "\n\n"
            last: dict[str, Any] = {"choices": [], "usage": {"prompt_tokens": 40, "completion_tokens": 3}}
            if timings:
                last["timings"] = {"prompt_n": 41, "prompt_per_second": 150.0,
                                   "predicted_n": 3, "predicted_per_second": 40.0}
            yield "data: " + json.dumps(last) + "\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])


@pytest.mark.parametrize("timings", [True, False])
def test_one_streamed_generation_is_timed(timings: bool) -> None:
    seen: list[dict[str, Any]] = []
    with running(_stream_app(seen, timings)) as url:
        g = stream_once(url + "/v1", "m", MESSAGES, max_tokens=16)
    body = seen[0]
    assert body["stream"] is True and body["max_tokens"] == 16
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert 0 < g["ttft_ms"] <= g["total_ms"]
    if timings:  # the server's own figures win
        assert (g["prompt_tokens"], g["prompt_tps"], g["generated_tps"]) == (41, 150.0, 40.0)
        assert g["source"] == "llama.cpp timings"
    else:  # counted here from usage and the clock
        assert g["prompt_tokens"] == 40 and g["generated_tokens"] == 3
        assert g["prompt_tps"] == pytest.approx(40 / (g["ttft_ms"] / 1000))
        assert g["source"] == "counted here"


def test_a_failing_endpoint_raises_rather_than_reporting_zeros() -> None:
    with running(Starlette(routes=[])) as url, pytest.raises(Exception, match="404"):
        stream_once(url + "/v1", "m", MESSAGES, max_tokens=8)


def test_the_report_section_names_every_mode() -> None:
    llm = {"model": "qwen2.5-coder-0.5b", "threads": 2, "load_s": 1.9, "rss_before_load_mb": 900.0,
           "rss_loaded_mb": 1500.0, "rss_after_mb": 1520.0, "questions": 4,
           "generation": {"ttft_ms": summarize_ms([300, 400]), "total_ms": summarize_ms([2000, 3000]),
                          "prompt_tokens_mean": 300.0, "prompt_tps_mean": 160.0,
                          "generated_tokens_mean": 40.0, "generated_tps_mean": 42.0, "source": "x"},
           "modes": {m: {"ask_ms": summarize_ms([10.0, 20.0]), "answered_by_llm": k}
                     for m, k in (("extractive", 0), ("local", 4), ("auto", 1))}}
    text = "\n".join(render_llm(llm))
    assert "| extractive | 15.0 / 19.5 | 0 of 4 |" in text and "| auto |" in text
    assert "1,500.0 MB loaded" in text and "| 300.0 | 160.0 | 40.0 | 42.0 |" in text
    assert render_llm({"error": "no file"}) == ["### On-box LLM", "", "not measured: no file"]


@pytest.mark.slow
def test_the_real_model_streams_with_its_own_timings(local_llm: Any) -> None:
    g = stream_once(local_llm.base_url, "qwen2.5-coder-0.5b", MESSAGES, max_tokens=24)
    assert g["source"] == "llama.cpp timings"
    assert g["prompt_tokens"] > 10 and g["generated_tokens"] >= 1
    assert g["prompt_tps"] > 0 and 0 < g["ttft_ms"] <= g["total_ms"]


class _Local:
    def __init__(self, url: str, settings: Any) -> None:
        self.base_url, self.settings, self.state, self.load_s = url + "/v1", settings, "ready", 1.5

    def wait(self, timeout_s: float | None = None) -> bool:
        return True


class _Pipeline:
    """What llm_rows uses of a Pipeline: settings, local, search, ask."""

    def __init__(self, local: Any, settings: Any) -> None:
        self.local, self.settings, self.asked = local, settings, []

    def search(self, query: str, k: int = 5) -> list[Any]:
        return []

    def ask(self, question: str, mode: str | None = None) -> Any:
        from rag.records import Answer

        self.asked.append(mode)
        flags = ("via_local",) if mode == "auto" and question.endswith("？") else ()
        return Answer(question=question, answer="x", abstained=False, mode=mode or "", flags=flags)


def test_llm_rows_time_generation_and_every_mode(fake_settings: Any) -> None:
    from bench.llm import MODES, llm_rows

    seen: list[dict[str, Any]] = []
    with running(_stream_app(seen, timings=True)) as url:
        pipeline = _Pipeline(_Local(url, fake_settings), fake_settings)
        out = llm_rows(pipeline, ["局长是谁？", "有多少人"])
    assert len(seen) == 2 and out["questions"] == 2 and out["load_s"] == 1.5
    assert out["generation"]["ttft_ms"]["n"] == 2 and out["generation"]["prompt_tps_mean"] == 150.0
    assert list(out["modes"]) == list(MODES) and pipeline.asked == [m for m in MODES for _ in range(2)]
    assert [out["modes"][m]["answered_by_llm"] for m in MODES] == [0, 1, 2]
    assert out["rss_loaded_mb"] > 0
    assert llm_rows(_Pipeline(None, fake_settings), ["q"]) == {
        "error": "the on-box LLM is disabled (local_llm.enabled)"}
