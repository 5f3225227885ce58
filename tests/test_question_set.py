"""Format checks for the labelled question set (tests/data/questions.yaml).

The question set is the yardstick every accuracy figure is measured with, so a
malformed label (a misspelt slot, an event the demo product does not have, a
time range the scorer cannot resolve) would silently skew those figures. These
checks keep the file scoreable: the contract is /work/shared/spec/intents.md.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from askhog.yamlfiles import load as read_yaml

REPO = Path(__file__).resolve().parents[1]
QUESTIONS_PATH = REPO / "tests" / "data" / "questions.yaml"
TAXONOMY_PATH = REPO / "engine" / "demo" / "products" / "paperplane" / "taxonomy.yaml"

MIN_CASES = 600
MIN_PER_FAMILY = 20
HELDOUT_SHARE = (0.30, 0.50)
CASE_KEYS = {"question", "intent", "split", "clarify", "slots"}
SPLITS = {"dev", "heldout"}

# Slot kinds: how a slot's value is checked.
EVENT, PROPERTY, FLAG, STEPS, COUNT, RANGE = "event", "property", "flag", "steps", "count", "range"
MEASURES = ("events", "users", "sum", "avg")
INTERVALS = ("hour", "day", "week", "month")
PERIODS = ("week", "month")

# Per family: slot name -> kind (a tuple lists the allowed choice values).
FAMILY_SLOTS: dict[str, dict[str, Any]] = {
    "count": {"event": EVENT, "measure": MEASURES, "property": PROPERTY, "time_range": RANGE},
    "trend": {"event": EVENT, "measure": MEASURES, "interval": INTERVALS, "breakdown": PROPERTY, "time_range": RANGE},
    "breakdown": {"event": EVENT, "measure": MEASURES, "breakdown": PROPERTY, "limit": COUNT, "time_range": RANGE},
    "feature_usage": {"event": EVENT, "feature_property": PROPERTY, "limit": COUNT, "time_range": RANGE},
    "user_list": {"event": EVENT, "exclude_event": EVENT, "min_count": COUNT, "limit": COUNT, "time_range": RANGE},
    "funnel": {"steps": STEPS, "window_days": COUNT, "breakdown": PROPERTY, "time_range": RANGE},
    "retention": {
        "start_event": EVENT,
        "return_event": EVENT,
        "period": PERIODS,
        "periods": COUNT,
        "time_range": RANGE,
    },
    "paths": {
        "event": EVENT,
        "direction": ("after", "before"),
        "path_length": COUNT,
        "limit": COUNT,
        "time_range": RANGE,
    },
    "cohort_comparison": {"cohort_event": EVENT, "metric_event": EVENT, "time_range": RANGE},
    "correlation": {"target_event": EVENT, "candidate": ("events", "properties"), "limit": COUNT, "time_range": RANGE},
    "activation": {"signup_event": EVENT, "activation_event": EVENT, "window_days": COUNT, "time_range": RANGE},
    "churn_risk": {"event": EVENT, "silent_days": COUNT, "limit": COUNT},
    "revenue": {"revenue_event": EVENT, "amount_property": PROPERTY, "breakdown": PROPERTY, "time_range": RANGE},
    "time_to_event": {"from_event": EVENT, "to_event": EVENT, "window_days": COUNT, "time_range": RANGE},
    "experiment": {"flag": FLAG, "goal_event": EVENT, "time_range": RANGE},
    "stickiness": {"event": EVENT, "period": PERIODS, "time_range": RANGE},
    "lifecycle": {"event": EVENT, "interval": INTERVALS, "time_range": RANGE},
    "engagement": {
        "metric": ("dau", "wau", "mau", "dau_mau", "events_per_user"),
        "event": EVENT,
        "interval": INTERVALS,
        "time_range": RANGE,
    },
    "sessions": {
        "metric": ("duration", "bounce_rate", "sessions_per_user", "pageviews_per_session"),
        "interval": INTERVALS,
        "time_range": RANGE,
    },
    "anomaly": {"event": EVENT, "measure": MEASURES, "interval": INTERVALS, "time_range": RANGE},
    "diagnose": {"metric": ("conversion", "count", "revenue"), "event": EVENT, "steps": STEPS, "time_range": RANGE},
    "out_of_scope": {},
}
RANGE_UNITS = ("hour", "day", "week", "month")
CALENDAR_UNITS = ("day", "week", "month", "quarter", "year")


def _load_cases() -> list[dict[str, Any]]:
    with QUESTIONS_PATH.open(encoding="utf-8") as handle:
        cases = read_yaml(handle.read())
    assert isinstance(cases, list), "the question set must be a YAML list of cases"
    return cases


def _load_taxonomy() -> tuple[set[str], set[str], set[str]]:
    """Event, property and flag names of the demo product: labels must use them."""
    with TAXONOMY_PATH.open(encoding="utf-8") as handle:
        taxonomy = read_yaml(handle.read())
    events = set(taxonomy["events"])
    properties = set(taxonomy["common_event_properties"])
    for section in ("event_properties", "person_properties", "session_properties"):
        properties |= set(taxonomy[section])
    return events, properties, set(taxonomy["flags"])


CASES = _load_cases()
EVENTS, PROPERTIES, FLAGS = _load_taxonomy()


def _is_day(value: Any) -> bool:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return True
    if isinstance(value, str):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return False
        return len(value) == 10
    return False


def _as_day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _is_positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def time_range_problem(value: Any) -> str | None:
    """Why a time_range label is not one of the forms the scorer resolves (None if it is)."""
    if not isinstance(value, dict) or not value:
        return "must be a non-empty mapping"
    keys = set(value)
    if keys == {"last", "unit"}:
        if not _is_positive_int(value["last"]) or value["unit"] not in RANGE_UNITS:
            return "rolling form needs a positive integer `last` and unit in " + str(RANGE_UNITS)
        return None
    if keys in ({"this"}, {"previous"}):
        unit = value.get("this", value.get("previous"))
        return None if unit in CALENDAR_UNITS else f"calendar unit must be one of {CALENDAR_UNITS}"
    if keys in ({"from"}, {"from", "to"}):
        if not all(_is_day(value[key]) for key in keys):
            return "absolute days must be YYYY-MM-DD"
        if "to" in value and _as_day(value["to"]) < _as_day(value["from"]):
            return "`to` is before `from`"
        return None
    if keys in ({"month"}, {"month", "year"}, {"quarter"}, {"quarter", "year"}):
        bound = 12 if "month" in keys else 4
        number = value.get("month", value.get("quarter"))
        if not (_is_positive_int(number) and number <= bound):
            return f"month/quarter must be an integer in 1..{bound}"
        if "year" in value and not (_is_positive_int(value["year"]) and 2000 <= value["year"] <= 2100):
            return "year must be a four-digit integer"
        return None
    return f"unknown time_range form with keys {sorted(keys)}"


def slot_problem(kind: Any, value: Any) -> str | None:
    """Why one slot value does not fit its kind (None if it fits)."""
    if isinstance(kind, tuple):
        return None if value in kind else f"{value!r} is not one of {kind}"
    if kind == EVENT:
        return None if value in EVENTS else f"unknown event {value!r}"
    if kind == PROPERTY:
        return None if value in PROPERTIES else f"unknown property {value!r}"
    if kind == FLAG:
        return None if value in FLAGS else f"unknown flag {value!r}"
    if kind == COUNT:
        return None if _is_positive_int(value) else f"{value!r} is not a positive integer"
    if kind == STEPS:
        if not isinstance(value, list) or len(value) < 2:
            return "steps must list at least two events"
        unknown = [step for step in value if step not in EVENTS]
        return f"unknown step events {unknown}" if unknown else None
    if kind == RANGE:
        return time_range_problem(value)
    raise AssertionError(f"slot kind {kind!r} has no check")


def case_problems(case: Any) -> list[str]:
    """Every format problem of one case, so a failure lists them all at once."""
    if not isinstance(case, dict):
        return ["case is not a mapping"]
    problems = [f"unexpected key {key!r}" for key in sorted(set(case) - CASE_KEYS)]
    problems += [f"missing key {key!r}" for key in ("question", "intent", "split") if key not in case]
    question = case.get("question")
    if not (isinstance(question, str) and question.strip()):
        problems.append("question must be a non-empty string")
    intent = case.get("intent")
    if intent not in FAMILY_SLOTS:
        return [*problems, f"unknown intent {intent!r}"]
    if case.get("split") not in SPLITS:
        problems.append(f"split must be one of {sorted(SPLITS)}")
    if not isinstance(case.get("clarify", False), bool):
        problems.append("clarify must be a boolean")
    slots = case.get("slots", {})
    if not isinstance(slots, dict):
        return [*problems, "slots must be a mapping"]
    allowed = FAMILY_SLOTS[intent]
    for name, value in slots.items():
        if name not in allowed:
            problems.append(f"slot {name!r} is not a {intent} slot")
            continue
        problem = slot_problem(allowed[name], value)
        if problem:
            problems.append(f"slot {name}: {problem}")
    return problems


def test_every_case_is_well_formed() -> None:
    report = [
        f"{case.get('question') if isinstance(case, dict) else case!r}: {problem}"
        for case in CASES
        for problem in case_problems(case)
    ]
    assert not report, "\n".join(report)


def test_set_is_large_enough_overall_and_per_family() -> None:
    assert len(CASES) >= MIN_CASES
    per_family = Counter(case["intent"] for case in CASES)
    thin = {family: per_family[family] for family in FAMILY_SLOTS if per_family[family] < MIN_PER_FAMILY}
    assert not thin, f"families below {MIN_PER_FAMILY} cases: {thin}"


@pytest.mark.parametrize("family", sorted(FAMILY_SLOTS))
def test_family_has_a_stratified_heldout_split(family: str) -> None:
    splits = Counter(case["split"] for case in CASES if case["intent"] == family)
    assert set(splits) == SPLITS, f"{family} lacks a split: {dict(splits)}"
    share = splits["heldout"] / sum(splits.values())
    assert HELDOUT_SHARE[0] <= share <= HELDOUT_SHARE[1], f"{family} heldout share {share:.2f}"


def test_questions_are_unique_ignoring_case_and_spacing() -> None:
    normalized = Counter(" ".join(case["question"].lower().split()) for case in CASES)
    duplicates = [question for question, seen in normalized.items() if seen > 1]
    assert not duplicates, duplicates


def test_clarify_cases_are_a_meaningful_minority() -> None:
    """Too few and the engine's asking is untested; too many and the set stops testing answers."""
    share = sum(case.get("clarify", False) for case in CASES) / len(CASES)
    assert 0.08 <= share <= 0.16, f"clarify share {share:.2f}"


def test_out_of_scope_cases_carry_no_slots() -> None:
    slotted = [case["question"] for case in CASES if case["intent"] == "out_of_scope" and case.get("slots")]
    assert not slotted, slotted


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ({"last": 7, "unit": "day"}, True),
        ({"previous": "quarter"}, True),
        ({"this": "year"}, True),
        ({"from": dt.date(2026, 3, 1), "to": dt.date(2026, 3, 15)}, True),
        ({"from": "2026-03-03"}, True),
        ({"month": 3, "year": 2025}, True),
        ({"quarter": 1}, True),
        ({"last": 7, "unit": "fortnight"}, False),
        ({"last": 0, "unit": "day"}, False),
        ({"this": "decade"}, False),
        ({"from": "March 3rd"}, False),
        ({"from": "2026-03-15", "to": "2026-03-01"}, False),
        ({"month": 13}, False),
        ({"quarter": 2, "month": 4}, False),
        ({"to": "2026-03-01"}, False),
        ("last week", False),
    ],
)
def test_time_range_checker_tells_forms_apart(value: Any, valid: bool) -> None:
    assert (time_range_problem(value) is None) is valid


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ({"question": "q", "intent": "count", "split": "dev", "slots": {"event": "widget_exported"}}, "unknown event"),
        ({"question": "q", "intent": "count", "split": "dev", "slots": {"interval": "day"}}, "not a count slot"),
        ({"question": "q", "intent": "trend", "split": "dev", "slots": {"interval": "year"}}, "is not one of"),
        ({"question": "q", "intent": "funnel", "split": "dev", "slots": {"steps": ["purchase"]}}, "at least two"),
        ({"question": "q", "intent": "nonsense", "split": "dev"}, "unknown intent"),
        ({"question": "q", "intent": "count"}, "missing key 'split'"),
        ({"question": "q", "intent": "count", "split": "test"}, "split must be"),
    ],
)
def test_case_checker_rejects_bad_labels(case: dict[str, Any], expected: str) -> None:
    assert any(expected in problem for problem in case_problems(case))


BLIND_SETS = sorted((REPO / "tests" / "data").glob("questions_*.yaml"))


@pytest.mark.parametrize("path", BLIND_SETS, ids=lambda p: p.name)
def test_blind_sets_are_scoreable(path: Path) -> None:
    """The extra sets (probes and the refusal held-out) load with askhog's own loader, one split each."""
    from askhog.evaluate import load_cases

    cases = load_cases([path])
    assert len(cases) >= 200
    splits = {c.split for c in cases}
    assert splits == ({"heldout"} if "heldout" in path.name else {"dev"})
    duplicates = [q for q, n in Counter(c.question.strip().lower() for c in cases).items() if n > 1]
    assert not duplicates
