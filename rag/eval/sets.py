"""Named evaluation sets: a question file with the corpus it is about and where its index lives.

`bundled` is our own set over the bundled page; `crud-dev` and `rgb-dev` are the external sets of
`<eval.datasets_dir>` (CRUD-RAG key-fact questions over ~3k news reports, RGB's Chinese questions
over their noisy passages), never fitted on.
"""

from __future__ import annotations

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
SET_NAMES: tuple[str, ...] = ("bundled", "crud-dev", "rgb-dev")


def resolve_set(name: str, settings: Settings) -> EvalSet:
    """The named set; EvalError naming the missing file when the datasets folder lacks it."""
    if name == "bundled":
        return EvalSet(name=name, questions=Path("eval/questions.jsonl"), corpus=settings.corpus_dir,
                       index_dir=settings.index_dir, description="203 questions over the bundled page")
    if name not in _EXTERNAL:
        raise EvalError(f"unknown set {name!r}; use one of {', '.join(SET_NAMES)}")
    questions, corpus, description = _EXTERNAL[name]
    root = settings.eval.datasets_dir
    for path in (root / questions, root / corpus):
        if not path.exists():
            raise EvalError(f"set {name!r} needs {path} (set RAG_EVAL__DATASETS_DIR to the folder "
                            "holding crud-qa/ and rgb-zh/)")
    index_root = settings.eval.index_root or settings.model.cache_dir / "eval-index"
    return EvalSet(name=name, questions=root / questions, corpus=root / corpus,
                   index_dir=index_root / name, description=description)


def settings_for(eval_set: EvalSet, settings: Settings) -> Settings:
    """The settings that point the pipeline at the set's corpus and index."""
    return settings.model_copy(update={"corpus_dir": eval_set.corpus, "index_dir": eval_set.index_dir})
