"""How values are written for people: ``fmt`` for a figure in a sentence, ``cell`` for a table cell.

One module for the interpretations, the CLI tables and the workflow reports, so a missing value reads the
same everywhere: "–".
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

MISSING = "–"
"""A missing value (None, NaN) wherever it is shown to a person."""


def fmt(value: Any) -> str:
    """Numbers the way people write them: 12,345 / 3.4 / 0.25; anything else as text (None as "–")."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        if float(value).is_integer():
            return f"{int(value):,}"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def cell(value: Any) -> str:
    """A value in a text or Markdown table: four significant digits, thousands separated, dates without a
    midnight time, a path's steps joined by arrows, a missing value as "–"."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return MISSING
        if not math.isfinite(value):
            return str(value)
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return " → ".join(cell(v) for v in value)
    return str(value)


def pct(value: float | None, digits: int = 0) -> str:
    """A rate as a percentage with ``digits`` decimals (``0.613`` → ``61%``)."""
    return MISSING if value is None else f"{value * 100:.{digits}f}%"


def signed_pct(value: float | None, digits: int = 0) -> str:
    """A change as a signed percentage (``0.05`` → ``+5%``)."""
    return MISSING if value is None else f"{value * 100:+.{digits}f}%"
