"""The public Gradio UI, mounted at "/" of the FastAPI server."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from rag.config import Settings

FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
         "system-ui", "sans-serif"]
MONO = ["Noto Sans Mono CJK SC", "ui-monospace", "monospace"]
# Gradio's queue polls for work every 1 ms and for progress every 10 ms when idle: ~6 % of a core
# on a server nobody uses. 50 ms (its Windows default) / 100 ms bring an idle server under 1 %
# (measured 0.8 %; 0.3 % without the UI) and delay the start of a UI answer by at most 50 ms.
QUEUE_POLL_S = 0.05
PROGRESS_POLL_S = 0.1


def _asset(name: str) -> str:
    return files("rag").joinpath("ui_assets", name).read_text(encoding="utf-8")


def mount_ui(app: Any, settings: Settings, get_pipeline: Any, questions: Any = None,
             editors: Any = None) -> None:
    """Build the Blocks and mount them at "/" (after the API routes, so /api stays reachable)."""
    import gradio as gr

    from rag.ui.blocks import build_ui

    # Local font names only: a GoogleFont in the theme would make browsers fetch from the internet.
    theme = gr.themes.Default(primary_hue="red", font=FONTS, font_mono=MONO)
    blocks = build_ui(settings, get_pipeline, questions, editors)
    gr.mount_gradio_app(
        app, blocks, path="/", theme=theme, css=_asset("ui.css"),
        head=f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
             f"<script>{_asset('ui.js')}</script>",
        footer_links=[], ssr_mode=False, mcp_server=False, show_error=False, pwa=False,
        enable_monitoring=False, server_name=settings.server.host, server_port=settings.server.port,
    )
    quieten_queue(blocks)


def quieten_queue(blocks: Any) -> None:
    """Poll Gradio's event queue less often when it is idle (see QUEUE_POLL_S)."""
    queue = getattr(blocks, "_queue", None)
    if queue is not None and hasattr(queue, "sleep_when_free"):
        queue.sleep_when_free = max(queue.sleep_when_free, QUEUE_POLL_S)
        queue.progress_update_sleep_when_free = max(queue.progress_update_sleep_when_free,
                                                    PROGRESS_POLL_S)
