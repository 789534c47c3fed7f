"""`python app.py` starts one server: the UI at "/", the API under /api, the index opened in the background."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from api.serving import REPO, make_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_app_py_serves_ui_and_api(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    port = _free_port()
    env = {**os.environ, "RAG_SERVER__PORT": str(port), "RAG_MODEL__NAME": "fake",
           "RAG_CORPUS_DIR": str(settings.corpus_dir), "RAG_INDEX_DIR": str(settings.index_dir)}
    proc = subprocess.Popen([sys.executable, str(REPO / "app.py")], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                health = httpx.get(f"{base}/api/health", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.3)
        assert health.status_code == 200 and health.json()["status"] in {"starting", "ok", "error"}
        page = httpx.get(f"{base}/", timeout=10)
        assert page.status_code == 200 and "<html" in page.text.lower()
        assert "fonts.googleapis" not in page.text
        assert httpx.get(f"{base}/api/openapi.json", timeout=10).json()["info"]["title"] == "rag-news"
        assert httpx.get(f"{base}/api/nope", timeout=10).json()["error"]["code"] == "not_found"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_ui_queue_polls_gently_when_idle() -> None:
    """Gradio polls its queue every 1 ms by default (~6 % of a core on an idle server)."""
    import gradio as gr

    from rag.ui import PROGRESS_POLL_S, QUEUE_POLL_S, quieten_queue

    with gr.Blocks() as blocks:
        gr.Markdown("x")
    quieten_queue(blocks)
    assert blocks._queue.sleep_when_free >= QUEUE_POLL_S >= 0.02
    assert blocks._queue.progress_update_sleep_when_free >= PROGRESS_POLL_S
