"""What handlers, jobs and channels share for the life of the process.

Kept apart from the composition root (bot/app.py) so that handlers, the dispatcher and the
scheduler can name it without importing the code that wires them together.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.domain.policy import Policy
from bot.services.receipts import ReceiptReader
from bot.storage.unit import Database


@dataclass
class Services:
    """Settings, policy, the database and the clock: the process-wide dependencies."""

    settings: Settings
    policy: Policy
    db: Database
    clock: Clock
    receipts: ReceiptReader | None = None  # None: Tesseract is not installed (reader off)
