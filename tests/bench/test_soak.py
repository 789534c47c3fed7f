"""The load-and-soak script at CI size: a real `rag serve` child process on loopback (fake
embedder), a mixed burst with malformed requests, a soak, and a body that never completes."""

from __future__ import annotations

from pathlib import Path

from bench.soak import SoakConfig, render, run_soak


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
