"""Commands every role has: /hulp, /taal, /stop, /privacy."""

from __future__ import annotations

from bot.contract import Button
from bot.domain.models import LOCALES, Role
from bot.storage import people
from handlers.base import Ctx
from handlers.router import Router


def register(router: Router) -> None:
    """Register the common commands."""

    @router.command("hulp", "help", public=True, menu_key="menu/hulp")
    async def hulp(ctx: Ctx) -> None:
        """Explain what this person can do here, keeping their place in a flow."""
        commands = [
            {"name": c.name, "description_key": c.menu_key}
            for c in router.menu(ctx.role)
            if c.menu_key and not (ctx.person and c.name == "start")  # linked already
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
        """Switch the language, or offer the choice."""
        wanted = ctx.inbound.args.strip().lower()[:8]
        if wanted:
            await _set_language(ctx, wanted)
            return
        ctx.reply(
            "common/taal_choose",
            buttons=(tuple(Button(f"taal:{code}", f"buttons/lang_{code}") for code in LOCALES),),
        )

    @router.callback("taal")
    async def taal_button(ctx: Ctx) -> None:
        """Set the language chosen with a button."""
        await _set_language(ctx, (ctx.inbound.button or "").partition(":")[2])

    @router.command("stop", "annuleer", menu_key="menu/stop")
    async def stop(ctx: Ctx) -> None:
        """Leave the current flow; a declaration draft is kept for later."""
        if ctx.state.flow is None:
            ctx.reply("common/nothing_to_stop")
            return
        keeps_draft = ctx.state.flow == "declaration"
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


async def _set_language(ctx: Ctx, wanted: str) -> None:
    if wanted not in LOCALES:
        ctx.reply("common/taal_unknown", wanted=wanted, choices=list(LOCALES))
        return
    person = ctx.require_person()
    await people.set_locale(ctx.tx, person.id, wanted)
    ctx.locale = wanted
    ctx.reply("common/taal_set")
