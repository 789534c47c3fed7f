"""The on-box LLM: llama.cpp's server inside this process (xllamacpp), listening on loopback.

It speaks the OpenAI protocol like any remote vLLM / llama.cpp / Ollama endpoint, so the 'local'
mode is the `LLMAnswerer` pointed at `base_url` — one code path for both. The model loads once,
on a background thread; one generation runs at a time and at most `local_llm.queue` questions
wait for it (the rest get 503 llm_busy with Retry-After); the extractive path never waits here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from rag.config import Settings
from rag.errors import LLMBusyError, LLMError, RagError

log = logging.getLogger(__name__)

LocalState = Literal["off", "loading", "ready", "failed"]


class LLMGate:
    """One generation at a time, a bounded number waiting; over it, LLMBusyError at once."""

    def __init__(self, queue: int, retry_after_s: int = 5) -> None:
        self.capacity = 1 + max(0, queue)
        self.retry_after_s = retry_after_s
        self._count = 0
        self._count_lock = threading.Lock()
        self._run = threading.Lock()

    @contextmanager
    def slot(self, timeout_s: float) -> Iterator[None]:
        """Hold the generation slot for the body; LLMBusyError when the queue is full or the wait
        outlasts `timeout_s`."""
        with self._count_lock:
            if self._count >= self.capacity:
                raise LLMBusyError(
                    f"the on-box LLM is busy ({self._count} questions running or waiting)",
                    retry_after_s=self.retry_after_s)
            self._count += 1
        try:
            if not self._run.acquire(timeout=timeout_s):
                raise LLMBusyError("the on-box LLM is busy; the wait ran out",
                                   retry_after_s=self.retry_after_s)
            try:
                yield
            finally:
                self._run.release()
        finally:
            with self._count_lock:
                self._count -= 1

    @property
    def in_use(self) -> int:
        """Questions running or waiting now."""
        return self._count


class LocalLLM:
    """Owns the in-process llama.cpp server; `base_url` once the model is loaded."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.gate = LLMGate(settings.local_llm.queue)
        self._server: Any = None
        self._state: LocalState = "off"
        self._error: str | None = None
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self.load_s: float | None = None

    def start(self, background: bool = True) -> LocalLLM:
        """Load the model (once); on a daemon thread unless `background` is False."""
        with self._lock:
            if self._state in ("loading", "ready"):
                return self
            self._state, self._error = "loading", None
            self._ready.clear()
        if background:
            threading.Thread(target=self._load, name="local-llm-load", daemon=True).start()
        else:
            self._load()
        return self

    def _load(self) -> None:
        t0 = time.perf_counter()
        try:
            server = _start_server(self.settings)
        except RagError as exc:
            self._fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - reported by status() and by the 'local' mode
            log.exception("the on-box LLM failed to load")
            self._fail(f"{type(exc).__name__}: {exc}")
        else:
            with self._lock:
                self._server, self._state = server, "ready"
                self.load_s = round(time.perf_counter() - t0, 2)
            log.info("on-box LLM ready at %s after %.1f s", self.base_url, self.load_s)
        finally:
            self._ready.set()

    def _fail(self, message: str) -> None:
        log.warning("on-box LLM unavailable: %s", message)
        with self._lock:
            self._state, self._error = "failed", message

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until loading ends (ready or failed); whether it is ready."""
        self._ready.wait(timeout_s)
        return self._state == "ready"

    @property
    def state(self) -> LocalState:
        """off, loading, ready or failed."""
        return self._state

    @property
    def base_url(self) -> str:
        """The loopback OpenAI endpoint ('http://127.0.0.1:PORT/v1'); LLMError until ready."""
        if self._state != "ready" or self._server is None:
            raise self.unavailable()
        address = str(self._server.listening_address).rstrip("/")
        if not address.startswith("http"):
            address = "http://" + address
        return address + "/v1"

    def unavailable(self) -> LLMError:
        """Why the local mode cannot answer now."""
        if self._state == "loading":
            return LLMBusyError("the on-box LLM is still loading; try again in a few seconds",
                                retry_after_s=5)
        if self._state == "failed":
            return LLMError(f"the on-box LLM failed to load: {self._error}",
                            hint="see `rag models fetch --llm` and the server log")
        return LLMError("the on-box LLM is not started",
                        hint="set local_llm.enabled (RAG_LOCAL_LLM__ENABLED=true)")

    def status(self) -> dict[str, Any]:
        """For /api/health and /v1/models."""
        out: dict[str, Any] = {"state": self._state, "model": self.settings.local_llm.model,
                               "threads": self.settings.local_llm.threads,
                               "busy": self.gate.in_use}
        if self.load_s is not None:
            out["load_s"] = self.load_s
        if self._error:
            out["error"] = self._error
        return out

    def close(self) -> None:
        """Stop the server (its threads end with the object)."""
        with self._lock:
            self._server, self._state = None, "off"


def _start_server(settings: Settings) -> Any:
    """Load the GGUF file into an xllamacpp server on a free loopback port."""
    from rag.llm_files import check_llm_file

    path = check_llm_file(settings)
    try:
        import xllamacpp
    except ImportError as exc:
        raise LLMError("xllamacpp is not installed", hint="run `bash scripts/setup.sh`") from exc
    cfg = settings.local_llm
    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.n_ctx = cfg.n_ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = cfg.threads
    params.cpuparams_batch.n_threads = cfg.threads
    params.port = 0  # any free port
    params.hostnames = ["127.0.0.1"]
    params.n_predict = cfg.max_tokens
    params.timeout_read = params.timeout_write = int(cfg.timeout_s)
    params.warmup = True
    params.verbosity = -1  # llama.cpp logs nothing; load and timing figures come from our logs
    return xllamacpp.Server(params)
