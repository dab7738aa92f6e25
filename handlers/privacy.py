"""`/mijngegevens`: a participant receives everything stored about them, with their proof files."""

from __future__ import annotations

from bot.domain.models import Role
from bot.services import personal_data
from handlers.base import Ctx
from handlers.router import Router


def register(router: Router) -> None:
    """Register /mijngegevens."""

    @router.command(
        "mijngegevens", "mydata", roles=[Role.PARTICIPANT], menu_key="menu/mijngegevens"
    )
    async def mijngegevens(ctx: Ctx) -> None:
        """Send the participant their own data as a JSON file, then each proof file."""
        person = ctx.require_person()
        export = await personal_data.export_for_chat(
            ctx.tx, ctx.now, ctx.services.settings.proof_dir, person.id
        )
        ctx.reply(
            "privacy/export_ready",
            document=str(export.path),
            proofs=len(export.proofs),
            missing=export.missing,
        )
        for proof in export.proofs:
            ctx.reply(
                "privacy/export_proof",
                document=str(proof.path),
                name=proof.name,
                period=proof.period,
            )
