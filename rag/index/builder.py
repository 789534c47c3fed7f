"""Build, update and open the index: incremental (content-hash cache) and atomic (generation swap)."""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag.config import Settings
from rag.errors import IndexCorruptError, IndexError_
from rag.index.cache import EmbeddingCache, cache_key
from rag.index.checkpoint import CHECKPOINT_DIR, EmbeddingCheckpoint
from rag.index.chunking import chunk_articles
from rag.index.corpus import CorpusSnapshot
from rag.index.embedders import Embedder, embed_documents
from rag.index.embedders.base import Progress
from rag.index.integrity import sum_files
from rag.index.keyword import KeywordIndex
from rag.index.layout import (
    build_lock,
    clean_stale,
    current_dir,
    new_temp_dir,
    publish,
    require_current,
)
from rag.index.loaded import (
    CACHE_DIR,
    CHUNKS_FILE,
    KEYWORD_DIR,
    STORE_DIR,
    LoadedIndex,
    load_index,
    previous_vectors,
    read_chunk_ids,
    write_jsonl,
)
from rag.index.manifest import (
    Manifest,
    check_manifest,
    chunk_params,
    read_manifest,
    write_manifest,
)
from rag.index.store import FaissStore, make_store
from rag.ingest import IngestResult, write_ingest
from rag.records import Article, Chunk

__all__ = ["BuildReport", "LoadedIndex", "build_index", "ensure_index", "load_index", "update_index"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    """What a build did: counts and timings."""

    directory: Path
    articles: int = 0
    paragraphs: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    resumed: int = 0  # vectors taken from an interrupted build's checkpoint
    added: int = 0
    removed: int = 0
    up_to_date: bool = False
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """One human-readable paragraph."""
        if self.up_to_date:
            return f"index up to date ({self.chunks} chunks): nothing changed, 0 re-embedded"
        head = f"indexed {self.articles} articles, {self.paragraphs} paragraphs, {self.chunks} chunks"
        if self.embedded == 0:
            change = "nothing changed, 0 re-embedded"
        else:
            change = f"{self.embedded} embedded now, {self.reused} reused from cache"
            if self.resumed:
                change += f", {self.resumed} from an interrupted build"
        total = self.seconds.get("total", 0.0)
        return (f"{head}; {change}; {self.added} chunks added, {self.removed} removed "
                f"({total:.1f} s) -> {self.directory}")


def articles_fingerprint(articles: Sequence[Article]) -> str:
    """Fingerprint of articles that did not come from the corpus folder (tests, API uploads)."""
    h = hashlib.sha256()
    for a in articles:
        h.update(a.model_dump_json().encode())
    return "articles:" + h.hexdigest()[:16]


def build_index(settings: Settings, articles: Sequence[Article], embedder: Embedder,
                progress: Progress = False, *, corpus_fingerprint: str | None = None,
                ingest: Any = None, keyword: KeywordIndex | None = None) -> BuildReport:
    """Write a new index generation for `articles`, embedding only chunks not in the cache.

    `ingest` (an IngestResult whose articles are `articles`) is kept in the index folder when given.
    `keyword`, a BM25 index already built over exactly these chunks (the keyword-only pass of a
    progressive start), is saved instead of being built again.
    """
    try:
        return _build(settings, articles, embedder, progress, corpus_fingerprint=corpus_fingerprint,
                      ingest=ingest, keyword=keyword)
    except OSError as exc:  # a read-only folder, a full disk: the previous generation stays current
        raise IndexError_(
            f"cannot write the index in {settings.index_dir}: {exc}",
            hint="make the folder writable (or free disk space) and run `rag index` again; "
            "the previous index, if any, is unchanged and still served") from exc


@dataclass
class _Plan:
    """What a build will write: the chunks, their cache keys, and which vectors exist already."""

    previous: Path | None
    chunks: list[Chunk]
    texts: list[str]
    keys: list[str]
    old: EmbeddingCache  # the replaced generation's vectors
    checkpoint: EmbeddingCheckpoint  # vectors an interrupted build of this folder already paid for
    saved_keys: list[str]
    saved_vectors: np.ndarray
    saved: EmbeddingCache
    missing: dict[str, str]  # cache key -> text, for the chunks to embed now


def _plan(settings: Settings, articles: Sequence[Article], embedder: Embedder) -> _Plan:
    """Chunk the articles and find the chunks whose vectors neither the previous generation nor
    an interrupted build's checkpoint holds (call with the build lock held)."""
    index_dir = settings.index_dir
    clean_stale(index_dir)
    previous = current_dir(index_dir)
    chunks = chunk_articles(articles, settings.chunk)
    texts = [c.embed_text for c in chunks]
    keys = [cache_key(embedder.fingerprint, t) for t in texts]
    old = previous_vectors(settings, previous, embedder.dim)
    checkpoint = EmbeddingCheckpoint(index_dir / CHECKPOINT_DIR, embedder.dim)
    saved_keys, saved_vectors = checkpoint.load()
    saved = EmbeddingCache.from_pairs(embedder.dim, saved_keys, saved_vectors)
    missing: dict[str, str] = {}
    for k, t in zip(keys, texts, strict=True):
        if k not in old and k not in saved:
            missing.setdefault(k, t)
    return _Plan(previous, chunks, texts, keys, old, checkpoint, saved_keys, saved_vectors, saved,
                 missing)


def _embed(plan: _Plan, embedder: Embedder, progress: Progress) -> np.ndarray:
    """Embed the missing chunks (checkpointing each batch); the vectors of every chunk, in order."""
    todo = list(plan.missing)
    fresh = embed_documents(
        embedder, list(plan.missing.values()), progress=progress,
        on_batch=lambda rows, vecs: plan.checkpoint.add([todo[i] for i in rows], vecs))
    plan.checkpoint.flush()
    new_cache = EmbeddingCache.from_pairs(
        embedder.dim, todo + plan.saved_keys, np.concatenate([fresh, plan.saved_vectors]))
    return _vectors_for(plan.keys, plan.old, new_cache, embedder.dim)


def _write(settings: Settings, plan: _Plan, vectors: np.ndarray, temp: Path, embedder: Embedder,
           *, articles: Sequence[Article], ingest: Any, keyword: KeywordIndex | None,
           corpus_fingerprint: str | None, seconds: dict[str, float]) -> Manifest:
    """Write every file of the new generation into `temp`, the manifest last."""
    chunks = plan.chunks
    t = time.perf_counter()
    store = make_store(settings, embedder.dim)
    try:
        if chunks:
            store.add([c.chunk_id for c in chunks], vectors)
        store.save(temp / STORE_DIR)
    finally:
        store.close()
    seconds["store"] = time.perf_counter() - t
    t = time.perf_counter()
    ids = [c.chunk_id for c in chunks]
    if keyword is None or keyword.ids != ids:
        keyword = KeywordIndex.build(ids, plan.texts)
    keyword.save(temp / KEYWORD_DIR)
    seconds["keyword"] = time.perf_counter() - t
    EmbeddingCache.from_pairs(embedder.dim, plan.keys, vectors).save(temp / CACHE_DIR)
    write_ingest(ingest if ingest is not None else IngestResult(articles=tuple(articles)), temp)
    write_jsonl(temp / CHUNKS_FILE, chunks)
    t = time.perf_counter()
    manifest = Manifest(
        model_name=embedder.name, model_fingerprint=embedder.fingerprint, dim=embedder.dim,
        chunk=chunk_params(settings),
        corpus_fingerprint=corpus_fingerprint or articles_fingerprint(articles),
        store=settings.store.uri, articles=len(articles),
        paragraphs=sum(len(a.paragraphs) for a in articles), chunks=len(chunks),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"), files=sum_files(temp),
    )
    # the manifest is written last: a folder without one was never finished
    manifest = write_manifest(temp, manifest)
    seconds["checksums"] = time.perf_counter() - t
    return manifest


def _build(settings: Settings, articles: Sequence[Article], embedder: Embedder, progress: Progress,
           *, corpus_fingerprint: str | None, ingest: Any, keyword: KeywordIndex | None) -> BuildReport:
    t0 = time.perf_counter()
    seconds: dict[str, float] = {}
    index_dir = settings.index_dir
    with build_lock(index_dir):
        plan = _plan(settings, articles, embedder)
        seconds["chunk"] = time.perf_counter() - t0
        temp = new_temp_dir(index_dir)
        try:
            t = time.perf_counter()
            vectors = _embed(plan, embedder, progress)
            seconds["embed"] = time.perf_counter() - t
            manifest = _write(settings, plan, vectors, temp, embedder, articles=articles,
                              ingest=ingest, keyword=keyword,
                              corpus_fingerprint=corpus_fingerprint, seconds=seconds)
            old_ids = set(read_chunk_ids(plan.previous)) if plan.previous else set()
            final = publish(index_dir, temp)
            plan.checkpoint.clear()
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
    keys, old, saved = plan.keys, plan.old, plan.saved
    new_ids = {c.chunk_id for c in plan.chunks}
    seconds["total"] = time.perf_counter() - t0
    return BuildReport(
        directory=final, articles=len(articles), paragraphs=manifest.paragraphs,
        chunks=len(plan.chunks), embedded=len(plan.missing),
        reused=sum(1 for k in keys if k in old),
        resumed=sum(1 for k in keys if k not in old and k in saved), added=len(new_ids - old_ids),
        removed=len(old_ids - new_ids), seconds={k: round(v, 3) for k, v in seconds.items()},
    )


def _vectors_for(keys: Sequence[str], old: EmbeddingCache, new: EmbeddingCache, dim: int) -> Any:
    out = np.zeros((len(keys), dim), dtype=np.float32)
    for i, k in enumerate(keys):
        out[i] = new.get([k])[0] if k in new else old.get([k])[0]
    return out


def _current_manifest(settings: Settings, embedder: Embedder, fingerprint: str, *,
                      upgrade_legacy: bool = False) -> Manifest | None:
    """The manifest when the current index matches model, chunking and corpus; else None (logged).
    A corrupt manifest raises IndexCorruptError: it is repaired by `rag index --force`, never
    silently. With `upgrade_legacy`, an index built before integrity checks counts as stale."""
    try:
        manifest = read_manifest(require_current(settings.index_dir))
        check_manifest(manifest, model_name=embedder.name, model_fingerprint=embedder.fingerprint,
                       chunk=chunk_params(settings), corpus=fingerprint)
    except IndexCorruptError:
        raise
    except IndexError_ as exc:
        log.info("index needs building: %s", exc.message)
        return None
    if upgrade_legacy and manifest.legacy:
        log.info("index needs building: it has no checksums (built before integrity checks)")
        return None
    return manifest


def update_index(settings: Settings, embedder: Embedder, progress: Progress = False, *,
                 force: bool = False, keyword: KeywordIndex | None = None,
                 corpus: CorpusSnapshot | None = None) -> BuildReport:
    """Ingest the corpus folder and rebuild (incrementally) unless the index already matches it
    (an index without checksums is rebuilt once to get them; its vectors are reused). `corpus`:
    the folder already fingerprinted (and maybe ingested) by an earlier step of the same start."""
    corpus = corpus or CorpusSnapshot.of(settings.corpus_dir)
    fingerprint = corpus.fingerprint
    m = None if force else _current_manifest(settings, embedder, fingerprint, upgrade_legacy=True)
    if m is not None:
        return BuildReport(directory=require_current(settings.index_dir), articles=m.articles,
                           paragraphs=m.paragraphs, chunks=m.chunks, reused=m.chunks,
                           up_to_date=True)
    result, ingest_s = corpus.ingest, corpus.ingest_seconds
    report = build_index(settings, result.articles, embedder, progress,
                         corpus_fingerprint=fingerprint, ingest=result, keyword=keyword)
    seconds = {"ingest": round(ingest_s, 3), **report.seconds}
    seconds["total"] = round(seconds["total"] + ingest_s, 3)
    return BuildReport(**{**report.__dict__, "seconds": seconds})


def ensure_index(settings: Settings, embedder: Embedder, progress: Progress = False, *,
                 keyword: KeywordIndex | None = None, rebuild: bool = False,
                 corpus: CorpusSnapshot | None = None) -> LoadedIndex:
    """Load the index for the corpus folder, building or updating it first when missing or stale
    (reusing `keyword` when it was built over the same chunks); `rebuild` builds it in any case
    (a corrupt index). IndexCorruptError when the index is damaged and `rebuild` is not set.
    `corpus`: the folder's snapshot when an earlier step of this start made one."""
    corpus = corpus or CorpusSnapshot.of(settings.corpus_dir)
    if rebuild or _current_manifest(settings, embedder, corpus.fingerprint) is None:
        update_index(settings, embedder, progress, force=True, keyword=keyword, corpus=corpus)
    return load_index(settings, embedder, corpus_fingerprint=corpus.fingerprint)


def corpus_is_indexed(settings: Settings, model_fingerprint: str | None = None, *,
                      corpus: CorpusSnapshot | None = None) -> Manifest | None:
    """The current index's manifest when it was built from this corpus folder with these chunk
    settings (and, when given, this model fingerprint), else None. Needs no model loaded.
    IndexCorruptError when the manifest is missing, unreadable or altered (its files are not
    hashed here: `load_index` and `verify_index` do that). `corpus`: the folder's snapshot,
    when the caller made one (else the folder is fingerprinted here, only if there is an index)."""
    try:
        manifest = read_manifest(require_current(settings.index_dir))
        fingerprint = (corpus or CorpusSnapshot.of(settings.corpus_dir)).fingerprint
        check_manifest(manifest, model_name=manifest.model_name,
                       model_fingerprint=model_fingerprint or manifest.model_fingerprint,
                       chunk=chunk_params(settings), corpus=fingerprint)
        return manifest
    except IndexCorruptError:
        raise
    except IndexError_:
        return None


def keyword_only_index(settings: Settings, corpus: CorpusSnapshot | None = None) -> LoadedIndex:
    """The corpus folder ingested, chunked and BM25-indexed in memory, with no vectors: what the
    server answers from while the dense side of a large new corpus is being encoded. `corpus`:
    the folder's snapshot, handed on to the dense build so that it ingests nothing again."""
    corpus = corpus or CorpusSnapshot.of(settings.corpus_dir)
    articles = corpus.ingest.articles
    chunks = chunk_articles(articles, settings.chunk)
    keyword = KeywordIndex.build([c.chunk_id for c in chunks], [c.embed_text for c in chunks])
    manifest = Manifest(model_name="", model_fingerprint="", dim=1, chunk=chunk_params(settings),
                        corpus_fingerprint=corpus.fingerprint, store="none", articles=len(articles),
                        paragraphs=sum(len(a.paragraphs) for a in articles), chunks=len(chunks))
    return LoadedIndex(directory=settings.index_dir, manifest=manifest, articles=tuple(articles),
                       chunks=tuple(chunks), store=FaissStore(1), keyword=keyword,
                       cache=EmbeddingCache(1), dense_ready=False)
