"""Small measuring tools: percentiles, a peak-RSS sampler, folder sizes."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def summarize_ms(values: Sequence[float]) -> dict[str, float]:
    """p50 / p95 / p99 / mean of millisecond timings, rounded, with the sample count."""
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50": round(percentile(values, 50), 2),
            "p95": round(percentile(values, 95), 2), "p99": round(percentile(values, 99), 2),
            "mean": round(sum(values) / len(values), 2)}


def time_calls(fn: Callable[[str], Any], queries: Sequence[str], *, warmup: int = 1,
               repeat: int = 1) -> tuple[list[float], list[Any]]:
    """Milliseconds per call of fn(q), warm: the first `warmup` calls are made and not counted."""
    for q in queries[:warmup]:
        fn(q)
    times, results = [], []
    for _ in range(repeat):
        for q in queries:
            t = time.perf_counter()
            results.append(fn(q))
            times.append((time.perf_counter() - t) * 1000)
    return times, results


def rss_bytes(pid: int | str = "self") -> int:
    """The resident set size now of this process, or of process `pid` (Linux /proc; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    import os

    return pages * os.sysconf("SC_PAGE_SIZE")


class PeakRSS:
    """Samples RSS every 50 ms inside a `with` block: `peak` and `start` in bytes."""

    def __init__(self, interval_s: float = 0.05) -> None:
        self.interval_s = interval_s
        self.start = 0
        self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.peak = max(self.peak, rss_bytes())

    def __enter__(self) -> PeakRSS:
        self.start = self.peak = rss_bytes()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    def report(self) -> dict[str, float]:
        """Peak RSS and its growth over the start of the block, in MB."""
        return {"peak_rss_mb": round(self.peak / 1e6, 1),
                "rss_growth_mb": round((self.peak - self.start) / 1e6, 1)}


def dir_bytes(path: Path) -> int:
    """Total size of the regular files under `path`."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def ratio(ours: float | None, base: float | None) -> float | None:
    """ours / baseline, rounded; None when either side is missing or the baseline is zero."""
    if ours is None or base is None or not base or math.isnan(ours) or math.isnan(base):
        return None
    return round(ours / base, 3)
