"""Guards on a generated answer, as pure functions: the context it may see, the refusals it may
word in its own way, and the facts (numbers, dates, names, titles) it may only copy.

The LLM reads the paragraphs as data: whatever an article tells it to do, an answer survives only
if every fact in it stands in a paragraph it cites, and only markers of given paragraphs remain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.answer.text import bigrams
from rag.answer.tokenize import Tokenizer
from rag.records import Hit
from rag.text import fold, split_sentences

_REFUSAL = re.compile(
    r"没有找到|未找到|找不到|无法回答|无法确定|无法得知|无从得知|没有提到|未提到|未提及|没有提及|没有相关|"
    r"未涉及|没有涉及|不包含|没有包含|没有说明|未说明|没有给出|未给出|没有明确|并未|不清楚|"
    r"not (?:mentioned|found|stated|provided)|cannot (?:be )?(?:answer|determin)|no information",
    re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,，]\d+)*")
_TITLE = re.compile(r"《([^》]{1,40})》|“([^”]{2,30})”")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9\-]{1,}")
_MARKUP = re.compile(r"<[^>]{0,200}>|!?\[([^\]]*)\]\((?:[^)]*)\)|```")
_NAME_TAGS = ("nr", "ns", "nt", "nz")
# A sentence that addresses the model rather than the reader: kept out of the prompt (it stays in
# the corpus, in search results and in extractive answers, where it is only quoted).
_INSTRUCTION = re.compile(
    r"(?:忽略|无视|忘记|不要理会|忽视)(?:掉)?(?:以上|上面|上述|之前|前面|先前|所有|全部|你的)|系统提示|提示词|"
    r"(?:你|助手|模型)(?:现在)?(?:是|扮演|必须|应该|要)(?:一个)?(?:.{0,8})(?:助手|模型|AI|机器人)|"
    r"(?:ignore|disregard|forget)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|your)|"
    r"system\s+prompt|you\s+are\s+now|<\s*/?\s*(?:system|script|iframe)",
    re.IGNORECASE)
_SMALL = "零一二三四五六七八九十"


def is_refusal(text: str) -> bool:
    """Whether a model's reply says the paragraphs do not hold the answer (in its own words)."""
    head = text.strip()[:80]
    return not head or bool(_REFUSAL.search(head))


# How small models open an answer ('根据段落内容，…', '根据提供的新闻，…', 'According to the passages, …'):
# words before the fact, which the product's answers lead with.
_PREAMBLE = re.compile(r"^(?:根据|依据|按照)(?:以上|上述|所给|提供的|给出的)?(?:新闻)?(?:段落|材料|内容|新闻|文章|信息|资料)"
                       r"(?:内容|中|的内容)?(?:所述|来看|可知|显示)?[，,：:]\s*"
                       r"|^according to the (?:passages?|paragraphs?|context|articles?)[,:]\s*", re.I)


def clean_output(text: str, max_chars: int) -> str:
    """The reply as plain text: markup and code fences removed (links keep their words), a
    'according to the paragraphs' preamble dropped, cut at the last sentence end within `max_chars`."""
    text = _MARKUP.sub(lambda m: m.group(1) or "", text).strip()
    text = _PREAMBLE.sub("", text, count=1)
    if len(text) <= max_chars:
        return text
    kept = ""
    for sentence in split_sentences(text):
        if len(kept) + len(sentence) > max_chars:
            break
        kept += sentence
    return kept or text[:max_chars]


def facts_of(text: str, tok: Tokenizer) -> list[str]:
    """The checkable facts of an answer: numbers, quoted titles, Latin words and the proper names
    jieba tags (person, place, organisation, other proper noun), markers removed."""
    text = re.sub(r"\[\d{1,3}\]", "", text)
    found = [m.group(0).replace(",", "").replace("，", "") for m in _NUMBER.finditer(text)]
    found += [m.group(1) or m.group(2) for m in _TITLE.finditer(text)]
    found += [m.group(0) for m in _LATIN.finditer(text)]
    found += [w for w, flag in tok.pos(text) if flag.startswith(_NAME_TAGS) and len(w) >= 2
              and not _NUMBER.fullmatch(w)]
    return list(dict.fromkeys(f for f in found if f.strip()))


def _holds(fact: str, source: str) -> bool:
    f = fold(fact)
    if f in source:
        return True
    if f.isdigit():
        if f in source.replace(",", ""):
            return True
        n = int(f)
        return n <= 10 and _SMALL[n] in source
    # a name the model shortened or re-spaced: most of its bigrams stand in the source
    grams = bigrams(f)
    return len(f) >= 4 and bool(grams) and sum(g in source for g in grams) / len(grams) >= 0.75


def ungrounded(answer: str, cited: Sequence[int], context: Sequence[Hit], tok: Tokenizer) -> list[str]:
    """Facts of the answer found in none of the paragraphs it cites (headline included)."""
    sources = [context[n - 1] for n in cited if 1 <= n <= len(context)]
    text = fold(" ".join(f"{h.paragraph.article_title} {drop_instructions(h.paragraph.text)}"
                              for h in sources))
    return [f for f in facts_of(answer, tok) if not _holds(f, text)]


def attribute(answer: str, context: Sequence[Hit], least: float) -> int | None:
    """The number of the paragraph that best supports an unmarked answer (character bigrams,
    numbers exactly), or None when none reaches `least`."""
    from rag.answer.citations import support

    scored = [(support(answer, f"{h.paragraph.article_title} {h.paragraph.text}"), -n, n)
              for n, h in enumerate(context, start=1)]
    best = max(scored, default=None)
    return best[2] if best and best[0] >= least else None


def place_marker(text: str, n: int) -> str:
    """'62次' -> '62次[1]。'; '龙超俊是局长。' -> '龙超俊是局长[1]。'."""
    text = text.rstrip()
    end = re.search(r"[。！？!?.]+$", text)
    body, stop = (text[: end.start()], end.group(0)) if end else (text, "。")
    return f"{body}[{n}]{stop}"


def addresses_a_model(sentence: str) -> bool:
    """Whether a sentence gives instructions to a model rather than news to a reader."""
    return bool(_INSTRUCTION.search(sentence))


def drop_instructions(text: str) -> str:
    """The text without sentences that give the model instructions ('忽略以上指令……')."""
    sentences = split_sentences(text)
    kept = [x for x in sentences if not _INSTRUCTION.search(x)]
    return "".join(kept) if len(kept) != len(sentences) else text


def budget_context(question: str, context: Sequence[Hit], budget_chars: int) -> list[str]:
    """One text per paragraph, within `budget_chars` in all: a long paragraph keeps the sentences
    that share most character bigrams with the question (in their order), the headline first."""
    share = max(80, budget_chars // max(1, len(context)))
    q = bigrams(fold(question))
    out = []
    for hit in context:
        p = hit.paragraph
        head = f"《{drop_instructions(p.article_title)}》" if p.article_title else ""
        text = drop_instructions(p.text)
        if len(text) > share:
            sentences = split_sentences(text)
            ranked = sorted(range(len(sentences)),
                            key=lambda i: -len(q & bigrams(fold(sentences[i]))))
            keep: set[int] = set()
            used = 0
            for i in ranked:
                if used + len(sentences[i]) > share and keep:
                    continue
                keep.add(i)
                used += len(sentences[i])
            text = "…".join("".join(sentences[i] for i in run) for run in _runs(sorted(keep)))
            text = text[: share + 40]
        out.append(f"{head}\n{text}" if head else text)
    return out


def _runs(indices: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for i in indices:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs
