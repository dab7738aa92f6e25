"""The terminal chat as a newcomer meets it: the start command without a token, piped input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def ptobot(
    tmp_path: Path, *args: str, stdin: str = "", extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ...` in `tmp_path` with a clean environment (no token)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PTO_"))}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'pto.db'}",
            "PTO_PROOF_DIR": str(tmp_path / "proof"),
        }
    )
    env.update(extra or {})
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )


def test_run_without_token_opens_the_demo_chat(tmp_path: Path) -> None:
    result = ptobot(
        tmp_path, "run", stdin="/start\n/hulp\n/taal en\n/hulp\n/als kim\n/hulp\n/als nobody\n"
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Je bent nu Ayla Voorbeeld" in out
    assert "je bent al gekoppeld" in out
    assert "Dit kun je hier doen" in out
    assert "from now on I will talk to you in English" in out
    assert "This is what you can do here" in out
    assert "Kim Klantmanager (klantmanager)" in out
    assert "Die persoon ken ik niet" in out
    assert "Traceback" not in result.stderr


def test_chat_without_demo_needs_an_invite_and_works_with_it(tmp_path: Path) -> None:
    extra = {"PTO_DEMO": "false"}
    made = ptobot(
        tmp_path, "invite", "--role", "coach", "--name", "Cas Coach", "--json", extra=extra
    )
    assert made.returncode == 0, made.stderr
    invite = json.loads(made.stdout)
    assert invite["link"].endswith(f"?start={invite['code']}")
    result = ptobot(
        tmp_path, "chat", stdin=f"hallo\n/als kim\n/start {invite['code']}\n/hulp\n", extra=extra
    )
    assert result.returncode == 0, result.stderr
    assert "uitnodigingscode" in result.stdout
    assert "alleen met de demo-gegevens" in result.stdout
    assert "Welkom, Cas Coach" in result.stdout


def test_cli_invite_people_import_and_migrate(tmp_path: Path) -> None:
    assert ptobot(tmp_path, "migrate").returncode == 0
    assert (
        ptobot(
            tmp_path, "invite", "--role", "klantmanager", "--name", "Kim Klantmanager"
        ).returncode
        == 0
    )
    bad = ptobot(
        tmp_path,
        "invite",
        "--role",
        "participant",
        "--name",
        "Ayla Voorbeeld",
        "--klantmanager",
        "Niemand",
    )
    assert bad.returncode == 1
    assert "Niemand" in bad.stderr
    caseload = tmp_path / "caseload.csv"
    caseload.write_text(
        "name;klantmanager;coach;start_date;household\n"
        "Ayla Voorbeeld;Kim Klantmanager;;2026-09-01;alleenstaande\n"
        "Bram Voorbeeld;Kim Klantmanager;;2026-13-01;gehuwden\n"
        ";Kim Klantmanager;;;\n",
        encoding="utf-8",
    )
    rejected = ptobot(tmp_path, "import", str(caseload), "--json")
    assert rejected.returncode == 1
    report = json.loads(rejected.stdout)
    assert report["imported"] == 0
    assert [r["row"] for r in report["rejected"]] == [3, 4]
    people = json.loads(ptobot(tmp_path, "people", "--json").stdout)
    assert [p["name"] for p in people] == ["Kim Klantmanager"]  # nothing half-imported
    caseload.write_text(
        "name,klantmanager,coach,start_date,household\n"
        "Ayla Voorbeeld,Kim Klantmanager,,2026-09-01,alleenstaande\n"
        "Bram Voorbeeld,Kim Klantmanager,,,gehuwden\n",
        encoding="utf-8",
    )
    imported = ptobot(tmp_path, "import", str(caseload), "--json")
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["imported"] == 2
    people = json.loads(ptobot(tmp_path, "people", "--json").stdout)
    ayla = next(p for p in people if p["name"] == "Ayla Voorbeeld")
    assert (ayla["klantmanager"], ayla["status"], ayla["linked"]) == (
        "Kim Klantmanager",
        "active",
        False,
    )
    again = ptobot(tmp_path, "import", str(caseload))
    assert again.returncode == 1
    assert "already exists" in again.stderr


def test_invalid_policy_stops_start_up_with_the_field(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('name = "x"\n[hours]\ncap_per_week = "veel"\n', encoding="utf-8")
    result = ptobot(tmp_path, "run", extra={"PTO_POLICY": str(policy)})
    assert result.returncode == 2
    assert "hours" in result.stderr
    assert "Traceback" not in result.stderr
