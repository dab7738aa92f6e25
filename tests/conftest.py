"""Shared fixtures: a real database per test, a fixed clock, the real router.

The database is a SQLite file, or a PostgreSQL database of its own (tests/pg_cluster.py):
- tests in tests/storage/ and tests/handlers/, and tests marked `both_backends` (a module's
  `pytestmark`, or one test), run on both;
- `TEST_DATABASE=postgresql pytest …` runs every test that uses the `settings` fixture on
  PostgreSQL (a second pass);
- a test marked `sqlite_only` in a `both_backends` module checks SQLite's own behaviour.
PostgreSQL is `TEST_POSTGRES_URL` (its user may create databases) or a throwaway cluster from the
system's initdb/pg_ctl; without either the PostgreSQL tests are skipped, saying why — and fail
when `CI` is set, so CI never passes by skipping them.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.clock import FixedClock
from bot.config import Settings
from tests.pg_cluster import cluster, fresh_database, unavailable_reason

# python-telegram-bot 22 warns when RetryAfter.retry_after is read as a number: use timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")
# `ptobot run` started in-process serves no web inbox on port 8080 unless a test asks for it.
os.environ.setdefault("PTO_WEB", "false")

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    """A clock standing at 3 December 2026, 11:00 in Amsterdam."""
    return FixedClock(NOW)


BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_backends: run on SQLite and on PostgreSQL")
    config.addinivalue_line("markers", "sqlite_only: SQLite's own behaviour (not parametrized)")


# Folders whose every test on the `settings` fixture runs on both backends: the storage
# contract and the handlers, which between them call every repository operation.
BOTH_BACKENDS_DIRS = ("storage", "handlers")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    definition = metafunc.definition
    both = definition.get_closest_marker("both_backends") or (
        definition.path.parent.name in BOTH_BACKENDS_DIRS
        and definition.path.parent.parent == Path(__file__).parent
    )
    if (
        "backend" in metafunc.fixturenames
        and both
        and not definition.get_closest_marker("sqlite_only")
    ):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """'sqlite' or 'postgresql': the parameter, else `TEST_DATABASE` (default sqlite)."""
    if request.node.get_closest_marker("sqlite_only"):
        return "sqlite"
    chosen = getattr(request, "param", None) or os.environ.get("TEST_DATABASE", "sqlite")
    assert chosen in BACKENDS, f"TEST_DATABASE must be one of {BACKENDS}"
    return str(chosen)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The admin URL of the test session's PostgreSQL (skipped, or failed under CI, if none)."""
    reason = unavailable_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: {reason}")
        pytest.skip(reason)
    with cluster() as url:
        yield url


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A SQLite file in the test's folder, or an empty PostgreSQL database of the test's own."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'pto.db'}"
        return
    with fresh_database(request.getfixturevalue("postgres_server")) as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings with the database and proof folder in the test's own folder."""
    return Settings(
        database_url=database_url,
        proof_dir=tmp_path / "proof",
        demo=False,
    )


@pytest.fixture
async def app(settings: Settings, clock: FixedClock) -> AsyncIterator[App]:
    """A migrated app on a real database (see `database_url`)."""
    async with open_app(settings, clock) as running:
        yield running


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under CI (`.ci/run` sets `CI`) a skipped test fails: every tool a test needs (Chromium,
    Tesseract, PostgreSQL) is installed there, so a skip would only hide a missing install step."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, which installs everything the tests need: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    """The same for a whole module skipped while collecting (`pytest.importorskip`)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if os.environ.get("CI") and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, which installs everything the tests need: {reason}"
