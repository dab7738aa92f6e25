"""Architecture rules, checked on the source text (never by importing the app).

Each checker takes the root of a source tree and returns the offending places as readable
lines, so it can be pointed at a small fake tree (the self-tests at the end) as well as at
this repository.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("bot", "handlers", "messages", "scheduler")
MAX_LINES = 400
SKIP_DIRS = {"__pycache__", "build", "dist", "venv", "node_modules"}

SQL_START = re.compile(
    r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|PRAGMA|DROP|ALTER|BEGIN|SAVEPOINT)\s"
)
SQLITE_ONLY = re.compile(r"INSERT OR IGNORE|INSERT OR REPLACE|json_each|sqlite_master|PRAGMA\s")


# -- reading the tree ------------------------------------------------------------------------


def python_files(root: Path, *tops: str) -> Iterator[Path]:
    """The .py files under `root` (or only under its folders `tops`), skipping venvs and caches."""
    starts = [root / top for top in tops] if tops else [root]
    for start in starts:
        if not start.is_dir():
            continue
        for path in sorted(start.rglob("*.py")):
            parts = path.relative_to(root).parts[:-1]
            if any(p.startswith(".") or p in SKIP_DIRS or p.endswith(".egg-info") for p in parts):
                continue
            yield path


def rel(root: Path, path: Path) -> str:
    """The path as shown in a failure message."""
    return path.relative_to(root).as_posix()


def parse(path: Path) -> ast.Module:
    """The syntax tree of one file."""
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def module_name(root: Path, path: Path) -> str:
    """The dotted module of a file; a package's __init__ is the package itself."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_under(root: Path, path: Path, folder: str) -> bool:
    """True when `path` lies inside the folder `folder` (posix, relative to `root`)."""
    return rel(root, path).startswith(folder.rstrip("/") + "/")


@dataclass(frozen=True)
class Import:
    """One import statement: the module it names (absolute) and the names taken from it."""

    module: str
    names: tuple[str, ...]
    line: int


def imports(root: Path, path: Path, tree: ast.Module) -> Iterator[Import]:
    """Every import in the file, anywhere (TYPE_CHECKING blocks and functions included)."""
    here = module_name(root, path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, (), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield Import(module, tuple(a.name for a in node.names), node.lineno)


def top_name(module: str) -> str:
    """The top-level package of a dotted module name."""
    return module.split(".", 1)[0]


def docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring nodes (module, class, function): prose, not string data."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
        ):
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                found.add(id(first.value))
    return found


def strings(tree: ast.Module) -> list[tuple[int, tuple[str, ...]]]:
    """Every string literal but docstrings, as (line, texts to check), in line order.

    Implicitly concatenated literals are one constant already; an f-string is checked as a whole
    (with `{}` for each placeholder) and part by part.
    """
    skip = docstrings(tree)
    found: list[tuple[int, tuple[str, ...]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    skip.add(id(value))
                    parts.append(value.value)
                else:
                    parts.append("{}")
            found.append((node.lineno, ("".join(parts), *(p for p in parts if p != "{}"))))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            found.append((node.lineno, (node.value,)))
    return sorted(found, key=lambda literal: literal[0])


def looks_like_sql(text: str) -> bool:
    """A statement keyword (upper case) then whitespace at the start, or SELECT ... FROM."""
    return bool(SQL_START.match(text)) or ("SELECT" in text and " FROM " in text)


def short(text: str) -> str:
    """One line of a string for a failure message."""
    one = " ".join(text.split())
    return one if len(one) <= 70 else one[:67] + "..."


# -- the checkers ----------------------------------------------------------------------------


def aiosqlite_outside_storage(root: Path) -> list[str]:
    """Imports of a database driver (aiosqlite, psycopg) in any .py file outside bot/storage/.

    The one exception: the tests' PostgreSQL harness (tests/pg_cluster.py) makes and drops the
    throwaway databases, which no repository does.
    """
    found = []
    for path in python_files(root):
        if is_under(root, path, "bot/storage"):
            continue
        harness = rel(root, path) == "tests/pg_cluster.py"
        for imp in imports(root, path, parse(path)):
            if top_name(imp.module) == "aiosqlite" or (
                top_name(imp.module) in ("psycopg", "psycopg_pool") and not harness
            ):
                found.append(f"{rel(root, path)}:{imp.line}: imports {imp.module}")
    return found


def rendering_in_services(root: Path) -> list[str]:
    """Imports of messages or jinja2 in bot/services/."""
    found = []
    for path in python_files(root, "bot/services"):
        for imp in imports(root, path, parse(path)):
            if top_name(imp.module) in ("messages", "jinja2"):
                found.append(f"{rel(root, path)}:{imp.line}: imports {imp.module}")
    return found


def sql_outside_storage(root: Path) -> list[str]:
    """String literals that look like SQL in bot/, handlers/, messages/, scheduler/ outside
    bot/storage/."""
    found = []
    for path in python_files(root, *PROJECT):
        if is_under(root, path, "bot/storage"):
            continue
        for line, texts in strings(parse(path)):
            if any(looks_like_sql(text) for text in texts):
                found.append(f"{rel(root, path)}:{line}: {short(texts[0])!r}")
    return found


def sqlite_only_sql_outside_sqlite(root: Path) -> list[str]:
    """SQLite-only SQL (INSERT OR IGNORE/REPLACE, json_each, PRAGMA, sqlite_master) in the
    project's modules outside bot/storage/sqlite/."""
    found = []
    for path in python_files(root, *PROJECT):
        if is_under(root, path, "bot/storage/sqlite"):
            continue
        for line, texts in strings(parse(path)):
            for text in texts:
                match = SQLITE_ONLY.search(text)
                # PRAGMA counts in SQL only: "tracked by PRAGMA user_version" is prose.
                if match and (not match.group().startswith("PRAGMA") or looks_like_sql(text)):
                    what = match.group().strip()
                    found.append(f"{rel(root, path)}:{line}: {what} in {short(texts[0])!r}")
                    break
    return found


# Spelled apart, so that a grep for the class definition over the repository finds only the one.
INBOUND = "class " + "Inbound"


def inbound_definitions(root: Path) -> list[str]:
    """Every definition of the Inbound class in any .py file other than bot/contract.py."""
    found = []
    for path in python_files(root):
        if rel(root, path) == "bot/contract.py":
            continue
        for node in ast.walk(parse(path)):
            if isinstance(node, ast.ClassDef) and node.name == "Inbound":
                found.append(f"{rel(root, path)}:{node.lineno}: {INBOUND}")
    return found


def import_graph(root: Path) -> dict[str, dict[str, list[str]]]:
    """Project module -> imported project module -> the `file:line` places of those imports."""
    files = {module_name(root, p): p for p in python_files(root, *PROJECT)}
    graph: dict[str, dict[str, list[str]]] = {m: {} for m in files}
    for module, path in files.items():
        for imp in imports(root, path, parse(path)):
            targets: list[str] = []
            if imp.names:  # from x import y: x.y when that is a module, else x
                for name in imp.names:
                    sub = f"{imp.module}.{name}"
                    targets.append(sub if sub in files else imp.module)
            else:  # import a.b.c: the longest prefix that is a project module
                parts = imp.module.split(".")
                while parts and ".".join(parts) not in files:
                    parts.pop()
                targets.append(".".join(parts))
            for target in targets:
                if target in files and target != module:
                    graph[module].setdefault(target, []).append(f"{rel(root, path)}:{imp.line}")
    return graph


def strongly_connected(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def shortest_cycle(graph: dict[str, dict[str, list[str]]], component: list[str]) -> list[str]:
    """A shortest import cycle through the first module of a component (breadth first)."""
    start, members = component[0], set(component)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for succ in sorted(graph[node]):
                if succ not in members:
                    continue
                if succ == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if succ not in came_from:
                    came_from[succ] = node
                    following.append(succ)
        frontier = following
    return component  # unreachable for a real component


def import_cycles(root: Path) -> list[str]:
    """Every knot of mutually importing project modules, with a cycle and its import lines."""
    graph = import_graph(root)
    found = []
    for component in strongly_connected(graph):
        cycle = shortest_cycle(graph, component)
        lines = [f"cycle of {len(component)} modules: {', '.join(component)}"]
        lines.append("  e.g. " + " -> ".join(cycle))
        for a in component:
            for b in sorted(set(graph[a]) & set(component)):
                lines.append(f"  {a} -> {b}  ({', '.join(graph[a][b])})")
        found.append("\n".join(lines))
    return found


def long_files(root: Path) -> list[str]:
    """Files in bot/, handlers/, messages/, scheduler/ longer than MAX_LINES lines."""
    found = []
    for path in python_files(root, *PROJECT):
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_LINES:
            found.append(f"{rel(root, path)}: {count} lines")
    return found


def report(rule: str, found: list[str]) -> str:
    """A failure message: the rule, then one offending place per line."""
    return f"{rule} ({len(found)} found):\n" + "\n".join(found)


# -- the rules on this repository ------------------------------------------------------------


def test_aiosqlite_is_imported_only_in_storage() -> None:
    """Import aiosqlite only in bot/storage/."""
    found = aiosqlite_outside_storage(ROOT)
    assert not found, report("aiosqlite imported outside bot/storage/", found)


def test_services_do_not_render() -> None:
    """Keep messages and jinja2 out of bot/services/."""
    found = rendering_in_services(ROOT)
    assert not found, report("bot/services/ imports messages or jinja2", found)


def test_sql_lives_only_in_storage() -> None:
    """Keep SQL strings in bot/storage/."""
    found = sql_outside_storage(ROOT)
    assert not found, report("SQL string outside bot/storage/", found)


def test_sqlite_only_sql_lives_in_the_sqlite_package() -> None:
    """Keep SQLite-only SQL under bot/storage/sqlite/."""
    found = sqlite_only_sql_outside_sqlite(ROOT)
    assert not found, report("SQLite-only SQL outside bot/storage/sqlite/", found)


def test_inbound_is_defined_once() -> None:
    """Define Inbound only in bot/contract.py."""
    found = inbound_definitions(ROOT)
    assert not found, report(f"{INBOUND} outside bot/contract.py", found)


def test_no_import_cycles() -> None:
    """Keep the project's import graph free of cycles."""
    found = import_cycles(ROOT)
    assert not found, report("import cycles between project modules", found)


def test_no_long_files() -> None:
    """Keep every project file at most MAX_LINES lines."""
    found = long_files(ROOT)
    assert not found, report(f"files longer than {MAX_LINES} lines", found)


# -- the checkers catch what they should (a fake tree) ---------------------------------------


def plant(root: Path, files: dict[str, str]) -> Path:
    """Write a fake source tree under `root`."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


CLEAN = {
    "bot/__init__.py": "",
    "bot/contract.py": f"{INBOUND}:\n    pass\n",
    "bot/storage/__init__.py": "",
    "bot/storage/people.py": (
        '"""People."""\nimport aiosqlite\nQ = "SELECT id FROM people WHERE name = ?"\n'
    ),
    "bot/storage/sqlite/__init__.py": "",
    "bot/storage/sqlite/db.py": 'import aiosqlite\nP = "PRAGMA foreign_keys = ON"\n',
    "bot/services/__init__.py": "",
    "bot/services/a.py": (
        '"""SELECT the people FROM the caseload (a docstring is prose)."""\n'
        "from bot.storage import people\n"
        'TEXT = "Select a month"\nHELP = "tracked by PRAGMA user_version"\n'
        'WITHOUT = "WITHOUT ROWID is not SQL on its own"\n'
    ),
    "handlers/__init__.py": "",
    "handlers/a.py": "from bot.services import a\n",
    "messages/__init__.py": "",
    "messages/render.py": "import jinja2\n",
    "scheduler/__init__.py": "",
    ".venv/lib/aiosqlite_user.py": "import aiosqlite\nclass Inbound: ...\n",
    "tests/fake.py": "class Other: ...\n",
}


def test_a_clean_fake_tree_passes(tmp_path: Path) -> None:
    """Find nothing in a tree that keeps every rule."""
    root = plant(tmp_path, CLEAN)
    assert aiosqlite_outside_storage(root) == []
    assert rendering_in_services(root) == []
    assert sql_outside_storage(root) == []
    assert sqlite_only_sql_outside_sqlite(root) == []
    assert inbound_definitions(root) == []
    assert import_cycles(root) == []
    assert long_files(root) == []


def test_planted_aiosqlite_imports_are_found(tmp_path: Path) -> None:
    """Find aiosqlite imported outside storage, also in a function and in bench/."""
    root = plant(
        tmp_path,
        {
            **CLEAN,
            "bot/app.py": "def f():\n    from aiosqlite import connect\n",
            "bench/b.py": "import aiosqlite.context\n",
        },
    )
    assert aiosqlite_outside_storage(root) == [
        "bench/b.py:1: imports aiosqlite.context",
        "bot/app.py:2: imports aiosqlite",
    ]


def test_planted_rendering_in_services_is_found(tmp_path: Path) -> None:
    """Find messages and jinja2 imports in services, TYPE_CHECKING ones too."""
    root = plant(
        tmp_path,
        {
            **CLEAN,
            "bot/services/b.py": (
                "from typing import TYPE_CHECKING\nimport jinja2\n"
                "if TYPE_CHECKING:\n    from messages.render import render\n"
                "def f():\n    import messages\n"
            ),
        },
    )
    assert rendering_in_services(root) == [
        "bot/services/b.py:2: imports jinja2",
        "bot/services/b.py:4: imports messages.render",
        "bot/services/b.py:6: imports messages",
    ]


def test_planted_sql_is_found(tmp_path: Path) -> None:
    """Find SQL in plain, implicitly concatenated and f-strings outside storage."""
    root = plant(
        tmp_path,
        {
            **CLEAN,
            "bot/services/b.py": (
                'A = "  INSERT INTO x VALUES (1)"\n'
                'B = ("a, b "\n'
                '     "FROM x WHERE y IN (SELECT 1)")\n'
                'C = f"{1} SELECT a FROM b"\n'
                'D = f"{1}INSERT INTO x"\n'
                'E = "select in lower case is not SQL here"\n'
                'F = "DELETE"\n'
                'G = "BEGINNING of the month"\n'
            ),
            "scheduler/j.py": 'S = "SAVEPOINT one"\nW = """\nWITH t AS (SELECT 1) SELECT 2"""\n',
        },
    )
    found = sql_outside_storage(root)
    assert found == [
        "bot/services/b.py:1: 'INSERT INTO x VALUES (1)'",
        "bot/services/b.py:2: 'a, b FROM x WHERE y IN (SELECT 1)'",
        "bot/services/b.py:4: '{} SELECT a FROM b'",
        "bot/services/b.py:5: '{}INSERT INTO x'",
        "scheduler/j.py:1: 'SAVEPOINT one'",
        "scheduler/j.py:2: 'WITH t AS (SELECT 1) SELECT 2'",
    ], found


def test_planted_sqlite_only_sql_is_found(tmp_path: Path) -> None:
    """Find SQLite-only SQL in a portable repository and in a handler."""
    root = plant(
        tmp_path,
        {
            **CLEAN,
            "bot/storage/people.py": (
                'A = "INSERT OR IGNORE INTO people (id) VALUES (?)"\n'
                'B = "SELECT value FROM json_each(?)"\n'
                'C = "PRAGMA user_version"\n'
            ),
            "handlers/b.py": 'D = "SELECT name FROM sqlite_master"\nE = "INSERT OR REPLACE x"\n',
        },
    )
    found = sqlite_only_sql_outside_sqlite(root)
    assert [line.split(": ", 1)[0] for line in found] == [
        "bot/storage/people.py:1",
        "bot/storage/people.py:2",
        "bot/storage/people.py:3",
        "handlers/b.py:1",
        "handlers/b.py:2",
    ], found


def test_a_planted_inbound_is_found(tmp_path: Path) -> None:
    """Find a second Inbound class, also a nested one in a test."""
    root = plant(
        tmp_path,
        {
            **CLEAN,
            "handlers/base.py": f"{INBOUND}: ...\n",
            "tests/t.py": f"def f():\n    {INBOUND}: ...\n",
        },
    )
    assert inbound_definitions(root) == [
        f"handlers/base.py:1: {INBOUND}",
        f"tests/t.py:2: {INBOUND}",
    ]


def test_planted_import_cycles_are_found(tmp_path: Path) -> None:
    """Find cycles through TYPE_CHECKING, function-level and relative imports."""
    root = plant(
        tmp_path,
        {
            **CLEAN,
            # bot.runtime -> handlers.base (TYPE_CHECKING) -> bot.dispatcher (in a function)
            # -> bot.runtime (relative import of a module)
            "bot/runtime.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from handlers.base import Ctx\n"
            ),
            "handlers/base.py": "def f():\n    import bot.dispatcher\n",
            "bot/dispatcher.py": "from . import runtime\n",
            # a second, separate knot: a package __init__ and its own module
            "scheduler/__init__.py": "from scheduler.jobs import run\n",
            "scheduler/jobs.py": "from scheduler import setup\n",
            "scheduler/setup.py": "import scheduler\n",
        },
    )
    found = import_cycles(root)
    assert len(found) == 2, found
    assert found[0].startswith(
        "cycle of 3 modules: bot.dispatcher, bot.runtime, handlers.base\n"
        "  e.g. bot.dispatcher -> bot.runtime -> handlers.base -> bot.dispatcher\n"
    ), found[0]
    assert "  bot.runtime -> handlers.base  (bot/runtime.py:3)" in found[0]
    assert "  handlers.base -> bot.dispatcher  (handlers/base.py:2)" in found[0]
    assert found[1].startswith("cycle of 3 modules: scheduler, scheduler.jobs, scheduler.setup")


def test_a_planted_long_file_is_found(tmp_path: Path) -> None:
    """Find a file over the limit, and leave one at the limit alone."""
    root = plant(
        tmp_path,
        {
            **CLEAN,
            "messages/long.py": "x = 1\n" * (MAX_LINES + 1),
            "messages/full.py": "x = 1\n" * MAX_LINES,
            "tests/long.py": "x = 1\n" * (MAX_LINES + 1),
        },
    )
    assert long_files(root) == [f"messages/long.py: {MAX_LINES + 1} lines"]
