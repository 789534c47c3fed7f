"""Named evaluation sets: a question file with the corpus it is about and where its index lives.

`bundled` is our own set over the bundled page; `crud-dev` and `rgb-dev` are the external sets of
`<eval.datasets_dir>` (CRUD-RAG key-fact questions over ~3k news reports, RGB's Chinese questions
over their noisy passages), never fitted on. `crud-train` is CRUD-RAG's training split over a corpus
derived once from the shared 68k reports (its gold reports plus 1,500 distractors drawn with a
fixed seed from reports that no train or dev question is about): what the answer calibration is
fitted on (`rag train-calibrator`).
"""

from __future__ import annotations

import json
import lzma
import random
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from rag.config import Settings
from rag.errors import EvalError


class EvalSet(BaseModel):
    """Where one named set's questions, corpus and index are."""

    model_config = ConfigDict(frozen=True)

    name: str
    questions: Path
    corpus: Path
    index_dir: Path
    description: str = ""


# name -> (questions, corpus) relative to the datasets folder, and what the set is
_EXTERNAL: dict[str, tuple[str, str, str]] = {
    "crud-dev": ("crud-qa/dev.jsonl", "crud-qa/dev-corpus.jsonl.xz",
                 "CRUD-RAG key-fact questions (dev split) over 3,130 news reports"),
    "rgb-dev": ("rgb-zh/dev.jsonl", "rgb-zh/corpus.jsonl",
                "RGB Chinese questions over their positive and negative passages"),
}
SET_NAMES: tuple[str, ...] = ("bundled", "crud-dev", "rgb-dev", "crud-train")
TRAIN_DISTRACTORS = 1500


def resolve_set(name: str, settings: Settings) -> EvalSet:
    """The named set; EvalError naming the missing file when the datasets folder lacks it."""
    if name == "bundled":
        return EvalSet(name=name, questions=Path("eval/questions.jsonl"), corpus=settings.corpus_dir,
                       index_dir=settings.index_dir, description="203 questions over the bundled page")
    if name == "crud-train":
        return _crud_train(settings)
    if name not in _EXTERNAL:
        raise EvalError(f"unknown set {name!r}; use one of {', '.join(SET_NAMES)}")
    questions, corpus, description = _EXTERNAL[name]
    root = settings.eval.datasets_dir
    for path in (root / questions, root / corpus):
        if not path.exists():
            raise EvalError(f"set {name!r} needs {path} (set RAG_EVAL__DATASETS_DIR to the folder "
                            "holding crud-qa/ and rgb-zh/)")
    return EvalSet(name=name, questions=root / questions, corpus=root / corpus,
                   index_dir=_index_root(settings) / name, description=description)


def _index_root(settings: Settings) -> Path:
    return settings.eval.index_root or settings.model.cache_dir / "eval-index"


def _crud_train(settings: Settings) -> EvalSet:
    """CRUD-RAG's train split over its derived corpus (made on first use, ~30 s)."""
    root = settings.eval.datasets_dir
    questions = root / "crud-qa/train.jsonl"
    for path in (questions, root / "crud-qa/dev.jsonl", settings.eval.bench_corpus):
        if not path.exists():
            raise EvalError(f"set 'crud-train' needs {path} (RAG_EVAL__DATASETS_DIR, RAG_EVAL__BENCH_CORPUS)")
    corpus = _index_root(settings) / "crud-train-corpus.jsonl.xz"
    if not corpus.is_file():
        derive_train_corpus(questions, root / "crud-qa/dev.jsonl", settings.eval.bench_corpus, corpus)
    return EvalSet(name="crud-train", questions=questions, corpus=corpus,
                   index_dir=_index_root(settings) / "crud-train",
                   description=f"CRUD-RAG train questions over their reports + {TRAIN_DISTRACTORS} distractors")


def derive_train_corpus(train: Path, dev: Path, reports: Path, out: Path, *,
                        distractors: int = TRAIN_DISTRACTORS, seed: int = 0) -> Path:
    """Write the train questions' gold reports and `distractors` others (none a gold, support or
    near-duplicate report of any train or dev question, none under 50 characters), in corpus order."""
    def rows(path: Path) -> list[dict]:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    train_rows, dev_rows = rows(train), rows(dev)
    gold = {d for r in train_rows for d in r.get("gold_docs", ())}
    taken = {d for r in train_rows + dev_rows for k in ("gold_docs", "dup_docs", "support_docs")
             for d in r.get(k, ())}
    pool: list[str] = []
    with lzma.open(reports, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["id"] not in taken and len(r.get("text", "")) >= 50:
                pool.append(r["id"])
    keep = gold | set(random.Random(seed).sample(pool, min(distractors, len(pool))))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with lzma.open(reports, "rt", encoding="utf-8") as fh, lzma.open(tmp, "wt", encoding="utf-8") as w:
        for line in fh:
            if json.loads(line)["id"] in keep:
                w.write(line if line.endswith("\n") else line + "\n")
    tmp.replace(out)
    return out



def settings_for(eval_set: EvalSet, settings: Settings) -> Settings:
    """The settings that point the pipeline at the set's corpus and index."""
    return settings.model_copy(update={"corpus_dir": eval_set.corpus, "index_dir": eval_set.index_dir})
