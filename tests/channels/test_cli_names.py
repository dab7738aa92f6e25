"""Names on the command line match like `/deelnemer`: case-insensitive, the full name, a first
name or a unique start; several candidates are listed, never guessed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.config import Settings
from tests.channels.cli_seed import audit_entries, query, seed_cli
from tests.factories_queue import AYLA, CAS, KARIN, KIM


@pytest.fixture
def seeded(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> dict[str, int]:
    return seed_cli(settings, tmp_path, monkeypatch, clock)


def test_invite_takes_a_first_name_for_klantmanager_and_coach(
    seeded: dict[str, int], settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["invite", "--role", "participant", "--name", "Noor Voorbeeld", "--json"]
    assert main([*args, "--klantmanager", "kim", "--coach", "CAS"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert (made["klantmanager"], made["coach"]) == (KIM, CAS)
    assert query(
        settings,
        "SELECT klantmanager_id, coach_id FROM participants WHERE person_id = ?",
        (made["person_id"],),
    ) == [(seeded[KIM], seeded[CAS])]


def test_an_ambiguous_name_lists_the_candidates_and_changes_nothing(
    seeded: dict[str, int], settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["invite", "--role", "participant", "--name", "Noor Voorbeeld"]
    assert main([*args, "--klantmanager", "klant"]) == 1
    said = capsys.readouterr().err
    assert "klant matches more than one klantmanager" in said
    assert KIM in said
    assert KARIN in said
    assert main([*args, "--klantmanager", "Niemand"]) == 1
    assert "There is no klantmanager named Niemand" in capsys.readouterr().err
    assert main([*args, "--coach", "kim"]) == 1  # Kim is a klantmanager, not a coach
    assert "There is no coach named kim" in capsys.readouterr().err
    assert query(settings, "SELECT id FROM people WHERE name = 'Noor Voorbeeld'") == []


def test_digest_dossier_and_delegate_take_short_names(
    seeded: dict[str, int],
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["digest", "--klantmanager", "kim"]) == 0
    assert "Ayla" in capsys.readouterr().out
    assert main(["dossier", "--participant", "ayla", "--out", str(tmp_path / "a.html")]) == 0
    assert AYLA in (tmp_path / "a.html").read_text(encoding="utf-8")
    (dossier,) = audit_entries(settings, "cli.dossier")
    assert dossier["subject"] == seeded[AYLA]
    assert main(["dossier", "--participant", "voorbeeld", "--out", str(tmp_path / "x")]) == 1
    said = capsys.readouterr().err
    assert "voorbeeld matches more than one participant" in said
    assert "Ayla Voorbeeld, Bram Voorbeeld" in said
    assert not (tmp_path / "x").exists()
    assert main(["delegate", "--from", "KIM", "--to", "karin", "--until", "2099-12-31"]) == 0
    assert f"{KARIN} sees the caseload of {KIM}" in capsys.readouterr().out
    assert query(settings, "SELECT from_id, to_id FROM delegations") == [
        (seeded[KIM], seeded[KARIN])
    ]
    assert main(["digest", "--klantmanager", "cas"]) == 1  # a coach has no digest
    assert "cas is not a klantmanager" in capsys.readouterr().err


def test_a_name_with_a_bsn_is_never_echoed(
    seeded: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    digits = "123456782"  # generated with the 11-proef, not a real person's number
    assert main(["digest", "--klantmanager", f"Kim {digits}"]) == 1
    said = capsys.readouterr()
    assert digits not in said.err + said.out


def test_the_real_ptobot_invite_takes_kim(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PTO_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'pto.db'}"
    env["PTO_PROOF_DIR"] = str(tmp_path / "proof")

    def ptobot(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bot", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=60,
            check=False,
        )

    assert ptobot("invite", "--role", "klantmanager", "--name", KIM).returncode == 0
    made = ptobot("invite", "--role", "participant", "--name", AYLA, "--klantmanager", "Kim")
    assert made.returncode == 0, made.stderr
    assert f"klantmanager: {KIM}" in made.stdout
    listed = json.loads(ptobot("people", "--json").stdout)
    assert next(p for p in listed if p["name"] == AYLA)["klantmanager"] == KIM
