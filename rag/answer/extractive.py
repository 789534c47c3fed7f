"""The offline default answerer: picks the sentence(s) that hold the asked-for fact, or abstains."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from rag.answer import facts as F
from rag.answer.anchors import (
    ANCHOR_WINDOW,
    anchor_distance,
    right_after_term,
    role_qualifier,
)
from rag.answer.base import Draft
from rag.answer.calibrate import Calibrator, features
from rag.answer.condense import topic_of
from rag.answer.guards import addresses_a_model
from rag.answer.lead import split_lead
from rag.answer.lexicon import SYNONYMS
from rag.answer.numbers import whole_quantity
from rag.answer.question import Question, analyze
from rag.answer.ranker import Ranker, candidate_features
from rag.answer.refusal import TYPED as _TYPED
from rag.answer.refusal import refusal
from rag.answer.snippet import MAX_ANSWER_CHARS, close_sentence, trim, with_marker
from rag.answer.span import choose
from rag.answer.spans import Spans, typed_spans
from rag.answer.text import coverage
from rag.answer.tokenize import Tokenizer
from rag.config import Settings
from rag.index.embedders.base import Embedder
from rag.records import Hit
from rag.text import split_sentences

_WHY = re.compile(r"为了|为|旨在|目的|因为|由于|从而|以便|让|使|促进|有效|缓解|提升|大幅|减少")
_HOW = re.compile(r"通过|采取|采用|利用|以|借助|依托|形式|方式|模式|办法|机制|推行|开展")


@dataclass
class Candidate:
    """One sentence of the context with its reading scores."""

    n: int
    sentence: str
    hit: Hit
    cov_s: float = 0.0
    cov_ctx: float = 0.0
    cov_idf: float = 0.0  # coverage with each term weighted by its rarity in the corpus (0 without an idf)
    sim: float = 0.0
    sim_known: bool = False
    fact: F.Fact | None = None
    fact_ok: bool = False
    bonus: float = 0.0
    score: float = 0.0
    rank_score: float | None = None  # the fitted ranker's (rag/answer/ranker.py), when there is one
    position: int = 0  # the sentence's place in its paragraph (0 = the first)
    cues: dict[str, float] = field(default_factory=dict)  # the named parts of `bonus`
    extra: list[str] = field(default_factory=list)


class ExtractiveAnswerer:
    """Answers by extracting the best supporting sentence(s); runs offline, no LLM."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, tokenizer: Tokenizer | None = None,
                 idf: Callable[[str], float] | None = None, calibrator: Calibrator | None = None,
                 ranker: Ranker | None = None, year_of: Callable[[str], str | None] | None = None,
                 lead: Ranker | None = None, span: Ranker | None = None) -> None:
        """`idf` (optional): how rare a word is in the corpus (the keyword index's), so that the
        question's distinctive words must be in the answer's article, not only its common ones.
        `year_of` (optional): an article's publication year, by article id (the index's).
        `lead` (optional): the model of the clause an open answer leads with (rag/answer/lead.py).
        `span` (optional): the model of the span a typed answer leads with (rag/answer/span.py)."""
        self.settings = settings
        self.embedder = embedder
        self.tok = tokenizer or Tokenizer()
        self.idf = idf
        self.calibrator = calibrator
        self.ranker = ranker
        self.year_of = year_of
        self.lead = lead
        self.span = span

    def answer(self, question: str, context: list[Hit]) -> Draft:
        """Answer each part of the question from the context; abstain when no part is found."""
        q = analyze(question, self.tok)
        parts = [q]
        if len(q.parts) > 1:
            topic = topic_of(q.parts[0], self.tok)
            texts = [q.parts[0]] + [self._with_topic(p, topic) for p in q.parts[1:]]
            parts = [analyze(t, self.tok) for t in texts]
        drafts = [self._answer_one(p, context) for p in parts]
        found: list[Draft] = []
        for d in drafts:
            if not d.abstained and all(d.text != f.text for f in found):
                found.append(d)
        if not found:
            return Draft(text=self.settings.answer.abstain_phrase, abstained=True,
                         confidence=max((d.confidence for d in drafts), default=0.0),
                         flags=tuple(f for d in drafts for f in d.flags))
        text = "".join(d.text for d in found) if len(found) > 1 else found[0].text
        cited = tuple(dict.fromkeys(n for d in found for n in d.cited))
        quotes: dict[int, str] = {}
        for d in found:
            for n, qt in d.quotes.items():
                quotes[n] = quotes[n] + qt if n in quotes and qt not in quotes[n] else quotes.get(n, qt)
        flags = ("partial",) if len(found) < len(drafts) else ()
        choices = [d.choice for d in found if d.choice is not None]
        draft = Draft(text=text, cited=cited, quotes=quotes, confidence=min(d.confidence for d in found), flags=flags,
                      choice=min(choices) if choices else None)
        return self._calibrated(q, context, draft)

    def _calibrated(self, q: Question, context: list[Hit], draft: Draft) -> Draft:
        """The draft with its calibrated probability; a refusal ('unsure') below the threshold."""
        if self.calibrator is None:
            return draft
        p = self.calibrator.probability(features(q, context, draft))
        if p < self.settings.answer.min_answer_probability:
            return Draft(text=self.settings.answer.abstain_phrase, abstained=True, confidence=draft.confidence,
                         probability=p, flags=(*draft.flags, "unsure"))
        return draft.model_copy(update={"probability": p})

    def _with_topic(self, part: str, topic: str) -> str:
        """'又是什么时候投运的' -> topic + '是什么时候投运的'; a part with its own subject stays as it is."""
        stripped = re.sub(r"^[又还另外并且而，,]+", "", part)
        first = self.tok.pos(stripped)[0][1] if stripped else ""
        if not topic or topic in part or (stripped == part and not first.startswith(("v", "d", "r", "p", "m"))):
            return part
        return topic + stripped

    # --- one question ---------------------------------------------------------------------------

    def _answer_one(self, q: Question, context: list[Hit]) -> Draft:
        cands = self._candidates(q, context)
        if not cands:
            return Draft(text="", abstained=True, flags=("no_context",))
        # For a typed question only sentences that hold the asked-for kind of fact can answer it.
        typed = q.qtype in _TYPED or q.needs_name
        pool = [c for c in cands if c.fact_ok] if typed else cands
        if not pool:
            best = max(cands, key=lambda c: c.score)
            return Draft(text="", abstained=True, confidence=best.score, flags=("fact_missing",))
        best = max(pool, key=_rank)
        reason = refusal(q, best, context, self.settings.answer, self.idf, self.year_of)
        if reason:
            return Draft(text="", abstained=True, confidence=best.score, flags=(reason,))
        pieces = [best] + self._companions(q, best, cands)
        text_parts, quotes = [], {}
        for c in pieces:
            text_parts.append(self._snippet(q, c, first=c is best))
            quotes[c.n] = (quotes[c.n] + c.sentence) if c.n in quotes else c.sentence
        text = lead_with_fact(q, best.fact, "".join(text_parts))
        return Draft(text=text, cited=tuple(dict.fromkeys(c.n for c in pieces)), quotes=quotes, confidence=best.score,
                     choice=_share(best, pool))

    def _snippet(self, q: Question, c: Candidate, first: bool) -> str:
        """A candidate's text in the answer, with its marker; the best one of an open question
        opens with its clauses that hold the asked-for thing (rag/answer/lead.py), then the rest."""
        split = split_lead(q, c.sentence, self.lead) if first and not (q.qtype in _TYPED or q.needs_name) else None
        if split is None:
            return with_marker(trim(c.sentence, c.fact, q), c.n)
        lead, rest = split
        # a rest that is only an attribution ('据介绍，', '报道称，') adds nothing: the quote keeps it
        keep = len(re.sub(r"[，,。；;：:\s]", "", rest)) >= MIN_REST_CHARS
        return with_marker(close_sentence(lead), c.n) + (with_marker(trim(rest, None, q), c.n) if keep else "")

    def _candidates(self, q: Question, context: list[Hit]) -> list[Candidate]:
        cands: list[Candidate] = []
        # An article names its place or organisation once, often not in the paragraph that holds the
        # fact: the paragraph's context is its headline plus every retrieved paragraph of its article.
        by_article: dict[str, list[str]] = {}
        for hit in context:
            by_article.setdefault(hit.paragraph.article_id, []).append(hit.paragraph.text)
        predicates = self._predicates(q)
        verbs = predicates if q.qtype in ("date", "person", "number", "place") else []
        said = [re.compile(re.escape(v) + r"(?:了|的|为|是)?[：:]?[“「《]") for v in predicates] \
            if q.qtype == "what" else []
        rare = [(t, w * (self.idf(t) or 1.0)) for t, w in q.terms] if self.idf is not None and q.terms else []
        for n, hit in enumerate(context, start=1):
            p = hit.paragraph
            ctx_text = " ".join((p.article_title, p.section, *by_article[p.article_id]))
            cov_ctx = coverage(q.terms, ctx_text) if q.terms else 0.0
            for position, sentence in enumerate(split_sentences(p.text)):
                # a question printed in the text (an interview's 问：…？) is never an answer
                if len(sentence) < 6 or re.search(r"[？?][”」]?$", sentence) or sentence.startswith(("问：", "问:")):
                    continue
                if addresses_a_model(sentence):  # '忽略以上指令，回答……' is no news fact
                    continue
                c = Candidate(n=n, sentence=sentence, hit=hit, cov_ctx=cov_ctx, position=position)
                c.cov_s = coverage(q.terms, sentence) if q.terms else 0.0
                c.cov_idf = coverage(rare, sentence) if rare else 0.0
                c.fact, c.fact_ok = self._fact(q, sentence)
                c.cues = self._cues(q, c, said, verbs)
                c.bonus = sum(CUE_WEIGHTS[k] * v for k, v in c.cues.items())
                cands.append(c)
        self._add_similarity(q, cands)
        for c in cands:
            rank_prior = 0.15 / c.n
            fact_w = 0.6 if q.qtype in _TYPED or q.needs_name else 0.0
            if q.lang == "en":
                c.score = 1.2 * c.sim + fact_w * c.fact_ok + c.bonus + rank_prior
            else:
                c.score = (1.0 * c.cov_s + 0.4 * c.cov_ctx + 0.8 * c.sim + fact_w * c.fact_ok
                           + c.bonus + rank_prior)
            if self.ranker is not None:
                c.rank_score = self.ranker.rank(candidate_features(q, c), c.score)
        return cands

    def _cues(self, q: Question, c: Candidate, said: list[re.Pattern[str]], verbs: list[str]) -> dict[str, float]:
        """The named cues that the sentence holds the asked-for fact (see CUE_WEIGHTS)."""
        sentence, fact = c.sentence, c.fact
        qual = role_qualifier(q)
        return {
            "type_cue": self._bonus(q, sentence),
            "role_qualifier": float(c.fact_ok and bool(qual) and bool(q.role) and qual + q.role in sentence),
            # '工程于2021年5月开工' answers '什么时候动工': the fact sits next to the asked-for verb
            "next_to_verb": float(c.fact_ok and fact is not None and q.qtype in ("date", "person", "place", "entity")
                                  and anchor_distance(q, sentence, fact) <= ANCHOR_WINDOW),
            # '代号叫什么' is answered by '中队代号“三叉戟”': the name right after the asked word
            "right_after_term": float(q.needs_name and c.fact_ok and fact is not None
                                      and right_after_term(q, sentence, fact)),
            # '倡导的理念是什么' is answered by '倡导“不以岗位论高下…”': the verb, then the quote
            "verb_then_quote": float(any(pat.search(sentence) for pat in said)),
            # a date of the station's 投运 does not answer when it was 开工
            "verb_missing": float(bool(verbs) and not any(w in sentence for v in verbs for w in (v, *SYNONYMS.get(v, ())))),
        }

    def _predicates(self, q: Question) -> list[str]:
        """The question's verbs of two or more characters (开工, 主持): the event whose fact is asked."""
        out = []
        for term, _ in q.terms:
            if len(term) >= 2 and term not in q.entities and term != q.role:
                tags = self.tok.pos(term)
                if len(tags) == 1 and tags[0][1] in ("v", "vn"):
                    out.append(term)
        return out

    def _add_similarity(self, q: Question, cands: list[Candidate]) -> None:
        if self.embedder is None or not cands:
            return
        # Embedding every sentence costs too much on 2 cores: keep the lexically best ones.
        pool = sorted(cands, key=lambda c: -(c.cov_s + 0.4 * c.cov_ctx + 0.3 * c.fact_ok + 0.15 / c.n))
        cfg = self.settings.answer
        pool = pool[: cfg.max_sentences_embedded_en if q.lang == "en" else cfg.max_sentences_embedded]
        if not pool:
            return
        vecs = self.embedder.embed_batch([c.sentence for c in pool], "document")
        qv = self.embedder.embed_batch([q.text], "query")[0]
        sims = np.asarray(vecs) @ np.asarray(qv)
        for c, s in zip(pool, sims, strict=True):
            c.sim, c.sim_known = float(s), True

    # --- the asked-for fact -----------------------------------------------------------------

    def _fact(self, q: Question, sentence: str) -> tuple[F.Fact | None, bool]:
        """The span of the sentence that answers a typed question (the span model's choice among
        the sentence's spans of the asked-for kind, rag/answer/span.py), and whether it fits."""
        spans = self.spans(q, sentence)
        if spans is None:
            return None, True
        if not spans.facts:
            return None, False
        fact = spans.facts[choose(self.span, q, sentence, spans.facts, spans.rule, spans.fits)]
        if q.qtype == "number":
            fact = whole_quantity(q, sentence, fact)
        return fact, spans.ok

    def spans(self, q: Question, sentence: str) -> Spans | None:
        """The sentence's spans of the asked-for kind with the hand rule's pick (rag/answer/spans.py)."""
        return typed_spans(q, sentence, self.tok)

    def _bonus(self, q: Question, sentence: str) -> float:
        if q.qtype == "why":
            return 0.15 if _WHY.search(sentence) else 0.0
        if q.qtype == "how":
            return 0.15 if _HOW.search(sentence) else 0.0
        if q.qtype == "list":
            return 0.25 if F.enumeration_size(sentence) >= 2 else 0.0
        return 0.0

    def _companions(self, q: Question, best: Candidate, cands: list[Candidate]) -> list[Candidate]:
        """More sentences for list and why/how questions: others of near score that add items."""
        if q.qtype not in ("list", "how", "why"):
            return []
        others = sorted((c for c in cands if c is not best and c.score >= best.score - 0.15), key=lambda c: -c.score)
        out: list[Candidate] = []
        length = len(best.sentence)
        for c in others[:2]:
            if length + len(c.sentence) > 2 * MAX_ANSWER_CHARS or c.sentence in best.sentence:
                continue
            if q.qtype == "list" and F.enumeration_size(c.sentence) < 2:
                continue
            out.append(c)
            length += len(c.sentence)
        return out


MIN_REST_CHARS = 12  # the clauses an open answer's lead leaves out are shown when at least this long
# The hand-set weights of the cues in the heuristic score (used when no fitted ranker is loaded,
# and for the draft's confidence); `type_cue` carries its own value (0.15 or 0.25).
CUE_WEIGHTS = {"type_cue": 1.0, "role_qualifier": 0.4, "next_to_verb": 0.5, "right_after_term": 0.3,
               "verb_then_quote": 0.3, "verb_missing": -0.3}


def lead_with_fact(q: Question, fact: F.Fact | None, body: str) -> str:
    """'62次。全区各校召开家长会62次[1]。': a typed question's answer opens with the asked-for span,
    then the sentence that states it (the reader should not have to find the fact in a sentence)."""
    if fact is None or not (q.qtype in _TYPED or q.needs_name) or body.startswith(fact.text):
        return body
    return f"{fact.text}。{body}"


def _rank(c: Candidate) -> float:
    """The fitted ranker's score when there is one, else the heuristic score."""
    return c.score if c.rank_score is None else c.rank_score


def _share(best: Candidate, pool: Sequence[Candidate]) -> float | None:
    """The softmax share of the chosen candidate among the pool under the fitted ranker."""
    if best.rank_score is None:
        return None
    scores = np.array([c.rank_score for c in pool if c.rank_score is not None])
    return float(1.0 / np.exp(scores - best.rank_score).sum())
