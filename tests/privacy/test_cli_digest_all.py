"""`ptobot digest` without `--klantmanager`: one private page per klantmanager and an index in
`--out DIR`, each page audited like a single digest."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.output import os_user
from bot.clock import FixedClock
from bot.config import Settings
from tests.channels.cli_seed import audit_entries, seed_cli
from tests.factories_queue import AYLA, BRAM, DIRK, KARIN, KIM


@pytest.fixture
def seeded(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> dict[str, int]:
    return seed_cli(settings, tmp_path, monkeypatch, clock)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_one_private_page_per_klantmanager_and_an_index(
    seeded: dict[str, int], settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "week"
    old = os.umask(0o022)  # a usual umask would leave new files world-readable
    try:
        assert main(["digest", "--format", "html", "--out", str(out)]) == 0
    finally:
        os.umask(old)
    assert sorted(p.name for p in out.iterdir()) == [
        "index.html",
        "karin-klantmanager.html",
        "kim-klantmanager.html",
    ]
    assert mode(out) == 0o700
    for page in out.iterdir():
        assert mode(page) == 0o600, page
    kim = (out / "kim-klantmanager.html").read_text(encoding="utf-8")
    karin = (out / "karin-klantmanager.html").read_text(encoding="utf-8")
    assert AYLA in kim
    assert BRAM in kim
    assert DIRK not in kim
    assert DIRK in karin
    assert AYLA not in karin
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="kim-klantmanager.html"' in index
    assert 'href="karin-klantmanager.html"' in index
    assert AYLA not in index  # the index names klantmanagers only
    entries = audit_entries(settings, "cli.digest")
    assert len(entries) == 2
    by_page = {Path(e["out"]).name: e for e in entries}
    assert by_page["kim-klantmanager.html"]["klantmanager_id"] == seeded[KIM]
    assert sorted(by_page["kim-klantmanager.html"]["participants"]) == sorted(
        [seeded[AYLA], seeded[BRAM]]
    )
    assert by_page["karin-klantmanager.html"]["participants"] == [seeded[DIRK]]
    for entry in entries:
        assert entry["actor"] is None
        assert (entry["os_user"], entry["command"]) == (os_user(), "ptobot digest")
        assert AYLA not in str(entry)


def test_text_pages_and_an_existing_folder(seeded: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "week"
    out.mkdir()
    (out / "index.txt").write_text("stale", encoding="utf-8")
    (out / "index.txt").chmod(0o644)
    assert main(["digest", "--out", str(out), "--week", "2026-W49", "--lang", "en"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "index.txt",
        "karin-klantmanager.txt",
        "kim-klantmanager.txt",
    ]
    index = (out / "index.txt").read_text(encoding="utf-8")
    assert index.startswith("Weekly overviews 2026-W49")
    assert "kim-klantmanager.txt  Kim Klantmanager: 2 participants" in index
    assert "stale" not in index
    assert mode(out / "index.txt") == 0o600
    assert "<" not in (out / "kim-klantmanager.txt").read_text(encoding="utf-8")


def test_without_klantmanager_a_folder_is_required(
    seeded: dict[str, int], settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["digest"]) == 2
    assert "--out DIR" in capsys.readouterr().err
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    assert main(["digest", "--out", str(blocker)]) == 1
    assert "cannot use" in capsys.readouterr().err
    assert audit_entries(settings, "cli.digest") == []


def test_one_klantmanager_still_writes_one_file(seeded: dict[str, int], tmp_path: Path) -> None:
    page = tmp_path / "kim.txt"
    assert main(["digest", "--klantmanager", KIM, "--out", str(page)]) == 0
    assert mode(page) == 0o600
    assert KARIN not in page.read_text(encoding="utf-8")
