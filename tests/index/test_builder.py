from pathlib import Path
from typing import Any

import numpy as np
import pytest
from index_helpers import make_article, sample_articles

from rag.config import Settings
from rag.errors import IndexError_, IndexMismatchError
from rag.index import keyword
from rag.index.builder import build_index, load_index
from rag.index.embedders import FakeEmbedder
from rag.index.layout import current_dir


def test_build_then_load(fake_settings: Settings) -> None:
    emb = FakeEmbedder()
    report = build_index(fake_settings, sample_articles(), emb)
    assert report.chunks == 6 and report.embedded == 6 and report.reused == 0
    index = load_index(fake_settings, emb)
    assert index.manifest.model_fingerprint == emb.fingerprint
    assert index.manifest.chunk == {"max_chars": 400, "overlap_sentences": 1}
    assert len(index.store) == len(index.chunks) == 6
    assert "school#p1" in index.paragraphs
    assert (index.directory / "manifest.json").is_file()


def test_missing_index_is_an_error(fake_settings: Settings) -> None:
    with pytest.raises(IndexError_, match="no index"):
        load_index(fake_settings, FakeEmbedder())


def test_other_model_or_corpus_fails_naming_both(fake_settings: Settings) -> None:
    build_index(fake_settings, sample_articles(), FakeEmbedder(), corpus_fingerprint="sha256:aaa")
    other = FakeEmbedder(dim=256)
    with pytest.raises(IndexMismatchError) as err:
        load_index(fake_settings, other)
    assert "fake-char-bigram-v1-512" in str(err.value) and "fake-char-bigram-v1-256" in str(err.value)
    with pytest.raises(IndexMismatchError) as err:
        load_index(fake_settings, FakeEmbedder(), corpus_fingerprint="sha256:bbb")
    assert "sha256:aaa" in str(err.value) and "sha256:bbb" in str(err.value)
    other_chunks = fake_settings.model_copy(
        update={"chunk": fake_settings.chunk.model_copy(update={"max_chars": 100})})
    with pytest.raises(IndexMismatchError, match="chunking"):
        load_index(other_chunks, FakeEmbedder())


def test_interrupted_build_keeps_previous_index(fake_settings: Settings,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    emb = FakeEmbedder()
    build_index(fake_settings, sample_articles(), emb)
    before = current_dir(fake_settings.index_dir)

    def boom(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(keyword.KeywordIndex, "build", boom)
    changed = [*sample_articles(), make_article("new", "新文章", ["一段新的内容。"])]
    with pytest.raises(KeyboardInterrupt):
        build_index(fake_settings, changed, emb)
    assert current_dir(fake_settings.index_dir) == before
    assert not list(fake_settings.index_dir.glob(".tmp-*"))
    index = load_index(fake_settings, emb)
    assert "new#p0" not in index.paragraphs and len(index.chunks) == 6


def test_leftover_of_a_killed_build_is_cleaned(fake_settings: Settings) -> None:
    emb = FakeEmbedder()
    build_index(fake_settings, sample_articles(), emb)
    (fake_settings.index_dir / ".tmp-gen-killed").mkdir()
    load_index(fake_settings, emb)
    build_index(fake_settings, sample_articles(), emb)
    assert not (fake_settings.index_dir / ".tmp-gen-killed").exists()
    assert len(list(fake_settings.index_dir.glob("gen-*"))) == 1


def test_incremental_updates(fake_settings: Settings) -> None:
    emb = FakeEmbedder()
    build_index(fake_settings, sample_articles(), emb)
    emb.calls = 0
    again = build_index(fake_settings, sample_articles(), emb)
    assert (again.embedded, again.reused, emb.calls) == (0, 6, 0)
    assert "nothing changed, 0 re-embedded" in again.summary()

    arts = sample_articles()
    school = arts[0]
    edited = make_article("school", school.title,
                          [p.text for p in school.paragraphs[:2]] + ["隆兴小学成立了四个委员会。"])
    report = build_index(fake_settings, [edited, *arts[1:]], emb)
    assert (report.embedded, report.reused, emb.calls) == (1, 5, 1)

    removed = build_index(fake_settings, [edited, arts[2]], emb)
    assert removed.removed == 2 and removed.embedded == 0
    index = load_index(fake_settings, emb)
    assert not any(c.article_id == "energy" for c in index.chunks)
    assert len(index.store) == 4


def test_empty_corpus_builds_an_empty_index(tmp_path: Path, fake_settings: Settings) -> None:
    emb = FakeEmbedder()
    report = build_index(fake_settings, [], emb)
    assert report.chunks == 0
    assert len(load_index(fake_settings, emb).chunks) == 0


def _write_doc(path: Path, doc_id: str, title: str, text: str) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"id": doc_id, "title": title, "text": text}, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def test_update_index_follows_the_corpus_folder(fake_settings: Settings) -> None:
    from rag.index.builder import ensure_index, update_index

    corpus = fake_settings.corpus_dir
    _write_doc(corpus / "a.jsonl", "a", "天元区家长会", "全区各校召开线上或线下家长会62次。\n\n家长们深度参与学校管理。")
    _write_doc(corpus / "b.jsonl", "b", "能源站投产", "长沙滨江能源站今天正式投产，总投资约5亿元。")
    emb = FakeEmbedder()
    first = update_index(fake_settings, emb)
    assert first.embedded == first.chunks > 0 and not first.up_to_date
    emb.calls = 0
    same = update_index(fake_settings, emb)
    assert same.up_to_date and emb.calls == 0
    assert "nothing changed, 0 re-embedded" in same.summary()

    (corpus / "b.jsonl").unlink()
    index = ensure_index(fake_settings, emb)
    assert emb.calls == 0
    assert {a.article_id for a in index.articles} == {"a"}
    assert all(c.article_id == "a" for c in index.chunks) and len(index.store) == len(index.chunks)
    assert (index.directory / "articles.jsonl").is_file()


def test_an_interrupted_embedding_resumes_from_its_checkpoint(fake_settings: Settings,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.index import checkpoint

    monkeypatch.setattr(checkpoint, "EVERY", 2)  # a part every 2 chunks
    articles = sample_articles()
    n_chunks = build_index(fake_settings.model_copy(update={"index_dir": fake_settings.index_dir / "probe"}),
                           articles, FakeEmbedder()).chunks
    assert n_chunks >= 4

    class Dies(FakeEmbedder):
        def __init__(self) -> None:
            super().__init__()
            self.batches = 0

        def embed_batch(self, texts: Any, kind: Any) -> Any:
            if kind == "document":
                self.batches += 1
                if self.batches > 2:
                    raise KeyboardInterrupt
            return super().embed_batch(texts, kind)

    dying = Dies()
    dying.batch_size = 1  # type: ignore[attr-defined]
    with pytest.raises(KeyboardInterrupt):
        build_index(fake_settings, articles, dying)
    assert current_dir(fake_settings.index_dir) is None
    assert list((fake_settings.index_dir / checkpoint.CHECKPOINT_DIR).glob("part-*.json"))

    report = build_index(fake_settings, articles, FakeEmbedder())
    assert report.resumed == 2 and report.embedded == n_chunks - 2
    assert not (fake_settings.index_dir / checkpoint.CHECKPOINT_DIR).exists()  # cleared once published
    again = load_index(fake_settings, FakeEmbedder())
    fresh = FakeEmbedder().embed_batch([c.embed_text for c in again.chunks], "document")
    assert np.allclose(again.chunk_vectors([c.chunk_id for c in again.chunks]), fresh)


def test_a_damaged_checkpoint_part_is_skipped(tmp_path: Path) -> None:
    from rag.index.checkpoint import EmbeddingCheckpoint

    cp = EmbeddingCheckpoint(tmp_path / "cp", 3)
    cp.add(["a", "b"], np.ones((2, 3), dtype=np.float32))
    cp.flush()
    (tmp_path / "cp" / "part-999999-1.json").write_text("{broken", encoding="utf-8")
    keys, vectors = cp.load()
    assert keys == ["a", "b"] and vectors.shape == (2, 3)
    assert EmbeddingCheckpoint(tmp_path / "cp", 4).load()[0] == []  # another model's width
