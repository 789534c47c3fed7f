"""Time-to-visible of article edits on a prebuilt index: one add, one update, one delete, each
timed from the call until a question asked right after sees (or no longer sees) the article.

    python -m bench.edits [--index ~/.cache/rag-news/eval-index/crud-dev] \
        [--corpus ../shared/datasets/crud-qa/dev-corpus.jsonl.xz] [--model fake] [--json]

The index (built by `rag eval --set crud-dev`) and its corpus file are copied into a scratch
folder first (the corpus file is linked, never written), so the original is untouched.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from rag.config import Settings

DEFAULT_INDEX = Path("~/.cache/rag-news/eval-index/crud-dev").expanduser()
DEFAULT_CORPUS = Path("../shared/datasets/crud-qa/dev-corpus.jsonl.xz")
ARTICLE = ("bench-edit-1", "星沙镇新图书馆开馆",
           "星沙镇新图书馆于5月1日正式开馆。\n\n"
           "馆长张建国介绍，馆内藏书三万册，设有少儿阅览区和自习室，每天开放十二个小时。\n\n"
           "开馆当天，共有八百多名市民前来借书。")
QUESTION = "星沙镇新图书馆藏书多少册？"


def scratch(index: Path, corpus: Path, root: Path, settings: Settings) -> Settings:
    """A copy of the current generation of `index` and a corpus folder linking `corpus`."""
    from rag.index.layout import require_current

    gen = require_current(index)
    (root / "index").mkdir(parents=True)
    shutil.copytree(gen, root / "index" / gen.name)
    (root / "index" / "CURRENT").write_text(gen.name + "\n", encoding="utf-8")
    (root / "corpus").mkdir()
    os.symlink(corpus.resolve(), root / "corpus" / corpus.name)
    return settings.model_copy(update={"corpus_dir": root / "corpus", "index_dir": root / "index"})


def measure(settings: Settings, *, warm_words: bool) -> dict[str, Any]:
    """Open the copied index, then add, update and delete one article, timing each until seen."""
    from rag.editing import ArticleDraft, ArticleEditor, report_json
    from rag.index.embedders import make_embedder
    from rag.index.loaded import load_index
    from rag.pipeline import Pipeline

    t = time.perf_counter()
    embedder = make_embedder(settings)
    index = load_index(settings, embedder)  # the corpus fingerprint differs: it is a new folder
    from rag.answer.chain import build_chain
    from rag.retrieve import HybridRetriever

    retriever = HybridRetriever(index, embedder, settings)
    box = {"p": Pipeline(settings, index, embedder, retriever, build_chain(settings, retriever,
                                                                          embedder=embedder))}
    box["p"].ask(QUESTION)  # a server warms up at start (jieba's tagger loads on first use)
    out: dict[str, Any] = {"chunks": len(index.chunks), "articles": len(index.articles),
                           "open_s": round(time.perf_counter() - t, 2)}
    if warm_words:  # what a server does in the background after opening the index
        t = time.perf_counter()
        index.keyword.remember_words([c.embed_text for c in index.chunks])
        out["remember_words_s"] = round(time.perf_counter() - t, 2)
    editor = ArticleEditor(settings, embedder, lambda: box["p"].index,
                           lambda i: box.__setitem__("p", box["p"].with_index(i)))
    article_id, title, text = ARTICLE

    answers: list[str] = []

    def visible(name: str) -> tuple[bool, bool]:
        """(the article is the top search hit, the answer holds `name` and cites the article)."""
        answer = box["p"].ask(QUESTION)
        top = box["p"].search(QUESTION, k=1)
        answers.append(answer.answer)
        cited = name in answer.answer and any(c.article_id == article_id for c in answer.citations)
        return bool(top) and top[0].paragraph.article_id == article_id, cited

    steps = [("add", lambda: editor.add([ArticleDraft(title, text, article_id=article_id)]), "三万", True),
             ("update", lambda: editor.update(article_id, ArticleDraft(title, text.replace("三万", "五万"))),
              "五万", True),
             ("delete", lambda: editor.remove([article_id]), "五万", False)]
    for name, edit, what, expect in steps:
        t0 = time.perf_counter()
        report = edit()
        retrieved, cited = visible(what)
        out[name] = {"time_to_visible_s": round(time.perf_counter() - t0, 3),
                     "retrieved": retrieved, "cited": cited,
                     "as_expected": retrieved == expect and cited == expect,
                     "timings_ms": report_json(report)["timings_ms"],
                     "chunks_embedded": report.delta.embedded}
    out["answers"] = answers
    return out


def main() -> None:
    """Run and print the figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--model", default=None, help="embedding model (default: settings; 'fake' for a dry run)")
    p.add_argument("--cold-words", action="store_true",
                   help="do not cut the index's texts into words before the first edit")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    settings = Settings()
    if args.model:
        settings = settings.model_copy(update={"model": settings.model.model_copy(update={"name": args.model})})
    with tempfile.TemporaryDirectory(prefix="rag-bench-edits-") as tmp:
        result = measure(scratch(args.index, args.corpus, Path(tmp), settings),
                         warm_words=not args.cold_words)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print(f"{result['articles']} articles, {result['chunks']} chunks; opened in {result['open_s']} s")
    for name in ("add", "update", "delete"):
        r = result[name]
        steps = ", ".join(f"{k} {v:.0f}" for k, v in r["timings_ms"].items())
        print(f"{name:<7} visible after {r['time_to_visible_s']:.2f} s "
              f"({'ok' if r['as_expected'] else 'NOT AS EXPECTED'}; {r['chunks_embedded']} chunks "
              f"embedded; ms: {steps})")
    print("answers:", " | ".join(result["answers"]))


if __name__ == "__main__":
    main()
