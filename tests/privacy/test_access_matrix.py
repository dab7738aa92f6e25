"""The access matrix: every command and button × every role × an object of someone else.

Built from the router at run time, so features registered later are covered without edits:
- role gates: a command or button prefix a role may not use is refused with "common/not_allowed"
  (a stranger gets "onboarding/need_invite" for anything not public);
- forged buttons: button data the owners of Bram's objects really get (harvested by walking
  their menus and buttons) is pressed by people who may not see Bram, and the same data with the
  ids swapped for ids that do not exist; both must get the same answer (nothing tells whether
  the object exists), neither may show Bram's data, and nothing may change;
- commands with arguments naming Bram's objects, compared with arguments naming nothing.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.clock import FixedClock, utc_iso
from bot.config import Settings
from bot.contract import Inbound, Kind, Reply
from bot.domain.models import Role
from bot.storage import schema
from handlers import build_router
from messages import render
from tests.privacy.conftest import CHANNEL

NOW = datetime(2026, 12, 12, 10, 0, tzinfo=UTC)  # after the due date of November
ROUTER = build_router()

# Distinctive ids, so forged data is recognisable and swappable.
PEOPLE = {
    "kim": (4101, "Kim Klantmanager", Role.KLANTMANAGER),
    "karel": (4102, "Karel Klantmanager", Role.KLANTMANAGER),
    "cas": (4103, "Cas Coach", Role.COACH),
    "cor": (4104, "Cor Coach", Role.COACH),
    "ad": (4105, "Ad Beheer", Role.ADMIN),
    "ayla": (4106, "Ayla Voorbeeld", Role.PARTICIPANT),
    "bram": (4107, "Bram Geheimhouder", Role.PARTICIPANT),
}
BRAM_OBJECTS = {"4107", "7301", "7302", "7303"}  # Bram, his declaration, queue item, proof
MISSING_ID = "999999"
BRAM_SECRETS = ("Geheimhouder", "PTO-2026-11-7301", "7.777,77", "7,777.77", "Ondernemersbon")
ATTACKERS = ("ayla", "kim", "cas")  # may not see Bram's things (admin may)
OWNERS = ("bram", "karel", "cor")


def address(key: str) -> str:
    """The Telegram chat of a person."""
    return str(PEOPLE[key][0] + 2000)


@asynccontextmanager
async def world(tmp: Path) -> AsyncIterator[App]:
    """A fresh database with two caseloads and Bram's (and Ayla's) history."""
    config = Settings(
        database_url=f"sqlite:///{tmp / 'pto.db'}",
        proof_dir=tmp / "proof",
        demo=False,
        flood_limit_per_minute=1_000_000,
    )
    async with open_app(config, FixedClock(NOW)) as app:
        await _seed(app, config.proof_dir)
        yield app


async def _seed(app: App, proof_dir: Path) -> None:
    at = utc_iso(datetime(2026, 12, 5, 9, 0, tzinfo=UTC))
    async with app.services.db.transaction() as tx:
        for key, (pid, name, role) in PEOPLE.items():
            await tx.execute(
                "INSERT INTO people (id, name, role, locale, created_at) "
                "VALUES (?, ?, ?, 'nl', ?)",
                (pid, name, role.value, at),
            )
            await tx.execute(
                "INSERT INTO channel_identities (channel, address, person_id, created_at) "
                "VALUES (?, ?, ?, ?)",
                (CHANNEL, address(key), pid, at),
            )
        for who, km, coach, decl, item, proof, cents in (
            ("ayla", "kim", "cas", 7201, 7202, 7203, 123_456),
            ("bram", "karel", "cor", 7301, 7302, 7303, 777_777),
        ):
            pid = PEOPLE[who][0]
            await tx.execute(
                "INSERT INTO participants (person_id, klantmanager_id, coach_id, start_date, "
                "household) VALUES (?, ?, ?, '2026-06-01', 'alleenstaande')",
                (pid, PEOPLE[km][0], PEOPLE[coach][0]),
            )
            await tx.execute(
                "INSERT INTO declarations (id, participant_id, period, version, reference, "
                "worked, revenue_cents, costs_cents, hours, data, flags, submitted_at) "
                "VALUES (?, ?, '2026-11', 1, ?, 1, ?, 0, 40, ?, '[]', ?)",
                (
                    decl,
                    pid,
                    f"PTO-2026-11-{decl}",
                    cents,
                    '{"costs": [], "weeks": [], "note": null, "proof_count": 1}',
                    at,
                ),
            )
            folder = proof_dir / str(pid) / "2026-11"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{proof}.pdf"
            path.write_bytes(b"%PDF-1.4 invented")
            await tx.execute(
                "INSERT INTO proofs (id, participant_id, period, declaration_id, sha256, path, "
                "mime, size, original_name, created_at) "
                "VALUES (?, ?, '2026-11', ?, 'x', ?, 'application/pdf', 17, ?, ?)",
                (
                    proof,
                    pid,
                    decl,
                    str(path),
                    "Ondernemersbon.pdf" if who == "bram" else "bon.pdf",
                    at,
                ),
            )
            await tx.execute(
                "INSERT INTO queue_items (id, klantmanager_id, participant_id, kind, state, "
                "declaration_id, period, details, created_at, updated_at) "
                "VALUES (?, ?, ?, 'declaration_submitted', 'nieuw', ?, '2026-11', '{}', ?, ?)",
                (item, PEOPLE[km][0], pid, decl, at, at),
            )
            await tx.execute(
                "INSERT INTO weekly_hours VALUES (?, '2026-W48', 10, 'checkin', ?)", (pid, at)
            )


_seq = iter(range(10**9))


def _inbound(key: str, kind: Kind, *, line: str = "", data: str = "") -> Inbound:
    update = f"m-{next(_seq)}"
    if kind == Kind.COMMAND:
        head, _, args = line.partition(" ")
        return Inbound(
            CHANNEL,
            address(key),
            kind,
            update,
            text=line,
            command=head[1:].lower(),
            args=args.strip(),
        )
    return Inbound(CHANNEL, address(key), Kind.BUTTON, update, button=data)


def _texts(replies: list[Reply], locale: str) -> str:
    return "\n".join(render(r.key, locale, **r.ctx) for r in replies)


def _buttons(replies: list[Reply]) -> list[str]:
    return [b.data for r in replies for row in r.buttons for b in row]


async def _reset(app: App, key: str) -> None:
    """Forget the attacker's conversation and wrong-code tries, so each attempt starts equal."""
    pid = PEOPLE[key][0]
    async with app.services.db.transaction() as tx:
        await tx.execute("DELETE FROM conversation_state WHERE person_id = ?", (pid,))
        await tx.execute("DELETE FROM invite_attempts")


async def _fingerprint(app: App) -> list[object]:
    """Bram's business data, to check that a refused attempt changed nothing."""
    async with app.services.db.read() as tx:
        return [
            [tuple(r) for r in await tx.all(sql)]
            for sql in (
                "SELECT * FROM declarations WHERE participant_id = 4107",
                "SELECT id, state, updated_at FROM queue_items WHERE participant_id = 4107",
                "SELECT * FROM proofs WHERE participant_id = 4107",
                "SELECT * FROM weekly_hours WHERE participant_id = 4107",
                "SELECT * FROM participants WHERE person_id = 4107",
            )
        ]


# ------------------------------------------------------------------------ role gates


def _role_of(key: str) -> Role:
    return PEOPLE[key][2]


ROLE_KEYS = {
    "kim": Role.KLANTMANAGER,
    "cas": Role.COACH,
    "ad": Role.ADMIN,
    "ayla": Role.PARTICIPANT,
}


async def test_every_command_and_button_prefix_is_gated_by_role(tmp_path: Path) -> None:
    async with world(tmp_path) as app:
        for name, cmd in sorted(ROUTER.commands.items()):
            for key, role in ROLE_KEYS.items():
                if role in cmd.roles:
                    continue
                await _reset(app, key)
                out = await app.dispatcher.handle(
                    _inbound(key, Kind.COMMAND, line=f"/{name} 7301")
                )
                assert [r.key for r in out.replies] == ["common/not_allowed"], (name, key)
            stranger = Inbound(
                CHANNEL, "31337", Kind.COMMAND, f"s-{next(_seq)}", text=f"/{name}", command=name
            )
            out = await app.dispatcher.handle(stranger)
            if not cmd.public:
                assert [r.key for r in out.replies] == ["onboarding/need_invite"], name
        for prefix, callback in sorted(ROUTER.callbacks.items()):
            for key, role in ROLE_KEYS.items():
                if role in callback.roles:
                    continue
                out = await app.dispatcher.handle(
                    _inbound(key, Kind.BUTTON, data=f"{prefix}:open:7301")
                )
                assert [r.key for r in out.replies] == ["common/not_allowed"], (prefix, key)
            stranger = Inbound(
                CHANNEL, "31337", Kind.BUTTON, f"s-{next(_seq)}", button=f"{prefix}:x:7301"
            )
            out = await app.dispatcher.handle(stranger)
            assert [r.key for r in out.replies] == ["onboarding/need_invite"], prefix


# ------------------------------------------------------------------------ forged buttons


async def _harvest(tmp: Path) -> tuple[list[str], set[str]]:
    """Button data that Bram, his klantmanager and his coach really get, and Bram's nonces."""
    seen: list[str] = []
    async with world(tmp) as app:
        frontier: list[tuple[str, str]] = []
        for owner in OWNERS:
            role = _role_of(owner)
            for name, cmd in sorted(ROUTER.commands.items()):
                if role not in cmd.roles or name in ("start", "stop", "annuleer"):
                    continue
                for line in (f"/{name}", f"/{name} Bram Geheimhouder", f"/{name} 2026-11"):
                    await _reset(app, owner)
                    out = await app.dispatcher.handle(_inbound(owner, Kind.COMMAND, line=line))
                    frontier += [(owner, d) for d in _buttons(out.replies)]
        presses = 0
        nonces: set[str] = set()
        while frontier and presses < 150:
            owner, data = frontier.pop(0)
            if data in seen:
                continue
            seen.append(data)
            presses += 1
            out = await app.dispatcher.handle(_inbound(owner, Kind.BUTTON, data=data))
            frontier += [(owner, d) for d in _buttons(out.replies) if d not in seen]
            frontier += [(owner, d) for d in await _answer_flow(app, owner) if d not in seen]
            nonces |= await _nonces(app)
    return seen, nonces


async def _nonces(app: App) -> set[str]:
    """The one-time submit tokens of Bram's drafts (they ride in the send button)."""
    async with app.services.db.read() as tx:
        if not await schema.has_table(tx, "declaration_drafts"):
            return set()
        rows = await tx.all("SELECT nonce FROM declaration_drafts WHERE participant_id = 4107")
    return {str(r[0]) for r in rows}


TYPED = ("1250", "0", "10", "klaar", "geen", "ja")


async def _answer_flow(app: App, owner: str) -> list[str]:
    """While the owner is in a flow, type some plausible answers; the buttons they bring."""
    found: list[str] = []
    for answer in TYPED:
        async with app.services.db.read() as tx:
            flow = await tx.scalar(
                "SELECT flow FROM conversation_state WHERE person_id = ?", (PEOPLE[owner][0],)
            )
        if flow is None:
            break
        seq = f"t-{next(_seq)}"
        out = await app.dispatcher.handle(
            Inbound(CHANNEL, address(owner), Kind.TEXT, seq, text=answer)
        )
        found += _buttons(out.replies)
    return found


def _forge(data: str, markers: set[str]) -> str | None:
    """The same data with Bram's ids swapped for ids that do not exist; None when unbound."""
    parts = data.split(":")
    if not any(p in markers for p in parts):
        return None
    return ":".join(
        (MISSING_ID if p.isdigit() else re.sub(r"[0-9a-f]", "0", p)) if p in markers else p
        for p in parts
    )


@dataclass(frozen=True)
class Attempt:
    """What one press or command got."""

    keys: list[str]
    text: str
    documents: list[str]


async def _try(app: App, attacker: str, inbound: Inbound) -> Attempt:
    await _reset(app, attacker)
    out = await app.dispatcher.handle(inbound)
    return Attempt(
        [r.key for r in out.replies],
        _texts(out.replies, out.locale),
        [r.document for r in out.replies if r.document],
    )


def _assert_refused(real: Attempt, fake: Attempt, what: str, typed: str = "") -> None:
    assert real.keys == fake.keys, f"{what}: the answer tells that the object exists"
    assert "common/error" not in real.keys, what
    leaked = [s for s in BRAM_SECRETS if s in real.text and s not in typed]
    assert not leaked, f"{what}: shows {leaked}"
    assert not [d for d in real.documents if "/4107/" in d], f"{what}: sends Bram's file"


async def test_forged_buttons_with_someone_elses_ids_are_refused_alike(tmp_path: Path) -> None:
    harvested, nonces = await _harvest(tmp_path / "harvest")
    markers = BRAM_OBJECTS | nonces
    forged = [(d, f) for d in harvested if (f := _forge(d, markers)) is not None]
    # the queue's own card buttons always carry Bram's item id
    for action in ("open", "done", "fix", "proof", "correct"):
        data = f"queue:{action}:7302"
        if data not in harvested:
            forged.append((data, f"queue:{action}:{MISSING_ID}"))
    async with world(tmp_path / "attack") as app:
        before = await _fingerprint(app)
        for data, fake_data in forged:
            for attacker in ATTACKERS:
                real = await _try(app, attacker, _inbound(attacker, Kind.BUTTON, data=data))
                fake = await _try(app, attacker, _inbound(attacker, Kind.BUTTON, data=fake_data))
                _assert_refused(real, fake, f"{attacker} pressing {data}")
        assert await _fingerprint(app) == before
    assert forged, "no button carried an object id"


FOREIGN_ARGS = [
    ("Bram Geheimhouder", "Niemand Onbekend"),
    ("Bram", "Niemand"),
    ("4107", MISSING_ID),
    ("7301", MISSING_ID),
    ("7302", MISSING_ID),
    ("PTO-2026-11-7301", "PTO-2026-11-9999"),
]


async def test_commands_naming_someone_elses_objects_are_refused_alike(tmp_path: Path) -> None:
    async with world(tmp_path) as app:
        before = await _fingerprint(app)
        for name, cmd in sorted(ROUTER.commands.items()):
            for attacker in ATTACKERS:
                if _role_of(attacker) not in cmd.roles:
                    continue  # the role gate answers; covered above
                for foreign, missing in FOREIGN_ARGS:
                    real = await _try(
                        app, attacker, _inbound(attacker, Kind.COMMAND, line=f"/{name} {foreign}")
                    )
                    fake = await _try(
                        app, attacker, _inbound(attacker, Kind.COMMAND, line=f"/{name} {missing}")
                    )
                    _assert_refused(real, fake, f"{attacker}: /{name} {foreign}", typed=foreign)
        assert await _fingerprint(app) == before


async def test_the_matrix_can_tell_an_allowed_view(tmp_path: Path) -> None:
    """Sanity check of the framework: Bram's own klantmanager does see his queue item."""
    if "queue" not in ROUTER.callbacks:
        pytest.skip("the queue feature is not registered")
    async with world(tmp_path) as app:
        real = await _try(app, "karel", _inbound("karel", Kind.BUTTON, data="queue:open:7302"))
        fake = await _try(
            app, "karel", _inbound("karel", Kind.BUTTON, data=f"queue:open:{MISSING_ID}")
        )
    assert real.keys != fake.keys
    assert "Geheimhouder" in real.text


# ------------------------------------------------------------------- absurd ids

ACTIONS = ("open", "done", "fix", "proof", "page", "x", "t", "edit", "send", "hours", "cost")
ABSURD = (str(2**63), "9" * 30, "-1", "0", "1e3", "٣", "²")  # too big, negative, not ASCII
KNOWN_BUGS: dict[str, str] = {}


def _prefix_params() -> list[object]:
    return [
        pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[p]))
        if p in KNOWN_BUGS
        else p
        for p in sorted(ROUTER.callbacks)
    ]


@pytest.mark.parametrize("prefix", _prefix_params())
async def test_buttons_with_absurd_ids_get_a_clear_answer(tmp_path: Path, prefix: str) -> None:
    roles = ROUTER.callbacks[prefix].roles
    people = [k for k in ("kim", "cas", "ayla", "ad") if _role_of(k) in roles]
    async with world(tmp_path) as app:
        for who in people:
            for action in ACTIONS:
                for absurd in ABSURD:
                    data = f"{prefix}:{action}:{absurd}"
                    out = await _try(app, who, _inbound(who, Kind.BUTTON, data=data))
                    assert out.keys, data
                    assert "common/error" not in out.keys, f"{who} pressing {data}"
