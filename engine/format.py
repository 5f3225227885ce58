"""How numbers are written for people: one function for the interpretations, the CLI and the reports."""

from __future__ import annotations

import math
from typing import Any


def fmt(value: Any) -> str:
    """Numbers the way people write them: 12,345 / 3.4 / 0.25; anything else as text (None as "–")."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        if float(value).is_integer():
            return f"{int(value):,}"
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)
