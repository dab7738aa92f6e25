"""Commands every role has: /hulp, /taal, /stop, /privacy."""

from __future__ import annotations

from bot.contract import Button, State
from bot.domain.languages import language_of
from bot.domain.models import LOCALES, Role
from bot.storage import people
from handlers import channel_choice
from handlers.base import Ctx
from handlers.router import Router

TAAL_FLOW = "taal"


def register(router: Router) -> None:
    """Register the common commands."""

    @router.command("hulp", "help", public=True, menu_key="menu/hulp")
    async def hulp(ctx: Ctx) -> None:
        """Explain what this person can do here, keeping their place in a flow."""
        hidden = {"start"} if ctx.person else set()  # linked already
        if not await channel_choice.has_choice(ctx):
            hidden.add("kanaal")  # one chat app: nothing to choose
        commands = [
            {"name": c.name, "description_key": c.menu_key}
            for c in router.menu(ctx.role)
            if c.menu_key and c.name not in hidden
        ]
        ctx.reply(
            "common/help",
            name=ctx.person.name if ctx.person else None,
            role=ctx.role.value if ctx.role else None,
            commands=commands,
            in_flow=ctx.state.flow,
        )

    @router.command("taal", "language", menu_key="menu/taal")
    async def taal(ctx: Ctx) -> None:
        """Switch the language, or offer the choice (buttons, or a typed name or code)."""
        wanted = ctx.inbound.args.strip()[:20]
        if wanted:
            await _set_language(ctx, wanted)
            return
        if ctx.state.flow != TAAL_FLOW:  # remember where the person was, to return there
            back = {"flow": ctx.state.flow, "step": ctx.state.step, "data": ctx.state.data}
            ctx.state.go(TAAL_FLOW, "choose", back=back if ctx.state.flow else None)
        ctx.reply(
            "common/taal_choose",
            buttons=(tuple(Button(f"taal:{code}", f"buttons/lang_{code}") for code in LOCALES),),
        )

    @router.callback("taal")
    async def taal_button(ctx: Ctx) -> None:
        """Set the language chosen with a button."""
        await _set_language(ctx, (ctx.inbound.button or "").partition(":")[2])

    @router.flow(TAAL_FLOW)
    async def taal_typed(ctx: Ctx) -> None:
        """A language typed at the language question: 'en', 'English', 'Nederlands', 'Türkçe',
        'العربية' (bot.domain.languages)."""
        if language_of(ctx.inbound.text) is not None:
            await _set_language(ctx, ctx.inbound.text[:20])
            return
        previous = ctx.state.data.get("back")
        if not isinstance(previous, dict) or not previous.get("flow"):
            ctx.reply("common/taal_unknown", wanted=ctx.inbound.text[:20], choices=list(LOCALES))
            return
        _leave_question(ctx.state)  # not a language: an answer to the question before
        flow = router.flows.get(ctx.state.flow or "")
        if flow is not None:
            await flow(ctx)

    @router.command("stop", "annuleer", menu_key="menu/stop")
    async def stop(ctx: Ctx) -> None:
        """Leave the current flow; a declaration draft is kept for later."""
        if ctx.state.flow is None:
            ctx.reply("common/nothing_to_stop")
            return
        back = ctx.state.data.get("back") if ctx.state.flow == TAAL_FLOW else None
        was = back.get("flow") if isinstance(back, dict) else ctx.state.flow
        keeps_draft = was == "declaration"
        ctx.state.clear()
        ctx.reply("common/stopped", keeps_draft=keeps_draft)

    @router.command("privacy", public=True, menu_key="menu/privacy")
    async def privacy(ctx: Ctx) -> None:
        """Say what is stored, who sees it and for how long."""
        ctx.reply(
            "common/privacy",
            drafts_days=ctx.services.policy.draft_retention_days,
            years=ctx.services.policy.declarations_retention_years,
            is_participant=ctx.role == Role.PARTICIPANT,
        )


def _leave_question(state: State) -> None:
    """Leave the language question: back to the flow the person was in, if any."""
    if state.flow != TAAL_FLOW:
        return
    previous = state.data.get("back")
    if isinstance(previous, dict) and previous.get("flow"):
        state.flow, state.step = previous["flow"], previous.get("step")
        state.data = dict(previous.get("data") or {})
        state.touch()
    else:
        state.clear()


async def _set_language(ctx: Ctx, typed: str) -> None:
    wanted = language_of(typed)
    if wanted is None:
        ctx.reply("common/taal_unknown", wanted=typed.strip()[:20], choices=list(LOCALES))
        return
    person = ctx.require_person()
    await people.set_locale(ctx.tx, person.id, wanted)
    _leave_question(ctx.state)
    ctx.locale = wanted
    ctx.reply("common/taal_set")
