"""Where a built index lives: generation folders under index_dir and a CURRENT pointer.

A build writes a complete new generation folder, then replaces the one-line CURRENT file with
os.replace (atomic on POSIX). A crash at any moment leaves CURRENT naming a complete index.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from rag.errors import IndexError_

POINTER = "CURRENT"
TMP_PREFIX = ".tmp-"
GEN_PREFIX = "gen-"
LOCK_FILE = ".lock"

log = logging.getLogger(__name__)


def current_dir(index_dir: Path) -> Path | None:
    """The generation folder CURRENT names, or None when no index was ever completed."""
    pointer = index_dir / POINTER
    if not pointer.is_file():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    path = index_dir / name
    return path if name and path.is_dir() else None


def require_current(index_dir: Path) -> Path:
    """The current generation folder; IndexError_ when there is none."""
    path = current_dir(index_dir)
    if path is None:
        raise IndexError_(f"no index in {index_dir}", hint="run `rag index` to build it")
    return path


def new_temp_dir(index_dir: Path) -> Path:
    """A fresh folder to build a generation into."""
    name = f"{GEN_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
    path = index_dir / f"{TMP_PREFIX}{name}"
    path.mkdir(parents=True)
    return path


def publish(index_dir: Path, temp: Path) -> Path:
    """Move a finished build into place and point CURRENT at it; remove older generations."""
    final = index_dir / temp.name[len(TMP_PREFIX):]
    temp.rename(final)
    tmp_pointer = index_dir / f"{POINTER}.{uuid.uuid4().hex[:6]}.tmp"
    tmp_pointer.write_text(final.name + "\n", encoding="utf-8")
    with open(tmp_pointer, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp_pointer, index_dir / POINTER)
    for old in index_dir.glob(f"{GEN_PREFIX}*"):
        if old != final and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    return final


def clean_stale(index_dir: Path) -> None:
    """Remove leftovers of interrupted builds (only call while holding the build lock)."""
    for stale in index_dir.glob(f"{TMP_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in index_dir.glob(f"{POINTER}.*.tmp"):
        stale.unlink(missing_ok=True)


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """An exclusive lock so two builds never interleave in one index_dir: a second build waits
    (saying so) until the first has published or died; the kernel drops the lock of a killed one."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK_FILE, "a+") as fh:
        try:
            import fcntl
        except ImportError:  # not POSIX: builds are then not protected against each other
            yield
            return
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("another build of %s is running; waiting for it to finish", index_dir)
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        yield
