"""Load and soak of a real `rag serve` process on loopback: idle CPU, a mixed burst, RSS growth
over many requests, and a slow body. `python -m bench.soak` (full: 50 clients x 60 s, 10,000
requests) or `python -m bench.soak --quick` (what CI runs: a few seconds, the fake embedder).

The server is a child process, so its CPU time and resident memory are read from /proc/<pid>
alone, not mixed with the clients'. Questions mix the extractive and auto modes (auto asks the
on-box LLM when the reader is unsure and falls back to the extractive answer when the LLM is
busy), plus malformed and oversized requests, which must be 4xx. Any 5xx is a failure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.http import free_port
from bench.measure import rss_bytes, summarize_ms

QUESTIONS = [
    "天元区的学校开了多少次家长会？", "天元区教育局局长是谁？", "家长课堂是什么？",
    "株洲的新能源汽车项目投资了多少？", "2019年天元区开了多少次家长会？", "湖南日报是哪天出版的？",
    "Who is the head of the Tianyuan education bureau?", "这个项目什么时候开工？",
]
BAD = [  # (json body, expected 4xx) — each must be answered quickly and never 5xx
    ({"question": ""}, 422), ({"question": "问" * 5000}, 413), ({"question": 5}, 422),
    ({"question": "\ud800"}, 422), ({}, 422),
]


@dataclass
class SoakConfig:
    clients: int = 50
    seconds: float = 60.0
    requests: int = 10_000
    idle_seconds: float = 10.0
    soak_clients: int = 8
    llm_share: float = 0.5  # of the questions, sent with mode=auto (the rest extractive)
    bad_share: float = 0.05
    fake: bool = False  # the fake embedder: seconds to start, for CI
    # issue 13's mixed burst: `mixed_clients` clients for `mixed_seconds`, `local_share` of the
    # questions with mode=local (the LLM on every one; overflow is 503 llm_busy), the rest
    # extractive; run after an extractive-only burst of the same size, for the side-by-side p95
    mixed_clients: int = 20
    mixed_seconds: float = 60.0
    local_share: float = 0.0  # 0 = no mixed burst
    mixed_only: bool = False  # only the two bursts of issue 13 (no idle, burst, soak, slow body)


@dataclass
class SoakReport:
    config: dict[str, Any]
    idle_cpu_pct: float = 0.0
    burst: dict[str, Any] = field(default_factory=dict)
    soak: dict[str, Any] = field(default_factory=dict)
    slow_body: dict[str, Any] = field(default_factory=dict)
    extractive_only: dict[str, Any] = field(default_factory=dict)
    mixed: dict[str, Any] = field(default_factory=dict)

    @property
    def server_errors(self) -> int:
        """5xx answers other than an LLM overflow's 503 llm_busy with Retry-After."""
        return sum(int(part.get("5xx", 0))
                   for part in (self.burst, self.soak, self.extractive_only, self.mixed))


def _proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _proc_rss_mb(pid: int) -> float:
    return rss_bytes(pid) / 2**20


@contextlib.contextmanager
def serving(config: SoakConfig, workdir: Path) -> Iterator[tuple[str, int]]:
    """`rag serve` as a child process on a free loopback port; yields (base URL, pid) once ready."""
    import httpx

    port = free_port()
    env = {**os.environ, "RAG_SERVER__PORT": str(port), "RAG_SERVER__HOST": "127.0.0.1",
           "RAG_SERVER__RATE_LIMIT_PER_MINUTE": "0", "GRADIO_ANALYTICS_ENABLED": "False",
           # every question is logged, as in production, but into the scratch folder
           "RAG_QUESTION_LOG__PATH": str(workdir / "questions.sqlite3")}
    if config.fake:
        env.update(RAG_MODEL__NAME="fake", RAG_INDEX_DIR=str(workdir / "index"),
                   RAG_LOCAL_LLM__ENABLED="false")
    log = (workdir / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-c", "from rag.cli import main; main(['serve'])"],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        with httpx.Client(trust_env=False, timeout=5) as http:
            while True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start; see {workdir / 'server.log'}")
                with contextlib.suppress(httpx.HTTPError):
                    health = http.get(f"{url}/api/status").json()
                    llm = ((health.get("pipeline") or {}).get("local_llm") or {}).get("state")
                    if health.get("status") == "ok" and not health.get("progress") and llm != "loading":
                        break
                time.sleep(0.5)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def idle_cpu(pid: int, seconds: float) -> float:
    """Percent of one core the server uses while nobody asks anything."""
    time.sleep(1.0)
    c0, t0 = _proc_cpu_s(pid), time.monotonic()
    time.sleep(seconds)
    return round(100 * (_proc_cpu_s(pid) - c0) / (time.monotonic() - t0), 2)


def _request(i: int, config: SoakConfig) -> tuple[dict[str, Any], int | None]:
    """The i-th request of the mix: a bad one (with its expected 4xx) or a question."""
    every_bad = int(1 / config.bad_share) if config.bad_share > 0 else 0
    if every_bad and i % every_bad == every_bad - 1:
        body, want = BAD[(i // every_bad) % len(BAD)]
        return body, want
    mode = "auto" if (i * 0.618034) % 1.0 < config.llm_share else "extractive"
    return {"question": QUESTIONS[i % len(QUESTIONS)], "mode": mode}, None


def _mixed_request(i: int, local_share: float) -> tuple[dict[str, Any], int | None]:
    """The i-th question of the mixed burst: mode=local for `local_share` of them, else extractive."""
    mode = "local" if (i * 0.618034) % 1.0 < local_share else "extractive"
    return {"question": QUESTIONS[i % len(QUESTIONS)], "mode": mode}, None


def _is_overflow(code: int, r: Any) -> bool:
    """The LLM queue's overflow answer: 503 llm_busy, which must say when to come back."""
    if code != 503:
        return False
    try:
        return r.json()["error"]["code"] == "llm_busy"
    except (ValueError, KeyError, TypeError):
        return False


async def _drive(url: str, config: SoakConfig, clients: int, *, seconds: float | None = None,
                 total: int | None = None,
                 request: Callable[[int], tuple[dict[str, Any], int | None]] | None = None,
                 ) -> dict[str, Any]:
    """`clients` concurrent clients until `seconds` pass or `total` requests are made.

    An LLM overflow (503 llm_busy) is counted apart from 5xx when it carries Retry-After, as
    `5xx` when it does not; latencies are also kept per requested mode."""
    import httpx

    make = request or (lambda i: _request(i, config))
    codes: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    latencies: list[float] = []
    by_mode: dict[str, list[float]] = {}
    answered: Counter[str] = Counter()  # 200s per requested mode
    wrong_4xx = 0
    counter = iter(range(10**9))
    deadline = time.perf_counter() + seconds if seconds else None
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=120, trust_env=False, limits=limits) as http:

        async def worker() -> None:
            nonlocal wrong_4xx
            while True:
                i = next(counter)
                if (total is not None and i >= total) or (deadline and time.perf_counter() > deadline):
                    return
                body, want = make(i)
                raw = json.dumps(body, ensure_ascii=True)  # "\ud800" stays an escape, as a client sends it
                t = time.perf_counter()
                try:
                    r = await http.post(f"{url}/api/ask", content=raw,
                                        headers={"content-type": "application/json"})
                    code = r.status_code
                except httpx.HTTPError:
                    code = 0
                ms = (time.perf_counter() - t) * 1000
                latencies.append(ms)
                if want is None:
                    by_mode.setdefault(str(body.get("mode")), []).append(ms)
                    answered[str(body.get("mode"))] += code == 200
                if code and _is_overflow(code, r) and r.headers.get("retry-after"):
                    codes["llm_busy_503"] += 1
                else:
                    codes[f"{code // 100}xx" if code else "no_response"] += 1
                if want is not None and code != want:
                    wrong_4xx += 1
                if code == 200:
                    for flag in r.json().get("flags", ()):
                        if flag in ("via_local", "via_llm", "via_extractive", "llm_busy"):
                            flags[flag] += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - t0
    n = len(latencies)
    return {"clients": clients, "requests": n, "seconds": round(elapsed, 1),
            "req_per_s": round(n / elapsed, 2) if elapsed else 0.0, **dict(codes),
            "5xx": codes.get("5xx", 0), "no_response": codes.get("no_response", 0),
            "unexpected_4xx_code": wrong_4xx, "answer_routes": dict(flags),
            "llm_busy_503": codes.get("llm_busy_503", 0),
            "latency_ms": summarize_ms(latencies),
            "latency_ms_by_mode": {m: summarize_ms(v) for m, v in sorted(by_mode.items())},
            "answered_by_mode": dict(answered)}


def slow_body(url: str, timeout_s: float = 10.0) -> dict[str, Any]:
    """Send headers promising 100 bytes, then 10, then nothing: the server must answer 408 and
    close, within its body timeout, rather than hold the connection."""
    host, port = url.removeprefix("http://").split(":")
    t = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=timeout_s + 20) as sock:
        sock.sendall(b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{\"question")
        data = b""
        with contextlib.suppress(TimeoutError, OSError):
            while chunk := sock.recv(4096):
                data += chunk
    status = data.split(b"\r\n", 1)[0].decode("latin-1") if data else "(closed without a reply)"
    return {"status_line": status, "seconds": round(time.monotonic() - t, 1),
            "ok": " 408 " in status + " "}


def _load_and_soak(report: SoakReport, config: SoakConfig, url: str, pid: int) -> None:
    """Idle CPU, the burst, the soak with its RSS growth, and the slow body, into `report`."""
    report.idle_cpu_pct = idle_cpu(pid, config.idle_seconds)
    report.burst = asyncio.run(_drive(url, config, config.clients, seconds=config.seconds))
    asyncio.run(_drive(url, config, config.soak_clients, total=200))  # warm caches first
    rss0 = _proc_rss_mb(pid)
    report.soak = asyncio.run(_drive(url, config, config.soak_clients, total=config.requests))
    report.soak.update(rss_start_mb=round(rss0, 1), rss_end_mb=round(_proc_rss_mb(pid), 1),
                       rss_growth_mb=round(_proc_rss_mb(pid) - rss0, 1))
    report.slow_body = slow_body(url)


def run_soak(config: SoakConfig, workdir: Path | None = None) -> SoakReport:
    """Start the server, then measure idle CPU, the burst, the soak and the slow body (unless
    `mixed_only`), then, with a `local_share`, the extractive-only and the mixed burst."""
    report = SoakReport(config=asdict(config))
    with tempfile.TemporaryDirectory(prefix="rag-soak-") as tmp:
        work = workdir or Path(tmp)
        with serving(config, work) as (url, pid):
            if not config.mixed_only:
                _load_and_soak(report, config, url, pid)
            if config.local_share > 0:
                report.extractive_only = asyncio.run(_drive(
                    url, config, config.mixed_clients, seconds=config.mixed_seconds,
                    request=lambda i: _mixed_request(i, 0.0)))
                report.mixed = asyncio.run(_drive(
                    url, config, config.mixed_clients, seconds=config.mixed_seconds,
                    request=lambda i: _mixed_request(i, config.local_share)))
                report.mixed["rss_mb"] = round(_proc_rss_mb(pid), 1)
    return report


def render(report: SoakReport) -> str:
    b, s = report.burst, report.soak
    lines = [] if not b else [
        f"idle CPU: {report.idle_cpu_pct:.2f} % of one core",
        f"burst: {b['clients']} clients x {b['seconds']} s: {b['requests']} requests "
        f"({b['req_per_s']}/s), 5xx {b['5xx']}, no response {b['no_response']}, "
        f"2xx {b.get('2xx', 0)}, 4xx {b.get('4xx', 0)} (wrong code {b['unexpected_4xx_code']}), "
        f"p50 {b['latency_ms']['p50']:.0f} ms, p95 {b['latency_ms']['p95']:.0f} ms; routes {b['answer_routes']}",
        f"soak: {s['requests']} requests by {s['clients']} clients in {s['seconds']} s: 5xx {s['5xx']}, "
        f"RSS {s['rss_start_mb']} -> {s['rss_end_mb']} MB ({s['rss_growth_mb']:+} MB)",
        f"slow body: {report.slow_body['status_line']} after {report.slow_body['seconds']} s",
    ]
    for label, part in (("extractive only", report.extractive_only), ("mixed", report.mixed)):
        if part:
            modes = ", ".join(f"{m} p50 {v['p50']:.0f} / p95 {v['p95']:.0f} ms (n={v['n']}, "
                              f"answered {part['answered_by_mode'].get(m, 0)})"
                              for m, v in part["latency_ms_by_mode"].items())
            lines.append(f"{label}: {part['clients']} clients x {part['seconds']} s: "
                         f"{part['requests']} requests, 5xx {part['5xx']}, "
                         f"503 llm_busy with Retry-After {part['llm_busy_503']}, "
                         f"2xx {part.get('2xx', 0)}, routes {part['answer_routes']}; {modes}"
                         + (f"; RSS {part['rss_mb']} MB" if "rss_mb" in part else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="CI size: fake embedder, a few seconds each")
    p.add_argument("--clients", type=int)
    p.add_argument("--seconds", type=float)
    p.add_argument("--requests", type=int)
    p.add_argument("--local-share", type=float,
                   help="add issue 13's mixed burst: this share of questions with mode=local "
                   "(after an extractive-only burst of the same size)")
    p.add_argument("--mixed-clients", type=int)
    p.add_argument("--mixed-seconds", type=float)
    p.add_argument("--mixed-only", action="store_true",
                   help="only the extractive-only and mixed bursts (with --local-share)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    config = SoakConfig(clients=10, seconds=3, requests=300, idle_seconds=3, fake=True) if args.quick \
        else SoakConfig()
    for name in ("clients", "seconds", "requests", "local_share", "mixed_clients", "mixed_seconds",
                 "mixed_only"):
        if getattr(args, name) is not None:
            setattr(config, name, getattr(args, name))
    report = run_soak(config)
    print(json.dumps(asdict(report), ensure_ascii=False, indent=2) if args.json else render(report))
    return 1 if report.server_errors or not report.slow_body.get("ok", config.mixed_only) else 0


if __name__ == "__main__":
    raise SystemExit(main())
