"""Index integrity: every kind of damage to a generation is caught at load and by `rag index --verify`,
instead of being served; legacy indexes (no checksums) load with a warning and are upgraded by
`rag index`; a rebuild after damage never reuses damaged vectors."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from index_helpers import sample_articles

from rag import cli
from rag.config import Settings
from rag.errors import IndexCorruptError
from rag.index.builder import build_index, corpus_is_indexed, load_index, update_index
from rag.index.embedders import FakeEmbedder
from rag.index.integrity import verify_index
from rag.index.layout import current_dir
from rag.index.manifest import MANIFEST_FILE, read_manifest


def _gen(settings: Settings) -> Path:
    path = current_dir(settings.index_dir)
    assert path is not None
    return path


def _flip(path: Path, at: float = 0.6) -> None:
    """Flip every bit of one byte well inside the file (its data, past any header)."""
    raw = bytearray(path.read_bytes())
    i = int(len(raw) * at)
    raw[i] ^= 0xFF
    path.write_bytes(bytes(raw))


def flip_faiss(g: Path) -> str:
    _flip(g / "store" / "vectors.faiss")
    return "store/vectors.faiss"


def flip_cache(g: Path) -> str:
    _flip(g / "cache" / "embeddings.npy")
    return "cache/embeddings.npy"


def shuffle_ids(g: Path) -> str:
    path = g / "store" / "ids.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["ids"] = meta["ids"][1:] + meta["ids"][:1]  # same ids, same count: each row now misnamed
    path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return "store/ids.json"


def alter_keyword_ids(g: Path) -> str:
    path = g / "keyword" / "keyword.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["ids"][0], meta["ids"][-1] = meta["ids"][-1], meta["ids"][0]
    path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return "keyword/keyword.json"


def zero_bm25(g: Path) -> str:
    path = g / "keyword" / "words" / "data.npy"
    np.save(path, np.zeros_like(np.load(path)), allow_pickle=False)
    return "keyword/words/data.npy"


def random_bm25(g: Path) -> str:
    path = g / "keyword" / "bigrams" / "data.npy"
    data = np.load(path)
    np.save(path, np.random.default_rng(0).random(data.shape).astype(data.dtype), allow_pickle=False)
    return "keyword/bigrams/data.npy"


def missing_file(g: Path) -> str:
    (g / "chunks.jsonl").unlink()
    return "chunks.jsonl"


def truncated_file(g: Path) -> str:
    path = g / "articles.jsonl"
    path.write_bytes(path.read_bytes()[:-10])
    return "articles.jsonl"


def garbage_manifest(g: Path) -> str:
    (g / MANIFEST_FILE).write_bytes(b"\x00\x13garbage{{")
    return MANIFEST_FILE


def missing_manifest(g: Path) -> str:
    (g / MANIFEST_FILE).unlink()
    return MANIFEST_FILE


def edited_manifest(g: Path) -> str:
    """Valid JSON, a plausible edit (a count), checksum left as it was."""
    path = g / MANIFEST_FILE
    fields = json.loads(path.read_text(encoding="utf-8"))
    fields["chunks"] += 1
    path.write_text(json.dumps(fields), encoding="utf-8")
    return MANIFEST_FILE


def forged_file_sum(g: Path) -> str:
    """Someone 'fixes' a file's recorded hash after damaging it: the manifest checksum catches it."""
    flip_faiss(g)
    path = g / MANIFEST_FILE
    fields = json.loads(path.read_text(encoding="utf-8"))
    fields["files"]["store/vectors.faiss"]["sha256"] = "0" * 64
    path.write_text(json.dumps(fields), encoding="utf-8")
    return MANIFEST_FILE


def stripped_checksum(g: Path) -> str:
    """File sums kept but the manifest's own checksum removed: not mistaken for a legacy index."""
    path = g / MANIFEST_FILE
    fields = json.loads(path.read_text(encoding="utf-8"))
    del fields["checksum"]
    path.write_text(json.dumps(fields), encoding="utf-8")
    return MANIFEST_FILE


DAMAGE: list[Callable[[Path], str]] = [
    flip_faiss, flip_cache, shuffle_ids, alter_keyword_ids, zero_bm25, random_bm25, missing_file,
    truncated_file, garbage_manifest, missing_manifest, edited_manifest, forged_file_sum,
    stripped_checksum,
]


@pytest.fixture
def built(fake_settings: Settings) -> Settings:
    build_index(fake_settings, sample_articles(), FakeEmbedder())
    return fake_settings


def _verify_cli(settings: Settings, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = cli.main(["--index-dir", str(settings.index_dir), "index", "--verify"])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_a_build_records_a_checksum_for_every_file(built: Settings,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    g = _gen(built)
    manifest = read_manifest(g)
    on_disk = {p.relative_to(g).as_posix() for p in g.rglob("*") if p.is_file()} - {MANIFEST_FILE}
    assert set(manifest.files) == on_disk and len(on_disk) >= 15
    assert manifest.checksum.startswith("sha256:") and not manifest.legacy
    assert all(len(s.sha256) == 64 and s.size > 0 for s in manifest.files.values())
    assert verify_index(built.index_dir).intact
    rc, out, _ = _verify_cli(built, capsys)
    assert rc == 0 and "index intact" in out and "BAD" not in out
    assert all(f"OK       {rel}" in out for rel in manifest.files)


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda d: d.__name__)
def test_damage_is_caught_at_load_and_by_verify(built: Settings, damage: Callable[[Path], str],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    g = _gen(built)
    rel = damage(g)
    with pytest.raises(IndexCorruptError) as err:
        load_index(built, FakeEmbedder())
    assert err.value.code == "index_corrupt"
    assert str(g / rel) in str(err.value) and "rag index --force" in str(err.value)

    v = verify_index(built.index_dir)
    assert not v.intact
    rc, out, errout = _verify_cli(built, capsys)
    assert rc == 1 and "rag index --force" in errout
    assert f"BAD      {rel}" in out
    assert sum(ln.startswith("BAD") for ln in out.splitlines()) == 1  # only the damaged file

    build_index(built, sample_articles(), FakeEmbedder())  # what `rag index --force` does
    assert len(load_index(built, FakeEmbedder()).chunks) == 6
    assert verify_index(built.index_dir).intact


def test_silent_damage_would_load_without_the_checks(built: Settings) -> None:
    """Why the checks exist: a flipped byte in the vectors, shuffled ids or zeroed BM25 weights
    parse fine, so without checksums the broken index would be served."""
    unchecked = built.model_copy(update={"index": built.index.model_copy(update={"verify_on_load": False})})
    g = _gen(built)
    flip_faiss(g), shuffle_ids(g), zero_bm25(g), flip_cache(g)
    index = load_index(unchecked, FakeEmbedder())
    assert len(index.chunks) == 6
    with pytest.raises(IndexCorruptError):
        load_index(built, FakeEmbedder())


def test_a_corrupt_manifest_is_not_rebuilt_silently(built: Settings) -> None:
    """`rag index` (no --force) and the progressive opener see the corruption instead of papering
    over it; --force rebuilds."""
    import shutil

    corpus = Path(__file__).resolve().parents[2] / "corpus"
    settings = built.model_copy(update={"corpus_dir": built.corpus_dir})
    shutil.copytree(corpus, settings.corpus_dir)
    update_index(settings, FakeEmbedder())
    garbage_manifest(_gen(settings))
    with pytest.raises(IndexCorruptError, match="rag index --force"):
        corpus_is_indexed(settings)
    with pytest.raises(IndexCorruptError, match="rag index --force"):
        update_index(settings, FakeEmbedder())
    report = update_index(settings, FakeEmbedder(), force=True)
    assert report.embedded == 0 and report.reused == report.chunks  # vectors reused, unverified
    assert corpus_is_indexed(settings) and verify_index(settings.index_dir).intact


def _make_legacy(g: Path) -> None:
    path = g / MANIFEST_FILE
    fields = json.loads(path.read_text(encoding="utf-8"))
    del fields["files"], fields["checksum"]
    path.write_text(json.dumps(fields), encoding="utf-8")


def test_a_legacy_index_loads_with_a_warning_and_rag_index_adds_checksums(
        fake_settings: Settings, caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    shutil.copytree(Path(__file__).resolve().parents[2] / "corpus", fake_settings.corpus_dir)
    emb = FakeEmbedder()
    update_index(fake_settings, emb)
    _make_legacy(_gen(fake_settings))
    with caplog.at_level(logging.WARNING):
        index = load_index(fake_settings, emb)
    assert len(index.chunks) > 0
    assert "built before integrity checks" in caplog.text and "rag index" in caplog.text
    rc, out, err = _verify_cli(fake_settings, capsys)
    assert rc == 2 and "UNCHECKED" in out and "rebuild it with checksums" in err
    assert corpus_is_indexed(fake_settings)  # still served by `rag serve`, without a rebuild

    emb.calls = 0
    report = update_index(fake_settings, emb)  # plain `rag index`: rebuilt once, nothing embedded
    assert not report.up_to_date and report.embedded == 0 and emb.calls == 0
    assert not read_manifest(_gen(fake_settings)).legacy
    assert update_index(fake_settings, emb).up_to_date
    assert _verify_cli(fake_settings, capsys)[0] == 0


def test_a_damaged_cache_is_not_reused_but_the_store_s_vectors_are(built: Settings) -> None:
    emb = FakeEmbedder()
    before = load_index(built, emb)
    ids = [c.chunk_id for c in before.chunks]
    want = before.chunk_vectors(ids).copy()
    flip_cache(_gen(built))
    emb.calls = 0
    report = build_index(built, sample_articles(), emb)
    assert report.embedded == 0 and report.reused == 6 and emb.calls == 0  # from the intact store
    after = load_index(built, emb)
    assert np.array_equal(after.chunk_vectors(ids), want)


def test_a_damaged_cache_and_store_are_embedded_again(built: Settings,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    g = _gen(built)
    flip_cache(g), flip_faiss(g)
    with caplog.at_level(logging.WARNING):
        report = build_index(built, sample_articles(), FakeEmbedder())
    assert report.embedded == 6 and report.reused == 0
    assert "every chunk is embedded again" in caplog.text
    index = load_index(built, FakeEmbedder())
    fresh = FakeEmbedder().embed_batch([c.embed_text for c in index.chunks], "document")
    assert np.allclose(index.chunk_vectors([c.chunk_id for c in index.chunks]), fresh)


def test_an_unparsable_cache_does_not_block_the_rebuild(built: Settings) -> None:
    """A rebuild is the fix for a corrupt cache, so a cache that cannot be read is skipped."""
    (_gen(built) / "cache" / "embeddings.npy").write_bytes(b"not numpy")
    report = build_index(built, sample_articles(), FakeEmbedder())
    assert report.embedded == 0  # the store still had every vector
    assert verify_index(built.index_dir).intact


def test_verify_without_an_index_fails_clearly(fake_settings: Settings,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = _verify_cli(fake_settings, capsys)
    assert rc == 1 and "no index in" in err and "Traceback" not in err
