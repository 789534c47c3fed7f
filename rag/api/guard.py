"""Staff access for /api and /v1: body size limit, API key, per-client token-bucket rate limit."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.api.errors import error_response
from rag.config import ServerSettings

GUARDED_PREFIXES = ("/api/", "/v1/")
PUBLIC_PATHS = frozenset({"/api/docs", "/api/openapi.json", "/api/docs/oauth2-redirect"})


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


class ApiGuard:
    """ASGI middleware guarding only /api/* and /v1/*; the public UI passes through untouched."""

    def __init__(self, app: ASGIApp, settings: ServerSettings) -> None:
        self.app = app
        self.max_body = settings.max_body_bytes
        secret = settings.api_key.get_secret_value() if settings.api_key else ""
        self.api_key = secret.encode() if secret else None
        self.bucket = TokenBucket(settings.rate_limit_per_minute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path.startswith(GUARDED_PREFIXES) or path in ("/api", "/v1")):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        key = presented_key(headers)
        valid = self.api_key is not None and key is not None and hmac.compare_digest(
            key.encode(), self.api_key)
        if valid and key:
            client = "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]
        else:
            client = "ip:" + (scope.get("client") or ("unknown", 0))[0]
        wait = self.bucket.take(client)
        if wait > 0:
            retry = str(max(1, math.ceil(wait)))
            await error_response(429, "rate_limited", f"too many requests; retry after {retry} s",
                                 {"Retry-After": retry})(scope, receive, send)
            return
        if self.api_key is not None and not valid and path not in PUBLIC_PATHS:
            code, msg = ("invalid_api_key", "the API key is not valid") if key else (
                "missing_api_key", "this endpoint needs an API key "
                "(Authorization: Bearer <key> or X-API-Key: <key>)")
            await error_response(401, code, msg, {"WWW-Authenticate": "Bearer"})(scope, receive, send)
            return
        body = await self._read_body(headers, receive)
        if body is None:
            await error_response(413, "payload_too_large",
                                 f"the request body is larger than {self.max_body} bytes")(
                scope, _drained, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read_body(self, headers: dict[str, str], receive: Receive) -> bytes | None:
        """The whole body, or None when it exceeds the limit (checked before and while reading)."""
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
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
