"""A small real OpenAI-compatible HTTP server on loopback with canned replies (for the LLM answerer tests)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAI:
    """POST /v1/chat/completions with and without stream=true; a wrong bearer key gets 401."""

    def __init__(self, api_key: str = "test-key") -> None:
        self.api_key = api_key
        self.replies: list[str] = []
        self.requests: list[dict[str, Any]] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def next_reply(self) -> str:
        return self.replies.pop(0) if len(self.replies) > 1 else (self.replies[0] if self.replies else "")

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._json(404, {"error": {"message": "not found"}})
                    return
                if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                    self._json(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                                               "code": "invalid_api_key"}})
                    return
                fake.requests.append(body)
                reply = fake.next_reply()
                model = body.get("model", "fake")
                if body.get("stream"):
                    self._stream(reply, model)
                else:
                    self._json(200, {
                        "id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()), "model": model,
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply},
                                     "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
                    })

            def _stream(self, reply: str, model: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                pieces = [reply[i:i + 3] for i in range(0, len(reply), 3)]
                for i, piece in enumerate(pieces):
                    delta: dict[str, Any] = {"content": piece}
                    if i == 0:
                        delta["role"] = "assistant"
                    self._event({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0,
                                 "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
                self._event({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0, "model": model,
                             "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, payload: dict[str, Any]) -> None:
                self.wfile.write(f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()

        return Handler

    @contextmanager
    def running(self) -> Iterator[FakeOpenAI]:
        """Serve on 127.0.0.1 at a free port in a thread for the duration of the block."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(timeout=5)
