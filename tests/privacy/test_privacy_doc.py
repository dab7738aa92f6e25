"""docs/privacy.md promises nothing that no test checks: every promise names tests that exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "privacy.md"
SECTION = "## Every promise and the test that keeps it"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def promises() -> list[str]:
    """The bullet lines of the promises section."""
    text = DOC.read_text(encoding="utf-8")
    assert SECTION in text, f"{DOC.name} lost its section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("- ")]


def functions_in(path: Path) -> set[str]:
    """The names of the test functions defined in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def test_every_promise_names_tests_that_exist() -> None:
    lines = promises()
    assert len(lines) >= 20, "the promises section is (nearly) empty"
    for line in lines:
        claim, _, refs = line.rpartition(" — ")
        found = REFERENCE.findall(refs)
        assert claim, f"a test reference without a promise: {line[:80]}…"
        assert found, f"a promise without a test: {line[:80]}…"
        for file, name in found:
            path = ROOT / file
            assert path.is_file(), f"{file} does not exist ({claim[:60]}…)"
            assert name in functions_in(path), f"{file} has no {name} ({claim[:60]}…)"


def test_the_readme_points_at_the_promises() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/privacy.md" in readme
