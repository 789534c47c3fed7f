"""Throughput of POST /api/ask on loopback: a real uvicorn server on 127.0.0.1, C concurrent clients."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from bench.measure import summarize_ms
from rag.config import Settings


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_server(settings: Settings, pipeline: Any) -> Iterator[str]:
    """Serve the API (no UI, no rate limit) for `pipeline` on 127.0.0.1; yields the base URL."""
    import uvicorn

    from rag.server import create_app

    server_settings = settings.server.model_copy(update={"rate_limit_per_minute": 0, "api_key": None})
    app = create_app(settings.model_copy(update={"server": server_settings}), pipeline, ui=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the benchmark server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


async def _load(url: str, questions: Sequence[str], clients: int, seconds: float) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    errors = 0
    # trust_env=False: loopback must never go through a proxy from the environment
    async with httpx.AsyncClient(timeout=120, trust_env=False) as http:
        await http.post(f"{url}/api/ask", json={"question": questions[0]})  # warm-up, not counted
        deadline = time.perf_counter() + seconds

        async def worker(n: int) -> None:
            nonlocal errors
            j = n
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                try:
                    r = await http.post(f"{url}/api/ask",
                                        json={"question": questions[j % len(questions)]})
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - t) * 1000)
                errors += not ok
                j += clients

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(clients)))
        elapsed = time.perf_counter() - t0
    return {"clients": clients, "requests": len(latencies), "errors": errors,
            "seconds": round(elapsed, 2), "req_per_s": round(len(latencies) / elapsed, 2),
            "latency_ms": summarize_ms(latencies)}


def ask_throughput(settings: Settings, pipeline: Any, questions: Sequence[str],
                   clients: Sequence[int] = (1, 4, 16), seconds: float = 8.0) -> list[dict[str, Any]]:
    """Requests per second and latency at each concurrency, each level run for ~`seconds`."""
    if not questions:
        return []
    with running_server(settings, pipeline) as url:
        return [asyncio.run(_load(url, questions, c, seconds)) for c in clients]
