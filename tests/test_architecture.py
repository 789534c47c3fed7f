"""The shape of rag/: short functions, nothing imports the CLI, and imports only point down the
levels of the package map (the data flows files -> records -> index -> hits -> answer -> API/UI/eval).
Read from the source with ast: no module is imported, no model loaded."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

RAG = Path(__file__).resolve().parents[1] / "rag"
MAX_FUNCTION_LINES = 60


# Each package or top-level module of rag/ and its level; an import may point to its own level or
# below, never up. Ground: what everything may use. Top: the one entry point.
LEVELS: dict[str, int] = {
    "rag": 0, "config": 0, "errors": 0, "records": 0, "text": 0, "validate": 0,  # `rag` itself: __version__
    "models": 1, "llm_files": 1, "ingest": 1,  # model files (fetched, verified); corpus files
    "index": 2,
    "retrieve": 3,
    "answer": 4,
    "eval": 5, "feedback": 5,
    "pipeline": 6, "editing": 6,
    "api": 7, "ui": 7, "commands": 7, "server": 7, "serving": 7,
    "cli": 8,
}

# Imports that point up a level today, outside this change's scope: (importing module, imported).
UPWARD_IMPORTS_ALLOWED: frozenset[tuple[str, str]] = frozenset()


def _modules() -> Iterator[tuple[str, Path, ast.Module]]:
    for path in sorted(RAG.rglob("*.py")):
        rel = path.relative_to(RAG.parent)
        name = ".".join(rel.with_suffix("").parts)
        yield name.removesuffix(".__init__"), path, ast.parse(path.read_text(encoding="utf-8"))


def _imports(tree: ast.Module) -> Iterator[str]:
    """Every rag module a module imports, at its top or inside a function (`from rag import x`
    counts as importing rag.x)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] == "rag")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "rag":
                yield from (f"rag.{a.name}" for a in node.names)
            elif node.module.startswith("rag."):
                yield node.module


def _unit(module: str) -> str:
    """The level map's name for a module: rag.index.builder -> index, rag.cli -> cli."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "rag"


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.AST]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def test_no_function_is_longer_than_60_lines() -> None:
    too_long = []
    for _, path, tree in _modules():
        rel = path.relative_to(RAG.parent).as_posix()
        for qualname, node in _functions(tree):
            lines = node.end_lineno - node.lineno + 1  # type: ignore[attr-defined]
            if lines > MAX_FUNCTION_LINES:
                too_long.append(f"{rel}::{qualname} ({lines} lines)")
    assert not too_long, "functions over 60 lines: " + ", ".join(too_long)


def test_nothing_imports_the_cli() -> None:
    found = [name for name, _, tree in _modules() if name != "rag.cli"
             for imported in _imports(tree) if imported == "rag.cli"]
    assert not found, f"modules importing rag.cli (the top): {found}"


def test_every_package_has_a_level() -> None:
    units = {_unit(name) for name, _, _ in _modules()}
    assert units <= LEVELS.keys(), f"add to LEVELS: {sorted(units - LEVELS.keys())}"


def test_imports_point_down_the_levels() -> None:
    upward = []
    for name, _, tree in _modules():
        here = _unit(name)
        for imported in _imports(tree):
            there = _unit(imported)
            if there not in LEVELS:  # a module that does not exist (yet), e.g. rag.text
                continue
            if LEVELS[there] > LEVELS[here] and (name, imported) not in UPWARD_IMPORTS_ALLOWED:
                upward.append(f"{name} ({here}, {LEVELS[here]}) -> {imported} ({there}, {LEVELS[there]})")
    assert not upward, "imports pointing up a level:\n" + "\n".join(sorted(set(upward)))


def test_the_level_map_catches_an_upward_import() -> None:
    tree = ast.parse("def f():\n    from rag.pipeline import Pipeline\n")
    assert [_unit(m) for m in _imports(tree)] == ["pipeline"]
    assert LEVELS["pipeline"] > LEVELS["index"]


def test_the_readme_module_table_names_every_module() -> None:
    """Every package and top-level module of rag/ is in the README's module table, and every path
    the table names exists."""
    import re

    readme = (RAG.parent / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| stage | module | what it does |"):]
    table = table[:table.index("\n\n")]
    named = set(re.findall(r"`((?:rag|bench|eval)/[\w/.]*|app\.py)`", table))
    units = {f"rag/{p.name}/" if p.is_dir() else f"rag/{p.name}" for p in RAG.iterdir()
             if (p.is_dir() and (p / "__init__.py").is_file()) or (p.suffix == ".py" and p.name != "__init__.py")}
    covered = {u for u in units if any(n == u or n.startswith(u) for n in named)}
    assert units == covered, f"not in the README's module table: {sorted(units - covered)}"
    missing = [n for n in named if not (RAG.parent / n.split("(")[0]).exists()]
    assert not missing, f"the module table names paths that do not exist: {missing}"
