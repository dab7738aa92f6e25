"""Sample contexts per message key, one module per feature, for the render-every-key tests."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any


def merged() -> dict[str, dict[str, Any]]:
    """Every feature's samples in one mapping: message key → context."""
    found: dict[str, dict[str, Any]] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.update(getattr(module, "SAMPLES", {}))
    return found
