"""/inbox: a one-time login link to the web inbox, for klantmanagers, coaches and admins."""

from __future__ import annotations

from bot.domain.models import Role
from bot.domain.web_links import LINK_TTL, login_url
from bot.services import web_login
from handlers.base import Ctx
from handlers.router import Router


def register(router: Router) -> None:
    """Register /inbox."""

    @router.command(
        "inbox",
        roles=[Role.KLANTMANAGER, Role.ADMIN, Role.COACH],
        menu_key="menu/inbox",
    )
    async def inbox(ctx: Ctx) -> None:
        """Send a login link that works once, for 15 minutes."""
        settings = ctx.services.settings
        if not settings.web:
            ctx.reply("common/inbox_off")
            return
        token = await web_login.create_link(ctx.tx, ctx.now, ctx.require_person(), via="chat")
        minutes = int(LINK_TTL.total_seconds() // 60)
        ctx.reply(
            "common/inbox_link", url=login_url(settings.web_base_url, token), minutes=minutes
        )
