"""When the extractive reader refuses: the best candidate sentence does not hold the asked-for
kind of fact, names another year, lacks the question's terms, entity or rare words, or the
paragraphs are too far from the question. Each reason is a flag on the refusal."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rag.answer.anchors import abbreviates
from rag.answer.question import Question, question_years
from rag.answer.text import coverage
from rag.config import AnswerSettings
from rag.records import Hit

if TYPE_CHECKING:
    from rag.answer.extractive import Candidate

TYPED = ("number", "person", "date", "place", "entity")  # question types answered by a typed fact
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]+")


def refusal(q: Question, best: Candidate, context: list[Hit], cfg: AnswerSettings,
            idf_of: Callable[[str], float] | None = None,
            year_of: Callable[[str], str | None] | None = None) -> str | None:
    """Why the best candidate does not answer the question (a flag), or None when it does.
    `year_of`: an article's publication year (what '今年' and an undated '7月' in it mean)."""
    top_dense = max((h.dense_score for h in context if h.dense_score is not None), default=None)
    if top_dense is not None and top_dense < cfg.min_dense_score:
        return "low_similarity"
    if (q.qtype in TYPED or q.needs_name) and not best.fact_ok:
        return "fact_missing"
    published = year_of(best.hit.paragraph.article_id) if year_of is not None else None
    if q.years and not years_agree(q.years, best.sentence, article_text(best, context), published):
        # '2021年城镇新增就业多少人' is not answered by the 2020 figure
        return "other_year"
    if q.lang == "zh" and q.terms:
        if best.cov_ctx < cfg.min_context_coverage or best.cov_s < cfg.min_sentence_coverage:
            return "terms_missing"
        # '祁阳市纪委书记是谁' must not be answered from an article about 娄底's 纪委书记
        ctx = article_text(best, context)
        if any(coverage([(e, 1.0)], ctx) < 0.5 and not abbreviates(e, ctx) for e in q.entities):
            return "entity_missing"
        # '微创心律的首席执行官是谁' is not answered by 联想's: its rare words must be there too
        if idf_of is not None:
            idf = {t: idf_of(t) for t, _ in q.terms}
            if coverage([(t, w * (idf[t] or 1.0)) for t, w in q.terms], ctx) < cfg.min_context_coverage:
                return "rare_terms_missing"
            # 'SpaceX第二季度的收入' is not answered by another company's quarter: a Latin name of
            # the question that the corpus holds and that is among its rarer words must be there
            top = max(idf.values())
            if any(LATIN_WORD.fullmatch(t) and idf[t] >= 0.5 * top > 0
                   and coverage([(t, 1.0)], ctx) < 0.5 for t in idf):
                return "key_term_missing"
    if q.lang == "en" and best.sim_known and best.sim < cfg.min_sentence_similarity:
        return "low_similarity"
    return None

def article_text(best: Candidate, context: list[Hit]) -> str:
    """The headline, section and every retrieved paragraph of the best candidate's article."""
    p = best.hit.paragraph
    same = [h.paragraph.text for h in context if h.paragraph.article_id == p.article_id]
    return " ".join((p.article_title, p.section, *same))


# A year that is only the baseline of a comparison ('较2022年同期增长', '与2019年相比', '比2020年')
_BASELINE_YEAR = re.compile(r"(?:较|比|与|同|相较|相比)(?:于)?((?:19|20)\d{2})年?(?:同期|全年|底|末)?(?:相比|比较)?"
                            r"|((?:19|20)\d{2})年同期")


def stated_years(text: str) -> tuple[str, ...]:
    """The years a text states its facts for: those it names, less those that are only the
    baseline of a comparison."""
    baseline = _BASELINE_YEAR.sub("", text)
    return question_years(baseline)


def years_agree(years: Sequence[str], sentence: str, article: str, published: str | None = None) -> bool:
    """The sentence or its article names one of the asked years, or neither names any year
    ('2021年美网冠军拉杜卡努…退赛' in a report dated 2023 still answers a question about 2023), or
    the sentence names no year and its report was published in an asked one ('今年7月…' in a report
    of 2023-08 states a 2023 figure, whatever other years the report compares it with)."""
    said = set(stated_years(sentence))
    if not said and published in years:
        return True
    named = said | set(stated_years(article))
    return not named or bool(named & set(years))
