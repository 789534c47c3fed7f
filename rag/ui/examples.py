"""The example questions the UI offers: ones the served corpus really answers."""

from __future__ import annotations

import logging
import weakref
from typing import Any

log = logging.getLogger(__name__)

# One list per pipeline object: a new pipeline (another corpus, an article edit) picks its own.
_FOUND: weakref.WeakKeyDictionary[Any, list[str]] = weakref.WeakKeyDictionary()


def answerable_examples(pipeline: Any, n: int = 4) -> list[str]:
    """Up to n questions this pipeline's corpus can answer: the configured examples that get an
    answer here, then one per article built from its headline. Computed once per pipeline; a
    stand-in without settings (a test fake) offers none, so the UI shows the configured ones."""
    settings = getattr(pipeline, "settings", None)
    if settings is None:
        return []
    if pipeline not in _FOUND:
        _FOUND[pipeline] = _select(pipeline, list(settings.server.example_questions), n)
    return _FOUND[pipeline][:n]


def _select(pipeline: Any, configured: list[str], n: int) -> list[str]:
    headlines = [f"“{a.title.strip()}”说了什么？" for a in pipeline.articles()
                 if 4 <= len(a.title.strip()) <= 30]
    candidates = [*configured, *headlines[: 3 * n]]
    found: list[str] = []
    for q in dict.fromkeys(candidates):
        if len(found) >= n:
            break
        try:
            if not pipeline.ask(q).abstained:
                found.append(q)
        except Exception:  # noqa: BLE001 - an example that fails is simply not offered
            log.debug("example %r not answerable here", q)
    return found
