"""Remembering recent query results so a repeated question costs no API call.

Conversations re-ask ("and by browser?" re-runs the base query) and workflows
share sub-queries; PostHog's data moves slowly enough that a few minutes'
staleness is fine. Keys ignore layout whitespace but never whitespace inside
string literals, which changes what a query means.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from typing import Any

from ...errors import BackendError
from ...lru import TTLCache as TTLCache  # where the client and its tests have always found it

# a quoted literal or identifier (with '' / \' escapes), or a run of whitespace
_TOKENS = re.compile(r"""('(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`)|(\s+)""", re.DOTALL)


def normalize_query(query: str) -> str:
    """``query`` with layout whitespace collapsed to single spaces, literals untouched."""

    def one(match: re.Match[str]) -> str:
        return match.group(1) if match.group(1) is not None else " "

    return _TOKENS.sub(one, query).strip()


def query_hash(query: str) -> str:
    """A short stable name for a query, for logs (never the text, which may hold customer values)."""
    return hashlib.sha256(normalize_query(query).encode("utf-8")).hexdigest()[:10]


def jsonable(value: Any) -> Any:
    """``value`` as JSON PostHog accepts: dates as ISO strings, tuples and sets as lists.

    Anything else (an object, a Decimal) is refused here with its type named,
    rather than failing later inside the HTTP library.
    """
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(jsonable(v) for v in value)
    raise BackendError(f"a query value of type {type(value).__name__} cannot be sent to PostHog: {value!r:.80}")


def result_key(project_id: str, query: str, values: dict[str, Any] | None) -> str:
    payload = json.dumps(jsonable(values or {}), sort_keys=True, default=str)
    return f"{project_id}\x00{normalize_query(query)}\x00{payload}"
