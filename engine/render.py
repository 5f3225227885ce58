"""Rendering HogQL from the Jinja templates in ``templates/`` without letting a slot value into the text.

A slot value reaches a query in exactly one of two ways:

* a literal (event name, property value, number, date) is *bound*: the template
  writes a ``{placeholder}`` and the value goes into ``RenderedQuery.values``,
  which PostHog's query API (``HogQLQuery.values``) substitutes as a constant
  after parsing, so no quote in a value can change the query's shape;
* an identifier (a property name) is looked up in the taxonomy first and only
  an allow-listed name is written, backtick-quoted when it holds characters
  beyond ``[A-Za-z0-9_$]``.

Everything a render needs (its bound values, its taxonomy look-ups) lives in a
``_RenderScope`` made for that render, so one ``Renderer`` serves many threads.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from .clock import aware_utc
from .errors import TemplateError
from .meaning import Meaning, select_case
from .taxonomy import Taxonomy
from .timerange import default_interval
from .types import EventRef, PropertyFilter, PropertyRef, TimeRange

if TYPE_CHECKING:
    from .catalog import Catalog, Intent

TEMPLATE_SUFFIX = ".hogql.j2"

_INLINE_SCAN = re.compile(
    r"""(?P<quoted>'(?:[^'\\]|\\.|'')*'|`(?:[^`\\]|\\.|``)*`|"(?:[^"\\]|\\.|"")*"|/\*.*?\*/|(?:--|//|\#)[^\r\n]*)"""
    r"""|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}""",
    re.DOTALL,
)
"""A placeholder, or a stretch ``inline`` leaves alone: a string, a quoted identifier, a comment (as HogQL's lexer
reads them), so that ``{x}`` inside a backticked property name or a string literal is never substituted."""
_HINT = re.compile(r"[a-z][a-z0-9_]*")
_PLAIN_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_STRING_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    "\b": "\\b",
    "\f": "\\f",
    "\r": "\\r",
    "\n": "\\n",
    "\t": "\\t",
    "\0": "\\0",
    "\a": "\\a",
    "\v": "\\v",
}
_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# Intervals from finest to coarsest; "by_range" picks one from the window's length.
INTERVALS: tuple[str, ...] = ("hour", "day", "week", "month")


# --- literals ---------------------------------------------------------------------------------


def hogql_literal(value: Any) -> str:
    """``value`` as a HogQL literal: the one escaping function behind ``RenderedQuery.inline``.

    Strings are escaped the way PostHog's ``escape_hogql_string`` and
    ClickHouse read them (backslash escapes inside single quotes). PostHog's
    parser drops an escaped NUL (``\\0``) from a string, so a string holding
    NUL is written as ``concat('…', unhex('00'), '…')``, which keeps it.
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TemplateError(f"cannot write the number {value!r} as a HogQL literal")
        return repr(value)
    if isinstance(value, str):
        if "\0" in value:
            return _with_nul(value)
        return "'" + "".join(_STRING_ESCAPES.get(c, c) for c in value) + "'"
    if isinstance(value, datetime):
        return f"toDateTime({hogql_literal(value.strftime(_DATETIME_FORMAT))})"
    if isinstance(value, date):
        return f"toDate({hogql_literal(value.isoformat())})"
    if isinstance(value, list):
        return "[" + ", ".join(hogql_literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(hogql_literal(v) for v in value) + ")"
    raise TemplateError(f"cannot write a {type(value).__name__} as a HogQL literal")


def _with_nul(value: str) -> str:
    """A string holding NUL as an expression PostHog reads back whole: its pieces around ``unhex('00')``."""
    parts: list[str] = []
    for i, piece in enumerate(value.split("\0")):
        if i:
            parts.append("unhex('00')")
        if piece:
            parts.append(hogql_literal(piece))
    return parts[0] if len(parts) == 1 else "concat(" + ", ".join(parts) + ")"


def quote_identifier(name: str) -> str:
    """``name`` as written in a HogQL property chain: bare when plain, else in backticks."""
    if _PLAIN_IDENTIFIER.fullmatch(name):
        return name
    return "`" + name.replace("\\", "\\\\").replace("`", "``") + "`"


# --- the result -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedQuery:
    """HogQL text with ``{placeholders}``, the values they stand for, and the template's stem. ``ignored`` names
    the parts of the meaning the template never read (its query does not reflect them: the answer must say so)."""

    hogql: str
    values: dict[str, Any]
    template: str
    ignored: tuple[str, ...] = ()

    def inline(self) -> str:
        """The query with every placeholder replaced by its literal: paste-ready for PostHog's SQL editor.

        Only placeholders outside strings, quoted identifiers and comments are replaced, and each value is
        written by ``hogql_literal`` (PostHog's own quoting), so the text reads back in PostHog's parser as
        the bound query with its constants.
        """

        def literal(match: re.Match[str]) -> str:
            name = match.group("name")
            if name is None:
                return match.group(0)
            if name not in self.values:
                raise TemplateError(f"template {self.template}: placeholder {{{name}}} has no value")
            return hogql_literal(self.values[name])

        return _INLINE_SCAN.sub(literal, self.hogql)


# --- template choice --------------------------------------------------------------------------


def select_template(spec: str | Mapping[str, Any], slots: Mapping[str, Any]) -> str:
    """The stem an intent's ``template:`` spec names for these slots.

    ``{by: slot, cases: {...}}`` looks the slot's value up in ``cases``; the keys
    ``_set`` / ``_unset`` match a slot that has / has no value.
    """
    if isinstance(spec, str):
        return spec
    if not isinstance(spec, Mapping) or "by" not in spec or not isinstance(spec.get("cases"), Mapping):
        raise TemplateError(f"a template spec is a stem or {{by: <slot>, cases: {{...}}}}, not {spec!r}")
    stem = select_case(spec, slots)
    if stem is None:
        raise TemplateError(
            f"no template for {spec['by']}={slots.get(spec['by'])!r}; the cases are {sorted(spec['cases'])}"
        )
    return stem


# --- one render's state -----------------------------------------------------------------------


@dataclass
class _RenderScope:
    """What one render owns: its bound values and its taxonomy look-ups (never shared between renders)."""

    taxonomy: Taxonomy
    template: str
    values: dict[str, Any] = field(default_factory=dict)
    _names: dict[tuple[str, type, Any], str] = field(default_factory=dict)
    _counters: dict[str, int] = field(default_factory=dict)

    def bind(self, value: Any, hint: str) -> str:
        """A ``{placeholder}`` standing for ``value``; a hint ending in ``_`` is numbered (``value_0``).

        The same value bound under the same hint twice gets the same placeholder,
        so a date bound in two subqueries is one value.
        """
        if not _HINT.fullmatch(hint):
            raise TemplateError(f"template {self.template}: bad placeholder hint {hint!r}")
        if isinstance(value, (EventRef, PropertyRef, PropertyFilter, TimeRange)) or value is None:
            raise TemplateError(f"template {self.template}: cannot bind {value!r} as {hint!r}; bind a plain value")
        if isinstance(value, datetime):
            value = aware_utc(value).strftime(_DATETIME_FORMAT)  # a caller's slots may be zoned or naive (UTC)
        key = (hint, type(value), value)
        if key in self._names:
            return "{" + self._names[key] + "}"
        name = hint
        if hint.endswith("_") or hint in self.values:
            stem = hint.rstrip("_")
            n = self._counters.get(stem, 0)
            while f"{stem}_{n}" in self.values:
                n += 1
            self._counters[stem] = n + 1
            name = f"{stem}_{n}"
        self._names[key] = name
        self.values[name] = value
        return "{" + name + "}"

    def column(self, prop: PropertyRef, table: str = "events") -> str:
        """The allow-listed accessor of ``prop`` on ``table`` ("events" or "sessions")."""
        if not isinstance(prop, PropertyRef):
            raise TemplateError(f"template {self.template}: expected a property, got {prop!r}")
        if self.taxonomy.property(prop.name, prop.scope) is None:
            raise TemplateError(
                f"template {self.template}: property {prop.name!r} ({prop.scope}) is not in the project's taxonomy"
            )
        name = quote_identifier(prop.name)
        if table == "sessions" and prop.scope == "session":
            return name
        if table == "events" and prop.scope == "event":
            return f"properties.{name}"
        if table == "events" and prop.scope == "person":
            return f"person.properties.{name}"
        if table == "persons" and prop.scope == "person":
            return f"properties.{name}"
        raise TemplateError(
            f"template {self.template}: a {prop.scope} property ({prop.name!r}) cannot be read from the {table} table"
        )

    def prop_ref(self, name: str, scope: str = "event") -> PropertyRef:
        """A property the template itself names (``$feature_flag``), typed from the taxonomy."""
        found = self.taxonomy.property(name, scope)  # type: ignore[arg-type]
        if found is None:
            raise TemplateError(
                f"template {self.template}: property {name!r} ({scope}) is not in the project's taxonomy"
            )
        return found.ref()

    def candidate_properties(self) -> tuple[PropertyRef, ...]:
        """Low-cardinality properties worth correlating: common event properties and person properties with known values."""
        common = [self.taxonomy.property(n, "event") for n in self.taxonomy.common_event_properties]
        people = list(self.taxonomy.properties("person").values())
        found = tuple(p.ref() for p in (*common, *people) if p is not None and p.values)
        if not found:
            raise TemplateError(f"template {self.template}: the taxonomy lists no property values to correlate")
        return found

    def filter_value(self, f: PropertyFilter, value: Any) -> Any:
        """A filter operand converted to what the property's type compares with."""
        if f.prop.type == "Numeric" or f.op in (">", ">=", "<", "<="):
            try:
                number = float(value)
                if math.isfinite(number):
                    return number
            except (TypeError, ValueError):
                pass
            raise TemplateError(f"template {self.template}: {f.prop.name} {f.op} needs a number, not {value!r}")
        if f.prop.type == "Boolean":
            return str(value).strip().lower() in ("true", "1", "yes")
        return str(value)


# --- helpers the templates call ---------------------------------------------------------------


def _interval_for(interval: str | None, time_range: TimeRange) -> str:
    """A concrete interval: the slot's, or for ``by_range``/unset the one that suits the window's length."""
    if interval in INTERVALS:
        return interval
    if interval not in (None, "by_range"):
        raise TemplateError(f"unknown interval {interval!r}; use one of {INTERVALS}")
    return default_interval(time_range)


def _periods_in(time_range: TimeRange, unit: str) -> int:
    """How many ``unit`` periods a range covers, counting a partial one: the divisor of "average per day"."""
    seconds = {"hour": 3600, "day": 86400, "week": 7 * 86400}.get(unit)
    if seconds is not None:
        return max(1, math.ceil((time_range.end - time_range.start).total_seconds() / seconds - 1e-9))
    months = (time_range.end.year - time_range.start.year) * 12 + time_range.end.month - time_range.start.month
    partial = (time_range.end.day, time_range.end.time()) != (1, datetime.min.time())
    return max(1, months + (1 if partial else 0))


def _coarser(a: str, b: str) -> str:
    """The coarser of two intervals (a weekly metric cannot be shown per day without a rolling window)."""
    return a if INTERVALS.index(a) >= INTERVALS.index(b) else b


def _as_tuple(value: Any) -> tuple[Any, ...]:
    """A multi-valued slot as a tuple (unset → empty), so templates loop over filters and steps alike."""
    if value is None:
        return ()
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def _as_int(value: Any) -> int:
    """An integer slot (days, limits, counts) checked before it is bound: a wrong type fails here, by name."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 0:
        raise TemplateError(f"expected a whole number of at least 0, got {value!r}")
    return int(value)


def _as_number(value: Any) -> float:
    """A numeric slot (a threshold) checked before it is bound."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TemplateError(f"expected a number, got {value!r}")
    return float(value)


def _fail(message: str) -> None:
    """Lets a template refuse slots it cannot render, with a message that says why."""
    raise TemplateError(message)


# --- the renderer -----------------------------------------------------------------------------


def _template_loader(folders: tuple[Path, ...]) -> Callable[[str], str]:
    """Templates from ``folders`` first (a catalog's own), then the installed ``askhog.templates`` package."""

    def load(name: str) -> str:
        for folder in folders:
            path = folder / name
            if path.is_file():
                return path.read_text(encoding="utf-8")
        try:
            return resources.files("askhog.templates").joinpath(name).read_text(encoding="utf-8")
        except (FileNotFoundError, IsADirectoryError):
            raise jinja2.TemplateNotFound(name) from None

    return load


class Renderer:
    """Renders a template stem into a ``RenderedQuery``; safe to share between threads.

    A family's stems render from the meaning of a question (``q``); given slot values instead (workflows,
    tests), the family's roles turn them into that meaning first (``Meaning.build``). Stems no family owns
    (the workflows' ``wf_*``) render from the values as they are.
    """

    def __init__(self, taxonomy: Taxonomy, catalog: Catalog | None = None):
        self.taxonomy = taxonomy
        self._catalog = catalog
        self._families: dict[str, Intent] | None = None
        self._families_lock = threading.Lock()
        self._env = jinja2.Environment(
            loader=jinja2.FunctionLoader(_template_loader(catalog.template_dirs if catalog is not None else ())),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,
        )
        self._env.globals.update(
            interval_for=_interval_for,
            coarser=_coarser,
            as_tuple=_as_tuple,
            as_int=_as_int,
            as_number=_as_number,
            fail=_fail,
            periods_in=_periods_in,
        )

    def _stem_families(self) -> dict[str, Intent]:
        """Which family owns each stem (the shipped catalog unless one was given), built on first use."""
        with self._families_lock:
            if self._families is None:
                from .catalog import Catalog

                catalog = self._catalog or Catalog.load()
                self._families = {}
                for intent in catalog:
                    for stem in intent.template_stems():
                        self._families.setdefault(stem, intent)
            return self._families

    def render(self, template: str, context: Meaning | Mapping[str, Any]) -> RenderedQuery:
        """Render ``templates/<template>.hogql.j2`` from a meaning, or from slot values (see the class)."""
        scope = _RenderScope(self.taxonomy, template)
        families = self._stem_families()
        watched: _Watched | None = None
        if isinstance(context, Meaning):
            watched = _Watched(context)
        elif template in families:
            watched = _Watched(Meaning.build(families[template], context))
        if watched is not None:
            variables: dict[str, Any] = {"q": watched}
        else:
            assert not isinstance(context, Meaning)  # a Meaning is always watched
            variables = dict(context)
        try:
            compiled = self._env.get_template(template + TEMPLATE_SUFFIX)
            text = compiled.render(
                **variables,
                bind=scope.bind,
                column=scope.column,
                filter_value=scope.filter_value,
                prop_ref=scope.prop_ref,
                candidate_properties=scope.candidate_properties,
            )
        except jinja2.TemplateNotFound:
            raise TemplateError(
                f"no template named {template!r} (looked for templates/{template}{TEMPLATE_SUFFIX})"
            ) from None
        except jinja2.UndefinedError as e:
            raise TemplateError(f"template {template}: {e.message}") from None
        except jinja2.TemplateSyntaxError as e:
            raise TemplateError(f"template {template}: syntax error at line {e.lineno}: {e.message}") from None
        except TemplateError as e:
            if str(e).startswith(f"template {template}:"):
                raise
            raise TemplateError(f"template {template}: {e}") from None
        except (TypeError, ValueError, AttributeError, KeyError) as e:
            raise TemplateError(f"template {template}: {type(e).__name__}: {e}") from None
        hogql = _tidy(text)
        code = _unquoted(hogql)  # a property named `x}}` or `p{event}` is data, not markup or a placeholder
        if "{{" in code or "}}" in code or "{%" in code:
            raise TemplateError(f"template {template}: unrendered Jinja markup left in the query")
        unknown = {m.group("name") for m in _INLINE_SCAN.finditer(hogql) if m.group("name")} - set(scope.values)
        if unknown:
            raise TemplateError(f"template {template}: placeholders without a value: {sorted(unknown)}")
        return RenderedQuery(hogql, dict(scope.values), template, watched.ignored() if watched is not None else ())


WATCHED_PARTS: dict[str, str] = {
    "filters": "the filters",
    "breakdown": "the split by segment",
    "conditions": "the conditions on who counts",
    "compare": "the comparison",
    "limit": "the top-N limit",
}
"""Parts of a meaning a question may carry; a template that never reads one cannot have applied it."""


class _Watched:
    """The meaning as a template sees it (``q``), noting which parts the template read. ``peek`` reads a part
    without counting it as applied (a scan that only widens its range for a comparison has not compared)."""

    def __init__(self, meaning: Meaning):
        self._meaning = meaning
        self._read: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        self._read.add(name)
        return getattr(self._meaning, name)

    def peek(self, name: str) -> Any:
        return getattr(self._meaning, name)

    def ignored(self) -> tuple[str, ...]:
        return tuple(
            words
            for part, words in WATCHED_PARTS.items()
            if part not in self._read and getattr(self._meaning, part) not in (None, ())
        )


def _unquoted(hogql: str) -> str:
    """``hogql`` with its strings, quoted identifiers and comments blanked out: the code alone."""
    return _INLINE_SCAN.sub(lambda m: m.group(0) if m.group("name") else " ", hogql)


def _tidy(text: str) -> str:
    """Drop blank lines and trailing spaces that Jinja's control blocks leave behind."""
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip())
