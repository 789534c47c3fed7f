"""POST/PUT/DELETE /api/articles over a real HTTP server: edits are answered from at once, kept
across a restart, refused without changing anything, and safe under concurrent questions."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.serving import make_settings, running
from rag.pipeline import Pipeline
from rag.server import create_app

ARTICLE = {"id": "xingsha-library", "title": "星沙镇新图书馆开馆",
           "text": "星沙镇新图书馆于5月1日正式开馆。\n\n馆长王小明介绍，馆内藏书三万册，每天开放十二个小时。",
           "published": "2024-05-01", "source": "星沙日报"}
QUESTION = "星沙镇新图书馆的馆长是谁？"


def _serve(settings: Any) -> Any:
    return running(create_app(settings, Pipeline.open(settings), ui=False))


@pytest.fixture()
def folders(tmp_path: Path) -> Any:
    """Settings over a private corpus copy; open editing for loopback clients, no key."""
    return make_settings(tmp_path, rate_limit_per_minute=0, open_editing_loopback=True)


@pytest.fixture()
def client(folders: Any) -> Iterator[httpx.Client]:
    with _serve(folders) as url, httpx.Client(base_url=url, timeout=60) as c:
        yield c


def _ask(client: httpx.Client, question: str = QUESTION) -> dict[str, Any]:
    r = client.post("/api/ask", json={"question": question})
    assert r.status_code == 200, r.text
    return r.json()


def _state(client: httpx.Client, folders: Any) -> tuple[Any, ...]:
    articles = client.get("/api/articles").json()["articles"]
    files = sorted((p.relative_to(folders.corpus_dir).as_posix(), p.read_bytes())
                   for p in folders.corpus_dir.rglob("*") if p.is_file())
    return tuple(a["article_id"] for a in articles), tuple(files), (folders.index_dir / "CURRENT").read_text()


def test_add_update_delete_and_restart(client: httpx.Client, folders: Any) -> None:
    before = _ask(client)
    assert before["abstained"] or all(c["article_id"] != ARTICLE["id"] for c in before["citations"])

    r = client.post("/api/articles", json=ARTICLE)
    assert r.status_code == 201, r.text
    change = r.json()
    assert change["action"] == "added" and change["article_ids"] == [ARTICLE["id"]]
    assert change["paragraphs"]["added"] == 2 and change["paragraphs"]["re_embedded"] == 2
    assert change["chunks"]["embedded"] >= 2 and change["timings_ms"]["total"] > 0
    answer = _ask(client)
    assert "王小明" in answer["answer"]
    assert answer["citations"][0]["article_id"] == ARTICLE["id"]
    assert client.get(f"/api/articles/{ARTICLE['id']}").json()["source"] == "星沙日报"

    new = {**ARTICLE, "text": ARTICLE["text"].replace("王小明", "张建国")}
    del new["id"]
    r = client.put(f"/api/articles/{ARTICLE['id']}", json=new)
    assert r.status_code == 200, r.text
    assert r.json()["paragraphs"] == {"added": 0, "removed": 0, "changed": 1, "unchanged": 1,
                                      "re_embedded": 1}
    answer = _ask(client)
    assert "张建国" in answer["answer"] and "王小明" not in answer["answer"]

    # restart: a new app over the same folders keeps the updated article
    with _serve(folders) as url, httpx.Client(base_url=url, timeout=60) as again:
        assert "张建国" in _ask(again)["answer"]
        r = again.delete(f"/api/articles/{ARTICLE['id']}")
        assert r.status_code == 200, r.text
        assert r.json()["paragraphs"]["removed"] == 2
        gone = _ask(again)
        assert gone["abstained"], gone["answer"]  # nothing else in the corpus answers it
        assert all(c["article_id"] != ARTICLE["id"] for c in gone["citations"])
        assert again.get(f"/api/articles/{ARTICLE['id']}").status_code == 404
    assert not (folders.corpus_dir / "added" / "xingsha-library.jsonl").exists()


def test_withdrawn_page_article_stays_withdrawn(client: httpx.Client, folders: Any) -> None:
    first = client.get("/api/articles").json()["articles"][0]["article_id"]
    assert client.delete(f"/api/articles/{first}").status_code == 200
    assert (folders.corpus_dir / ".withdrawn.json").is_file()
    assert first not in [a["article_id"] for a in client.get("/api/articles").json()["articles"]]
    with _serve(folders) as url, httpx.Client(base_url=url, timeout=60) as again:
        ids = [a["article_id"] for a in again.get("/api/articles").json()["articles"]]
        assert first not in ids and len(ids) == 6


def test_upload_a_markdown_file(client: httpx.Client) -> None:
    md = "# 望城区开通新公交线路\n\n望城区今天开通了第88路公交车，全程二十公里。\n".encode()
    r = client.post("/api/articles", files={"file": ("bus.md", md, "text/markdown")})
    assert r.status_code == 201, r.text
    (article_id,) = r.json()["article_ids"]
    assert "88" in _ask(client, "望城区开通了第几路公交车？")["answer"]
    assert client.get(f"/api/articles/{article_id}").json()["title"] == "望城区开通新公交线路"


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "code"), [
    ("post", "/api/articles", {"json": {**ARTICLE, "text": "   "}}, 422, "invalid_request"),
    ("post", "/api/articles", {"json": {"title": "x"}}, 422, "invalid_request"),
    ("post", "/api/articles", {"json": {**ARTICLE, "extra": 1}}, 422, "invalid_request"),
    ("post", "/api/articles", {"content": b"{not json", "headers": {"content-type": "application/json"}},
     400, "malformed_json"),
    ("post", "/api/articles", {"json": {**ARTICLE, "id": "a b/c"}}, 422, "invalid_article"),
    ("post", "/api/articles", {"json": {**ARTICLE, "text": "长" * 200_001}}, 413, "article_too_large"),
    ("post", "/api/articles", {"files": {"file": ("x.pdf", b"%PDF-1.4", "application/pdf")}},
     415, "unsupported_format"),
    ("post", "/api/articles", {"files": {"file": ("x.jsonl", b"{broken\n", "text/plain")}},
     422, "invalid_article"),
    ("post", "/api/articles", {"content": b"a", "headers": {"content-type": "text/csv"}},
     415, "unsupported_media_type"),
    ("put", "/api/articles/nope", {"json": {"title": "t", "text": "正文。"}}, 404, "not_found"),
    ("delete", "/api/articles/nope", {}, 404, "not_found"),
])
def test_rejections_change_nothing(client: httpx.Client, folders: Any, method: str, path: str,
                                   kwargs: dict[str, Any], status: int, code: str) -> None:
    before = _state(client, folders)
    r = getattr(client, method)(path, **kwargs)
    assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text
    assert _state(client, folders) == before


def test_duplicate_id_is_refused(client: httpx.Client, folders: Any) -> None:
    assert client.post("/api/articles", json=ARTICLE).status_code == 201
    before = _state(client, folders)
    r = client.post("/api/articles", json=ARTICLE)
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_article"
    assert _state(client, folders) == before


def test_failed_index_write_rolls_back(client: httpx.Client, folders: Any,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import rag.index.incremental as incremental

    before = _state(client, folders)

    def broken(*_: Any, **__: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(incremental, "publish", broken)
    r = client.post("/api/articles", json=ARTICLE)
    assert r.status_code == 503 and r.json()["error"]["code"] == "index_unavailable"
    assert _state(client, folders) == before
    assert not list(folders.index_dir.glob(".tmp-*"))


def test_edits_need_the_key(tmp_path: Path) -> None:
    closed = make_settings(tmp_path / "a", rate_limit_per_minute=0)
    with _serve(closed) as url, httpx.Client(base_url=url, timeout=60) as c:
        r = c.post("/api/articles", json=ARTICLE)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        assert c.delete("/api/articles/x").status_code == 403
    keyed = make_settings(tmp_path / "b", rate_limit_per_minute=0, api_key="s3cret")
    with _serve(keyed) as url, httpx.Client(base_url=url, timeout=60) as c:
        assert c.post("/api/articles", json=ARTICLE).status_code == 401
        r = c.post("/api/articles", json=ARTICLE, headers={"X-API-Key": "s3cret"})
        assert r.status_code == 201, r.text


def test_questions_during_edits(client: httpx.Client) -> None:
    """A flood of questions while an article is added, changed and removed: never a 5xx, and
    no question sent after the removal returned cites the removed paragraphs."""
    results: list[tuple[float, int, list[str]]] = []
    stop = threading.Event()

    def ask_loop() -> None:
        with httpx.Client(base_url=str(client.base_url), timeout=60) as c:
            while not stop.is_set():
                sent = time.monotonic()
                r = c.post("/api/ask", json={"question": QUESTION})
                cited = [x["paragraph_id"] for x in r.json().get("citations", [])] if r.status_code == 200 else []
                results.append((sent, r.status_code, cited))

    threads = [threading.Thread(target=ask_loop) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for n in range(3):
            assert client.post("/api/articles", json=ARTICLE).status_code == 201
            body = {k: v for k, v in ARTICLE.items() if k != "id"}
            body["text"] += f"\n\n第{n}次更新。"
            assert client.put(f"/api/articles/{ARTICLE['id']}", json=body).status_code == 200
            assert client.delete(f"/api/articles/{ARTICLE['id']}").status_code == 200
            removed_at = time.monotonic()
            time.sleep(0.2)
            late = [r for r in list(results) if r[0] > removed_at]
            assert all(not any(p.startswith(ARTICLE["id"]) for p in r[2]) for r in late)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert results and all(code < 500 for _, code, _ in results)


def test_update_a_page_article_and_restart(client: httpx.Client, folders: Any) -> None:
    first = client.get("/api/articles").json()["articles"][0]
    body = {"title": first["title"], "text": "这篇报道已更正：岳麓区今年新建了九所学校。",
            "source": "更正", "published": "2024-02-02"}
    r = client.put(f"/api/articles/{first['article_id']}", json=body)
    assert r.status_code == 200, r.text
    assert ".withdrawn.json" in r.json()["files"]["written"]
    assert "九所" in _ask(client, "岳麓区今年新建了几所学校？")["answer"]
    with _serve(folders) as url, httpx.Client(base_url=url, timeout=60) as again:
        found = again.get(f"/api/articles/{first['article_id']}").json()
        assert found["source"] == "更正" and len(found["paragraphs"]) == 1
        assert len(again.get("/api/articles").json()["articles"]) == 7


def test_concurrent_edits_are_serialised(client: httpx.Client, folders: Any) -> None:
    codes: list[int] = []

    def add(n: int) -> None:
        with httpx.Client(base_url=str(client.base_url), timeout=60) as c:
            body = {**ARTICLE, "id": f"parallel-{n}", "text": f"第{n}篇并发添加的文章，编号{n}。"}
            codes.append(c.post("/api/articles", json=body).status_code)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [201] * 4
    ids = {a["article_id"] for a in client.get("/api/articles").json()["articles"]}
    assert {f"parallel-{n}" for n in range(4)} <= ids
    assert all((folders.corpus_dir / "added" / f"parallel-{n}.jsonl").is_file() for n in range(4))
