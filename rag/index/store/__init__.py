"""Vector stores behind one protocol; `make_store` / `open_store` pick the backend from settings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rag.config import Settings
from rag.errors import ConfigError
from rag.index.store.base import VectorStore
from rag.index.store.faiss_store import FaissStore

if TYPE_CHECKING:
    from rag.index.store.milvus_store import MilvusTarget

__all__ = ["FaissStore", "VectorStore", "make_store", "open_store"]


def _backend(settings: Settings) -> str:
    uri = settings.store.uri
    if uri == "faiss":
        return "faiss"
    from rag.index.store.milvus_store import is_milvus_uri

    if is_milvus_uri(uri):
        return "milvus"
    raise ConfigError(f"unknown vector store {uri!r}",
                      hint="use 'faiss' (the default), 'milvus-lite:///path/to.db' or 'milvus://host:19530'")


def _milvus_target(settings: Settings) -> MilvusTarget:
    from rag.index.store.milvus_store import parse_uri

    return parse_uri(settings.store.uri, default_lite_path=settings.index_dir / "milvus.db")


def _milvus_prefix(settings: Settings) -> str:
    """The collection prefix, made unique per index folder so two deployments never drop each
    other's collections in one Milvus."""
    import hashlib

    where = hashlib.sha1(str(settings.index_dir.resolve()).encode()).hexdigest()[:8]
    return f"{settings.store.collection}_{where}"


def _faiss_threads(settings: Settings) -> None:
    """Apply `retrieval.faiss_threads` (a per-process FAISS setting)."""
    if settings.retrieval.faiss_threads:
        import faiss

        faiss.omp_set_num_threads(settings.retrieval.faiss_threads)


def make_store(settings: Settings, dim: int) -> VectorStore:
    """A new, empty store of the configured backend."""
    _faiss_threads(settings)
    if _backend(settings) == "milvus":
        from rag.index.store.milvus_store import MilvusStore

        return MilvusStore.create(_milvus_target(settings), _milvus_prefix(settings), dim,
                                  hnsw_above=settings.retrieval.faiss_hnsw_above)
    return FaissStore(dim, hnsw_above=settings.retrieval.faiss_hnsw_above)


def open_store(settings: Settings, directory: Path, dim: int) -> VectorStore:
    """The store saved in `directory` by `VectorStore.save`."""
    _faiss_threads(settings)
    store: VectorStore
    if _backend(settings) == "milvus":
        from rag.index.store.milvus_store import MilvusStore

        store = MilvusStore.load(directory, _milvus_target(settings),
                                 hnsw_above=settings.retrieval.faiss_hnsw_above)
    else:
        store = FaissStore.load(directory, hnsw_above=settings.retrieval.faiss_hnsw_above)
    if store.dim != dim:
        from rag.errors import IndexMismatchError

        raise IndexMismatchError(f"vector store holds {store.dim}-d vectors, the model makes {dim}-d")
    return store
