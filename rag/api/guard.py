"""Access to /api and /v1 (body size and time limits, API key, per-client token-bucket rate limit),
and the same limits, without the key, on the public UI's own routes (/gradio_api)."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from dataclasses import dataclass, field
from typing import Literal

import anyio
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.api.errors import error_response
from rag.config import ServerSettings

GUARDED_PREFIXES = ("/api/", "/v1/")
UI_PREFIX = "/gradio_api/"  # Gradio's queue/join, call/*, run/*, upload, heartbeat…: they call the pipeline
PUBLIC_PATHS = frozenset({"/api/docs", "/api/openapi.json", "/api/docs/oauth2-redirect"})
EDIT_PREFIX = "/api/articles"  # POST/PUT bodies there may be as large as max_upload_bytes
PROBE_PATH = "/api/health"  # no key, no rate limit: load balancers and monitors poll it
Zone = Literal["api", "ui", "open"]


@dataclass
class TokenBucket:
    """Per-client buckets holding up to `capacity` requests, refilled at capacity per minute."""

    per_minute: int
    max_clients: int = 10_000
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, client: str, now: float | None = None) -> float:
        """Spend one token; 0.0 when allowed, else the seconds until a token is available."""
        if self.per_minute <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        tokens, last = self._buckets.get(client, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - last) * rate)
        if tokens >= 1.0:
            self._store(client, tokens - 1.0, now)
            return 0.0
        self._store(client, tokens, now)
        return (1.0 - tokens) / rate

    def _store(self, client: str, tokens: float, now: float) -> None:
        if len(self._buckets) >= self.max_clients and client not in self._buckets:
            # Forget clients whose buckets have refilled; they would start full anyway.
            full_after = 60.0
            self._buckets = {c: v for c, v in self._buckets.items() if now - v[1] < full_after}
        self._buckets[client] = (tokens, now)


def presented_key(headers: dict[str, str]) -> str | None:
    """The API key from `Authorization: Bearer …` or `X-API-Key`, if any."""
    auth = headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return headers.get("x-api-key", "").strip() or None


def zone(path: str) -> Zone:
    """Which limits a path gets: the API's (key, rate, body), the UI's (rate, body) or none."""
    if path.startswith(GUARDED_PREFIXES) or path in ("/api", "/v1"):
        return "api"
    if path.startswith(UI_PREFIX) or path == UI_PREFIX.rstrip("/"):
        return "ui"
    return "open"


class ApiGuard:
    """ASGI middleware guarding /api/* and /v1/*, and rate- and size-limiting the UI's /gradio_api/*
    (without a key: the UI is public); the UI's pages and assets pass through untouched."""

    def __init__(self, app: ASGIApp, settings: ServerSettings) -> None:
        self.app = app
        self.max_body = settings.max_body_bytes
        self.max_upload = max(settings.max_upload_bytes, settings.max_body_bytes)
        self.body_timeout_s = settings.body_timeout_s
        secret = settings.api_key.get_secret_value() if settings.api_key else ""
        self.api_key = secret.encode() if secret else None
        self.bucket = TokenBucket(settings.rate_limit_per_minute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        where = zone(path) if scope["type"] == "http" else "open"
        if where == "open":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = (scope.get("client") or ("unknown", 0))[0]
        key = presented_key(headers) if where == "api" else None
        valid = self.api_key is not None and key is not None and hmac.compare_digest(
            key.encode(), self.api_key)
        refusal = self._refusal(where, path, "ip:" + host, key, valid)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        limit = (self.max_upload if path.startswith(EDIT_PREFIX) and scope.get("method") in ("POST", "PUT")
                 else self.max_body)
        try:
            body = await self._read_body(headers, receive, limit)
        except TimeoutError:
            await error_response(408, "request_timeout",
                                 f"the request body did not arrive within {self.body_timeout_s:g} s",
                                 {"Connection": "close"})(scope, _drained, send)
            return
        if body is None:
            await error_response(413, "payload_too_large",
                                 f"the request body is larger than {limit} bytes")(
                scope, _drained, send)
            return
        await self.app(scope, _replay(body, receive), send)

    def _refusal(self, where: Zone, path: str, ip: str, key: str | None,
                 valid: bool) -> Response | None:
        """A 429 or 401 response when the request may not go on, else None."""
        if path != PROBE_PATH:
            if valid and key:
                client = "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]
            else:
                client = ("ui:" if where == "ui" else "") + ip  # the UI has its own budget
            wait = self.bucket.take(client)
            if wait > 0:
                retry = str(max(1, math.ceil(wait)))
                return error_response(429, "rate_limited", f"too many requests; retry after {retry} s",
                                      {"Retry-After": retry})
        if where == "ui" or path in PUBLIC_PATHS or path == PROBE_PATH:
            return None
        if self.api_key is not None and not valid:
            code, msg = ("invalid_api_key", "the API key is not valid") if key else (
                "missing_api_key", "this endpoint needs an API key "
                "(Authorization: Bearer <key> or X-API-Key: <key>)")
            return error_response(401, code, msg, {"WWW-Authenticate": "Bearer"})
        return None

    async def _read_body(self, headers: dict[str, str], receive: Receive, limit: int) -> bytes | None:
        """The whole body, or None when it exceeds the limit (checked before and while reading);
        TimeoutError when it has not all arrived within body_timeout_s (a Content-Length longer
        than the body, or a client trickling it), which would otherwise hold the connection."""
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        with anyio.fail_after(self.body_timeout_s):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    break
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    return None
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
        return b"".join(chunks)


async def _drained() -> Message:
    return {"type": "http.disconnect"}


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later messages: disconnect notifications while streaming

    return replay
