"""Small closed word lists for reading Chinese news: titles, place and organisation suffixes, kinds
of place, question stop words, verbs of change, synonyms (measure words and units are in rag.text).

The word lists are data, one file each in `lexicons/` (one entry per line, `#` comments), read
once at import; what stays here is code: the English nouns, whose keys and values are regexes."""

from __future__ import annotations

from importlib.resources import files


def _entries(name: str) -> tuple[str, ...]:
    """The entries of `lexicons/<name>.txt` in file order, without blank lines and `#` comments."""
    text = files("rag").joinpath("answer", "lexicons", f"{name}.txt").read_text(encoding="utf-8")
    return tuple(s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#"))


TITLES = _entries("titles")
NOT_PLACE_NAMES = frozenset(_entries("not_place_names"))
PLACE_SUFFIXES = _entries("place_suffixes")
ORG_SUFFIXES = _entries("org_suffixes")
QUESTION_STOP = frozenset(_entries("question_stop"))
PLACE_KINDS = frozenset(_entries("place_kinds"))  # '哪个国家', '哪座城市': answered by a place name
GENERIC_KINDS = frozenset(_entries("generic_kinds"))  # '哪个单位': any named entity answers
CHANGE_UP = _entries("change_up")  # '增长了多少': the amount the verb governs
CHANGE_DOWN = _entries("change_down")

# English nouns of common news questions, mapped to the Chinese words an answer sentence would hold.
EN_NOUNS: dict[str, str] = {
    "police officers?": "民警|警察|警力",
    "students?": "学生",
    "teachers?": "教师|老师",
    "schools?": "学校|所",
    "parents?": "家长",
    "cases?": "案件|件|起",
    "meetings?": "会",
    "sessions?": "场|次",
    "villages?": "村",
    "households?": "户",
    "volunteers?": "志愿",
    "enterprises|companies|firms": "企业|公司|家",
    "projects?": "项目",
    "leaders?": "一把手|领导|负责人",
    "cadres?|officials?": "干部",
    "platforms?": "平台",
    "talents?": "人才",
    "investment": "投资|元",
    "director|head|chief": "局长|所长|主任|负责人|书记",
    "mayor": "市长",
    "secretary": "书记",
    "manager": "经理",
    "hosted|host|presided|chaired": "主持",
}


# Near-synonyms used interchangeably for the same event or relation, one group per line; a word in
# two groups maps to the later one.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = tuple(tuple(g.split()) for g in _entries("synonyms"))
SYNONYMS: dict[str, tuple[str, ...]] = {w: g for g in SYNONYM_GROUPS for w in g}
