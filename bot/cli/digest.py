"""`ptobot digest`: one klantmanager's weekly digest, or every klantmanager's into a folder.

With `--klantmanager NAME` (matched like `/deelnemer`, `bot.services.names`) the digest goes to
stdout or `--out FILE`, as before. Without it, `--out DIR` gets one page per klantmanager (in
that klantmanager's language) and an index (`index.html` or `index.txt`, in `--lang`). Every
file is private (0600, the folder 0700 when made) and every page is audited like a single
digest: one `cli.digest` entry with the participants' ids and the file.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

from bot.app import open_app
from bot.channels.base import html_to_text
from bot.cli.output import audit, open_private
from bot.config import Settings
from bot.domain.errors import DomainError
from bot.domain.languages import STAFF_LOCALES
from bot.domain.models import Person, Role
from bot.domain.weeks import week_monday
from bot.services import access, digest, names
from bot.storage import people
from messages import render
from messages.digest import render_chat_parts, render_html

INDEX = "index"


def register(sub: Any) -> None:
    """Add the digest subcommand to `sub` (argparse subparsers)."""
    p = sub.add_parser(
        "digest",
        help="render a klantmanager's weekly digest, or every klantmanager's into --out DIR",
    )
    p.add_argument(
        "--klantmanager",
        metavar="NAME",
        help="one klantmanager (a unique first name or start of the name is enough); "
        "without it: one page per klantmanager and an index into --out DIR",
    )
    p.add_argument("--week", type=_week, metavar="YYYY-Www")
    p.add_argument("--format", choices=("html", "text"), default="text")
    p.add_argument("--out", type=Path, metavar="FILE|DIR")
    p.add_argument(
        "--lang",
        choices=STAFF_LOCALES,
        default="nl",
        help="language of the index (all klantmanagers)",
    )
    p.set_defaults(func=cmd_digest)


def _week(text: str) -> str:
    try:
        week_monday(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO week (YYYY-Www): {text!r}") from None
    return text


def _page(figures: dict[str, Any], locale: str, form: str) -> str:
    if form == "html":
        return render_html(figures, locale)
    parts = render_chat_parts(figures, locale)
    return "\n\n".join(html_to_text(part) for part in parts) + "\n"


def _fail(exc: DomainError) -> int:
    print(f"ptobot digest: {render(exc.key, 'en', **exc.context)}", file=sys.stderr)
    return 1


def _write(text: str, out: Path) -> bool:
    try:
        with open_private(out) as handle:
            handle.write(text)
    except OSError as exc:
        print(f"ptobot digest: cannot write {out}: {exc.strerror}", file=sys.stderr)
        return False
    return True


async def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    """Render the digest of one klantmanager, or of each into a folder (see the module text)."""
    if args.klantmanager is None:
        if args.out is None:
            print(
                "ptobot digest: give --klantmanager NAME, or --out DIR for one page per "
                "klantmanager and an index",
                file=sys.stderr,
            )
            return 2
        return await _every_klantmanager(args, settings)
    async with open_app(settings) as app:
        services = app.services
        window = digest.window_for(services.policy, services.clock.now(), args.week)
        try:
            async with services.db.read() as tx:
                person = await names.person_named(
                    tx, args.klantmanager, Role.KLANTMANAGER, unknown="queue/cli_not_klantmanager"
                )
                figures = await digest.build_digest(tx, services.policy, person, window)
                seen = await access.visible_participants(tx, person, window.as_of)
        except DomainError as exc:
            return _fail(exc)
        await audit(
            services.db,
            services.clock.now(),
            "digest",
            participants=[pid for pid, _, _ in seen],
            out=args.out,
            klantmanager_id=person.id,
            week=window.week,
            format=args.format,
        )
    text = _page(figures, person.locale, args.format)
    if args.out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return 0
    if not _write(text, args.out):
        return 1
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def file_names(klantmanagers: list[Person], suffix: str) -> dict[int, str]:
    """A file name per klantmanager: the name in plain lowercase letters, unique, never the
    index's (`kim-klantmanager.html`; `kim-klantmanager-12.html` when two would share one)."""
    taken = {f"{INDEX}{suffix}"}
    found: dict[int, str] = {}
    for person in klantmanagers:
        plain = unicodedata.normalize("NFKD", person.name).encode("ascii", "ignore").decode()
        stem = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60] or "klantmanager"
        name = f"{stem}{suffix}"
        if name in taken:
            name = f"{stem}-{person.id}{suffix}"
        taken.add(name)
        found[person.id] = name
    return found


def _make_folder(folder: Path) -> bool:
    """The folder exists (made 0700 when new); False, said on stderr, when it cannot be."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:  # a file in the way, or no permission
        print(f"ptobot digest: cannot use {folder} as a folder: {exc.strerror}", file=sys.stderr)
        return False
    return True


async def _every_klantmanager(args: argparse.Namespace, settings: Settings) -> int:
    folder: Path = args.out
    if not _make_folder(folder):
        return 1
    suffix = ".html" if args.format == "html" else ".txt"
    async with open_app(settings) as app:
        services = app.services
        window = digest.window_for(services.policy, services.clock.now(), args.week)
        pages = []
        async with services.db.read() as tx:
            klantmanagers = [
                Person(e.id, e.name, e.role, e.locale)
                for e in await people.directory(tx)
                if e.role == Role.KLANTMANAGER
            ]
            files = file_names(klantmanagers, suffix)
            for person in klantmanagers:
                figures = await digest.build_digest(tx, services.policy, person, window)
                seen = await access.visible_participants(tx, person, window.as_of)
                pages.append((person, figures, [pid for pid, _, _ in seen]))
        for person, _, seen_ids in pages:
            await audit(
                services.db,
                services.clock.now(),
                "digest",
                participants=seen_ids,
                out=folder / files[person.id],
                klantmanager_id=person.id,
                week=window.week,
                format=args.format,
            )
    for person, figures, _ in pages:
        if not _write(_page(figures, person.locale, args.format), folder / files[person.id]):
            return 1
    index = {
        "week": window.week,
        "day": window.day.isoformat(),
        "pages": [
            {
                "klantmanager": person.name,
                "file": files[person.id],
                "participants": len(figures["rows"]),
                "exceptions": figures["exception_count"],
            }
            for person, figures, _ in pages
        ],
    }
    if args.format == "html":
        text = render("queue/cli_digest_index", args.lang, **index) + "\n"
    else:
        text = html_to_text(render("queue/cli_digest_index_text", args.lang, **index)) + "\n"
    if not _write(text, folder / f"{INDEX}{suffix}"):
        return 1
    print(f"wrote {len(pages)} page(s) and {INDEX}{suffix} to {folder}", file=sys.stderr)
    return 0
