"""`/wijziging`: a participant reports a change in circumstances (the inlichtingenplicht).

Steps: kind (buttons from the policy) → date (typed) → explanation (typed) → document (a file,
or *Geen document*) → review → *Doorgeven* once → receipt with a reference. A file sent at any
step after the kind is kept as the document. Every step can be typed too (a phone without
buttons): the kind's number or a word of its name, *geen document*, *doorgeven*.
Buttons: `chg:kind:<key>`, `chg:doc:none`, `chg:send:<id>`, `chg:restart`.
"""

from __future__ import annotations

from bot.contract import Button, small_int
from bot.domain import words
from bot.domain.circumstances import EXPLANATION_MAX
from bot.domain.errors import DomainError
from bot.domain.models import Role
from bot.domain.proof import is_accepted
from bot.services import circumstances as svc
from bot.services import declarations
from handlers.base import Ctx
from handlers.router import Router

FLOW = "chg"
PARTICIPANT = [Role.PARTICIPANT]
NONE_WORDS = words.NO | words.NONE | words.DONE  # no document: 'geen', 'nee', 'klaar', 'yok'


def register(router: Router) -> None:
    """Register /wijziging, the `chg:` buttons and the flow."""

    @router.command("wijziging", "change", roles=PARTICIPANT, menu_key="menu/wijziging")
    async def wijziging(ctx: Ctx) -> None:
        """Ask which change the participant wants to report."""
        await declarations.participant_of(ctx.tx, ctx.require_person().id)
        _ask_kind(ctx)

    @router.callback("chg", roles=PARTICIPANT)
    async def button(ctx: Ctx) -> None:
        """A kind chosen, no document, send, or begin again."""
        person = ctx.require_person()
        _, action, arg = ((ctx.inbound.button or "") + "::").split(":", 2)
        arg = arg.rstrip(":")
        if action == "kind":
            await _kind(ctx, arg[:20])
        elif action == "doc":
            await svc.current(ctx.tx, person.id)
            await _review(ctx)
        elif action == "send":
            await _send(ctx, small_int(arg))
        elif action == "restart":
            await svc.discard(ctx.tx, person.id, ctx.services.settings.proof_dir)
            _ask_kind(ctx)
        else:
            ctx.reply("common/stale_button")

    @router.flow(FLOW)
    async def typed(ctx: Ctx) -> None:
        """A typed answer (or a document) for the current step."""
        step = ctx.state.step
        if ctx.inbound.file is not None and step != "kind":
            await _document(ctx)
            return
        text = ctx.inbound.text.strip()
        person = ctx.require_person()
        if step == "date":
            await svc.set_date(ctx.tx, ctx.now, person.id, text)
            ctx.state.go(FLOW, "explain")
            ctx.reply("changes/ask_explanation", limit=EXPLANATION_MAX)
        elif step == "explain":
            await svc.set_explanation(ctx.tx, ctx.now, person.id, text)
            ctx.state.go(FLOW, "document")
            _ask_document(ctx)
        elif step == "document" and _says_none(text):
            await _review(ctx)
        elif step == "document":
            _ask_document(ctx)
        elif step == "review" and _short_answer(text) in words.SEND:
            await _send(ctx, small_int(str(ctx.state.data.get("change", ""))))
        elif step == "review":
            ctx.reply("changes/use_buttons")
            await _review(ctx)
        elif step == "kind" and (key := _typed_kind(ctx, text)) is not None:
            await _kind(ctx, key)
        else:
            ctx.reply("changes/use_buttons")
            _ask_kind(ctx)


def _tokens(text: str) -> list[str]:
    """The words of a text, lower case, without punctuation."""
    return "".join(c if c.isalnum() else " " for c in words.fold(text)).split()


def _short_answer(text: str) -> str:
    """The first word of an answer of one or two words ('Geen document', 'Doorgeven');
    '' for a sentence, which is not a short answer."""
    tokens = _tokens(text)
    return tokens[0] if 1 <= len(tokens) <= 2 else ""


def _says_none(text: str) -> bool:
    """'Geen document', 'geen', 'klaar', 'belge yok', 'لا شيء': an answer of one or two words
    with a word for none in it (Turkish says it after the noun)."""
    tokens = _tokens(text)
    return 1 <= len(tokens) <= 2 and (
        " ".join(tokens) in NONE_WORDS or any(t in NONE_WORDS for t in tokens)
    )


def _typed_kind(ctx: Ctx, text: str) -> str | None:
    """The kind a typed answer means: its number in the list, its name or key, or a word
    found in one kind's name only ('buitenland'); None when it fits none or several."""
    kinds = ctx.services.policy.change_kinds
    number = small_int(text.strip().rstrip("."))
    if number is not None:
        return kinds[number - 1].key if 1 <= number <= len(kinds) else None
    typed = " ".join(_tokens(text))
    if not typed:
        return None
    found = {
        k.key
        for k in kinds
        for name in (k.key, *k.names.values())
        if typed == " ".join(_tokens(name)) or typed in _tokens(name)
    }
    return found.pop() if len(found) == 1 else None


def _ask_kind(ctx: Ctx) -> None:
    kinds = ctx.services.policy.change_kinds
    if not kinds:
        ctx.state.clear()
        ctx.reply("changes/unavailable")
        return
    ctx.state.go(FLOW, "kind")
    ctx.reply(
        "changes/ask_kind",
        buttons=tuple((Button(f"chg:kind:{k.key}", text=k.name(ctx.locale)),) for k in kinds),
        as_list=True,
    )


def _ask_document(ctx: Ctx) -> None:
    ctx.reply("changes/ask_document", buttons=((Button("chg:doc:none", "buttons/chg_no_doc"),),))


async def _kind(ctx: Ctx, key: str) -> None:
    person = ctx.require_person()
    step = ctx.state.step if ctx.state.flow == FLOW else None
    if step in ("date", "explain", "document", "review"):
        try:
            draft = await svc.current(ctx.tx, person.id)
        except DomainError:
            draft = None
        if draft is not None and draft.kind == key:  # a double tap or an old list: keep it
            await _ask_again(ctx, step, key)
            return
    settings = ctx.services.settings
    found = await svc.begin(
        ctx.tx, ctx.now, ctx.services.policy, person.id, key, settings.proof_dir
    )
    ctx.state.go(FLOW, "date", change=found.id)
    await _ask_date(ctx, found.kind)


async def _ask_again(ctx: Ctx, step: str | None, key: str) -> None:
    """The question of the step the participant is at."""
    if step == "date":
        await _ask_date(ctx, key)
    elif step == "explain":
        ctx.reply("changes/ask_explanation", limit=EXPLANATION_MAX)
    elif step == "document":
        _ask_document(ctx)
    else:
        await _review(ctx)


async def _ask_date(ctx: Ctx, key: str) -> None:
    kind = svc.kind_of(ctx.services.policy, key)
    ctx.reply("changes/ask_date", kind=kind.name(ctx.locale), days=kind.days_per_year)


async def _document(ctx: Ctx) -> None:
    file = ctx.inbound.file
    if file is None:
        return
    if file.data is None and not is_accepted(file.mime):
        raise DomainError("declaration/proof_wrong_type")
    settings = ctx.services.settings
    had = (await svc.current(ctx.tx, ctx.require_person().id)).document is not None
    await svc.add_document(
        ctx.tx,
        ctx.now,
        ctx.require_person().id,
        settings.proof_dir,
        settings.proof_max_bytes,
        file.data,
        file.size,
        file.name,
    )
    ctx.reply("changes/document_received", replaced=had)
    if ctx.state.step in ("document", "review"):
        await _review(ctx)
    elif ctx.state.step == "date":  # a document first: the question still waits
        found = await svc.current(ctx.tx, ctx.require_person().id)
        await _ask_date(ctx, found.kind)
    else:
        ctx.reply("changes/ask_explanation", limit=EXPLANATION_MAX)


async def _review(ctx: Ctx) -> None:
    found = await svc.current(ctx.tx, ctx.require_person().id)
    if not found.complete or found.happens_on is None:
        raise DomainError("changes/no_draft")
    ctx.state.go(FLOW, "review", change=found.id)
    ctx.reply(
        "changes/review",
        kind=svc.kind_name(ctx.services.policy, found.kind, ctx.locale),
        on=found.happens_on.isoformat(),
        explanation=found.explanation,
        doc=(found.document.name or True) if found.document else None,
        buttons=(
            (Button(f"chg:send:{found.id}", "buttons/chg_send"),),
            (Button("chg:restart", "buttons/chg_restart"),),
        ),
    )


async def _send(ctx: Ctx, change_id: int | None) -> None:
    if change_id is None:
        ctx.reply("common/stale_button")
        return
    person = ctx.require_person()
    policy = ctx.services.policy
    receipt = await svc.submit(ctx.tx, ctx.now, policy, person.id, change_id)
    if ctx.state.flow == FLOW:
        ctx.state.clear()
    ctx.reply(
        "changes/already_sent" if receipt.already else "changes/receipt",
        reference=receipt.reference,
        kind=svc.kind_name(policy, receipt.kind, ctx.locale),
        on=receipt.happens_on.isoformat(),
        at=receipt.sent_at,
    )
