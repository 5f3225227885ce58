"""Reading PostHog's answers: every field is checked against the shape PostHog documents before use.

A proxy, an old PostHog version or a fault can send a body that is JSON but not the shape of
``../shared/spec/posthog-query-schema.json`` (``columns`` a string, ``query_status`` a string, a list
where an object belongs, a cell nested thousands deep, a definition without a name). Reading such a
body blindly ends in ``TypeError``, ``AttributeError`` or ``RecursionError`` far from the cause; here
each one becomes a ``MalformedResponse`` that names the endpoint and the field that was wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ...errors import MalformedResponse
from ..base import Table

MAX_DEPTH = 64
"""Deepest nesting read from a body. Results are rows of cells (arrays and tuples a few levels deep); a
deeper value is refused before anything (formatting, JSON output) recurses through it."""


# --- reading the body ---------------------------------------------------------------------------


def decode(content: bytes, *, status: int, where: str) -> Any:
    """The JSON in ``content``; a ``MalformedResponse`` when it is not JSON or nested past Python's stack."""
    try:
        return json.loads(content)
    except RecursionError:
        raise MalformedResponse(f"PostHog's answer to {where} is nested too deeply to read", status=status) from None
    except ValueError:  # includes UnicodeDecodeError
        raise MalformedResponse(
            f"PostHog answered {status} on {where} with a body that is not JSON", status=status
        ) from None


# --- field checks -------------------------------------------------------------------------------


def kind(value: object) -> str:
    """What a JSON value is, as a message says it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def malformed(where: str, field: str, value: object, expected: str) -> MalformedResponse:
    return MalformedResponse(f"PostHog's answer to {where} is malformed: {field} is {kind(value)}, expected {expected}")


def need_object(value: object, where: str, field: str = "the body") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise malformed(where, field, value, "an object")
    return value


def need_list(value: object, where: str, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise malformed(where, field, value, "a list")
    return value


def optional_list(value: object, where: str, field: str) -> list[Any]:
    """A list, with a missing or null field read as empty."""
    return [] if value is None else need_list(value, where, field)


def need_str(value: object, where: str, field: str) -> str:
    if not isinstance(value, str):
        raise malformed(where, field, value, "a string")
    return value


def optional_str(value: object, where: str, field: str) -> str | None:
    return None if value is None else need_str(value, where, field)


def variant_keys(value: object, where: str, field: str) -> list[str]:
    """The non-empty ``key`` of each object in the list at ``field`` (a flag's or an experiment's variants)."""
    keys = []
    for n, variant in enumerate(optional_list(value, where, field)):
        label = f"{field}[{n}]"
        key = optional_str(need_object(variant, where, label).get("key"), where, f"{label}.key")
        if key:
            keys.append(key)
    return keys


def optional_int(value: object, where: str, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise malformed(where, field, value, "an integer")
    return value


def optional_bool(value: object, where: str, field: str) -> bool | None:
    if value is None:
        return None
    if not isinstance(value, bool):
        raise malformed(where, field, value, "a boolean")
    return value


def check_depth(value: object, where: str, field: str, limit: int = MAX_DEPTH) -> None:
    """Refuse a value nested deeper than ``limit`` (walked with a stack of its own, never by recursion)."""
    if not isinstance(value, (list, dict)):
        return
    stack: list[tuple[list[Any] | dict[str, Any], int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise MalformedResponse(
                f"PostHog's answer to {where} is malformed: {field} is nested more than {limit} levels deep"
            )
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (list, dict)))


# --- query answers ------------------------------------------------------------------------------


def table_from_response(data: object, *, query_ms: float | None = None, where: str = "the query") -> Table:
    """A ``Table`` from a HogQLQueryResponse (``types`` are ``[name, type]`` pairs or bare type names)."""
    body = need_object(data, where)
    rows_in = need_list(body.get("results"), where, "results")
    columns = [
        _column_name(c, where, f"columns[{i}]")
        for i, c in enumerate(optional_list(body.get("columns"), where, "columns"))
    ]
    types: list[str] = []
    for i, t in enumerate(optional_list(body.get("types"), where, "types")):
        if isinstance(t, list) and len(t) == 2:
            name, type_name = _column_name(t[0], where, f"types[{i}][0]"), _column_name(t[1], where, f"types[{i}][1]")
            if len(columns) <= i:
                columns.append(name)
            types.append(type_name)
        else:
            types.append(_column_name(t, where, f"types[{i}]"))
    types.extend("Unknown" for _ in range(len(columns) - len(types)))
    rows = []
    for i, row in enumerate(rows_in):
        cells = need_list(row, where, f"results[{i}]")
        if columns and len(cells) != len(columns):
            raise MalformedResponse(
                f"PostHog's answer to {where} is malformed: results[{i}] has {len(cells)} "
                f"values for {len(columns)} columns"
            )
        check_depth(cells, where, f"results[{i}]")
        rows.append(tuple(cells))
    has_more = optional_bool(body.get("hasMore"), where, "hasMore")
    return Table(tuple(columns), tuple(types[: len(columns)]), tuple(rows), bool(has_more), query_ms)


def _column_name(value: object, where: str, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise malformed(where, field, value, "a string")
    return str(value)


@dataclass(frozen=True)
class QueryStatus:
    """The fields of PostHog's QueryStatus that polling needs."""

    id: str | None
    complete: bool
    error: bool
    error_message: str | None
    results: Any


def query_status(data: object, where: str) -> QueryStatus | None:
    """The ``query_status`` of an answer, or ``None`` when it has none (a blocking query's result)."""
    if not isinstance(data, dict) or data.get("query_status") is None:
        return None
    status = need_object(data["query_status"], where, "query_status")
    return QueryStatus(
        id=optional_str(status.get("id"), where, "query_status.id"),
        complete=bool(optional_bool(status.get("complete"), where, "query_status.complete")),
        error=bool(optional_bool(status.get("error"), where, "query_status.error")),
        error_message=optional_str(status.get("error_message"), where, "query_status.error_message"),
        results=status.get("results"),
    )


@dataclass(frozen=True)
class Notice:
    """One HogQLNotice (an error, warning or notice of the metadata query)."""

    message: str
    start: int | None = None
    end: int | None = None
    fix: str | None = None


def metadata_notices(data: object, where: str) -> dict[str, list[Notice]]:
    """A HogQLMetadataResponse's ``errors``, ``warnings`` and ``notices``, each checked."""
    body = need_object(data, where)
    found: dict[str, list[Notice]] = {}
    for key in ("errors", "warnings", "notices"):
        notices = []
        for i, item in enumerate(optional_list(body.get(key), where, key)):
            field = f"{key}[{i}]"
            notice = need_object(item, where, field)
            notices.append(
                Notice(
                    message=str(optional_str(notice.get("message"), where, f"{field}.message") or ""),
                    start=optional_int(notice.get("start"), where, f"{field}.start"),
                    end=optional_int(notice.get("end"), where, f"{field}.end"),
                    fix=optional_str(notice.get("fix"), where, f"{field}.fix"),
                )
            )
        found[key] = notices
    return found


# --- list endpoints -----------------------------------------------------------------------------


def page_items(page: object, where: str) -> tuple[list[dict[str, Any]], str | None]:
    """The items of one page of a list endpoint (every item an object) and its ``next`` link."""
    if isinstance(page, list):  # some endpoints answer a bare list
        items, following = page, None
        label = "item"
    else:
        body = need_object(page, where)
        items = optional_list(body.get("results"), where, "results")
        following = optional_str(body.get("next"), where, "next")
        label = "results"
    return [need_object(item, where, f"{label}[{i}]") for i, item in enumerate(items)], following
