"""The caseload import checks every row against everything in one run and reports every problem
at once; a file with any problem imports nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.config import Settings
from tests.channels.cli_seed import query, seed_cli
from tests.factories_queue import AYLA, CAS, KIM

DIGITS = "123456782"  # generated with the 11-proef, not a real person's number


@pytest.fixture
def seeded(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> dict[str, int]:
    return seed_cli(settings, tmp_path, monkeypatch, clock)


def people_count(settings: Settings) -> int:
    return len(query(settings, "SELECT id FROM people"))


def test_every_problem_in_one_run_and_nothing_imported(
    seeded: dict[str, int],
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = people_count(settings)
    caseload = tmp_path / "caseload.csv"
    caseload.write_text(
        "name;klantmanager;coach;start_date;household\n"
        "Noor Voorbeeld;kim;cas;2026-09-01;alleenstaande\n"  # 2: fine
        "Ayla Voorbeeld;Kim;;;\n"  # 3: already exists
        "Piet Voorbeeld;Niemand;;;\n"  # 4: unknown klantmanager
        "Sara Voorbeeld;klant;Nobody;2026-13-01;samen\n"  # 5: four problems
        "noor voorbeeld;Kim;;;\n"  # 6: twice in the file
        f"Bert {DIGITS};Kim;;;\n"  # 7: a BSN in the name
        f"Eva Voorbeeld;Kim {DIGITS};;;\n"  # 8: a BSN in the klantmanager column
        ";Kim;;;\n",  # 9: no name
        encoding="utf-8",
    )
    assert main(["import", str(caseload), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] == 0
    reasons: dict[int, list[str]] = {}
    for problem in report["rejected"]:
        reasons.setdefault(problem["row"], []).append(problem["reason"])
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9]
    assert reasons[3] == [f"{AYLA} already exists"]
    assert reasons[4] == ["There is no klantmanager named Niemand."]
    assert len(reasons[5]) == 4
    assert any("household" in r for r in reasons[5])
    assert any("start_date" in r for r in reasons[5])
    assert any("klant matches more than one klantmanager" in r for r in reasons[5])
    assert any("There is no coach named Nobody" in r for r in reasons[5])
    assert reasons[6] == ["noor voorbeeld appears twice in the file"]
    assert reasons[7] == ["a name may not contain a BSN"]
    assert reasons[8] == ["the klantmanager column may not contain a BSN"]
    assert reasons[9] == ["name is empty"]
    assert DIGITS not in json.dumps(report)
    assert people_count(settings) == before  # all rows or none

    assert main(["import", str(caseload)]) == 1  # the same report for people
    said = capsys.readouterr().err
    assert said.startswith("Nothing imported: 10 problem(s) in 7 row(s).")
    assert "  row 3: Ayla Voorbeeld already exists" in said


def test_a_clean_file_imports_with_short_names(
    seeded: dict[str, int], settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    caseload = tmp_path / "caseload.csv"
    caseload.write_text(
        "name,klantmanager,coach,start_date,household\n"
        "Noor Voorbeeld,kim,cas,2026-09-01,alleenstaande\n"
        "Piet Voorbeeld,KIM KLANTMANAGER,,,gehuwden\n",
        encoding="utf-8",
    )
    assert main(["import", str(caseload), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 2
    assert main(["people", "--json"]) == 0
    listed = {p["name"]: p for p in json.loads(capsys.readouterr().out)}
    assert (listed["Noor Voorbeeld"]["klantmanager"], listed["Noor Voorbeeld"]["coach"]) == (
        KIM,
        CAS,
    )
    assert listed["Piet Voorbeeld"]["klantmanager"] == KIM
    assert main(["import", str(caseload), "--json"]) == 1
    again = json.loads(capsys.readouterr().out)
    assert [r["row"] for r in again["rejected"]] == [2, 3]
    assert all("already exists" in r["reason"] for r in again["rejected"])
