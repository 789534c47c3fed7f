from pathlib import Path

import numpy as np
import pytest

from rag.errors import IndexCorruptError, StoreError
from rag.index.embedders import FakeEmbedder
from rag.index.store import FaissStore, VectorStore


def _vectors(texts: list[str]) -> np.ndarray:
    return FakeEmbedder().embed_batch(texts, "document")


TEXTS = ["天元区家长会", "隆兴小学委员会", "长沙能源站投资", "春茶产量增长"]
IDS = ["a", "b", "c", "d"]


@pytest.mark.parametrize("hnsw_above", [1000, 0])
def test_add_search_delete(hnsw_above: int) -> None:
    store = FaissStore(512, hnsw_above=hnsw_above)
    assert isinstance(store, VectorStore)
    store.add(IDS, _vectors(TEXTS))
    assert len(store) == 4
    hits = store.search(_vectors(["能源站的投资"])[0], 2)
    assert hits[0][0] == "c" and hits[0][1] > hits[1][1]
    assert store.delete(["c", "zzz"]) == 1
    assert len(store) == 3
    assert "c" not in [i for i, _ in store.search(_vectors(["能源站的投资"])[0], 10)]


def test_add_replaces_existing_id() -> None:
    store = FaissStore(512)
    store.add(IDS, _vectors(TEXTS))
    store.add(["a"], _vectors(["长沙能源站投资"]))
    assert len(store) == 4
    top = [i for i, _ in store.search(_vectors(["长沙能源站投资"])[0], 2)]
    assert set(top) == {"a", "c"}


def test_save_load_roundtrip(tmp_path: Path) -> None:
    store = FaissStore(512)
    store.add(IDS, _vectors(TEXTS))
    store.save(tmp_path / "s")
    assert not list((tmp_path / "s").glob("*.pkl"))
    again = FaissStore.load(tmp_path / "s")
    q = _vectors(["隆兴小学"])[0]
    before, after = store.search(q, 4), again.search(q, 4)
    assert [i for i, _ in after][0] == "b" == [i for i, _ in before][0]
    assert [s for _, s in after] == pytest.approx([s for _, s in before])
    again.delete(["a"])
    assert len(again) == 3


def test_wrong_shapes_and_corrupt_files(tmp_path: Path) -> None:
    store = FaissStore(512)
    with pytest.raises(StoreError):
        store.add(["x"], np.zeros((1, 3), dtype=np.float32))
    store.add(IDS, _vectors(TEXTS))
    store.save(tmp_path / "s")
    (tmp_path / "s" / "vectors.faiss").write_bytes(b"garbage")
    with pytest.raises(IndexCorruptError):
        FaissStore.load(tmp_path / "s")


def test_empty_store_searches_nothing(tmp_path: Path) -> None:
    store = FaissStore(8)
    assert store.search(np.ones(8, dtype=np.float32), 3) == []
    store.save(tmp_path / "e")
    assert len(FaissStore.load(tmp_path / "e")) == 0
