"""Retention: purge what is past its term, rows and files (proof files, old export files)."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.policy import Policy
from bot.storage import retention
from bot.storage.unit import Database

log = logging.getLogger(__name__)

# Technical records only needed for a short while: Telegram re-delivers an update for at most a
# day, and wrong invite codes only count for an hour.
PROCESSED_UPDATES_DAYS = 7
INVITE_ATTEMPTS_DAYS = 2
# A /mijngegevens file only has to live until it is sent.
EXPORT_KEEP = timedelta(hours=24)
EXPORTS = "exports"
EXPORT_STAMP = "%Y%m%d-%H%M%S"
# The time in the name (not the file's mtime), so retention follows the clock the app runs on.
_EXPORT_NAME = re.compile(r"mijngegevens-(\d{8}-\d{6})-[0-9a-f]{8}\.json")


@dataclass(frozen=True)
class PurgeReport:
    """How many rows and files a purge deleted (or, in a dry run, would delete)."""

    dry_run: bool
    conversation_states: int = 0
    drafts: int = 0
    draft_proofs: int = 0
    declarations: int = 0
    proofs: int = 0
    weekly_hours: int = 0
    queue_items: int = 0
    audit_entries: int = 0
    processed_updates: int = 0
    invite_attempts: int = 0
    files: int = 0
    exports: int = 0
    # Copies of purged data in rows that stay (or rows past no term of their own).
    outbox_payloads: int = 0  # sent messages about purged data: the text goes, the log stays
    outbox_withheld: int = 0  # unsent messages about purged data: never sent
    queue_details: int = 0  # queue items of a purged month: their figures go
    queue_notes: int = 0  # the notes in those items' history
    audit_details: int = 0  # audit entries that stay: the purged reference and period go
    open_flows: int = 0  # a conversation or draft about a purged month
    changes: int = 0  # changes reported with /wijziging, past the declarations' term
    change_drafts: int = 0  # an unsent /wijziging, untouched for the drafts' term

    def counts(self) -> dict[str, int]:
        """The counts by name, without the dry-run flag."""
        return {k: v for k, v in asdict(self).items() if k != "dry_run"}

    @property
    def total(self) -> int:
        """Everything together."""
        return sum(self.counts().values())


def years_before(now: datetime, years: int) -> datetime:
    """The same moment `years` earlier (29 February becomes 28 February)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def cutoffs(policy: Policy, now: datetime) -> retention.Cutoffs:
    """The moments before which rows are past their term."""
    return retention.Cutoffs(
        drafts=now - timedelta(days=policy.draft_retention_days),
        retention=years_before(now, policy.declarations_retention_years),
        updates=now - timedelta(days=PROCESSED_UPDATES_DAYS),
        attempts=now - timedelta(days=INVITE_ATTEMPTS_DAYS),
        now=now,
    )


async def purge(
    db: Database,
    policy: Policy,
    now: datetime,
    *,
    dry_run: bool = False,
    proof_dir: Path | None = None,
) -> PurgeReport:
    """Delete what is past its retention term; with `dry_run` only count it.

    Drafts and conversation state go after `policy.draft_retention_days` without a change,
    submitted declarations with their proof files, hours, closed queue items and audit entries
    after `policy.declarations_retention_years`. Proof files are deleted from disk after the rows
    are gone. With `proof_dir`, relative proof paths resolve there and old export files go too.

    Copies go with what they copy: the payload of outbox messages about a purged month or queue
    item (an unsent one is never sent), the figures and notes of queue items of a purged month,
    the purged reference and period in audit entries that stay, a conversation or draft about a
    purged month, and a /mijngegevens file holding a purged declaration.
    """
    cut = cutoffs(policy, now)
    if dry_run:
        async with db.read() as tx:
            doomed = await retention.collect_expired(tx, cut)
        paths = [resolve_proof_path(p, proof_dir) for p in doomed.paths]
        files = await asyncio.to_thread(_existing, paths)
        exports = len(await asyncio.to_thread(_exports, proof_dir, now, doomed.references))
        return PurgeReport(True, **doomed.counts, files=files, exports=exports)
    async with db.transaction() as tx:
        doomed = await retention.collect_expired(tx, cut)
        await retention.delete_expired(tx, cut, doomed)
    # Files go after the commit: a crash in between leaves a stray file, never a dangling row.
    paths = [resolve_proof_path(p, proof_dir) for p in doomed.paths]
    files = await asyncio.to_thread(unlink_all, paths)
    exports = await asyncio.to_thread(
        lambda: unlink_all(_exports(proof_dir, now, doomed.references))
    )
    report = PurgeReport(False, **doomed.counts, files=files, exports=exports)
    log.info("purge deleted %s", report.counts())
    return report


def resolve_proof_path(path: str, proof_dir: Path | None) -> Path:
    """A stored proof path on disk: a relative one lies in `proof_dir`."""
    candidate = Path(path)
    if candidate.is_absolute() or proof_dir is None or candidate.is_relative_to(proof_dir):
        return candidate
    return proof_dir / candidate


def old_exports(proof_dir: Path | None, now: datetime) -> list[Path]:
    """The /mijngegevens files older than EXPORT_KEEP (by the time in their name)."""
    if proof_dir is None:
        return []
    folder = proof_dir / EXPORTS
    if not folder.is_dir():
        return []
    limit = now - EXPORT_KEEP
    old = []
    for path in folder.iterdir():
        match = _EXPORT_NAME.fullmatch(path.name)
        if match is None or not path.is_file():
            continue
        made = datetime.strptime(match.group(1), EXPORT_STAMP).replace(tzinfo=UTC)
        if made < limit:
            old.append(path)
    return old


def _exports(proof_dir: Path | None, now: datetime, references: tuple[str, ...]) -> list[Path]:
    """The export files that go: the old ones, and any holding a purged declaration."""
    old = old_exports(proof_dir, now)
    if proof_dir is None or not references or not (proof_dir / EXPORTS).is_dir():
        return old
    needles = [r.encode() for r in references]
    for path in (proof_dir / EXPORTS).iterdir():
        if path in old or not _EXPORT_NAME.fullmatch(path.name) or not path.is_file():
            continue
        try:
            content = path.read_bytes()
        except OSError:
            continue
        if any(n in content for n in needles):
            old.append(path)
    return old


def _existing(paths: list[Path]) -> int:
    return sum(1 for p in paths if p.is_file())


def unlink_all(paths: list[Path]) -> int:
    """Delete these files; returns how many were deleted (missing ones are skipped)."""
    removed = 0
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError:
            log.warning("could not delete a file past its retention term", exc_info=True)
            continue
        removed += 1
    return removed
