"""Vector stores behind one protocol; `make_store` / `open_store` pick the backend from settings."""

from __future__ import annotations

from pathlib import Path

from rag.config import Settings
from rag.errors import ConfigError
from rag.index.store.base import VectorStore
from rag.index.store.faiss_store import FaissStore

__all__ = ["FaissStore", "VectorStore", "make_store", "open_store"]


def _backend(settings: Settings) -> str:
    uri = settings.store.uri
    if uri == "faiss":
        return "faiss"
    raise ConfigError(f"unknown vector store {uri!r}", hint="use 'faiss' (the default)")


def make_store(settings: Settings, dim: int) -> VectorStore:
    """A new, empty store of the configured backend."""
    _backend(settings)
    return FaissStore(dim, hnsw_above=settings.retrieval.faiss_hnsw_above)


def open_store(settings: Settings, directory: Path, dim: int) -> VectorStore:
    """The store saved in `directory` by `VectorStore.save`."""
    _backend(settings)
    store = FaissStore.load(directory, hnsw_above=settings.retrieval.faiss_hnsw_above)
    if store.dim != dim:
        from rag.errors import IndexMismatchError

        raise IndexMismatchError(f"vector store holds {store.dim}-d vectors, the model makes {dim}-d")
    return store
