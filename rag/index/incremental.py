"""A new index generation from a loaded one and a few changed articles, without a full rebuild.

Only the chunks of changed articles are cut again and only those whose text is not in the
embedding cache are embedded; every other chunk keeps its record and its vector. The generation
is written to a temporary folder and published atomically (rag.index.layout), so readers of the
folder see the old index or the new one, never a mix. The caller holds the build lock.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag.config import Settings
from rag.index.cache import EmbeddingCache, cache_key
from rag.index.chunking import chunk_articles
from rag.index.embedders import Embedder, embed_documents
from rag.index.integrity import sum_files
from rag.index.layout import clean_stale, new_temp_dir, publish
from rag.index.loaded import (
    CACHE_DIR,
    CHUNKS_FILE,
    KEYWORD_DIR,
    STORE_DIR,
    LoadedIndex,
    write_jsonl,
)
from rag.index.manifest import Manifest, write_manifest
from rag.index.store import make_store
from rag.ingest import IngestResult, write_ingest
from rag.records import Article, Chunk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delta:
    """What one change did to the paragraphs and chunks of the index, and how long it took."""

    added: tuple[str, ...] = ()      # paragraph ids new in the index
    removed: tuple[str, ...] = ()    # paragraph ids no longer in it
    changed: tuple[str, ...] = ()    # paragraph ids kept whose text changed
    unchanged: int = 0               # paragraphs of the changed articles kept as they were
    embedded: int = 0                # chunks embedded now
    paragraphs_embedded: int = 0     # paragraphs with a chunk embedded now
    reused: int = 0                  # chunks of the changed articles whose vector was cached
    chunks_removed: int = 0
    chunks: int = 0                  # chunks in the new generation
    generation: str = ""
    seconds: dict[str, float] = field(default_factory=dict)


def paragraph_delta(old: Sequence[Article], new: Sequence[Article]) -> tuple[list[str], list[str],
                                                                             list[str], int]:
    """(added, removed, changed, unchanged) paragraph ids between two versions of some articles."""
    before = {p.paragraph_id: p.text for a in old for p in a.paragraphs}
    after = {p.paragraph_id: p.text for a in new for p in a.paragraphs}
    added = [p for p in after if p not in before]
    removed = [p for p in before if p not in after]
    changed = [p for p in after if p in before and before[p] != after[p]]
    unchanged = sum(1 for p in after if p in before and before[p] == after[p])
    return added, removed, changed, unchanged


def apply_change(settings: Settings, embedder: Embedder, base: LoadedIndex,
                 articles: Sequence[Article], changed: Collection[str], *,
                 corpus_fingerprint: str) -> tuple[LoadedIndex, Delta]:
    """Publish a generation holding `articles` (the whole new corpus) where only the articles
    whose ids are in `changed` (added, replaced or removed) differ from `base`; return it loaded
    and what changed. The caller holds `build_lock(settings.index_dir)`."""
    t0 = time.perf_counter()
    seconds: dict[str, float] = {}
    old_by_id = {a.article_id: a for a in base.articles if a.article_id in changed}
    new_changed = [a for a in articles if a.article_id in changed]
    fresh_chunks = {c.chunk_id: c for c in chunk_articles(new_changed, settings.chunk)}
    by_article: dict[str, list[Chunk]] = defaultdict(list)
    for c in base.chunks:
        if c.article_id not in changed:
            by_article[c.article_id].append(c)
    for c in fresh_chunks.values():
        by_article[c.article_id].append(c)
    chunks = [c for a in articles for c in by_article.get(a.article_id, ())]
    fp = embedder.fingerprint
    keys = [cache_key(fp, c.embed_text) for c in chunks]
    todo: dict[str, str] = {}
    for c, k in zip(chunks, keys, strict=True):
        if c.chunk_id in fresh_chunks and k not in base.cache:
            todo.setdefault(k, c.embed_text)
    seconds["chunk"] = time.perf_counter() - t0
    t = time.perf_counter()
    vectors = embed_documents(embedder, list(todo.values())) if todo else np.zeros((0, embedder.dim))
    seconds["embed"] = time.perf_counter() - t
    t = time.perf_counter()
    new_vectors = EmbeddingCache.from_pairs(embedder.dim, list(todo), vectors)
    held = [k in base.cache for k in keys]
    out = np.zeros((len(keys), embedder.dim), dtype=np.float32)
    rows = [i for i, h in enumerate(held) if h]
    if rows:
        out[rows] = base.cache.get([keys[i] for i in rows])
    others = [i for i, h in enumerate(held) if not h]
    if others:
        out[others] = new_vectors.get([keys[i] for i in others])
    cache = EmbeddingCache.from_pairs(embedder.dim, keys, out)
    seconds["vectors"] = time.perf_counter() - t
    index = _write(settings, base, articles, chunks, keys, out, cache, corpus_fingerprint, seconds)
    added, removed, changed_ids, unchanged = paragraph_delta(list(old_by_id.values()), new_changed)
    old_chunk_ids = {c.chunk_id for c in base.chunks if c.article_id in changed}
    seconds["total"] = time.perf_counter() - t0
    delta = Delta(added=tuple(added), removed=tuple(removed), changed=tuple(changed_ids),
                  unchanged=unchanged, embedded=len(todo),
                  paragraphs_embedded=len({c.paragraph_ids[0] for c, k in zip(chunks, keys, strict=True)
                                           if c.chunk_id in fresh_chunks and k in todo}),
                  reused=sum(1 for c, h in zip(chunks, held, strict=True)
                             if h and c.chunk_id in fresh_chunks),
                  chunks_removed=len(old_chunk_ids - set(fresh_chunks)), chunks=len(chunks),
                  generation=index.directory.name,
                  seconds={k: round(v, 4) for k, v in seconds.items()})
    return index, delta


def _write(settings: Settings, base: LoadedIndex, articles: Sequence[Article],
           chunks: list[Chunk], keys: list[str], vectors: np.ndarray, cache: EmbeddingCache,
           fingerprint: str, seconds: dict[str, float]) -> LoadedIndex:
    """Write and publish the generation; the loaded index over it (nothing is read back)."""
    index_dir = settings.index_dir
    clean_stale(index_dir)
    temp = new_temp_dir(index_dir)
    try:
        t = time.perf_counter()
        ids = [c.chunk_id for c in chunks]
        store = make_store(settings, base.manifest.dim)
        if chunks:
            store.add(ids, vectors)
        store.save(temp / STORE_DIR)
        seconds["store"] = time.perf_counter() - t
        t = time.perf_counter()
        keyword = base.keyword.updated(ids, [c.embed_text for c in chunks])
        keyword.save(temp / KEYWORD_DIR)
        seconds["keyword"] = time.perf_counter() - t
        t = time.perf_counter()
        cache.save(temp / CACHE_DIR)
        write_ingest(IngestResult(articles=tuple(articles)), temp)
        write_jsonl(temp / CHUNKS_FILE, chunks)
        seconds["write"] = time.perf_counter() - t
        t = time.perf_counter()
        manifest = base.manifest.model_copy(update={
            "corpus_fingerprint": fingerprint, "store": settings.store.uri,
            "articles": len(articles), "paragraphs": sum(len(a.paragraphs) for a in articles),
            "chunks": len(chunks), "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "files": sum_files(temp), "checksum": ""})
        manifest = write_manifest(temp, Manifest.model_validate(manifest.model_dump()))
        seconds["checksums"] = time.perf_counter() - t
        t = time.perf_counter()
        final: Path = publish(index_dir, temp)
        seconds["publish"] = time.perf_counter() - t
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    del keys
    return LoadedIndex(final, manifest, tuple(articles), tuple(chunks), store, keyword, cache)
