"""`/kanaal`: which chat the bot's own messages go to, for a person on Telegram and WhatsApp.

Without a choice they go to the chat the person wrote on last; the choice holds until changed."""

from __future__ import annotations

from bot.contract import Button
from bot.storage import chat_channels
from handlers.base import Ctx
from handlers.router import Router

AUTO = "auto"
NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp"}
_TYPED = {
    "telegram": "telegram",
    "whatsapp": "whatsapp",
    "auto": AUTO,
    "automatisch": AUTO,
    "laatst": AUTO,
    "last": AUTO,
}


def register(router: Router) -> None:
    """Register /kanaal."""

    @router.command("kanaal", "channel", menu_key="menu/kanaal")
    async def kanaal(ctx: Ctx) -> None:
        """Set the channel typed after the command, or offer the choice."""
        wanted = ctx.inbound.args.strip().lower()[:20]
        if wanted:
            await _choose(ctx, _TYPED.get(wanted, wanted))
            return
        if ctx.person is None:
            return
        own = await chat_channels.channels_of(ctx.tx, ctx.person.id)
        chosen = await chat_channels.preferred(ctx.tx, ctx.person.id)
        buttons = [Button(f"kanaal:{c}", text=NAMES.get(c, c)) for c in own]
        buttons.append(Button(f"kanaal:{AUTO}", "buttons/kanaal_auto"))
        ctx.reply(
            "common/kanaal_choose",
            chosen=NAMES.get(chosen or "", ""),
            buttons=(tuple(buttons),),
        )

    @router.callback("kanaal")
    async def kanaal_button(ctx: Ctx) -> None:
        """Set the channel chosen with a button."""
        await _choose(ctx, (ctx.inbound.button or "").partition(":")[2])


async def _choose(ctx: Ctx, wanted: str) -> None:
    if ctx.person is None:
        return
    own = await chat_channels.channels_of(ctx.tx, ctx.person.id)
    if wanted == AUTO:
        await chat_channels.set_preferred(ctx.tx, ctx.person.id, None)
        ctx.reply("common/kanaal_set", channel="")
        return
    if wanted not in own:
        ctx.reply("common/kanaal_unknown", choices=[NAMES.get(c, c) for c in own])
        return
    await chat_channels.set_preferred(ctx.tx, ctx.person.id, wanted)
    ctx.reply("common/kanaal_set", channel=NAMES.get(wanted, wanted))
