"""The manifest of a built index: which model, chunking and corpus made it, and the SHA-256 of every
file of its generation. Checked on every load.

The manifest checksums itself: `checksum` is the SHA-256 of the canonical JSON (sorted keys, no
spaces) of every other field as written, so an edited, truncated or foreign manifest is caught
before anything it lists is trusted. A manifest without `checksum` was written before integrity
checks existed ("legacy"): it is read as before and its files are not verified.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from rag.config import Settings
from rag.errors import IndexCorruptError, IndexMismatchError
from rag.ingest.edits import WITHDRAWN_FILE

MANIFEST_FILE = "manifest.json"
REBUILD_HINT = "run `rag index --force` to rebuild the index"
FORMAT_VERSION = 4  # bump when what is indexed or how it is stored changes (2: rjieba, own BM25; 3: lost line breaks, pangu spaces; 4: a dateline ends "原标题："); an older index is rebuilt, its vectors reused


class FileSum(BaseModel):
    """Size and SHA-256 of one file of a generation, recorded when it was built."""

    model_config = ConfigDict(frozen=True)

    size: int
    sha256: str


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
    files: dict[str, FileSum] = Field(
        default_factory=dict, description="Every other file of the generation (path relative to "
        "it, '/'-separated) with its size and SHA-256; empty in a legacy manifest.")
    checksum: str = Field("", description="sha256 of the canonical JSON of the other fields; "
                          "empty in a legacy manifest (written before integrity checks).")

    @property
    def legacy(self) -> bool:
        """Whether this manifest predates integrity checks (no checksum, no file sums)."""
        return not self.checksum


def chunk_params(settings: Settings) -> dict[str, int]:
    """The chunk settings that change what is indexed."""
    return {"max_chars": settings.chunk.max_chars,
            "overlap_sentences": settings.chunk.overlap_sentences}


def corpus_fingerprint(corpus_dir: Path) -> str:
    """sha256 over the relative paths and bytes of every visible file under corpus_dir (or of it),
    and of its list of withdrawn articles."""
    h = hashlib.sha256()
    if corpus_dir.is_file():
        h.update(corpus_dir.name.encode() + b"\0" + hashlib.sha256(corpus_dir.read_bytes()).digest())
    elif corpus_dir.is_dir():
        files = sorted(p for p in corpus_dir.rglob("*")
                       if p.is_file() and not any(part.startswith(".")
                                                  for part in p.relative_to(corpus_dir).parts))
        if (corpus_dir / WITHDRAWN_FILE).is_file():  # hidden, but it changes what is ingested
            files.append(corpus_dir / WITHDRAWN_FILE)
        for f in files:
            h.update(f.relative_to(corpus_dir).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(f.read_bytes()).digest())
    return "sha256:" + h.hexdigest()[:16]


def manifest_checksum(fields: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a manifest's fields (its `checksum` left out)."""
    rest = {k: v for k, v in fields.items() if k != "checksum"}
    canonical = json.dumps(rest, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def write_manifest(directory: Path, manifest: Manifest) -> Manifest:
    """Write `manifest` into `directory` with its checksum filled in; return what was written."""
    fields = manifest.model_dump(mode="json", exclude={"checksum"})
    signed = manifest.model_copy(update={"checksum": manifest_checksum(fields)})
    (directory / MANIFEST_FILE).write_text(signed.model_dump_json(indent=2), encoding="utf-8")
    return signed


def read_manifest(directory: Path) -> Manifest:
    """The manifest in `directory`; IndexCorruptError when it is missing, unreadable, or does not
    match its own checksum."""
    path = directory / MANIFEST_FILE
    try:
        fields = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(fields, dict):
            raise ValueError("not a JSON object")
        manifest = Manifest.model_validate(fields)
    except FileNotFoundError as exc:
        raise IndexCorruptError(f"the index manifest {path} is missing", hint=REBUILD_HINT) from exc
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"cannot read the index manifest {path}: {exc}",
                                hint=REBUILD_HINT) from exc
    if not manifest.checksum and manifest.files:
        raise IndexCorruptError(f"the index manifest {path} lists file checksums but has lost its "
                                "own", hint=REBUILD_HINT)
    if manifest.checksum and manifest.checksum != manifest_checksum(fields):
        raise IndexCorruptError(f"the index manifest {path} was altered: it does not match its "
                                "checksum", hint=REBUILD_HINT)
    return manifest


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
