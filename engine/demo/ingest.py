"""An export file as SQL: chDB reads it with its own input formats and checks every row, no Python per row.

Each format becomes the same stream of records, ``(record, doc, problem, newlines)``: ``record`` the row's
0-based number in the file, ``doc`` the row as one JSON object's text, ``problem`` what is wrong with the
record before any field is read ('' when nothing), ``newlines`` how many line breaks the record holds inside
its fields (CSV only: a quoted field may span lines, and rejected rows are reported by line).

- JSON lines are read with ``LineAsString``: split on ``\\n`` only (a JSON string may hold U+2028), a
  trailing ``\\r`` dropped, the first line's byte-order mark skipped, blank lines are not rows.
- CSV is read as bare ``CSV`` with every column text and room for more fields than the header has, so a row
  with too many or too few fields is a rejected row rather than a failed file.
- Parquet rows are written out as JSON by ``formatRowNoNewline``, whatever their column types.

``checked`` then reads the fields from ``doc`` the way PostHog names them and gives every row either its
values or the reason it cannot be stored.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .literals import quote

BOM = b"\xef\xbb\xbf"
EARLIEST_YEAR, END_YEAR = 1970, 2100
"""Event times outside [1970, 2100) are rejected: nothing PostHog recorded is older, and a time past 2100 is a unit
mix-up (milliseconds read as seconds), not an event."""
_END_SECONDS = 4102444800  # 2100-01-01T00:00:00Z
_EXTRA_FIELDS = 16
"""CSV columns read beyond the header's, to say how many fields a long row has (more is "more than")."""
_HEADER_BYTES = 1 << 20
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".parquet": "parquet"}

CHECKED_COLUMNS = (
    "record UInt64, newlines UInt32, reason String, uuid UUID, event String, distinct_id String, "
    "person_id UUID, timestamp DateTime64(6, 'UTC'), properties String, person_properties String, "
    "elements_chain String, session_id String"
)
"""The columns ``checked`` yields, as a table holding them is declared."""


def json_lines(path: Path) -> str:
    """Lines as records; only the first line (a byte-order mark) and CRLF lines are rewritten, the rest pass
    as they are read."""
    cleaned = "if(endsWith(bare, '\\r'), substring(bare, 1, length(bare) - 1), bare)"
    bare = f"if(_row_number = 0 AND startsWith(line, {quote(BOM.decode())}), substring(line, 4), line)"
    return f"""
    SELECT _row_number AS record, if(_row_number = 0 OR endsWith(line, '\\r'), {cleaned.replace("bare", bare)}, line) AS doc,
           if(isValidUTF8(doc), '', 'not UTF-8') AS problem, toUInt32(0) AS newlines
    FROM file({quote(str(path))}, LineAsString)
    WHERE length(doc) > 40 OR NOT match(doc, '^\\s*$')"""


def csv_header(path: Path) -> list[str]:
    """The header's names (a byte-order mark skipped), read from the start of the file only."""
    with path.open("rb") as handle:
        head = handle.read(_HEADER_BYTES)
    head = head[len(BOM) :] if head.startswith(BOM) else head
    try:
        return next(csv.reader(io.StringIO(head.decode("utf-8", errors="replace"), newline="")), [])
    except csv.Error:
        return []


def csv_records(path: Path, header: list[str]) -> str:
    """Records after the header as JSON objects of their text fields; ``properties.<key>`` columns (PostHog's
    flattened CSV) gathered into ``__flat``, merged into the properties by ``checked``."""
    width = len(header)
    columns = [f"c{i}" for i in range(1, width + _EXTRA_FIELDS + 1)]
    structure = ", ".join(f"{c} Nullable(String)" for c in columns)
    fields = f"length(arrayFilter(x -> isNotNull(x), [{', '.join(columns)}]))"
    own = [
        f"if(isNull({c}), '', concat({quote(_json_key(name))}, toJSONString(assumeNotNull({c}))))"
        for name, c in zip(header, columns)
        if not name.startswith("properties.")
    ]
    flat = [
        f"if(ifNull({c}, '') = '', '', concat({quote(_json_key(name[len('properties.') :]))}, "
        f"toJSONString(assumeNotNull({c}))))"
        for name, c in zip(header, columns)
        if name.startswith("properties.")
    ]
    if flat:
        own.append(f"concat('\"__flat\":', {_object(flat)})")
    everything = f"arrayStringConcat(arrayMap(x -> ifNull(x, ''), [{', '.join(columns)}]))"
    more = f"more than {width + _EXTRA_FIELDS - 1}"
    return f"""
    SELECT _row_number AS record, {_object(own)} AS doc, {fields} AS fields,
           multiIf(fields != {width}, concat('the row has ', if(fields = {len(columns)}, {quote(more)}, toString(fields)),
                                             ' fields; the header has {width}'),
                   NOT isValidUTF8({everything}), 'not UTF-8', '') AS problem,
           toUInt32(countSubstrings({everything}, '\\n')) AS newlines
    FROM file({quote(str(path))}, CSV, {quote(structure)})
    WHERE record > 0 AND fields > 0
    SETTINGS input_format_csv_allow_variable_number_of_columns = 1, input_format_csv_empty_as_default = 0"""


def parquet_records(path: Path) -> str:
    return f"""
    SELECT _row_number AS record, formatRowNoNewline('JSONEachRow', *) AS doc, '' AS problem, toUInt32(0) AS newlines
    FROM file({quote(str(path))}, Parquet)"""


def _json_key(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '":'


def _object(pairs: list[str]) -> str:
    return "concat('{', arrayStringConcat(arrayFilter(x -> x != '', [" + ", ".join(pairs) + "]), ','), '}')"


# -- checking --------------------------------------------------------------------------------------


def _raw(key: str) -> str:
    """The field's raw JSON text ('' when absent; the first, when a key repeats). Looked up in the line's keys
    rather than in a map made of them: a map would copy every value of every line once more."""
    return f"vals[indexOf(keys, {quote(key)})]"


def _kind(raw: str) -> str:
    """What a raw JSON value is, in the words a reason uses, from its first character (the JSON is valid)."""
    first = f"substring({raw}, 1, 1)"
    return (
        f"multiIf({raw} IN ('', 'null'), 'none', {first} = '\"', 'text', {first} = '{{', 'an object', "
        f"{first} = '[', 'a list', {first} IN ('t', 'f'), 'a boolean', "
        f"position({raw}, '.') + position({raw}, 'e') + position({raw}, 'E') = 0, 'an integer', 'a number')"
    )


def _string(raw: str) -> str:
    """A raw JSON string's text: its inside when it holds no escape (most do), else JSON's reading of it."""
    return f"if(position({raw}, '\\\\') = 0, substring({raw}, 2, length({raw}) - 2), JSONExtractString({raw}))"


def _said(kind: str) -> str:
    return f"if({kind} = 'an integer', 'a number', {kind})"


def _object_field(name: str) -> tuple[list[str], str, str]:
    """(parts, reason, JSON text) of a properties-like field: an object, or text holding one, or absent ('{}').
    The parts are columns the reason and the text read (``checked`` computes them a layer below)."""
    raw, kind = f"r_{name}", f"k_{name}"
    inner, inner_kind = f"i_{name}", f"ik_{name}"
    parts = [  # only text is read again: an object's own text (most rows) is not copied, nor parsed twice
        f"if({kind} = 'text', trimBoth({_string(raw)}), '') AS {inner}",
        f"if({kind} = 'text' AND isValidJSON({inner}), {_kind(f'JSONExtractRaw({inner})')}, 'invalid') AS {inner_kind}",
    ]
    reason = f"""multiIf(
        {kind} IN ('none', 'an object'), '',
        {kind} != 'text', concat('{name} must be a JSON object, not ', {_said(kind)}),
        {inner} = '', '',
        {inner_kind} = 'invalid', '{name} is not valid JSON',
        {inner_kind} != 'an object', concat('{name} must be a JSON object, not ', {_said(inner_kind)}),
        '')"""
    text = f"multiIf({kind} = 'an object', {raw}, {kind} = 'text' AND {inner} != '', {inner}, '{{}}')"
    return parts, reason, text


def _text_field(name: str, numbers: bool = False) -> str:
    """The reason a text field is wrong ('' when it is text, absent, or with ``numbers`` a whole number)."""
    kind = f"k_{name.lstrip('$')}"
    allowed = "('none', 'text', 'an integer')" if numbers else "('none', 'text')"
    return f"if({kind} IN {allowed}, '', concat('{name} must be text, not ', {_said(kind)}))"


def _uuid_field(name: str) -> tuple[list[str], str, str]:
    """(parts, reason, UUID or NULL) of a UUID field: absent and '' are NULL, any spelling ClickHouse reads is one
    UUID."""
    raw, kind = f"r_{name}", f"k_{name}"
    text = f"u_{name}"
    parts = [f"trimBoth({_string(raw)}) AS {text}"]
    value = f"if({kind} = 'text' AND {text} != '', toUUIDOrNull({text}), NULL)"
    reason = f"""multiIf(
        {kind} = 'none' OR ({kind} = 'text' AND {text} = ''), '',
        {kind} != 'text', concat('{name} must be a UUID string, not ', {_said(kind)}),
        isNull({value}), concat('{name} ', {_repr(text)}, ' is not a UUID'),
        '')"""
    return parts, reason, value


def _repr(text: str) -> str:
    """A value quoted for a reason, cut to 40 characters."""
    return f"concat('''', leftUTF8({text}, 40), '''')"


def _timestamp() -> tuple[list[str], str, str]:
    """(parts, reason, time) of ``timestamp``: ISO 8601 (naive means UTC) or epoch seconds/milliseconds in range."""
    raw, kind = "r_timestamp", "k_timestamp"
    text, epoch, number, seconds, iso = "t_text", "t_epoch", "t_number", "t_seconds", "t_iso"
    parts = [
        f"trimBoth(if({kind} = 'text', {_string(raw)}, {raw})) AS {text}",
        f"match({text}, '^-?[0-9]+(\\\\.[0-9]+)?([eE][-+]?[0-9]+)?$') AS {epoch}",
        f"toFloat64OrNull({text}) AS {number}",
        f"if(abs({number}) > 1e11, {number} / 1000, {number}) AS {seconds}",
        f"parseDateTime64BestEffortOrNull({text}, 6, 'UTC') AS {iso}",
    ]
    year = f"toUInt32OrZero(substring({text}, 1, 4))"
    out_of_range = f"concat('timestamp ', {{shown}}, ' is out of range ({EARLIEST_YEAR} to {END_YEAR - 1})')"
    reason = f"""multiIf(
        {kind} = 'none' OR ({kind} = 'text' AND {text} = ''), 'timestamp is missing',
        {kind} NOT IN ('text', 'an integer', 'a number'), concat('timestamp must be a time, not ', {_said(kind)}),
        {epoch}, if(isFinite({number}) AND {seconds} >= 0 AND {seconds} < {_END_SECONDS}, '',
                    {out_of_range.format(shown=f"leftUTF8({text}, 40)")}),
        {kind} != 'text', concat('timestamp ', leftUTF8({text}, 40), ' is not a time'),
        NOT match({text}, '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}'),
            concat('timestamp ', {_repr(text)}, ' is not ISO 8601 or epoch seconds'),
        {year} < {EARLIEST_YEAR} OR {year} >= {END_YEAR}, {out_of_range.format(shown=_repr(text))},
        isNull({iso}), concat('timestamp ', {_repr(text)}, ' is not ISO 8601 or epoch seconds'),
        {iso} < toDateTime64('{EARLIEST_YEAR}-01-01', 6, 'UTC') OR {iso} >= toDateTime64('{END_YEAR}-01-01', 6, 'UTC'),
            {out_of_range.format(shown=_repr(text))},
        '')"""
    value = (
        f"if({epoch}, fromUnixTimestamp64Micro(toInt64OrZero(toString(round({seconds} * 1000000))), 'UTC'), "
        f"ifNull({iso}, toDateTime64(0, 6, 'UTC')))"
    )
    return parts, reason, value


def uuid5_oid(text: str) -> str:
    """Python's ``uuid.uuid5(uuid.NAMESPACE_OID, text)`` in SQL, so a person without an id gets the same one
    from every load (and from the loads before this one)."""
    digest = f"substring(SHA1(concat(unhex('6ba7b8129dad11d180b400c04fd430c8'), {text})), 1, 16)"

    def byte(n: int) -> str:
        return f"reinterpretAsUInt8(substring({digest}, {n}, 1))"

    version, variant = f"char(bitOr(bitAnd({byte(7)}, 15), 80))", f"char(bitOr(bitAnd({byte(9)}, 63), 128))"
    return (
        f"toUUID(UUIDNumToString(toFixedString(concat(substring({digest}, 1, 6), {version}, "
        f"substring({digest}, 8, 1), {variant}, substring({digest}, 10, 7)), 16)))"
    )


ROW_FIELDS = (
    "uuid",
    "event",
    "distinct_id",
    "person_id",
    "timestamp",
    "properties",
    "person_properties",
    "elements_chain",
    "session_id",
)
"""The fields of a checked event row, in order (an export's ``$session_id`` fills ``session_id``)."""


def checked(records: str, flattened: bool = False) -> str:
    """Every record with its values or the reason it is rejected (``CHECKED_COLUMNS``).

    A row without a uuid gets one made from its text and its place in the file, so loading one file twice
    adds its rows once. ``flattened``: the records may carry ``__flat`` (CSV ``properties.<key>`` columns).
    The checks run in the order a reader would fix them: the line, the event, then each field.
    """
    raws = [f"{_raw(f)} AS r_{f}, {_kind('r_' + f)} AS k_{f}" for f in (*ROW_FIELDS, "__flat")]
    raws.append(f"{_raw('$session_id')} AS r_dollar_session, {_kind('r_dollar_session')} AS k_dollar_session")
    properties_parts, properties_reason, properties = _object_field("properties")
    person_parts, person_reason, person_properties = _object_field("person_properties")
    uuid_parts, uuid_reason, uuid_value = _uuid_field("uuid")
    person_id_parts, person_id_reason, person_id = _uuid_field("person_id")
    time_parts, time_reason, time_value = _timestamp()
    parts = properties_parts + person_parts + uuid_parts + person_id_parts + time_parts
    distinct = (
        f"trimBoth(multiIf(k_distinct_id = 'text', {_string('r_distinct_id')}, "
        "k_distinct_id = 'an integer', r_distinct_id, ''))"
    )
    dollar = f"if(k_dollar_session = 'text', {_string('r_dollar_session')}, r_dollar_session)"
    plain = f"if(k_session_id = 'text', {_string('r_session_id')}, r_session_id)"
    session = (
        f"multiIf(k_dollar_session != 'none' AND {dollar} != '', {dollar}, "
        f"k_session_id != 'none' AND {plain} != '', {plain}, JSONExtractString(properties_text, '$session_id'))"
    )
    flat_inner = "substring(r___flat, 2, length(r___flat) - 2)"
    merged = (
        f"if(k___flat = 'an object' AND r___flat != '{{}}', concat('{{', {flat_inner}, "
        f"if(props = '{{}}', '}}', concat(',', substring(props, 2)))), props)"
    )
    nan = "match(doc, ':\\\\s*-?(NaN|Infinity)')"
    session_reason = (
        "multiIf(k_dollar_session NOT IN ('none', 'text', 'an integer'), "
        f"concat('$session_id must be text, not ', {_said('k_dollar_session')}), "
        "k_session_id NOT IN ('none', 'text', 'an integer'), "
        f"concat('session_id must be text, not ', {_said('k_session_id')}), '')"
    )
    reasons = [
        ("problem", "problem"),
        (
            "NOT readable AND NOT isValidJSON(doc)",
            f"if({nan}, 'not valid JSON (NaN and Infinity are not JSON numbers)', 'not valid JSON')",
        ),
        ("NOT readable", "'a line must be a JSON object'"),
        ("k_event NOT IN ('none', 'text')", f"concat('event must be text, not ', {_said('k_event')})"),
        ("event_text = ''", "'event is empty'"),
        ("properties_reason", properties_reason),
        ("distinct_reason", _text_field("distinct_id", numbers=True)),
        ("person_id_reason", person_id_reason),
        ("distinct_text = '' AND isNull(person_value)", "'neither distinct_id nor person_id is set'"),
        ("uuid_reason", uuid_reason),
        ("time_reason", time_reason),
        ("person_reason", person_reason),
        ("elements_reason", _text_field("elements_chain")),
        ("session_reason", session_reason),
    ]
    columns = [f"{expr} AS {name}" for name, expr in reasons if name.endswith("_reason")]
    branches = [f"{name} != ''" if name.endswith("_reason") or name == "problem" else name for name, _ in reasons]
    thens = [name if name.endswith("_reason") or name == "problem" else expr for name, expr in reasons]
    reason = "multiIf(" + ", ".join(f"{b}, {t}" for b, t in zip(branches, thens)) + ", '')"
    # One SELECT per stage (the fields' raw texts and kinds, the parts the checks share, the values, the
    # reasons, the reason), each reading the one below as columns. An alias used in its own SELECT is copied
    # into every expression that names it: in one SELECT, the kinds and parts every check reads made a tree
    # ClickHouse took ~0.7 s to analyze, most of a small file's load; layered, the same expressions take ~0.2 s.
    indent = "," + chr(10) + "               "
    return f"""
    SELECT record, newlines, reason,
           if(isNull(uuid_value), reinterpretAsUUID(sipHash128(doc, record)), assumeNotNull(uuid_value)) AS uuid,
           event_text AS event,
           if(distinct_text != '', distinct_text, toString(ifNull(person_value, toUUID('00000000-0000-0000-0000-000000000000')))) AS distinct_id,
           if(isNull(person_value), {uuid5_oid("distinct_text")}, assumeNotNull(person_value)) AS person_id,
           ifNull(time_value, toDateTime64(0, 6, 'UTC')) AS timestamp,
           properties_text AS properties, person_text AS person_properties,
           if(k_elements_chain = 'text', {_string("r_elements_chain")}, '') AS elements_chain,
           session_text AS session_id
    FROM (SELECT *, {reason} AS reason
    FROM (SELECT *, {indent.join(columns)}
    FROM (
        SELECT *,
               trimBoth({_string("r_event")}) AS event_text, {distinct} AS distinct_text,
               {uuid_value} AS uuid_value, {person_id} AS person_value,
               {properties} AS props, {merged if flattened else "props"} AS properties_text, {person_properties} AS person_text,
               {time_value} AS time_value, {session} AS session_text
    FROM (SELECT *, {indent.join(parts)}
    FROM (SELECT *, {indent.join(raws)}
    FROM (
        SELECT record, newlines, doc, problem,
               if(problem = '', JSONExtractKeysAndValuesRaw(doc), []) AS kvs,
               notEmpty(kvs) OR problem = '' AND isValidJSON(doc) AND startsWith(trimLeft(doc), '{{') AS readable,
               kvs.1 AS keys, kvs.2 AS vals
        FROM ({records})))))))"""
