"""Arabic and Turkish beside Dutch and English: choosing a language, the greeting in the chat
app's language, and a declaration typed the Arabic and the Turkish way."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.clock import FixedClock
from bot.config import Settings
from bot.domain.models import Role
from bot.domain.policy import default_policy_text, load_policy
from bot.storage import people
from tests import factories as f
from tests.handlers.test_declaration_flow import Chat, _people, _rows


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Many messages in a row from one chat: above the flood limit of a person typing."""
    return replace(settings, flood_limit_per_minute=1_000)


async def _locale(app: App, chat: str) -> str:
    async with app.services.db.read() as tx:
        identity = await people.identity_by_address(tx, "telegram", chat)
        assert identity is not None
        person = await people.person_by_id(tx, identity.person_id)
    assert person is not None
    return person.locale


TYPED_NAMES = {
    "arabisch": "ar",
    "Arabic": "ar",
    "العربية": "ar",
    "Arapça": "ar",
    "ar": "ar",
    "turks": "tr",
    "Türkçe": "tr",
    "turkce": "tr",
    "Turkish": "tr",
    "تركي": "tr",
    "tr": "tr",
    "nederlands": "nl",
    "Dutch": "nl",
    "Felemenkçe": "nl",
    "الهولندية": "nl",
    "İngilizce": "en",
}


async def test_taal_understands_a_language_named_in_any_language(
    app: App, clock: FixedClock
) -> None:
    ayla = (await f.caseload(app, clock.now()))["Ayla Voorbeeld"]
    for typed, code in TYPED_NAMES.items():
        switched = await app.dispatcher.handle(f.command(ayla, f"/taal {typed}"))
        assert [r.key for r in switched.replies] == ["common/taal_set"], typed
        assert switched.locale == code, typed
        assert await _locale(app, ayla) == code, typed
        asked = await app.dispatcher.handle(f.command(ayla, "/taal"))
        assert [r.key for r in asked.replies] == ["common/taal_choose"]
        answered = await app.dispatcher.handle(f.text(ayla, typed.upper()))
        assert (answered.replies[0].key, answered.locale) == ("common/taal_set", code), typed


async def test_the_arabic_and_turkish_buttons_set_the_language(
    app: App, clock: FixedClock
) -> None:
    ayla = (await f.caseload(app, clock.now()))["Ayla Voorbeeld"]
    for code in ("ar", "tr", "nl"):
        outcome = await app.dispatcher.handle(f.button(ayla, f"taal:{code}"))
        assert (outcome.replies[0].key, outcome.locale) == ("common/taal_set", code)
        assert await _locale(app, ayla) == code
        helped = await app.dispatcher.handle(f.command(ayla, "/hulp"))
        assert helped.locale == code  # every later reply in the chosen language


@pytest.mark.parametrize(
    ("client", "locale"),
    [("tr", "tr"), ("ar", "ar"), ("en-GB", "en"), ("nl", "nl"), ("de", "nl"), (None, "nl")],
)
async def test_a_new_participant_is_greeted_in_their_apps_language(
    app: App, clock: FixedClock, client: str | None, locale: str
) -> None:
    code = await f.invite(app, "Ayla Voorbeeld", Role.PARTICIPANT, clock.now())
    start = replace(f.command("42", f"/start {code}"), client_language=client)
    outcome = await app.dispatcher.handle(start)
    assert [r.key for r in outcome.replies] == ["onboarding/welcome"]
    assert outcome.locale == locale
    assert await _locale(app, "42") == locale
    later = await app.dispatcher.handle(replace(f.command("42", "/hulp"), client_language="en"))
    assert later.locale == locale  # the stored language, not the app's, from now on


@pytest.mark.parametrize(("client", "locale"), [("ar", "nl"), ("tr", "nl"), ("en-US", "en")])
async def test_a_klantmanager_starts_in_dutch_or_english(
    app: App, clock: FixedClock, client: str, locale: str
) -> None:
    code = await f.invite(app, "Kim Klantmanager", Role.KLANTMANAGER, clock.now())
    start = replace(f.command("44", f"/start {code}"), client_language=client)
    outcome = await app.dispatcher.handle(start)
    assert (outcome.replies[0].key, outcome.locale) == ("onboarding/welcome", locale)
    assert await _locale(app, "44") == locale
    chosen = await app.dispatcher.handle(f.command("44", "/taal Arapça"))  # theirs to choose
    assert chosen.locale == "ar"


async def test_a_language_chosen_before_is_kept_on_a_new_invite(
    app: App, clock: FixedClock
) -> None:
    code = await f.invite(app, "Ayla Voorbeeld", Role.PARTICIPANT, clock.now())
    await app.dispatcher.handle(replace(f.command("42", f"/start {code}"), client_language="tr"))
    await app.dispatcher.handle(f.command("42", "/taal nederlands"))
    again = await f.invite(app, "Ayla Voorbeeld", Role.PARTICIPANT, clock.now())
    start = replace(f.command("43", f"/start {again}"), client_language="ar")
    outcome = await app.dispatcher.handle(start)
    assert (outcome.replies[0].key, outcome.locale) == ("onboarding/welcome", "nl")
    assert await _locale(app, "43") == "nl"


async def test_a_stranger_is_answered_in_their_apps_language_and_nothing_is_stored(
    app: App,
) -> None:
    outcome = await app.dispatcher.handle(replace(f.text("7", "مرحبا"), client_language="ar"))
    assert (outcome.replies[0].key, outcome.locale) == ("onboarding/need_invite", "ar")
    async with app.services.db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM people") == 0


@pytest.fixture
async def chat(app: App) -> Chat:
    await _people(app)
    return Chat(app)


ARABIC = {
    "worked": "نعم",
    "revenue": "١٬٢٥٠٫٥٠",
    "costs": "لا شيء",
    "hours": ("١٢٫٥ ساعة", "٨", "۸", "0", "١٠", "٢"),
    "proof": "لا شيء",
    "note": "لا",
}
TURKISH = {
    "worked": "Evet",
    "revenue": "1.250,50 avro",
    "costs": "yok",
    "hours": ("12,5 saat", "8", "8 saat", "0", "10", "2"),
    "proof": "Yok",
    "note": "hiçbir şey",
}


@pytest.mark.parametrize(("language", "typed"), [("ar", ARABIC), ("tr", TURKISH)])
async def test_a_declaration_typed_in_arabic_or_turkish(
    chat: Chat, app: App, language: str, typed: dict[str, object]
) -> None:
    await chat.say(f"/taal {language}")
    assert chat.last is not None
    assert chat.last.locale == language
    await chat.say("/opgave")
    assert chat.keys() == ["declaration/ask_worked"]
    await chat.say(str(typed["worked"]))
    assert chat.keys() == ["declaration/ask_revenue"]
    await chat.say(str(typed["revenue"]))
    assert chat.keys() == ["declaration/ask_costs"]
    await chat.say(str(typed["costs"]))
    assert chat.keys() == ["declaration/ask_hours"]
    for hours in typed["hours"]:  # type: ignore[attr-defined]
        await chat.say(hours)
    assert chat.keys() == ["declaration/ask_proof"]
    await chat.say(str(typed["proof"]))
    assert chat.keys() == ["declaration/ask_note"]
    await chat.say(str(typed["note"]))
    assert chat.keys() == ["declaration/review"]
    review = chat.reply("declaration/review")
    assert (review["revenue_cents"], review["costs_cents"]) == (125_050, 0)
    assert review["hours"] == 40.5
    send = next(b for b in chat.buttons() if b.startswith("decl:send:"))
    await chat.tap(send)
    assert chat.keys() == ["declaration/receipt"]
    [decl] = await _rows(app, "SELECT revenue_cents, data FROM declarations")
    assert decl["revenue_cents"] == 125_050
    assert '"note": null' in str(decl["data"])
    assert '"no_proof": true' in str(decl["data"])


async def test_no_document_typed_in_arabic_or_turkish(chat: Chat) -> None:
    for none in ("belge yok", "لا شيء", "بدون مستند", "Geen document"):
        await chat.say("/wijziging")
        await chat.tap("chg:kind:verhuizen")
        await chat.say("1 Ocak")
        assert chat.keys() == ["changes/ask_explanation"], none
        await chat.say("Yeni adres")
        assert chat.keys() == ["changes/ask_document"]
        await chat.say(none)
        assert chat.keys() == ["changes/review"], none
        await chat.tap("chg:restart")


def test_the_shipped_policy_names_every_category_and_change_in_every_language() -> None:
    assert load_policy().missing_names() == []


async def test_a_policy_missing_names_is_used_in_dutch_with_one_warning(
    settings: Settings, clock: FixedClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = default_policy_text().replace(', tr = "Ulaşım"', "").replace(', ar = "استثمار"', "")
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    policy = load_policy(path)
    assert policy.missing_names() == ["costs.vervoer.name.tr", "costs.investering.name.ar"]
    vervoer = policy.cost("vervoer")
    assert vervoer is not None
    assert vervoer.name("tr") == "Vervoer"
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        async with open_app(replace(settings, policy_path=path), clock):
            pass
    warnings = [r for r in caplog.records if r.name == "bot.app"]
    assert len(warnings) == 1
    assert "costs.vervoer.name.tr, costs.investering.name.ar" in warnings[0].getMessage()
