"""Embedders behind one protocol, picked by `make_embedder`."""

from __future__ import annotations

from rag.config import Settings
from rag.index.embedders.base import Embedder, embed_documents, embed_query, normalize_rows
from rag.index.embedders.fake import FakeEmbedder

__all__ = ["Embedder", "FakeEmbedder", "embed_documents", "embed_query", "make_embedder",
           "normalize_rows"]


def make_embedder(settings: Settings) -> Embedder:
    """'fake' gives the test encoder; anything else loads a local sentence-transformers model."""
    if settings.model.name == "fake":
        return FakeEmbedder(batch_size=max(settings.model.batch_size, 64))
    from rag.index.embedders.sentence_transformer import load_sentence_transformer

    return load_sentence_transformer(settings)
