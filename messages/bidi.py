"""Right to left in Telegram HTML: Latin names, amounts, dates and references in isolates.

Telegram picks a paragraph's direction from its first strong character (Unicode's bidi
algorithm, UAX #9), so an Arabic message starts with Arabic text. Inside it, a left-to-right
stretch such as "€ 1.250,50", "Kim de Vries" or "PTO-2026-11-0042" is wrapped in FIRST STRONG
ISOLATE U+2068 … POP DIRECTIONAL ISOLATE U+2069, so that its digits, spaces and punctuation keep
their order instead of being reordered with the Arabic around it.

A *run* is a maximal stretch of text that starts and ends with an anchor, and holds in between
only anchors, spaces and the punctuation of names, amounts, dates, references, commands, URLs
and e-mail addresses:

- anchors: a letter of a left-to-right script (any letter outside the right-to-left blocks, so
  Dutch and Turkish letters with their diacritics and combining marks), a digit 0-9, or one of
  € $ £ # @ / % ; a minus or plus sign directly before a digit or currency sign is part of the run
  ("-€1.250,50"), and a run needs at least one letter or digit ("/" or "#" alone is not one);
- in between: spaces (also U+00A0, U+2009, U+202F), . , : ; - – / ' ’ ( ) _ + % ? = ~ and the
  entities &amp; &#39; &#x27; &apos; (an entity is never split; &quot; &lt; &gt; end a run).

Because a run ends on an anchor, punctuation after it stays outside: the full stop in
"… 2026." and the Arabic comma in "/opgave،" belong to the Arabic sentence around the isolate,
where the reader expects them. A closing bracket is taken in only when the run opened one
("Kim (coach)"). Runs never cross a newline (UAX #9 closes isolates at a paragraph's end) nor a
tag: "<b>€ 12,50</b>" becomes "<b>\u2068€ 12,50\u2069</b>", and "<b>Kim</b> de Vries" becomes two
isolates (keep a name inside one tag or none). Tags and their attributes are never touched.

`<code>` and `<pre>` are copied by a tap in Telegram, so nothing is inserted into them: such an
element with a run is isolated as a whole from outside ("\u2068<code>PTO-1</code>\u2069"), and one
spanning lines (a code block is its own paragraph) is left as it is.

Text already in an isolate (U+2066, U+2067 or U+2068 up to its U+2069) is left alone, so
`isolate_ltr` applied twice is applied once.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata

FSI = "\u2068"  # FIRST STRONG ISOLATE
PDI = "\u2069"  # POP DIRECTIONAL ISOLATE
_INITIATORS = "\u2066\u2067\u2068"  # LRI, RLI, FSI

RTL_LOCALES = frozenset({"ar"})

# A letter (\w without digits and _) outside the right-to-left blocks: Hebrew, Arabic, Syriac,
# Thaana, N'Ko, Samaritan, Mandaic and their presentation forms and supplementary blocks.
_LETTER = (
    r"[^\W\d_\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
_MARK = r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_ANCHOR = rf"(?:{_LETTER}|[0-9€$£#@/%]){_MARK}*"
_INSIDE = r"(?:[ \t\xa0\u2009\u202f.,:;\-–/'’()_+%?=~]|&amp;|&#39;|&#x27;|&apos;)"
_SIGN = r"(?:[-\u2212+](?=[0-9€$£]))"
_ENTITY = r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"

# In text without tags, isolate marks or newlines: an entity (skipped whole) or a run.
_PIECE = re.compile(
    rf"(?P<entity>{_ENTITY})|(?P<run>{_SIGN}?{_ANCHOR}(?:(?:{_INSIDE}|{_ANCHOR})*{_ANCHOR})?)"
)
_CORE = re.compile(rf"{_LETTER}|[0-9]")
_TAG = r"""</?[A-Za-z][^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*>"""
_STRUCTURE = re.compile(rf"(?P<tag>{_TAG})|(?P<mark>[\u2066-\u2069\n])")
_TAGS = re.compile(_TAG)
_VERBATIM = re.compile(r"<(code|pre)\b", re.IGNORECASE)
_ENTITIES = re.compile(_ENTITY)


def is_rtl(locale: str) -> bool:
    """Whether `locale` is written right to left."""
    return locale in RTL_LOCALES


def html_dir(locale: str) -> str:
    """The `dir` attribute of an HTML page in `locale`: "rtl" or "ltr"."""
    return "rtl" if locale in RTL_LOCALES else "ltr"


def isolate_ltr(html: str) -> str:
    """`html` with every left-to-right run in its text between U+2068 and U+2069 (see above)."""
    return _walk(html, [])


def unisolated_ltr_runs(html: str) -> list[str]:
    """The left-to-right runs in the text of `html` that are not inside an isolate, as written
    (entities and all): the runs `isolate_ltr` would wrap."""
    runs: list[str] = []
    _walk(html, runs)
    return runs


def first_strong(html: str) -> str | None:
    """The bidi class ("L", "R" or "AL") of the first strong character of `html`'s text, tags,
    entities' spelling and isolated text left out; None when there is none."""
    text = _html.unescape(_TAGS.sub("", html))
    depth = 0
    for char in text:
        if char == "\n":
            depth = 0
        elif char in _INITIATORS:
            depth += 1
        elif char == PDI:
            depth = max(0, depth - 1)
        elif not depth:
            kind = unicodedata.bidirectional(char)
            if kind in ("L", "R", "AL"):
                return kind
    return None


def _walk(html: str, runs: list[str]) -> str:
    """`html` with its unisolated runs isolated; those runs are appended to `runs`."""
    out: list[str] = []
    depth = 0  # isolates open here; a newline closes them all
    pos = 0
    while True:
        found = _STRUCTURE.search(html, pos)
        end = len(html) if found is None else found.start()
        if pos < end:
            text = html[pos:end]
            out.append(_text(text, runs) if not depth else text)
        if found is None:
            return "".join(out)
        piece = found.group()
        pos = found.end()
        if found.lastgroup == "mark":
            if piece == "\n":
                depth = 0
            elif piece == PDI:
                depth = max(0, depth - 1)
            else:
                depth += 1
        elif not depth and (verbatim := _VERBATIM.match(piece)):
            close = re.compile(rf"</{verbatim.group(1)}\s*>", re.IGNORECASE).search(html, pos)
            if close is not None:
                element = html[found.start() : close.end()]
                pos = close.end()
                inner = _TAGS.sub("", html[found.end() : close.start()])
                if "\n" not in inner and _runs(inner):
                    runs.extend(_runs(inner))
                    element = FSI + element + PDI
                out.append(element)
                continue
        out.append(piece)


def _runs(text: str) -> list[str]:
    found: list[str] = []
    _text(text, found)
    return found


def _text(text: str, runs: list[str]) -> str:
    """Plain text (no tags, isolate marks or newlines) with its runs isolated."""
    out: list[str] = []
    pos = 0
    for piece in _PIECE.finditer(text):
        run = piece.group("run")
        if run is None or not _CORE.search(_ENTITIES.sub("", run)):
            continue
        start, end = piece.span()
        missing = run.count("(") - run.count(")")
        while missing > 0 and text.startswith(")", end):
            end += 1
            missing -= 1
        run = text[start:end]
        out.append(text[pos:start])
        cut = _first_unmatched(run)
        if cut is not None:
            # "week 45 (2–8 نوفمبر)", "(klantmanager) Kim": a bracket whose partner lies outside
            # the run stays outside it (a bracket pair split by an isolate is mirrored apart).
            head = run[:cut].rstrip(" \t\xa0\u2009\u202f")
            if _CORE.search(head):
                runs.append(head)
                out.append(FSI + head + PDI)
            else:
                out.append(head)
            out.append(run[len(head) : cut + 1])
            out.append(_text(run[cut + 1 :], runs))
        else:
            runs.append(run)
            out.append(FSI + run + PDI)
        pos = end
    if not pos:
        return text
    out.append(text[pos:])
    return "".join(out)


def _first_unmatched(run: str) -> int | None:
    """The index of the first bracket in `run` whose partner is not in it, if any."""
    open_at: list[int] = []
    for index, char in enumerate(run):
        if char == "(":
            open_at.append(index)
        elif char == ")":
            if not open_at:
                return index
            open_at.pop()
    return open_at[0] if open_at else None
