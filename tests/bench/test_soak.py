"""The load-and-soak script at CI size: a real `rag serve` child process on loopback (fake
embedder), a mixed burst with malformed requests, a soak, and a body that never completes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bench.soak import SoakConfig, SoakReport, render, run_soak


def test_quick_soak_has_no_server_errors_and_times_out_a_slow_body(tmp_path: Path) -> None:
    config = SoakConfig(clients=10, seconds=3, requests=300, idle_seconds=2, fake=True)
    report = run_soak(config, workdir=tmp_path)
    text = render(report)
    assert report.burst["requests"] > 20 and report.burst.get("2xx", 0) > 0, text
    assert report.burst.get("4xx", 0) > 0 and report.burst["unexpected_4xx_code"] == 0, text
    assert report.server_errors == 0 and report.burst["no_response"] == 0, text
    assert report.soak["requests"] == 300 and report.soak["no_response"] == 0, text
    assert report.slow_body["ok"], text
    assert "rss_growth_mb" in report.soak and report.idle_cpu_pct >= 0


def _queue_app(retry_after: bool) -> FastAPI:
    """/api/ask as a one-slot LLM queue answers it: every other local question overflows."""
    app = FastAPI()
    seen = {"local": 0}

    @app.post("/api/ask")
    async def ask(request: Request) -> JSONResponse:
        body = await request.json()
        if body["mode"] == "local":
            seen["local"] += 1
            if seen["local"] % 2 == 0:
                headers = {"Retry-After": "3"} if retry_after else None
                return JSONResponse({"error": {"code": "llm_busy", "message": "busy"}},
                                    status_code=503, headers=headers)
            return JSONResponse({"answer": "…", "flags": ["via_local"]})
        return JSONResponse({"answer": "…", "flags": []})

    return app


def test_the_mixed_burst_counts_llm_overflow_apart_and_times_each_mode() -> None:
    import asyncio

    from api.serving import running

    from bench.soak import _drive, _mixed_request

    config = SoakConfig(fake=True)
    with running(_queue_app(retry_after=True)) as url:
        part = asyncio.run(_drive(url, config, 4, total=40,
                                  request=lambda i: _mixed_request(i, 0.5)))
    by_mode = part["latency_ms_by_mode"]
    assert by_mode["local"]["n"] + by_mode["extractive"]["n"] == 40
    assert 10 <= by_mode["local"]["n"] <= 30
    assert part["llm_busy_503"] == by_mode["local"]["n"] // 2 and part["5xx"] == 0
    assert part["answer_routes"] == {"via_local": by_mode["local"]["n"] - part["llm_busy_503"]}
    assert part["answered_by_mode"] == {"local": by_mode["local"]["n"] - part["llm_busy_503"],
                                        "extractive": by_mode["extractive"]["n"]}


def test_an_overflow_without_retry_after_is_a_server_error() -> None:
    import asyncio

    from api.serving import running

    from bench.soak import _drive, _mixed_request

    with running(_queue_app(retry_after=False)) as url:
        part = asyncio.run(_drive(url, SoakConfig(fake=True), 2, total=20,
                                  request=lambda i: _mixed_request(i, 0.5)))
    assert part["llm_busy_503"] == 0 and part["5xx"] > 0
    report = SoakReport(config={}, mixed=part)
    assert report.server_errors == part["5xx"]


def test_mixed_only_runs_the_two_bursts_against_a_real_server(tmp_path: Path) -> None:
    """With no LLM loaded (the fake set-up), every local question is a server error that is not
    an overflow, and the extractive-only burst beside it has none."""
    config = SoakConfig(fake=True, local_share=0.3, mixed_only=True, mixed_clients=2,
                        mixed_seconds=2)
    report = run_soak(config, workdir=tmp_path)
    text = render(report)
    assert not report.burst and not report.soak and "mixed: 2 clients" in text, text
    assert report.extractive_only["5xx"] == 0 and report.extractive_only.get("2xx", 0) > 0, text
    local = report.mixed["latency_ms_by_mode"]["local"]["n"]
    assert local > 0 and report.mixed["5xx"] == local and report.mixed["llm_busy_503"] == 0, text
    assert report.server_errors == local and report.mixed["rss_mb"] > 0
