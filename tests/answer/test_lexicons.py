"""The reader's closed word lists: data files in rag/answer/lexicons/, read once by rag.answer.lexicon,
shipped with the package."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from importlib.resources import files
from pathlib import Path

import pytest

from rag.answer import facts, lexicon

LISTS = {
    "titles": lexicon.TITLES,
    "not_place_names": lexicon.NOT_PLACE_NAMES,
    "place_suffixes": lexicon.PLACE_SUFFIXES,
    "org_suffixes": lexicon.ORG_SUFFIXES,
    "question_stop": lexicon.QUESTION_STOP,
    "place_kinds": lexicon.PLACE_KINDS,
    "generic_kinds": lexicon.GENERIC_KINDS,
    "change_up": lexicon.CHANGE_UP,
    "change_down": lexicon.CHANGE_DOWN,
}
KNOWN = {
    "titles": ("局长", "书记", "董事长", "CEO"),
    "not_place_names": ("城市", "国家", "全国"),
    "place_suffixes": ("省", "市", "街道", "开发区"),
    "org_suffixes": ("学校", "医院", "公司", "派出所"),
    "question_stop": ("多少", "哪些", "的", "请问"),
    "place_kinds": ("国家", "城市", "省份"),
    "generic_kinds": ("单位", "企业", "公司"),
    "change_up": ("增长", "提升"),
    "change_down": ("下降", "减少"),
}
LEXICONS = files("rag").joinpath("answer", "lexicons")


def _entries(name: str) -> list[str]:
    """The raw entries of a file, duplicates kept (what the loader reads before any set)."""
    text = LEXICONS.joinpath(f"{name}.txt").read_text(encoding="utf-8")
    return [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]


@pytest.mark.parametrize("name", sorted(LISTS))
def test_each_list_loads_without_blanks_or_duplicates(name: str) -> None:
    raw = _entries(name)
    assert raw, f"{name}.txt is empty"
    assert len(raw) == len(set(raw)), f"{name}.txt repeats an entry"
    assert all(w and not any(c.isspace() for c in w) for w in raw)
    loaded = LISTS[name]
    assert loaded == (tuple(raw) if isinstance(loaded, tuple) else frozenset(raw))
    assert set(KNOWN[name]) <= set(LISTS[name])


def test_ordered_lists_keep_file_order_and_sets_are_frozen() -> None:
    assert lexicon.TITLES[:3] == ("书记", "副书记", "局长")
    assert lexicon.PLACE_SUFFIXES[0] == "省" and lexicon.ORG_SUFFIXES[0] == "学校"
    assert isinstance(lexicon.QUESTION_STOP, frozenset) and isinstance(lexicon.NOT_PLACE_NAMES, frozenset)
    assert facts.PLACE_KINDS is lexicon.PLACE_KINDS


def test_every_file_has_a_header_comment() -> None:
    for name in [*LISTS, "synonyms"]:
        text = LEXICONS.joinpath(f"{name}.txt").read_text(encoding="utf-8")
        assert text.startswith("# ") and "General Chinese news vocabulary" in text, name


def test_synonym_groups() -> None:
    groups = lexicon.SYNONYM_GROUPS
    assert groups[0] == ("开工", "动工", "开建", "破土动工", "开始建设", "启动建设")
    assert all(len(g) >= 2 and len(g) == len(set(g)) for g in groups)
    assert len(groups) == len(set(groups))
    assert lexicon.SYNONYMS["动工"] == groups[0]
    assert lexicon.SYNONYMS["推出"][0] == "发布"  # in two groups: the later one wins, as before


def test_the_files_ship_with_the_package() -> None:
    """Every lexicon file is a resource of the package and matched by pyproject's package-data."""
    shipped = sorted(p.name for p in LEXICONS.iterdir() if p.name.endswith(".txt"))
    assert shipped == sorted([f"{n}.txt" for n in LISTS] + ["synonyms.txt"])
    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["rag"]
    for name in shipped:
        assert any(fnmatch(f"answer/lexicons/{name}", g) for g in globs), name
