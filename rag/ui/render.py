"""Pure functions turning answers, citations and articles into the UI's HTML (escaped, id-safe)."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from rag.records import Answer, Article, Citation

MARKER = re.compile(r"\[(\d{1,2})\]")
Turn = dict[str, Any]


def _slug(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", value)


def source_id(turn: int, n: int, related: bool = False) -> str:
    """The element id of a citation in the sources panel."""
    return f"{'rel' if related else 'src'}-{turn}-{n}"


def link_markers(text: str, turn: int, known: set[int]) -> str:
    """Escape the answer and turn each known [n] into a link to its source."""
    def link(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n not in known:
            return m.group(0)
        return f'<a class="cite" href="#{source_id(turn, n)}" data-target="{source_id(turn, n)}">[{n}]</a>'

    return MARKER.sub(link, escape(text, quote=False))


def answer_markdown(answer: Answer, turn: int) -> str:
    """The assistant message: the answer with linked markers, or the not-found state."""
    if answer.abstained:
        hint = ("右侧（手机上在下方）列出了可能相关的段落，供您参考。" if answer.related
                else "请换一种说法，或到“浏览文章”中查看全部文章。")
        return f'<div class="notfound">{escape(answer.answer)}</div>\n\n{hint}'
    body = link_markers(answer.answer, turn, {c.n for c in answer.citations})
    return body + ("\n\n<span class='hint'>点击 [数字] 查看出处。</span>" if answer.citations else "")


def highlight(text: str, quote: str) -> str:
    """The paragraph, escaped, with the supporting sentence wrapped in <mark>."""
    quote = quote.strip()
    at = text.find(quote) if quote else -1
    if at < 0:
        return escape(text)
    end = at + len(quote)
    return f"{escape(text[:at])}<mark>{escape(text[at:end])}</mark>{escape(text[end:])}"


def _citation(c: Citation, turn: int, related: bool) -> str:
    sid = source_id(turn, c.n, related)
    label = f"[{c.n}]" if not related else f"{c.n}."
    return (
        f'<details class="src" id="{sid}"><summary><span class="src-n">{label}</span> '
        f'<span class="src-title">{escape(c.article_title)}</span>'
        f'<span class="src-quote">{escape(c.quote or c.text[:60])}</span></summary>'
        f'<p class="src-para">{highlight(c.text, c.quote)}</p>'
        f'<div class="src-meta">段落编号 <code>{escape(c.paragraph_id)}</code></div></details>'
    )


def turn_record(question: str, answer: Answer, answer_id: str = "", chat_index: int = -1) -> Turn:
    """What the UI keeps of one exchange (plain data, stored in gr.State); `chat_index` is the
    answer's message in the chat, which a 👍/👎 click names."""
    return {"question": question, "answer": answer.answer, "abstained": answer.abstained,
            "answer_id": answer_id, "chat_index": chat_index,
            "citations": [c.model_dump() for c in answer.citations],
            "related": [c.model_dump() for c in answer.related]}


def sources_html(turns: list[Turn]) -> str:
    """The sources panel: the newest exchange open, older ones folded."""
    if not turns:
        return ('<div class="src-empty"><b>来源</b><br>提问后，这里会列出答案引用的原文段落，'
                '并用底色标出依据的句子。</div>')
    parts = []
    for t in range(len(turns) - 1, -1, -1):
        turn = turns[t]
        cites = [Citation(**c) for c in turn["citations"]]
        related = [Citation(**c) for c in turn["related"]]
        items = "".join(_citation(c, t, False) for c in cites)
        if turn["abstained"]:
            items = ('<div class="src-notfound">没有找到确切答案。' +
                     ("以下段落可能相关：" if related else "也没有找到相关段落。") + "</div>" +
                     "".join(_citation(c, t, True) for c in related))
        elif not cites:
            items = '<div class="src-empty">这个回答没有引用。</div>'
        is_open = " open" if t == len(turns) - 1 else ""
        parts.append(f'<details class="src-turn" id="turn-{t}"{is_open}><summary class="src-q">'
                     f'问：{escape(turn["question"])}</summary>{items}</details>')
    return '<div class="src-head">来源</div>' + "".join(parts)


def article_html(article: Article) -> str:
    """One article for the browse tab, paragraphs numbered with their ids."""
    head = f'<h2 class="art-title">{escape(article.title)}</h2>'
    if article.subtitle:
        head += f'<div class="art-sub">{escape(article.subtitle)}</div>'
    if article.byline:
        head += f'<div class="art-by">{escape(article.byline)}</div>'
    paras = []
    for p in article.paragraphs:
        cls = "art-h" if p.kind == "heading" else "art-p"
        paras.append(f'<p class="{cls}" id="para-{_slug(p.paragraph_id)}" title="{escape(p.paragraph_id)}">'
                     f"{escape(p.text)}</p>")
    return f'<article class="art">{head}{"".join(paras)}</article>'


def articles_intro(count: int) -> str:
    """The browse tab's text before an article is chosen."""
    return f'<div class="src-empty">共 {count} 篇文章。请在上方选择一篇阅读全文。</div>'


def feedback_note(rating: str | None, stored: bool) -> str:
    """The line under the chat after a 👍/👎 click."""
    if not stored:
        return '<div class="fb-note">反馈暂时无法保存，感谢您的理解。</div>' if rating else ""
    if rating == "up":
        return '<div class="fb-note">感谢您的肯定！</div>'
    return ('<div class="fb-note">感谢反馈！如您知道正确答案或想说明问题所在，'
            '可在下方补充（可选）。</div>')
