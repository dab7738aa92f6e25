"""E-mail addresses of people: one rule for what is usable, stored trimmed and lowercased, set
with `ptobot invite --email`, the caseload import's `email` column and `ptobot people
--set-email` (audited), shown by `ptobot people`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.config import Settings
from bot.domain.email import is_email, normalise_email
from bot.domain.errors import DomainError
from tests.channels.cli_seed import audit_entries, query, seed_cli
from tests.factories_queue import AYLA, KIM

DIGITS = "123456782"  # passes the 11-proef; not a real person's number


@pytest.fixture
def seeded(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> dict[str, int]:
    return seed_cli(settings, tmp_path, monkeypatch, clock)


def stored_email(settings: Settings, name: str) -> str | None:
    ((address,),) = query(settings, "SELECT email FROM people WHERE name = ?", (name,))
    return address  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("kim@gemeente.example", "kim@gemeente.example"),
        ("  Kim.Klantmanager@Gemeente.Example ", "kim.klantmanager@gemeente.example"),
        ("k+pto@sub.gemeente-x.nl", "k+pto@sub.gemeente-x.nl"),
    ],
)
def test_usable_addresses_are_stored_trimmed_and_lowercased(typed: str, stored: str) -> None:
    assert normalise_email(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "kim",
        "kim@",
        "@gemeente.nl",
        "kim@gemeente",
        "kim@@gemeente.nl",
        "kim gemeente@x.nl",
        "kim..k@gemeente.nl",
        ".kim@gemeente.nl",
        "kim@-gemeente.nl",
        "kim@gemeente.n1",
        "<script>@x.nl",
        "kim@gemeente.nl\nBcc: someone@x.nl",
        "a" * 65 + "@gemeente.nl",
    ],
)
def test_unusable_addresses_are_refused(typed: str) -> None:
    with pytest.raises(DomainError) as refused:
        normalise_email(typed)
    assert refused.value.key == "people/bad_email"
    assert not is_email(typed.strip().lower())


def test_an_address_with_a_bsn_is_refused_without_repeating_it() -> None:
    with pytest.raises(DomainError) as refused:
        normalise_email(f"{DIGITS}@gemeente.nl")
    assert refused.value.key == "people/email_has_bsn"
    assert refused.value.context == {}


def test_invite_with_an_email_stores_it_and_people_shows_it(
    seeded: dict[str, int], settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["invite", "--role", "klantmanager", "--name", "Kees Klantmanager", "--email",
         " Kees@Gemeente.Example", "--json"]
    )  # fmt: skip
    assert code == 0
    made = json.loads(capsys.readouterr().out)
    assert made["email"] == "kees@gemeente.example"
    assert stored_email(settings, "Kees Klantmanager") == "kees@gemeente.example"
    assert main(["people", "--json"]) == 0
    listed = {p["name"]: p for p in json.loads(capsys.readouterr().out)}
    assert listed["Kees Klantmanager"]["email"] == "kees@gemeente.example"
    assert listed[KIM]["email"] is None
    assert main(["people"]) == 0
    table = capsys.readouterr().out
    assert "e-mail" in table.splitlines()[0]
    assert any("Kees" in line and "kees@gemeente.example" in line for line in table.splitlines())


def test_invite_with_an_unusable_email_stores_nothing(
    seeded: dict[str, int], settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    before = query(settings, "SELECT id FROM people")
    code = main(["invite", "--role", "klantmanager", "--name", "Kees", "--email", "kees@"])
    assert code == 1
    error = capsys.readouterr().err
    assert 'ptobot invite: "kees@" is not a usable e-mail address' in error
    assert query(settings, "SELECT id FROM people") == before


def test_an_administrator_sets_and_removes_an_address_audited(
    seeded: dict[str, int], settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["people", "--set-email", "kim", "KIM@gemeente.example"]) == 0
    assert capsys.readouterr().out.strip() == f"{KIM}: e-mail kim@gemeente.example"
    assert stored_email(settings, KIM) == "kim@gemeente.example"
    # someone else's address, a bad one, a BSN, an unknown name: refused, nothing changes
    assert main(["people", "--set-email", "ayla", "kim@gemeente.example"]) == 1
    assert "already belongs to someone else" in capsys.readouterr().err
    assert main(["people", "--set-email", "ayla", "ayla@"]) == 1
    assert "not a usable e-mail address" in capsys.readouterr().err
    assert main(["people", "--set-email", "ayla", f"{DIGITS}@x.nl"]) == 1
    assert DIGITS not in capsys.readouterr().err
    assert main(["people", "--set-email", "Niemand", "n@x.nl"]) == 1
    assert "There is nobody named Niemand." in capsys.readouterr().err
    assert stored_email(settings, AYLA) is None
    assert main(["people", "--remove-email", "kim"]) == 0
    assert stored_email(settings, KIM) is None
    kim = seeded[KIM]
    assert [e["subject"] for e in audit_entries(settings, "person.email_set")] == [kim]
    assert [e["subject"] for e in audit_entries(settings, "person.email_removed")] == [kim]
    assert all(
        "email" not in e and "address" not in e
        for e in audit_entries(settings, "person.email_set")
    )


def test_the_caseload_import_takes_an_email_column(
    seeded: dict[str, int],
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caseload = tmp_path / "caseload.csv"
    caseload.write_text(
        "name;klantmanager;email\nNoor Voorbeeld;kim;Noor@Voorbeeld.Example\nSam Voorbeeld;kim;\n",
        encoding="utf-8",
    )
    assert main(["import", str(caseload), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 2
    assert stored_email(settings, "Noor Voorbeeld") == "noor@voorbeeld.example"
    assert stored_email(settings, "Sam Voorbeeld") is None


def test_the_import_refuses_unusable_repeated_and_taken_addresses(
    seeded: dict[str, int],
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["people", "--set-email", "kim", "kim@gemeente.example"]) == 0
    capsys.readouterr()
    before = query(settings, "SELECT id FROM people")
    caseload = tmp_path / "caseload.csv"
    caseload.write_text(
        "name,klantmanager,email\n"
        "Noor Voorbeeld,kim,noor@\n"  # 2: not usable
        f"Sam Voorbeeld,kim,{DIGITS}@x.nl\n"  # 3: a BSN
        "Eva Voorbeeld,kim,eva@x.example\n"  # 4: fine
        "Piet Voorbeeld,kim,EVA@x.example\n"  # 5: twice in the file
        "Lot Voorbeeld,kim,kim@gemeente.example\n",  # 6: Kim's address
        encoding="utf-8",
    )
    assert main(["import", str(caseload), "--json"]) == 1
    output = capsys.readouterr().out
    report = json.loads(output)
    reasons = {p["row"]: p["reason"] for p in report["rejected"]}
    assert reasons == {
        2: '"noor@" is not a usable e-mail address. Nothing was stored; give an address like '
        "name@municipality.nl.",
        3: "An e-mail address may not contain a BSN. Nothing was stored.",
        5: "e-mail address eva@x.example appears twice in the file",
        6: "The e-mail address kim@gemeente.example already belongs to someone else. "
        "Nothing was stored.",
    }
    assert DIGITS not in output
    assert query(settings, "SELECT id FROM people") == before
