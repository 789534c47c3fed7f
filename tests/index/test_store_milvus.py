"""The vector-store contract run on FAISS and on Milvus Lite (in-process), through the store factory;
then what only Milvus has: the pointer file, collections per build, a full index build."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from rag.config import Settings, StoreSettings
from rag.errors import ConfigError, IndexCorruptError, IndexMismatchError, StoreError
from rag.index.embedders import FakeEmbedder
from rag.index.store import VectorStore, make_store, open_store

pytest.importorskip("milvus_lite")

from rag.index.store.milvus_store import POINTER_FILE, MilvusStore, parse_uri  # noqa: E402

TEXTS = ["天元区家长会", "隆兴小学委员会", "长沙能源站投资", "春茶产量增长"]
IDS = ["a", "b", "c", "d"]
DIM = 512


def _vectors(texts: list[str]) -> np.ndarray:
    return FakeEmbedder(dim=DIM).embed_batch(texts, "document")


def _settings(tmp_path: Path, uri: str) -> Settings:
    return Settings(index_dir=tmp_path / "index", store=StoreSettings(uri=uri))


Backend = tuple[Callable[[], VectorStore], Callable[[Path], VectorStore]]


@pytest.fixture(params=["faiss", "milvus-lite"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """(new empty store, reopen a saved store) for each backend, via make_store / open_store."""
    uri = "faiss" if request.param == "faiss" else f"milvus-lite://{tmp_path / 'm.db'}"
    settings = _settings(tmp_path, uri)
    return (_closed_after(request, lambda: make_store(settings, DIM)),
            _closed_after(request, lambda d: open_store(settings, d, DIM)))


def _closed_after(request: pytest.FixtureRequest, make: Callable[..., VectorStore]) -> Callable[..., VectorStore]:
    """`make`, with every store it returns closed when the test ends (Milvus Lite keeps a server
    and a gRPC channel per client; left open they ping until the session ends)."""

    def made(*args: object) -> VectorStore:
        store = make(*args)
        request.addfinalizer(getattr(store, "close", lambda: None))
        return store

    return made


def test_add_search_delete(backend: Backend) -> None:
    store = backend[0]()
    assert isinstance(store, VectorStore)
    store.add(IDS, _vectors(TEXTS))
    assert len(store) == 4
    hits = store.search(_vectors(["能源站的投资"])[0], 2)
    assert hits[0][0] == "c" and hits[0][1] > hits[1][1]
    assert store.delete(["c", "zzz"]) == 1
    assert len(store) == 3
    assert "c" not in [i for i, _ in store.search(_vectors(["能源站的投资"])[0], 10)]
    assert store.delete(["zzz"]) == 0


def test_add_replaces_existing_id(backend: Backend) -> None:
    store = backend[0]()
    store.add(IDS, _vectors(TEXTS))
    store.add(["a"], _vectors(["长沙能源站投资"]))
    assert len(store) == 4
    top = [i for i, _ in store.search(_vectors(["长沙能源站投资"])[0], 2)]
    assert set(top) == {"a", "c"}


def test_scores_are_cosines(backend: Backend) -> None:
    store = backend[0]()
    store.add(IDS, _vectors(TEXTS))
    q = _vectors(["隆兴小学"])[0]
    got = dict(store.search(q, 4))
    want = _vectors(TEXTS) @ q
    assert [got[i] for i in IDS] == pytest.approx(list(want), abs=1e-5)


def test_save_load_roundtrip(backend: Backend, tmp_path: Path) -> None:
    store = backend[0]()
    store.add(IDS, _vectors(TEXTS))
    store.save(tmp_path / "index" / "gen-1" / "store")
    assert not list((tmp_path / "index" / "gen-1" / "store").glob("*.pkl"))
    again = backend[1](tmp_path / "index" / "gen-1" / "store")
    q = _vectors(["隆兴小学"])[0]
    before, after = store.search(q, 4), again.search(q, 4)
    assert [i for i, _ in after][0] == "b" == [i for i, _ in before][0]
    assert [s for _, s in after] == pytest.approx([s for _, s in before], abs=1e-5)
    again.delete(["a"])
    assert len(again) == 3


def test_wrong_shapes_and_duplicates(backend: Backend) -> None:
    store = backend[0]()
    with pytest.raises(StoreError):
        store.add(["x"], np.zeros((1, 3), dtype=np.float32))
    with pytest.raises(StoreError):
        store.add(["x", "x"], _vectors(["甲", "乙"]))


def test_empty_store_searches_nothing(backend: Backend, tmp_path: Path) -> None:
    store = backend[0]()
    assert store.search(np.ones(DIM, dtype=np.float32) / np.sqrt(DIM), 3) == []
    store.save(tmp_path / "index" / "gen-e" / "store")
    assert len(backend[1](tmp_path / "index" / "gen-e" / "store")) == 0


# --- Milvus only ------------------------------------------------------------------------------

def test_parse_uri(tmp_path: Path) -> None:
    assert parse_uri("milvus-lite:///data/x.db").client_uri == "/data/x.db"
    assert parse_uri("milvus-lite://", default_lite_path=tmp_path / "m.db").lite
    server = parse_uri("milvus://root:secret@10.0.0.5:19531")
    assert (server.client_uri, server.token, server.lite) == ("http://10.0.0.5:19531", "root:secret", False)
    assert parse_uri("milvus://milvus.internal").client_uri == "http://milvus.internal:19530"
    assert parse_uri("milvus+https://h:443").client_uri == "https://h:443"
    for bad in ("milvus-lite:///x.txt", "milvus://", "redis://h"):
        with pytest.raises(ConfigError):
            parse_uri(bad)
    with pytest.raises(ConfigError):
        make_store(_settings(tmp_path, "pinecone://x"), DIM)


def test_pointer_names_uri_and_collection(tmp_path: Path) -> None:
    settings = _settings(tmp_path, f"milvus-lite://{tmp_path / 'm.db'}")
    store = make_store(settings, DIM)
    store.add(IDS, _vectors(TEXTS))
    store.save(tmp_path / "index" / "gen-1" / "store")
    other = _settings(tmp_path, f"milvus-lite://{tmp_path / 'other.db'}")
    with pytest.raises(IndexMismatchError):
        open_store(other, tmp_path / "index" / "gen-1" / "store", DIM)
    assert isinstance(store, MilvusStore)
    store.client.drop_collection(store.collection)
    with pytest.raises(IndexCorruptError):
        open_store(settings, tmp_path / "index" / "gen-1" / "store", DIM)
    (tmp_path / "index" / "gen-1" / "store" / POINTER_FILE).write_text("{", encoding="utf-8")
    with pytest.raises(IndexCorruptError):
        open_store(settings, tmp_path / "index" / "gen-1" / "store", DIM)


def test_save_drops_only_unreferenced_collections(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    settings = _settings(tmp_path, f"milvus-lite://{tmp_path / 'm.db'}")
    make = _closed_after(request, lambda: make_store(settings, DIM))
    served = make()
    served.save(tmp_path / "index" / "gen-old" / "store")
    orphan = make()  # a build that failed before saving
    new, newer = make(), make()
    new.save(tmp_path / "index" / ".tmp-gen-new" / "store")
    left = set(new.client.list_collections())  # type: ignore[attr-defined]
    assert served.collection in left and new.collection in left  # type: ignore[attr-defined]
    assert orphan.collection not in left  # type: ignore[attr-defined]
    assert newer.collection in left  # type: ignore[attr-defined]  # still building: kept


def test_build_and_search_a_whole_index_on_milvus_lite(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from index_helpers import sample_articles

    from rag.index.builder import build_index, load_index
    from rag.retrieve import HybridRetriever

    settings = _settings(tmp_path, f"milvus-lite://{tmp_path / 'm.db'}")
    embedder = FakeEmbedder()
    build_index(settings, sample_articles(), embedder)
    index = load_index(settings, embedder)
    request.addfinalizer(index.store.close)  # type: ignore[attr-defined]
    assert isinstance(index.store, MilvusStore)
    hits = HybridRetriever(index, embedder, settings).search("能源站总投资多少", k=2, mode="dense")
    assert hits[0].paragraph.article_id == "energy"
    build_index(settings, sample_articles()[:2], embedder)  # a second generation, one article fewer
    again = load_index(settings, embedder)
    request.addfinalizer(again.store.close)  # type: ignore[attr-defined]
    assert len(again.store) == len(again.chunks)
