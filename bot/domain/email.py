"""E-mail addresses: the one place that decides what a usable address is.

An address is stored trimmed and lowercased, so the same address typed twice is the same person.
Deliberately plain (what municipal mail systems accept, not everything RFC 5322 allows): one
`@`, a local part of letters, digits and `.!#$%&'*+/=?^_`{|}~-` without leading, trailing or
double dots, and a domain of at least two labels of letters, digits and hyphens, ending in a
label of letters. An address that holds a BSN is refused: it would be shown and stored.
"""

from __future__ import annotations

import re

from bot.domain.bsn import mask_bsn
from bot.domain.errors import DomainError

MAX_LENGTH = 254  # RFC 5321's limit on a forward path
_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_TOP = re.compile(r"[a-z]{2,63}")


def normalise_email(text: str) -> str:
    """The address as stored (trimmed, lowercased); DomainError("people/bad_email") when it
    is not a usable address, DomainError("people/email_has_bsn") when it holds a BSN."""
    address = text.strip().lower()
    if mask_bsn(address)[1]:
        raise DomainError("people/email_has_bsn")
    if not is_email(address):
        raise DomainError("people/bad_email", address=address[:MAX_LENGTH])
    return address


def is_email(address: str) -> bool:
    """True for a usable address that is already trimmed and lowercased."""
    if len(address) > MAX_LENGTH or address.count("@") != 1:
        return False
    local, domain = address.split("@")
    if not 0 < len(local) <= 64 or not _LOCAL.fullmatch(local):
        return False
    labels = domain.split(".")
    if len(labels) < 2 or not _TOP.fullmatch(labels[-1]):
        return False
    return all(_LABEL.fullmatch(label) for label in labels)
