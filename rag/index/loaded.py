"""Reading a built index back: articles, chunks, vectors, keyword index, manifest."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag.config import Settings
from rag.errors import IndexCorruptError, IndexError_
from rag.index.cache import EmbeddingCache, cache_key
from rag.index.embedders import Embedder
from rag.index.integrity import require_intact
from rag.index.keyword import KeywordIndex
from rag.index.layout import require_current
from rag.index.manifest import REBUILD_HINT, Manifest, check_manifest, chunk_params, read_manifest
from rag.index.store import FaissStore, VectorStore, open_store
from rag.ingest import read_ingest
from rag.records import Article, Chunk, Paragraph
from rag.text import publication_year

CHUNKS_FILE = "chunks.jsonl"
STORE_DIR = "store"
KEYWORD_DIR = "keyword"
CACHE_DIR = "cache"

log = logging.getLogger(__name__)


@dataclass
class LoadedIndex:
    """Everything retrieval needs, read from one generation folder."""

    directory: Path
    manifest: Manifest
    articles: tuple[Article, ...]
    chunks: tuple[Chunk, ...]
    store: VectorStore
    keyword: KeywordIndex
    cache: EmbeddingCache
    paragraphs: dict[str, Paragraph] = field(default_factory=dict)
    chunk_by_id: dict[str, Chunk] = field(default_factory=dict)
    _years: dict[str, str | None] | None = field(default=None, init=False, repr=False)
    dense_ready: bool = True  # False for the keyword-only index served while vectors are built

    def __post_init__(self) -> None:
        self.paragraphs = {p.paragraph_id: p for a in self.articles for p in a.paragraphs}
        self.chunk_by_id = {c.chunk_id: c for c in self.chunks}

    def year_of(self, article_id: str) -> str | None:
        """The year the article was published: its `published` field, else its opening dateline."""
        if self._years is None:
            self._years = {a.article_id: publication_year(a.published, opening_text(a)) for a in self.articles}
        return self._years.get(article_id)

    def chunk_vectors(self, chunk_ids: Sequence[str]) -> np.ndarray:
        """The embeddings of these chunks (from the content-addressed cache)."""
        fp = self.manifest.model_fingerprint
        return self.cache.get([cache_key(fp, self.chunk_by_id[c].embed_text) for c in chunk_ids])


def opening_text(article: Article) -> str:
    """What the article's text opens with: its first paragraph, or the caption before it (a
    scraped report's '2023-08-14 12:18，正文：' header is kept as a caption, not as body text)."""
    first = article.paragraphs[0] if article.paragraphs else None
    heads = [c for c in article.captions if c.char_start >= 0 and (first is None or c.char_start < first.char_start)]
    if heads:
        return min(heads, key=lambda c: c.char_start).text
    return first.text if first is not None else ""


def write_jsonl(path: Path, records: Sequence[Chunk]) -> None:
    """One JSON record per line, Chinese kept readable."""
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(r.model_dump_json() + "\n")


def _read_chunks(path: Path) -> list[Chunk]:
    try:
        with path.open(encoding="utf-8") as fh:
            return [Chunk.model_validate_json(line) for line in fh if line.strip()]
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"cannot read {path}: {exc}", hint=REBUILD_HINT) from exc


def read_chunk_ids(directory: Path) -> list[str]:
    """Chunk ids of a generation folder, without validating the records."""
    path = directory / CHUNKS_FILE
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["chunk_id"] for line in fh if line.strip()]


def load_index(settings: Settings, embedder: Embedder, *,
               corpus_fingerprint: str | None = None) -> LoadedIndex:
    """Load the current index; IndexMismatchError when built with another model, chunking or corpus;
    IndexCorruptError naming the file when the manifest or a file it lists is missing or damaged
    (file hashes checked unless `index.verify_on_load` is off)."""
    directory = require_current(settings.index_dir)
    manifest = read_manifest(directory)
    check_manifest(manifest, model_name=embedder.name, model_fingerprint=embedder.fingerprint,
                   chunk=chunk_params(settings), corpus=corpus_fingerprint)
    if manifest.dim != embedder.dim:
        raise IndexError_(f"index holds {manifest.dim}-d vectors, {embedder.name} makes {embedder.dim}-d")
    if settings.index.verify_on_load:
        require_intact(directory, manifest)
    articles = read_ingest(directory)
    chunks = tuple(_read_chunks(directory / CHUNKS_FILE))
    store = open_store(settings, directory / STORE_DIR, manifest.dim)
    keyword = KeywordIndex.load(directory / KEYWORD_DIR)
    cache = EmbeddingCache.load(directory / CACHE_DIR, manifest.dim)
    if len(store) != len(chunks) or len(keyword) != len(chunks):
        raise IndexCorruptError(f"index in {directory} is inconsistent: {len(chunks)} chunks, "
                                f"{len(store)} vectors, {len(keyword)} keyword entries",
                                hint=REBUILD_HINT)
    return LoadedIndex(directory, manifest, articles, chunks, store, keyword, cache)


def previous_vectors(settings: Settings, previous: Path | None, dim: int) -> EmbeddingCache:
    """The vectors a new build may reuse from the generation it replaces: its embedding cache when
    intact; when the cache is damaged, the vectors of its intact FAISS store (keyed by its chunks'
    texts); else none (everything is embedded again, with a warning)."""
    if previous is None:
        return EmbeddingCache(dim)
    try:
        manifest: Manifest | None = read_manifest(previous)
    except IndexCorruptError as exc:  # cannot check the cache: reuse it when it still parses
        log.warning("reusing the embedding cache of %s unverified: %s", previous, exc.message)
        manifest = None
    try:
        if manifest is not None and not manifest.legacy:
            require_intact(previous, manifest, only=CACHE_DIR)
        return EmbeddingCache.load(previous / CACHE_DIR, dim)
    except IndexCorruptError as exc:
        log.warning("not reusing the embedding cache of %s: %s", previous, exc.message)
    if manifest is not None and not manifest.legacy and settings.store.uri == "faiss":
        try:
            return _vectors_from_store(previous, manifest, dim)
        except IndexCorruptError as exc:
            log.warning("nor the vectors of its store: %s", exc.message)
    log.warning("no reusable vectors in %s: every chunk is embedded again", previous)
    return EmbeddingCache(dim)


def _vectors_from_store(directory: Path, manifest: Manifest, dim: int) -> EmbeddingCache:
    """The vectors of an intact FAISS store, keyed like the cache by its chunks' embedded texts."""
    require_intact(directory, manifest, only=STORE_DIR)
    require_intact(directory, manifest, only=CHUNKS_FILE)
    store = FaissStore.load(directory / STORE_DIR)
    if store.dim != dim:
        return EmbeddingCache(dim)
    held = set(store.ids)
    chunks = [c for c in _read_chunks(directory / CHUNKS_FILE) if c.chunk_id in held]
    keys = [cache_key(manifest.model_fingerprint, c.embed_text) for c in chunks]
    log.warning("reusing %d vectors from the store of %s instead of its damaged cache",
                len(keys), directory)
    return EmbeddingCache.from_pairs(dim, keys, store.vectors([c.chunk_id for c in chunks]))
