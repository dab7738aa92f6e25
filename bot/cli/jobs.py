"""Subcommands of the `jobs` feature (filled in by its issue)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add this feature's subcommands to `sub` (argparse subparsers)."""
    _ = argparse
