"""The terminal chat as a newcomer meets it: the start command without a token, piped input."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from bot.app import App

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
            "PTO_WEB": "false",  # no web inbox on port 8080 next to other tests
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


def test_buttons_are_letters_and_a_typed_line_is_a_press_only_as_a_letter() -> None:
    from bot.channels.console import button_index, button_key, parse_line
    from bot.contract import Kind

    assert [button_key(i) for i in (0, 1, 25, 26, 27, 51, 52)] == [
        "a",
        "b",
        "z",
        "aa",
        "ab",
        "az",
        "ba",
    ]
    assert [button_index(t, 3) for t in ("a", "B", " c ", "d", "1", "4", "ja", "")] == [
        0,
        1,
        2,
        None,
        None,
        None,
        None,
        None,
    ]
    assert button_index("ab", 30) == 27
    buttons = [(str(h), f"decl:hours:{h}") for h in (0, 4, 8, 12, 16, 20)]
    typed = parse_line("4", "local", buttons, 1)
    assert (typed.kind, typed.text, typed.button) == (Kind.TEXT, "4", None)
    pressed = parse_line("b", "local", buttons, 2)
    assert (pressed.kind, pressed.button) == (Kind.BUTTON, "decl:hours:4")
    assert parse_line("/stop", "local", buttons, 3).kind == Kind.COMMAND


async def test_the_demo_as_ayla_typing_4_at_the_hours_question_stores_4_hours(
    app: App,
) -> None:
    from bot import demo
    from bot.channels.console import ConsoleChannel, button_key
    from bot.storage import drafts

    now = app.services.clock.now()
    await demo.seed_if_empty(app.services.db, now)
    no_costs = button_key(len(app.services.policy.costs))  # after one button per category
    typed = ["/opgave", "a", "500", no_costs, "4", "b", "/stop"]
    out = io.StringIO()
    await ConsoleChannel(app, stdin=io.StringIO("\n".join(typed) + "\n"), stdout=out).run()
    text = out.getvalue()
    assert "[a] Ja  [b] Nee" in text
    assert "[a] 0  [b] 4  [c] 8" in text  # the hours question's buttons, as letters
    async with app.services.db.read() as tx:
        ayla = await tx.scalar("SELECT id FROM people WHERE name = 'Ayla Voorbeeld'")
        draft = await drafts.load(tx, int(str(ayla)))
    assert draft is not None
    weeks = list(draft.answers.weeks.values())
    assert weeks[:2] == [Decimal(4), Decimal(4)]  # typed 4, then the button [b] 4


async def test_als_names_the_role_in_the_readers_language(app: App) -> None:
    from bot import demo
    from bot.channels.console import ConsoleChannel

    await demo.seed_if_empty(app.services.db, app.services.clock.now())
    out = io.StringIO()
    lines = "/als noor\n/als kim\n/als noor\n/taal en\n/als ad\n/als noor\n"
    await ConsoleChannel(app, stdin=io.StringIO(lines), stdout=out).run()
    text = out.getvalue()
    assert "Je bent nu Noor Voorbeeld (deelnemer)." in text
    assert "Je bent nu Kim Klantmanager (klantmanager)." in text
    assert "Je bent nu Ad Beheer (beheerder)." in text
    assert "You are now Noor Voorbeeld (participant)." in text  # after her /taal en
    assert "Je bent nu Noor Voorbeeld (participant)" not in text
