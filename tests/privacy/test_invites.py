"""Invite codes: ≥ 128 bits, only a hash stored, single use, expiring, 5 wrong tries per hour."""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta

import pytest

from bot.app import App
from bot.clock import FixedClock
from bot.config import Settings
from bot.domain.invites import new_code
from bot.domain.models import Role
from bot.services import onboarding
from bot.storage import people
from tests.privacy.conftest import command


async def _invite(app: App, name: str, now: datetime) -> str:
    async with app.services.db.transaction() as tx:
        made = await onboarding.create_invite(
            tx, now, role=Role.PARTICIPANT, name=name, ttl_days=14
        )
    return made.code


def test_codes_carry_at_least_128_random_bits() -> None:
    codes = [new_code() for _ in range(2000)]
    assert len(set(codes)) == len(codes)
    alphabet = set("".join(codes))
    bits = min(len(c) for c in codes) * math.log2(64)
    assert bits >= 128
    assert alphabet <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    # every position uses (nearly) the whole alphabet: no fixed or low-entropy parts
    for position in range(len(codes[0]) - 1):
        assert len(Counter(c[position] for c in codes)) > 50


@pytest.mark.sqlite_only  # reads the SQLite file's bytes
async def test_only_the_hash_is_stored(app: App, settings: Settings, clock: FixedClock) -> None:
    code = await _invite(app, "Ayla Voorbeeld", clock.now())
    await app.services.db.close()
    db = settings.database_path
    stored = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    assert code.encode() not in stored


async def test_a_code_binds_once_and_the_second_use_is_refused(
    app: App, clock: FixedClock
) -> None:
    code = await _invite(app, "Ayla Voorbeeld", clock.now())
    first = await app.dispatcher.handle(command("100", f"/start {code}"))
    again = await app.dispatcher.handle(command("200", f"/start {code}"))
    assert first.replies[0].key == "onboarding/welcome"
    assert again.replies[0].key == "onboarding/code_used"
    async with app.services.db.read() as tx:
        assert await people.identity_by_address(tx, "telegram", "200") is None


async def test_an_expired_code_is_refused(app: App, clock: FixedClock) -> None:
    code = await _invite(app, "Ayla Voorbeeld", clock.now())
    late = clock.now() + timedelta(days=14, seconds=1)
    outcome = await app.dispatcher.handle(command("100", f"/start {code}"), now=late)
    assert outcome.replies[0].key == "onboarding/code_expired"
    async with app.services.db.read() as tx:
        assert await people.identity_by_address(tx, "telegram", "100") is None


async def test_five_wrong_tries_lock_the_chat_for_an_hour_even_for_a_valid_code(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    valid = await _invite(app, "Ayla Voorbeeld", now)
    for n in range(5):
        wrong = await app.dispatcher.handle(
            command("100", f"/start {new_code()}"), now=now + timedelta(minutes=n)
        )
        assert wrong.replies[0].key == "onboarding/code_unknown"
    locked = await app.dispatcher.handle(
        command("100", f"/start {valid}"), now=now + timedelta(minutes=10)
    )
    assert locked.replies[0].key == "onboarding/too_many_tries"
    async with app.services.db.read() as tx:
        assert await people.identity_by_address(tx, "telegram", "100") is None
        unused = await tx.scalar("SELECT COUNT(*) FROM invites WHERE used_at IS NULL")
    assert unused == 1  # the lock did not spend the valid code
    # a different chat is not affected
    other = await app.dispatcher.handle(
        command("300", f"/start {valid}"), now=now + timedelta(minutes=11)
    )
    assert other.replies[0].key == "onboarding/welcome"


async def test_the_lock_lifts_after_an_hour(app: App, clock: FixedClock) -> None:
    now = clock.now()
    for _ in range(5):
        await app.dispatcher.handle(command("100", "/start nope"), now=now)
    valid = await _invite(app, "Ayla Voorbeeld", now)
    still = await app.dispatcher.handle(
        command("100", f"/start {valid}"), now=now + timedelta(minutes=59)
    )
    assert still.replies[0].key == "onboarding/too_many_tries"
    later = await app.dispatcher.handle(
        command("100", f"/start {valid}"), now=now + timedelta(hours=1, seconds=1)
    )
    assert later.replies[0].key == "onboarding/welcome"


async def test_the_wrong_tries_counter_keeps_no_chat_id(app: App, clock: FixedClock) -> None:
    await app.dispatcher.handle(command("123987", "/start nope"), now=clock.now())
    async with app.services.db.read() as tx:
        rows = await tx.all("SELECT * FROM invite_attempts")
    assert len(rows) == 1
    assert "123987" not in rows[0]["address"]
