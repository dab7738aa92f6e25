"""The first commands and onboarding, through the channel-neutral dispatcher."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App, open_app
from bot.clock import FixedClock
from bot.config import Settings
from bot.contract import Kind
from bot.domain.models import Role
from bot.storage import conversations, people
from messages import render
from tests import factories as f


async def test_start_binds_the_chat_and_greets_by_name(app: App, clock: FixedClock) -> None:
    code = await f.invite(app, "Ayla Voorbeeld", Role.PARTICIPANT, clock.now())
    outcome = await app.dispatcher.handle(f.command("42", f"/start {code}"))
    assert [r.key for r in outcome.replies] == ["onboarding/welcome"]
    text = render(outcome.replies[0].key, outcome.locale, **outcome.replies[0].ctx)
    assert "Ayla Voorbeeld" in text
    assert "/opgave" in text
    async with app.services.db.read() as tx:
        identity = await people.identity_by_address(tx, "telegram", "42")
        stored = await tx.scalar("SELECT COUNT(*) FROM invites WHERE code_hash = ?", (code,))
    assert identity is not None
    assert stored == 0  # only the hash is stored


async def test_a_code_works_once(app: App, clock: FixedClock) -> None:
    code = await f.invite(app, "Ayla Voorbeeld", Role.PARTICIPANT, clock.now())
    await app.dispatcher.handle(f.command("42", f"/start {code}"))
    again = await app.dispatcher.handle(f.command("43", f"/start {code}"))
    assert [r.key for r in again.replies] == ["onboarding/code_used"]
    async with app.services.db.read() as tx:
        assert await people.identity_by_address(tx, "telegram", "43") is None


async def test_expired_and_wrong_codes_are_refused_and_slowed_down(
    app: App, clock: FixedClock
) -> None:
    code = await f.invite(app, "Ayla Voorbeeld", Role.PARTICIPANT, clock.now())
    later = clock.now() + timedelta(days=15)
    expired = await app.dispatcher.handle(f.command("42", f"/start {code}"), now=later)
    assert expired.replies[0].key == "onboarding/code_expired"
    fresh = await f.invite(app, "Bram Voorbeeld", Role.PARTICIPANT, later)
    for _ in range(4):
        wrong = await app.dispatcher.handle(f.command("42", "/start nope"), now=later)
        assert wrong.replies[0].key == "onboarding/code_unknown"
    blocked = await app.dispatcher.handle(f.command("42", f"/start {fresh}"), now=later)
    assert blocked.replies[0].key == "onboarding/too_many_tries"
    elsewhere = await app.dispatcher.handle(f.command("44", f"/start {fresh}"), now=later)
    assert elsewhere.replies[0].key == "onboarding/welcome"
    hour_later = later + timedelta(hours=1, minutes=1)
    retry = await app.dispatcher.handle(f.command("42", "/start nope"), now=hour_later)
    assert retry.replies[0].key == "onboarding/code_unknown"


async def test_start_without_code_stores_nothing(app: App) -> None:
    outcome = await app.dispatcher.handle(f.command("42", "/start"))
    assert outcome.replies[0].key == "onboarding/need_invite"
    async with app.services.db.read() as tx:
        for table in ("people", "channel_identities", "conversation_state", "invite_attempts"):
            assert await tx.scalar(f"SELECT COUNT(*) FROM {table}") == 0  # noqa: S608


async def test_strangers_only_reach_public_commands(app: App) -> None:
    for inbound, key in [
        (f.text("7", "hallo"), "onboarding/need_invite"),
        (f.command("7", "/taal en"), "onboarding/need_invite"),
        (f.command("7", "/hulp"), "common/help"),
        (f.command("7", "/privacy"), "common/privacy"),
        (f.button("7", "taal:en"), "onboarding/need_invite"),
    ]:
        outcome = await app.dispatcher.handle(inbound)
        assert outcome.replies[0].key == key


async def test_language_switch_is_stored_and_used(
    app: App, clock: FixedClock, settings: Settings
) -> None:
    chats = await f.caseload(app, clock.now())
    ayla = chats["Ayla Voorbeeld"]
    outcome = await app.dispatcher.handle(f.command(ayla, "/taal en"))
    assert outcome.locale == "en"
    assert "English" in render(outcome.replies[0].key, outcome.locale)
    choose = await app.dispatcher.handle(f.command(ayla, "/taal"))
    assert [b.data for b in choose.replies[0].buttons[0]] == [
        "taal:nl",
        "taal:en",
        "taal:ar",
        "taal:tr",
    ]
    labels = [render(b.label_key or "", "en") for b in choose.replies[0].buttons[0]]
    assert labels == ["Nederlands", "English", "العربية", "Türkçe"]  # each in its own script
    unknown = await app.dispatcher.handle(f.command(ayla, "/taal klingon"))
    assert unknown.replies[0].key == "common/taal_unknown"
    help_en = await app.dispatcher.handle(f.command(ayla, "/help"))
    assert help_en.locale == "en"
    back = await app.dispatcher.handle(f.button(ayla, "taal:nl"))
    assert back.locale == "nl"


async def test_bad_input_gets_a_clear_answer(app: App, clock: FixedClock) -> None:
    chats = await f.caseload(app, clock.now())
    ayla = chats["Ayla Voorbeeld"]
    cases = [
        (f.command(ayla, "/bestaatniet"), "common/unknown_command"),
        (f.other(ayla, Kind.UNSUPPORTED), "common/unsupported"),
        (f.other(ayla, Kind.EDITED), "common/edited"),
        (f.text(ayla, "x" * 5000), "common/too_long"),
        (f.button(ayla, "zzz:1"), "common/stale_button"),
        (f.text(ayla, "hallo"), "common/fallback"),
        (f.command(ayla, "/stop"), "common/nothing_to_stop"),
    ]
    for inbound, key in cases:
        outcome = await app.dispatcher.handle(inbound)
        assert [r.key for r in outcome.replies] == [key]


async def test_redelivered_update_is_handled_once(app: App, clock: FixedClock) -> None:
    chats = await f.caseload(app, clock.now())
    inbound = f.command(chats["Ayla Voorbeeld"], "/taal en")
    first = await app.dispatcher.handle(inbound)
    second = await app.dispatcher.handle(inbound)
    assert first.replies
    assert second.duplicate
    assert second.replies == []


async def test_binding_and_language_survive_a_restart(
    settings: Settings, clock: FixedClock
) -> None:
    async with open_app(settings, clock) as app:
        code = await f.invite(app, "Ayla Voorbeeld", Role.PARTICIPANT, clock.now())
        await app.dispatcher.handle(f.command("42", f"/start {code}"))
        await app.dispatcher.handle(f.command("42", "/taal en"))
    async with open_app(settings, clock) as app:
        outcome = await app.dispatcher.handle(f.command("42", "/start"))
    assert outcome.replies[0].key == "onboarding/welcome_back"
    assert outcome.locale == "en"


async def test_unexpected_errors_become_an_apology(app: App, clock: FixedClock) -> None:
    chats = await f.caseload(app, clock.now())

    async def explode(ctx: object) -> None:
        raise RuntimeError("kapot")

    app.router.flows["boom"] = explode
    async with app.services.db.transaction() as tx:
        person = await people.identity_by_address(tx, "telegram", chats["Ayla Voorbeeld"])
        assert person is not None
        await conversations.save_state(tx, person.person_id, "boom", "x", {}, clock.now())
    outcome = await app.dispatcher.handle(f.text(chats["Ayla Voorbeeld"], "hoi"))
    assert [r.key for r in outcome.replies] == ["common/error"]
    async with app.services.db.read() as tx:
        assert await conversations.load_state(tx, person.person_id) == ("boom", "x", {})


async def test_a_language_typed_at_the_question_or_after_the_command_is_understood(
    app: App, clock: FixedClock
) -> None:
    ayla = (await f.caseload(app, clock.now()))["Ayla Voorbeeld"]
    typed = {
        "en": "en",
        "English": "en",
        "ENGELS": "en",
        "nl": "nl",
        "Nederlands": "nl",
        "dutch": "nl",
        "Engels.": "en",
        " nederlands ": "nl",
    }
    for word, code in typed.items():
        asked = await app.dispatcher.handle(f.command(ayla, "/taal"))
        assert [r.key for r in asked.replies] == ["common/taal_choose"]
        answered = await app.dispatcher.handle(f.text(ayla, word))
        assert [r.key for r in answered.replies] == ["common/taal_set"], word
        assert answered.locale == code, word
        with_command = await app.dispatcher.handle(f.command(ayla, f"/taal {word.strip()}"))
        assert [r.key for r in with_command.replies] == ["common/taal_set"], word
        assert with_command.locale == code, word
    after = await app.dispatcher.handle(f.text(ayla, "en"))  # the question was answered
    assert [r.key for r in after.replies] == ["common/fallback"]


async def test_an_unknown_language_at_the_question_is_asked_again(
    app: App, clock: FixedClock
) -> None:
    ayla = (await f.caseload(app, clock.now()))["Ayla Voorbeeld"]
    await app.dispatcher.handle(f.command(ayla, "/taal"))
    unknown = await app.dispatcher.handle(f.text(ayla, "klingon"))
    assert [r.key for r in unknown.replies] == ["common/taal_unknown"]
    assert unknown.replies[0].ctx["wanted"] == "klingon"
    english = await app.dispatcher.handle(f.text(ayla, "English"))
    assert (english.replies[0].key, english.locale) == ("common/taal_set", "en")
    stopped = await app.dispatcher.handle(f.command(ayla, "/stop"))
    assert [r.key for r in stopped.replies] == ["common/nothing_to_stop"]


async def test_the_language_question_in_the_middle_of_a_flow_returns_to_it(
    app: App, clock: FixedClock
) -> None:
    ayla = (await f.caseload(app, clock.now()))["Ayla Voorbeeld"]
    opened = await app.dispatcher.handle(f.command(ayla, "/opgave"))
    assert opened.replies[-1].key == "declaration/ask_worked"
    await app.dispatcher.handle(f.command(ayla, "/taal"))
    english = await app.dispatcher.handle(f.text(ayla, "english"))
    assert (english.replies[0].key, english.locale) == ("common/taal_set", "en")
    help_en = await app.dispatcher.handle(f.command(ayla, "/help"))
    assert help_en.replies[0].ctx["in_flow"] == "declaration"
    await app.dispatcher.handle(f.command(ayla, "/taal"))
    answer = await app.dispatcher.handle(f.text(ayla, "nee"))  # not a language: the question
    assert "common/taal_unknown" not in [r.key for r in answer.replies]
    assert answer.replies[-1].key.startswith("declaration/")


async def test_kanaal_is_offered_only_to_someone_on_two_channels(
    app: App, clock: FixedClock
) -> None:
    """Most people use one chat app: /hulp does not offer a choice they do not have, and
    /kanaal says where messages go instead of offering a choice of one."""
    code = await f.invite(app, "Ayla Voorbeeld", Role.PARTICIPANT, clock.now())
    await app.dispatcher.handle(f.command("42", f"/start {code}"))
    helped = await app.dispatcher.handle(f.command("42", "/hulp"))
    assert "kanaal" not in [c["name"] for c in helped.replies[0].ctx["commands"]]
    only = await app.dispatcher.handle(f.command("42", "/kanaal"))
    assert [r.key for r in only.replies] == ["common/kanaal_only"]
    assert not only.replies[0].buttons
    assert "Telegram" in render("common/kanaal_only", "nl", **only.replies[0].ctx)

    async with app.services.db.transaction() as tx:
        found = await people.identity_by_address(tx, "telegram", "42")
        assert found is not None
        await people.bind_identity(tx, "whatsapp", "31600000000", found.person_id, clock.now())
    helped = await app.dispatcher.handle(f.command("42", "/hulp"))
    assert "kanaal" in [c["name"] for c in helped.replies[0].ctx["commands"]]
    both = await app.dispatcher.handle(f.command("42", "/kanaal"))
    assert [r.key for r in both.replies] == ["common/kanaal_choose"]
