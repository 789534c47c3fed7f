"""Reading a fitted model's JSON file (ranker, lead clause, calibration): absent is None, damaged
is a clear ConfigError naming the file, never a KeyError from deep inside the reader."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from rag.errors import ConfigError

T = TypeVar("T")


def read_model(path: Path, parse: Callable[[str], T], what: str, refit: str) -> T | None:
    """`parse` of the file's text; None when there is no file; ConfigError when it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the {what} model {path}: {exc}", hint=refit) from exc
    try:
        return parse(text)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"the {what} model {path} is damaged or not a {what} model "
                          f"({type(exc).__name__}: {exc})", hint=refit) from exc


def floats(values: Mapping[str, float]) -> dict[str, float]:
    """A {feature: number} table of a model file (ValueError or AttributeError when it is not one)."""
    return {str(k): float(v) for k, v in values.items()}
