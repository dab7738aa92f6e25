"""`/start <code>`: bind a chat to the person an invite was made for."""

from __future__ import annotations

from dataclasses import replace

from bot.services import onboarding
from handlers.base import Ctx
from handlers.router import Router


def register(router: Router) -> None:
    """Register /start."""

    @router.command("start", public=True, menu_key="menu/start")
    async def start(ctx: Ctx) -> None:
        """Redeem an invite code, or greet someone we already know."""
        code = ctx.inbound.args.strip().split(maxsplit=1)[0] if ctx.inbound.args.strip() else ""
        if not code:
            if ctx.person is None:
                ctx.reply("onboarding/need_invite")
            else:
                ctx.reply(
                    "onboarding/welcome_back", name=ctx.person.name, role=ctx.person.role.value
                )
            return
        if len(code) > 64:
            ctx.reply("onboarding/code_unknown")
            return
        person = await onboarding.redeem(
            ctx.tx,
            ctx.now,
            ctx.inbound.channel,
            ctx.inbound.address,
            code,
            client_language=ctx.inbound.client_language,
        )
        ctx.person = person
        ctx.locale = person.locale
        ctx.state = replace(ctx.state, changed=False)
        ctx.reply("onboarding/welcome", name=person.name, role=person.role.value)
