"""The structure of the code base (issue 11), checked by reading the source with `ast`.

- Import direction: `bot/actions → bot/dialogue → knowledge`; `knowledge/` imports nothing
  of the dialogue, the channels, the web app or the analytics; `connectors/` and
  `analytics/` import no search code (only payload types and French helpers); the dialogue
  imports no Rasa.
- Single definitions: the French day and month names, accent folding and the
  Europe/Paris time zone are defined once (`knowledge/text.py`, `knowledge/config.py`).
- One configuration: only `knowledge/config.py` calls `load_dotenv` or reads `os.environ`.
"""

from __future__ import annotations

import ast
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("knowledge", "bot", "connectors", "webapp", "analytics")


def _modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


MODULES = dict(_modules())
TREES = {name: ast.parse(path.read_text(encoding="utf-8"), str(path))
         for name, path in MODULES.items()}


def _imports(module: str, tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Every module `module` imports (absolute names; `from a import b` gives a.b too)."""
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                parent = parent[: len(parent) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


SEARCH_CODE = ("bot.dialogue.recommend", "bot.actions", "knowledge.queries", "knowledge.aio")
RULES: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (("knowledge",), ("bot", "connectors", "webapp", "analytics"),
     "the knowledge base is the bottom layer"),
    (("connectors", "analytics"), SEARCH_CODE,
     "channels and analytics import only payload types and French helpers"),
    (("bot.dialogue",), ("rasa", "rasa_sdk", "bot.actions", "connectors", "webapp"),
     "the dialogue knows nothing of Rasa"),
)


def wrong_imports() -> list[str]:
    found = []
    for module, tree in TREES.items():
        for lineno, imported in _imports(module, tree):
            for importers, forbidden, why in RULES:
                if _within(module, importers) and _within(imported, forbidden):
                    found.append(f"{MODULES[module].relative_to(ROOT)}:{lineno} imports "
                                 f"{imported} ({why})")
    return sorted(set(found))


def test_imports_follow_the_layers() -> None:
    assert wrong_imports() == []


def test_the_import_walk_sees_imports() -> None:
    """The walk itself works: it sees known imports, relative ones included."""
    seen = {name for _, name in _imports("bot.dialogue.periods", TREES["bot.dialogue.periods"])}
    assert "knowledge.text.fold" in seen
    assert _within("knowledge.queries.nearby_pois", SEARCH_CODE)
    assert not _within("knowledge.queries_extra", SEARCH_CODE)


# --------------------------------------------------------------------------- definitions

def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


DAY_NAMES = {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}
MONTH_NAMES = {"janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout",
               "septembre", "octobre", "novembre", "decembre"}
HOME = {"tables": "knowledge/text.py", "folding": "knowledge/text.py",
        "time zone": "knowledge/config.py"}


def _strings(node: ast.AST) -> set[str]:
    """The folded string constants of a literal collection (a dict: its keys)."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        elements = node.elts
    elif isinstance(node, ast.Dict):
        elements = [k for k in node.keys if k is not None]
    else:
        return set()
    return {_fold(e.value) for e in elements
            if isinstance(e, ast.Constant) and isinstance(e.value, str)}


def _is_table(words: set[str]) -> bool:
    return words.issuperset(DAY_NAMES) or words.issuperset(MONTH_NAMES)


def _line(node: ast.AST) -> int:
    return int(getattr(node, "lineno", 0))


def _is_call(node: ast.AST, attribute: str) -> bool:
    return isinstance(node, ast.Call) and (
        isinstance(node.func, ast.Attribute) and node.func.attr == attribute
        or isinstance(node.func, ast.Name) and node.func.id == attribute)


@lru_cache(maxsize=1)
def definitions() -> tuple[tuple[str, str], ...]:
    """(what, where) for every table of French day or month names, every accent folding
    (NFKD) and every construction of the Europe/Paris time zone in the code (one walk of
    the trees for the three tests)."""
    found = []
    for module, tree in TREES.items():
        where = str(MODULES[module].relative_to(ROOT))
        docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
        for node in ast.walk(tree):
            words = _strings(node)
            if _is_table(words):
                found.append(("tables", f"{where}:{_line(node)}"))
            if isinstance(node, ast.Call) and _is_call(node, "normalize") and any(
                    isinstance(a, ast.Constant) and a.value in ("NFKD", "NFD")
                    for a in node.args):
                found.append(("folding", f"{where}:{_line(node)}"))
            if _is_call(node, "ZoneInfo"):
                found.append(("time zone", f"{where}:{_line(node)}"))
            if (isinstance(node, ast.Constant) and node.value == "Europe/Paris"
                    and id(node) not in docstrings):
                found.append(("time zone", f"{where}:{_line(node)}"))
    return tuple(found)


@pytest.mark.parametrize("what", sorted(set(HOME)))
def test_defined_once(what: str) -> None:
    places = [where for kind, where in definitions() if kind == what]
    assert places, f"no definition of the {what} found: the scan is broken"
    assert {p.rpartition(":")[0] for p in places} == {HOME[what]}, places


def test_the_scan_finds_a_second_definition() -> None:
    tree = ast.parse('DAYS = ("Lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",'
                     ' "dimanche", "x")\n'
                     'MONTHS = {"janvier": 1, "février": 2, "mars": 3, "avril": 4, "mai": 5,'
                     ' "juin": 6, "juillet": 7, "août": 8, "septembre": 9, "octobre": 10,'
                     ' "novembre": 11, "décembre": 12}\n')
    tables = [n for n in ast.walk(tree) if _is_table(_strings(n))]
    assert len(tables) == 2


# --------------------------------------------------------------------------- configuration

def _reads_environment(tree: ast.Module) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        reads_os = (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")
                    and isinstance(node.value, ast.Name) and node.value.id == "os")
        if reads_os or _is_call(node, "load_dotenv"):
            lines.append(_line(node))
    return lines


def test_only_the_settings_module_reads_the_environment() -> None:
    readers = {str(MODULES[m].relative_to(ROOT)): lines
               for m, tree in TREES.items() if (lines := _reads_environment(tree))}
    assert set(readers) == {"knowledge/config.py"}, readers


# --------------------------------------------------------------------------- contracts

def test_the_cited_design_is_in_the_repository() -> None:
    """The code cites docs/DESIGN.md and docs/contracts.md, which a clone contains."""
    assert (ROOT / "docs" / "DESIGN.md").is_file() and (ROOT / "docs" / "contracts.md").is_file()
    wrong = []
    for package in (*PACKAGES, "tests", "scripts"):
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix not in (".py", ".js", ".md", ".html", ".sh") or not path.is_file():
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                rest = line.replace("docs/DESIGN.md", "")
                if "DESIGN.md" in rest and "test_structure.py" not in path.name:
                    wrong.append(f"{path.relative_to(ROOT)}:{n}")
    assert wrong == [], "cite docs/DESIGN.md"
