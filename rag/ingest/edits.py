"""Edits of a corpus folder that survive a restart, and can be undone until they are committed.

How an accepted change is kept (nothing else in the folder is ever rewritten):

- an article added as JSON is written to `added/<id>.jsonl` (one JSONL line, the format the
  ingestion reads); an uploaded file is kept as it came, under `added/<its name>`;
- a changed article is written the same way; when it came from a file that holds other articles
  too (a newspaper page, a JSONL corpus) that original is withdrawn (below);
- a removed article that is the only one of its file under `added/` has that file deleted; any
  other is withdrawn: its (file, id) pair is listed in `.withdrawn.json` beside the corpus files.
  That file is hidden, so it is never read as a document, but it is part of the corpus
  fingerprint, and `load_corpus` drops the articles it lists.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ADDED_DIR = "added"
WITHDRAWN_FILE = ".withdrawn.json"
_SAFE_NAME = re.compile(r"[^0-9A-Za-z_.\-\u3400-\u9fff]+")
Withdrawn = frozenset[tuple[str, str]]


def read_withdrawn(corpus_dir: Path) -> Withdrawn:
    """The (source_path, article_id) pairs withdrawn from a corpus folder (none when unlisted)."""
    path = corpus_dir / WITHDRAWN_FILE
    if not corpus_dir.is_dir() or not path.is_file():
        return frozenset()
    try:
        rows = json.loads(path.read_text(encoding="utf-8")).get("withdrawn", [])
        return frozenset((str(r["source_path"]), str(r["article_id"])) for r in rows)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        from rag.errors import IngestError

        raise IngestError(f"cannot read {path}: {exc}",
                          hint="fix or delete the file (it lists withdrawn articles)") from exc


def withdrawn_bytes(pairs: Withdrawn) -> bytes:
    """The content of `.withdrawn.json` for these pairs (sorted, so the fingerprint is stable)."""
    rows = [{"source_path": s, "article_id": a} for s, a in sorted(pairs)]
    return (json.dumps({"withdrawn": rows}, ensure_ascii=False, indent=1) + "\n").encode()


def safe_file_name(name: str) -> str:
    """A plain file name for `added/`: no folders, no leading dot, odd characters replaced."""
    base = _SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).lstrip("._")
    return base[-120:] or "upload"


def added_name(article_id: str) -> str:
    """The file name an article added as JSON is kept under: its id when that is a plain name."""
    safe = safe_file_name(article_id)
    if safe != article_id:
        safe = f"{safe[:60]}-{hashlib.sha1(article_id.encode()).hexdigest()[:8]}"
    return f"{safe}.jsonl"


def article_line(doc: dict[str, Any]) -> bytes:
    """One JSONL line {id, title, text, published?, url?, source?} (empty fields left out)."""
    keep = {k: v for k, v in doc.items() if v not in (None, "")}
    return (json.dumps(keep, ensure_ascii=False) + "\n").encode()


@dataclass
class CorpusChange:
    """File writes and deletions in a corpus folder, applied at once and undone on failure."""

    corpus_dir: Path
    writes: dict[str, bytes] = field(default_factory=dict)  # relative path -> new bytes
    deletes: set[str] = field(default_factory=set)
    _backup: dict[str, bytes | None] = field(default_factory=dict)

    def write(self, rel: str, data: bytes) -> None:
        """Write (or replace) `rel` when the change is applied."""
        self.deletes.discard(rel)
        self.writes[rel] = data

    def delete(self, rel: str) -> None:
        """Delete `rel` when the change is applied."""
        self.writes.pop(rel, None)
        self.deletes.add(rel)

    def exists(self, rel: str) -> bool:
        """Whether `rel` will exist once the change is applied."""
        if rel in self.writes:
            return True
        return rel not in self.deletes and (self.corpus_dir / rel).exists()

    def apply(self) -> None:
        """Make every write and deletion (each file replaced atomically); undone if one fails."""
        try:
            for rel in sorted(self.writes.keys() | self.deletes):
                path = self.corpus_dir / rel
                self._backup[rel] = path.read_bytes() if path.is_file() else None
                if rel in self.writes:
                    _atomic_write(path, self.writes[rel])
                else:
                    path.unlink(missing_ok=True)
        except BaseException:
            self.rollback()
            raise

    def rollback(self) -> None:
        """Put back every file this change touched, as it was before `apply`."""
        for rel, old in self._backup.items():
            path = self.corpus_dir / rel
            if old is None:
                path.unlink(missing_ok=True)
            else:
                _atomic_write(path, old)
        self._backup.clear()


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".tmp-{uuid.uuid4().hex[:8]}-{path.name}"  # hidden: never ingested
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
