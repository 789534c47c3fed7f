"""The manifest of a built index: which model, chunking and corpus made it. Checked on every load."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from rag.config import Settings
from rag.errors import IndexCorruptError, IndexMismatchError

MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 4  # bump when what is indexed or how it is stored changes (2: rjieba, own BM25; 3: lost line breaks, pangu spaces; 4: a dateline ends "原标题："); an older index is rebuilt, its vectors reused


class Manifest(BaseModel):
    """How an index was built (written last, so a half-written index has none)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    format_version: int = FORMAT_VERSION
    model_name: str
    model_fingerprint: str = Field(description="Hash of the model's weights.")
    dim: int
    chunk: dict[str, int] = Field(description="Chunk parameters (max_chars, overlap_sentences).")
    corpus_fingerprint: str = Field(description="Hash of the corpus files' names and bytes.")
    store: str = "faiss"
    articles: int = 0
    paragraphs: int = 0
    chunks: int = 0
    built_at: str = ""


def chunk_params(settings: Settings) -> dict[str, int]:
    """The chunk settings that change what is indexed."""
    return {"max_chars": settings.chunk.max_chars,
            "overlap_sentences": settings.chunk.overlap_sentences}


def corpus_fingerprint(corpus_dir: Path) -> str:
    """sha256 over the relative paths and bytes of every visible file under corpus_dir (or of it)."""
    h = hashlib.sha256()
    if corpus_dir.is_file():
        h.update(corpus_dir.name.encode() + b"\0" + hashlib.sha256(corpus_dir.read_bytes()).digest())
    elif corpus_dir.is_dir():
        files = sorted(p for p in corpus_dir.rglob("*")
                       if p.is_file() and not any(part.startswith(".")
                                                  for part in p.relative_to(corpus_dir).parts))
        for f in files:
            h.update(f.relative_to(corpus_dir).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(f.read_bytes()).digest())
    return "sha256:" + h.hexdigest()[:16]


def read_manifest(directory: Path) -> Manifest:
    """The manifest in `directory`; IndexCorruptError when it is missing or unreadable."""
    path = directory / MANIFEST_FILE
    try:
        return Manifest.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"cannot read {path}: {exc}", hint="run `rag index` to rebuild") from exc


def check_manifest(manifest: Manifest, *, model_name: str, model_fingerprint: str,
                   chunk: dict[str, int] | None = None, corpus: str | None = None) -> None:
    """Raise IndexMismatchError naming both sides when the index was built differently."""
    hint = "run `rag index` to rebuild the index with the current settings"
    if manifest.format_version != FORMAT_VERSION:
        raise IndexMismatchError(f"index format {manifest.format_version}, this code reads "
                                 f"{FORMAT_VERSION}", hint=hint)
    if manifest.model_fingerprint != model_fingerprint:
        raise IndexMismatchError(
            f"index was built with model {manifest.model_name} ({manifest.model_fingerprint}), "
            f"but the configured model is {model_name} ({model_fingerprint})", hint=hint)
    if chunk is not None and manifest.chunk != chunk:
        raise IndexMismatchError(f"index was built with chunking {manifest.chunk}, "
                                 f"settings ask for {chunk}", hint=hint)
    if corpus is not None and manifest.corpus_fingerprint != corpus:
        raise IndexMismatchError(
            f"index was built from corpus {manifest.corpus_fingerprint}, "
            f"but the corpus folder now has fingerprint {corpus}", hint=hint)
