"""Adding, changing and removing articles: the corpus folder and the index updated together.

One `ArticleEditor` per process serialises edits (a lock, and the index folder's build lock
against other processes). Each edit: check it against the current index (a refusal changes
nothing), write the corpus files (rag.ingest.edits), publish a new index generation in which only
the changed articles were cut and embedded again (rag.index.incremental), then hand the new
index to `publish` (a server swaps in a pipeline over it). When the index cannot be written the
corpus files are put back as they were.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rag.config import Settings
from rag.errors import (
    ArticleError,
    ArticleTooLargeError,
    CorpusReadOnlyError,
    DuplicateArticleError,
    IndexError_,
    IngestError,
    NotFoundError,
    UnsupportedFormatError,
)
from rag.index.embedders import Embedder
from rag.index.incremental import Delta, apply_change
from rag.index.layout import build_lock, current_dir
from rag.index.loaded import LoadedIndex
from rag.index.manifest import corpus_fingerprint
from rag.ingest.build import make_article_id
from rag.ingest.corpus import COMPRESSIONS, TEXT_FORMATS, file_format, read_file_articles
from rag.ingest.edits import (
    ADDED_DIR,
    WITHDRAWN_FILE,
    CorpusChange,
    added_name,
    article_line,
    read_withdrawn,
    safe_file_name,
    withdrawn_bytes,
)
from rag.ingest.jsonl import article_from_doc
from rag.ingest.result import Problem
from rag.records import Article

log = logging.getLogger(__name__)

Action = Literal["added", "updated", "removed"]
_ID = re.compile(r"^[^\s/\\#\x00-\x1f]{1,120}$")
READABLE = tuple(sorted({*TEXT_FORMATS, ".jsonl"}))


@dataclass(frozen=True)
class ArticleDraft:
    """An article given as fields (the JSON body of POST/PUT /api/articles)."""

    title: str
    text: str
    published: str | None = None
    url: str | None = None
    source: str | None = None
    article_id: str | None = None


@dataclass(frozen=True)
class EditReport:
    """What one accepted edit did."""

    action: Action
    article_ids: tuple[str, ...]
    delta: Delta
    files_written: tuple[str, ...] = ()
    files_deleted: tuple[str, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for the CLI."""
        d = self.delta
        return (f"{self.action} {len(self.article_ids)} article(s) ({', '.join(self.article_ids)}): "
                f"paragraphs +{len(d.added)} -{len(d.removed)} ~{len(d.changed)}, "
                f"{d.embedded} chunks embedded, {d.reused} reused, {d.chunks_removed} removed; "
                f"{d.chunks} chunks in {d.generation} ({self.seconds.get('total', 0.0):.2f} s)")


@dataclass
class _Plan:
    """An edit worked out against the current index, not yet applied."""

    action: Action
    articles: list[Article]
    changed: set[str]
    ids: list[str]
    change: CorpusChange


BaseIndex = Callable[[], LoadedIndex]
Publish = Callable[[LoadedIndex], None]


class ArticleEditor:
    """Applies edits one at a time over the index that `base` returns, handing each new one to
    `publish`."""

    def __init__(self, settings: Settings, embedder: Embedder, base: BaseIndex,
                 publish: Publish | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self._base = base
        self._publish = publish or (lambda index: None)
        self._lock = threading.Lock()
        self._latest: LoadedIndex | None = None

    # --- the edits ---------------------------------------------------------------------------

    def add(self, drafts: Sequence[ArticleDraft]) -> EditReport:
        """Add articles given as fields; DuplicateArticleError when an id is taken."""
        return self._run("added", lambda base, change: self._plan_add(base, change, drafts))

    def add_files(self, files: Sequence[tuple[str, bytes]]) -> EditReport:
        """Add every article of these files (name, bytes), in any format the ingestion reads,
        each kept as it came under `added/`."""
        return self._run("added", lambda base, change: self._plan_files(base, change, files))

    def update(self, article_id: str, draft: ArticleDraft) -> EditReport:
        """Replace one article's title, text and metadata; NotFoundError for an unknown id."""
        return self._run("updated", lambda base, change: self._plan_update(base, change,
                                                                            article_id, draft))

    def remove(self, article_ids: Sequence[str]) -> EditReport:
        """Withdraw articles; NotFoundError for an unknown id."""
        return self._run("removed", lambda base, change: self._plan_remove(base, change,
                                                                            article_ids))

    # --- the common path ---------------------------------------------------------------------

    def _run(self, action: Action, plan_of: Callable[[LoadedIndex, CorpusChange], _Plan]) -> EditReport:
        if not self.settings.corpus_dir.is_dir():
            raise CorpusReadOnlyError(
                f"the corpus {self.settings.corpus_dir} is a single file; articles can only be "
                "edited in a corpus folder", hint="put the file in a folder and point corpus_dir at it")
        with self._lock, build_lock(self.settings.index_dir):
            t0 = time.perf_counter()
            base = self._current_base()
            change = CorpusChange(self.settings.corpus_dir)
            plan = plan_of(base, change)
            t_plan = time.perf_counter() - t0
            change.apply()
            try:
                fingerprint = corpus_fingerprint(self.settings.corpus_dir)
                index, delta = apply_change(self.settings, self.embedder, base, plan.articles,
                                            plan.changed, corpus_fingerprint=fingerprint)
            except BaseException as exc:
                change.rollback()
                if isinstance(exc, OSError):
                    raise IndexError_(f"cannot write the index in {self.settings.index_dir}: {exc}",
                                      hint="the corpus and the served index are unchanged") from exc
                raise
            self._latest = index
            t = time.perf_counter()
            self._publish(index)
            t_swap = time.perf_counter() - t
        seconds = {"plan": round(t_plan, 4), **delta.seconds, "swap": round(t_swap, 4),
                   "total": round(time.perf_counter() - t0, 4)}
        log.info("%s %s in %.2f s", action, ", ".join(plan.ids), seconds["total"])
        return EditReport(action, tuple(plan.ids), delta, tuple(sorted(change.writes)),
                          tuple(sorted(change.deletes)), seconds)

    def _current_base(self) -> LoadedIndex:
        """The index to edit: the newest this editor published, else the caller's; loaded from
        disk when another process (`rag add`, a second server) has published a newer one."""
        on_disk = current_dir(self.settings.index_dir)
        base = self._latest if self._latest is not None else self._base()
        if self._latest is not None and self._base().directory == on_disk:
            base = self._base()
        if on_disk is not None and base.directory != on_disk:
            from rag.index.loaded import load_index

            log.info("the index was changed by another process; editing %s", on_disk)
            base = load_index(self.settings, self.embedder)
        return base

    # --- plans -------------------------------------------------------------------------------

    def _plan_add(self, base: LoadedIndex, change: CorpusChange,
                  drafts: Sequence[ArticleDraft]) -> _Plan:
        if not drafts:
            raise ArticleError("no article to add")
        present = {a.article_id for a in base.articles}
        new: list[Article] = []
        for draft in drafts:
            article_id = draft.article_id or make_article_id("api", draft.title.strip(), draft.text)
            if article_id in present or any(a.article_id == article_id for a in new):
                raise DuplicateArticleError(f"an article with id {article_id!r} already exists",
                                            hint="change it with PUT /api/articles/{id}, or pick another id")
            rel = self._free_name(change, added_name(article_id))
            article, data = self._draft_article(draft, article_id, rel)
            change.write(rel, data)
            new.append(article)
        ids = [a.article_id for a in new]
        return _Plan("added", [*base.articles, *new], set(ids), ids, change)

    def _plan_files(self, base: LoadedIndex, change: CorpusChange,
                    files: Sequence[tuple[str, bytes]]) -> _Plan:
        if not files:
            raise ArticleError("no file to add")
        present = {a.article_id for a in base.articles}
        new: list[Article] = []
        for name, data in files:
            rel = self._free_name(change, safe_file_name(name))
            for article in self._file_articles(rel, data):
                if article.article_id in present or any(a.article_id == article.article_id for a in new):
                    raise DuplicateArticleError(
                        f"{name}: an article with id {article.article_id!r} already exists",
                        hint="remove it first, or change it with PUT /api/articles/{id}")
                new.append(article)
            change.write(rel, data)
        ids = [a.article_id for a in new]
        return _Plan("added", [*base.articles, *new], set(ids), ids, change)

    def _plan_update(self, base: LoadedIndex, change: CorpusChange, article_id: str,
                     draft: ArticleDraft) -> _Plan:
        old = self._find(base, [article_id])[0]
        if draft.article_id not in (None, article_id):
            raise ArticleError(f"the body's id {draft.article_id!r} is not the article's "
                               f"{article_id!r}", hint="leave the id out of the body")
        if self._sole_added(base, old):
            rel = old.source_path
        else:
            self._withdraw(change, base, [old])
            rel = self._free_name(change, added_name(article_id))
        article, data = self._draft_article(draft, article_id, rel)
        change.write(rel, data)
        articles = [article if a.article_id == article_id else a for a in base.articles]
        return _Plan("updated", articles, {article_id}, [article_id], change)

    def _plan_remove(self, base: LoadedIndex, change: CorpusChange,
                     article_ids: Sequence[str]) -> _Plan:
        if not article_ids:
            raise ArticleError("no article id to remove")
        gone = self._find(base, list(dict.fromkeys(article_ids)))
        sole = [a for a in gone if self._sole_added(base, a)]
        for a in sole:
            change.delete(a.source_path)
        self._withdraw(change, base, [a for a in gone if a not in sole])
        ids = {a.article_id for a in gone}
        articles = [a for a in base.articles if a.article_id not in ids]
        return _Plan("removed", articles, ids, [a.article_id for a in gone], change)

    # --- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _find(base: LoadedIndex, article_ids: Sequence[str]) -> list[Article]:
        by_id = {a.article_id: a for a in base.articles}
        missing = [i for i in article_ids if i not in by_id]
        if missing:
            raise NotFoundError(f"no article with id {missing[0]!r}"
                                + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
        return [by_id[i] for i in article_ids]

    @staticmethod
    def _sole_added(base: LoadedIndex, article: Article) -> bool:
        """Whether the article is the only one of a file under added/ (which can then go)."""
        if not article.source_path.startswith(ADDED_DIR + "/"):
            return False
        return sum(1 for a in base.articles if a.source_path == article.source_path) == 1

    def _withdraw(self, change: CorpusChange, base: LoadedIndex, articles: Sequence[Article]) -> None:
        if not articles:
            return
        pairs = read_withdrawn(self.settings.corpus_dir) | {(a.source_path, a.article_id)
                                                            for a in articles}
        change.write(WITHDRAWN_FILE, withdrawn_bytes(frozenset(pairs)))

    def _free_name(self, change: CorpusChange, name: str) -> str:
        """`added/<name>`, or `added/<stem>-2<suffixes>`… when that file exists."""
        rel, n = f"{ADDED_DIR}/{name}", 1
        stem, dot, rest = name.partition(".")
        while change.exists(rel):
            n += 1
            rel = f"{ADDED_DIR}/{stem}-{n}{dot}{rest}"
        return rel

    def _draft_article(self, draft: ArticleDraft, article_id: str, rel: str) -> tuple[Article, bytes]:
        """The article a draft becomes when ingested from `rel`, and the bytes of that file."""
        if not _ID.match(article_id):
            raise ArticleError(f"article id {article_id!r} is not usable: 1-120 characters, no "
                               "spaces, slashes or '#'")
        text, title = draft.text.strip(), " ".join(draft.title.split())
        limit = self.settings.edit.max_article_chars
        if len(text) > limit:
            raise ArticleTooLargeError(f"the article's text has {len(text)} characters; the limit "
                                       f"is {limit}")
        if not text:
            raise ArticleError("the article's text is empty")
        if not title:
            raise ArticleError("the article's title is empty")
        doc = {"id": article_id, "title": title, "text": text, "published": draft.published,
               "url": draft.url, "source": draft.source}
        try:
            article = article_from_doc({k: v for k, v in doc.items() if v}, rel)
        except IngestError as exc:
            raise ArticleError(exc.message) from exc
        _require_paragraphs(article)
        return article, article_line(doc)

    def _file_articles(self, rel: str, data: bytes) -> list[Article]:
        """The articles a file yields when ingested from `rel`; ArticleError when none."""
        fmt = file_format(Path(rel))
        if fmt not in READABLE:
            raise UnsupportedFormatError(
                f"{Path(rel).name}: files of type {fmt or '(none)'!r} are not read",
                hint=f"send one of {', '.join(READABLE)} (JSONL also {', '.join(COMPRESSIONS)})")
        if len(data) > self.settings.server.max_upload_bytes:
            raise ArticleTooLargeError(f"{Path(rel).name} has {len(data)} bytes; the limit is "
                                       f"{self.settings.server.max_upload_bytes}")
        tmp = Path(tempfile.mkdtemp(prefix="rag-upload-"))
        try:
            path = tmp / Path(rel).name
            path.write_bytes(data)
            problems: list[Problem] = []
            articles = read_file_articles(path, rel, problems)
        except IngestError as exc:
            raise ArticleError(f"{Path(rel).name}: {exc.message}") from exc
        except Exception as exc:  # noqa: BLE001 - a file the parsers choke on is the client's
            raise ArticleError(f"{Path(rel).name} cannot be read: {type(exc).__name__}") from exc
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if not articles:
            detail = f" ({problems[0]})" if problems else ""
            raise ArticleError(f"{Path(rel).name} holds no article{detail}")
        if len(articles) > self.settings.edit.max_articles_per_file:
            raise ArticleTooLargeError(f"{Path(rel).name} holds {len(articles)} articles; the limit "
                                       f"is {self.settings.edit.max_articles_per_file}")
        limit = self.settings.edit.max_article_chars
        ids: set[str] = set()
        for a in articles:
            if a.article_id in ids:
                raise DuplicateArticleError(f"{Path(rel).name} holds article id {a.article_id!r} twice")
            ids.add(a.article_id)
            if sum(len(p.text) for p in a.paragraphs) > limit:
                raise ArticleTooLargeError(f"article {a.article_id!r} of {Path(rel).name} is longer "
                                           f"than {limit} characters")
            _require_paragraphs(a)
        return articles


def _require_paragraphs(article: Article) -> None:
    from rag.index.chunking import INDEXED_KINDS

    if not any(p.kind in INDEXED_KINDS and p.text.strip() for p in article.paragraphs):
        raise ArticleError(f"article {article.article_id!r} has no paragraph of text to index")


def report_json(report: EditReport) -> dict[str, Any]:
    """The report as the API and `rag add --json` give it."""
    d = report.delta
    return {
        "action": report.action,
        "article_ids": list(report.article_ids),
        "paragraphs": {"added": len(d.added), "removed": len(d.removed), "changed": len(d.changed),
                       "unchanged": d.unchanged, "re_embedded": d.paragraphs_embedded},
        "paragraph_ids": {"added": list(d.added), "removed": list(d.removed),
                          "changed": list(d.changed)},
        "chunks": {"embedded": d.embedded, "reused": d.reused, "removed": d.chunks_removed,
                   "total": d.chunks},
        "generation": d.generation,
        "files": {"written": list(report.files_written), "deleted": list(report.files_deleted)},
        "timings_ms": {k: round(v * 1000, 1) for k, v in report.seconds.items()},
    }
