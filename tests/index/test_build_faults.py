"""Builds under faults: two builds at once, a folder that cannot be written, a build killed with
SIGKILL at several points, and corpus files edited or deleted between runs of `rag index`."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from index_helpers import make_article, sample_articles

from rag import cli
from rag.config import Settings
from rag.index.builder import build_index, load_index
from rag.index.embedders import FakeEmbedder
from rag.index.integrity import verify_index
from rag.index.layout import build_lock, current_dir

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def _cli_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{HERE}"}


def _rag(*args: str) -> list[str]:
    return [sys.executable, "-m", "rag.cli", "--model", "fake", *args]


def _write_doc(path: Path, doc_id: str, title: str, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"id": doc_id, "title": title, "text": text}, ensure_ascii=False) + "\n",
                    encoding="utf-8")


# --- two builds at once -------------------------------------------------------------------------

def test_a_second_build_waits_for_the_first(fake_settings: Settings,
                                            caplog: pytest.LogCaptureFixture) -> None:
    build_index(fake_settings, sample_articles(), FakeEmbedder())
    before = current_dir(fake_settings.index_dir)
    changed = [*sample_articles(), make_article("new", "新文章", ["一段新的内容。"])]
    done = threading.Event()

    def second() -> None:
        build_index(fake_settings, changed, FakeEmbedder())
        done.set()

    with caplog.at_level(logging.WARNING), build_lock(fake_settings.index_dir):  # the first build
        worker = threading.Thread(target=second, daemon=True)
        worker.start()
        assert not done.wait(1.0)  # blocked on the lock
        assert current_dir(fake_settings.index_dir) == before
    worker.join(30)
    assert done.is_set() and "another build" in caplog.text and "waiting" in caplog.text
    index = load_index(fake_settings, FakeEmbedder())
    assert "new#p0" in index.paragraphs and len(index.chunks) == 7
    assert verify_index(fake_settings.index_dir).intact
    assert len(list(fake_settings.index_dir.glob("gen-*"))) == 1


def test_two_rag_index_processes_on_one_folder(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    args = _rag("--corpus", str(REPO / "corpus"), "--index-dir", str(index_dir), "index", "--force")
    procs = [subprocess.Popen(args, cwd=REPO, env=_cli_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert all("Traceback" not in err for _, err in results)
    v = verify_index(index_dir)
    assert v.intact and len(v.files) >= 15
    assert len(list(index_dir.glob("gen-*"))) == 1 and not list(index_dir.glob(".tmp-*"))
    settings = Settings(corpus_dir=REPO / "corpus", index_dir=index_dir)
    settings = settings.model_copy(update={"model": settings.model.model_copy(update={"name": "fake"})})
    assert len(load_index(settings, FakeEmbedder()).articles) == 7


# --- a folder that cannot be written -------------------------------------------------------------

def _unprivileged(args: list[str]) -> list[str]:
    """`args` run so that file permissions apply: as root, without the capabilities that bypass
    them (root owns the files, so it is refused only by the read-only modes set below)."""
    if os.geteuid() != 0:
        return args
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *args]


def test_a_read_only_index_folder_fails_clearly_and_keeps_the_old_index(tmp_path: Path) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(REPO / "corpus", corpus)
    index_args = _rag("--corpus", str(corpus), "--index-dir", str(index_dir), "index", "--force")
    subprocess.run(index_args, cwd=REPO, env=_cli_env(), check=True, capture_output=True)
    before = current_dir(index_dir)
    (corpus / "extra.md").write_text("# 新文章\n\n今天天气很好。\n", encoding="utf-8")
    paths = [index_dir, *index_dir.rglob("*")]
    try:
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        (index_dir / ".lock").chmod(0o666)  # the lock can be taken: the build itself must fail
        proc = subprocess.run(_unprivileged(index_args), cwd=REPO, env=_cli_env(),
                              capture_output=True, text=True, timeout=180)
    finally:
        for p in paths:
            p.chmod(0o755 if p.is_dir() else 0o644)
    assert proc.returncode == 1, proc.stderr
    assert "error: cannot write the index in" in proc.stderr and str(index_dir) in proc.stderr
    assert "still served" in proc.stderr and "Traceback" not in proc.stderr
    assert current_dir(index_dir) == before and verify_index(index_dir).intact
    assert not list(index_dir.glob(".tmp-*"))


# --- a build killed with SIGKILL --------------------------------------------------------------

KILLED_BUILD = """
import os, sys, time
from pathlib import Path
from index_helpers import make_article, sample_articles
from rag.config import Settings
from rag.index import bm25
from rag.index.builder import build_index
from rag.index.embedders import FakeEmbedder

point, index_dir, marker = sys.argv[1:4]

def pause():
    Path(marker).write_text(point)
    time.sleep(600)

if point == "embedding":
    real_embed = FakeEmbedder.embed_batch
    def embed(self, texts, kind):
        out = real_embed(self, texts, kind)
        pause()
    FakeEmbedder.embed_batch = embed
elif point == "writing":  # one BM25 variant saved, the other not yet
    real_save = bm25.Bm25.save
    def save(self, directory):
        real_save(self, directory)
        pause()
    bm25.Bm25.save = save
elif point == "publishing":  # the new generation renamed into place, CURRENT not yet replaced
    os.fsync = lambda fd: pause()
settings = Settings(index_dir=Path(index_dir))
settings = settings.model_copy(update={"model": settings.model.model_copy(update={"name": "fake"})})
articles = [*sample_articles(), make_article("new", "新文章", ["一段新的内容。"])]
build_index(settings, articles, FakeEmbedder())
"""


@pytest.mark.parametrize("point", ["embedding", "writing", "publishing"])
def test_a_build_killed_with_sigkill_leaves_the_previous_index(fake_settings: Settings, tmp_path: Path,
                                                               point: str) -> None:
    build_index(fake_settings, sample_articles(), FakeEmbedder())
    before = current_dir(fake_settings.index_dir)
    marker = tmp_path / "paused"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, point, str(fake_settings.index_dir),
                             str(marker)], cwd=REPO, env=_cli_env(), stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "the build never reached " + point
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL

    assert current_dir(fake_settings.index_dir) == before
    assert verify_index(fake_settings.index_dir).intact
    index = load_index(fake_settings, FakeEmbedder())
    assert "new#p0" not in index.paragraphs and len(index.chunks) == 6

    # the kernel released the dead build's lock: the next build runs, and cleans up after it
    changed = [*sample_articles(), make_article("new", "新文章", ["一段新的内容。"])]
    build_index(fake_settings, changed, FakeEmbedder())
    assert "new#p0" in load_index(fake_settings, FakeEmbedder()).paragraphs
    assert verify_index(fake_settings.index_dir).intact
    assert len(list(fake_settings.index_dir.glob("gen-*"))) == 1
    assert not list(fake_settings.index_dir.glob(".tmp-*"))
    assert not list(fake_settings.index_dir.glob("CURRENT.*.tmp"))


# --- the corpus changes between runs ---------------------------------------------------------

def test_edited_and_deleted_corpus_files_are_reflected_by_the_next_rag_index(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    _write_doc(corpus / "a.jsonl", "a", "天元区家长会", "全区各校召开线上或线下家长会62次。")
    _write_doc(corpus / "b.jsonl", "b", "能源站投产", "长沙滨江能源站今天正式投产，总投资约5亿元。")
    argv = ["--model", "fake", "--corpus", str(corpus), "--index-dir", str(index_dir), "index"]
    settings = Settings(corpus_dir=corpus, index_dir=index_dir)
    settings = settings.model_copy(update={"model": settings.model.model_copy(update={"name": "fake"})})

    def texts() -> dict[str, str]:
        index = load_index(settings, FakeEmbedder())
        return {a.article_id: " ".join(p.text for p in a.paragraphs) for a in index.articles}

    assert cli.main(argv) == 0
    assert "62次" in texts()["a"]
    assert cli.main(argv) == 0 and "index up to date" in capsys.readouterr().out

    # an edit of the same length, mtime put back: the content is what counts
    path = corpus / "a.jsonl"
    stat = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("62次", "63次"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "1 embedded now" in out
    assert "63次" in texts()["a"] and "62次" not in texts()["a"]

    (corpus / "b.jsonl").unlink()
    assert cli.main(argv) == 0
    assert "removed" in capsys.readouterr().out
    assert set(texts()) == {"a"}
    assert verify_index(index_dir).intact
