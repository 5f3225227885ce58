"""The workflow runner's mechanics on a fake backend: loading, slot derivation, concurrency, failure isolation, reports."""

from __future__ import annotations

import json
import textwrap
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from askhog.backends.base import Annotation, Table
from askhog.demo.products import demo_taxonomy
from askhog.errors import CatalogError, ExecutionError, WorkflowError
from askhog.timerange import from_spec
from askhog.types import EventRef, PropertyRef, TimeRange
from askhog.workflows import fill_inputs, load_workflow_file, missing_inputs, run_workflow

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@dataclass
class FakeRendered:
    hogql: str
    values: dict[str, Any]


class RecordingRenderer:
    """Renders ``SELECT '<stem>'`` and remembers the slots each stem got."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def render(self, template_stem: str, slots: Mapping[str, Any]) -> FakeRendered:
        with self._lock:
            self.calls.append((template_stem, dict(slots)))
        return FakeRendered(f"SELECT '{template_stem}'", {"stem": template_stem})


class FakeBackend:
    """Answers by template stem; ``fail`` stems raise; ``barrier`` stems must be running at the same time."""

    name = "fake"

    def __init__(self, tables: Mapping[str, Table], fail: set[str] = frozenset(), barrier: set[str] = frozenset()):
        self.tables = tables
        self.fail = fail
        self.barrier_stems = barrier
        self.barrier = threading.Barrier(len(barrier), timeout=5) if barrier else None

    def run(self, hogql: str, values: dict[str, Any] | None = None) -> Table:
        stem = (values or {})["stem"]
        if stem in self.barrier_stems:
            try:
                self.barrier.wait()
            except threading.BrokenBarrierError:
                raise ExecutionError(f"{stem} ran alone: the steps were not concurrent") from None
        if stem in self.fail:
            raise ExecutionError(f"{stem} exploded")
        return self.tables[stem]

    def taxonomy(self):
        return demo_taxonomy()

    def annotations(self) -> list[Annotation]:
        return []


def breakdown(*pairs: tuple[str, float]) -> Table:
    return Table(("breakdown", "value"), ("String", "Float64"), tuple(pairs))


WORKFLOW = """\
id: {name}
title: Test workflow
description: Two independent breakdowns and a step that derives its slots from the first.
inputs:
  event: {{required: true, prompt: "Which event?"}}
  time_range: {{default_days: 14}}
options:
  top_n: 3
steps:
  - id: channels
    title: Users by channel
    purpose: Which channel leads.
    template: stub_channels
    slots: {{event: =slots.event, breakdown: {{property: $initial_utm_source, scope: person}}, time_range: =slots.time_range}}
    analysis: breakdown_totals
  - id: browsers
    title: Users by browser
    purpose: Which browser leads.
    template: stub_browsers
    slots: {{event: =slots.event}}
    analysis: breakdown_totals
  - id: drill
    title: Drill into the leading channel
    purpose: Derives its slots from the channels step.
    template: stub_drill
    slots:
      channel: =channels.top
      steps: {{events: [checkout_started, =slots.event]}}
      limit: {{first: [=slots.limit, =options.top_n]}}
finding:
  - when: [channels.top, drill.rows]
    text: "{{channels.top}} leads and the drill found {{drill.rows}} rows."
  - when: [browsers.top]
    text: "Only the browsers are known: {{browsers.top}} leads."
  - "Nothing concluded."
follow_ups:
  - when: [channels.top]
    text: "What do {{channels.top}} users buy?"
  - "Always ask this."
"""


@pytest.fixture
def workflow_file(tmp_path: Path) -> Path:
    path = tmp_path / "probe.yaml"
    path.write_text(WORKFLOW.format(name="probe"))
    return path


def tables() -> dict[str, Table]:
    return {
        "stub_channels": breakdown(("google", 50.0), ("newsletter", 20.0)),
        "stub_browsers": breakdown(("Chrome", 70.0), ("Safari", 30.0)),
        "stub_drill": Table(("x",), ("Int64",), ((1,), (2,))),
    }


def run(path: Path, backend: FakeBackend, renderer: RecordingRenderer | None = None, **slots: Any):
    return run_workflow(
        load_workflow_file(path),
        slots or {"event": EventRef("purchase")},
        backend=backend,
        renderer=renderer or RecordingRenderer(),
        taxonomy=demo_taxonomy(),
        now=NOW,
        question="who buys?",
    )


def test_independent_steps_run_concurrently(workflow_file):
    backend = FakeBackend(tables(), barrier={"stub_channels", "stub_browsers"})
    report = run(workflow_file, backend)
    assert [s.error for s in report.steps] == [None, None, None]


def test_slots_derive_from_the_question_options_and_earlier_steps(workflow_file):
    renderer = RecordingRenderer()
    report = run(workflow_file, FakeBackend(tables()), renderer)
    got = dict(renderer.calls)
    assert got["stub_drill"] == {
        "channel": "google",
        "steps": (EventRef("checkout_started"), EventRef("purchase")),
        "limit": 3,
    }
    assert got["stub_channels"]["breakdown"] == PropertyRef("$initial_utm_source", "person", "String")
    window = got["stub_channels"]["time_range"]
    assert isinstance(window, TimeRange) and window.default and window.end == NOW and window.days == 14
    assert report.finding == "google leads and the drill found 2 rows."
    assert report.follow_ups == ("What do google users buy?", "Always ask this.")


def test_a_failing_step_is_reported_and_only_its_dependents_are_skipped(workflow_file):
    report = run(workflow_file, FakeBackend(tables(), fail={"stub_channels"}))
    channels, browsers, drill = report.steps
    assert channels.error == "stub_channels exploded" and channels.hogql == "SELECT 'stub_channels'"
    assert browsers.ok and browsers.facts["top"] == "Chrome"
    assert drill.skipped and drill.blocked and "channels (failed)" in drill.summary
    assert report.finding == "Only the browsers are known: Chrome leads."
    assert report.failed == (channels,)
    assert report.evidence == (browsers,)


def test_report_serialises_to_json_markdown_and_text(workflow_file):
    report = run(workflow_file, FakeBackend(tables(), fail={"stub_browsers"}))
    data = json.loads(json.dumps(report.to_json()))
    assert data["finding"] == report.finding
    assert data["slots"]["event"] == "purchase"
    assert data["steps"][1]["error"] == "stub_browsers exploded"
    assert data["evidence"] == ["channels", "drill"]
    assert data["steps"][0]["table"]["rows"][0] == ["google", 50.0]
    md = report.to_markdown()
    assert md.startswith("## who buys?") and "**Finding:** google leads" in md
    assert "```sql\nSELECT 'stub_channels'\n```" in md and "failed: stub_browsers exploded" in md
    assert "| breakdown | value |" in md
    text = report.render_text()
    assert text.splitlines()[0] == report.finding and "2. Users by browser: failed" in text


def test_missing_required_input_is_asked_and_defaults_fill_the_rest(workflow_file):
    wf = load_workflow_file(workflow_file)
    assert [s.name for s in missing_inputs(wf, {})] == ["event"]
    assert missing_inputs(wf, {"event": EventRef("purchase")}) == []
    with pytest.raises(WorkflowError, match="Which event"):
        fill_inputs(wf, {}, NOW)
    given = TimeRange(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 8, tzinfo=UTC), "first week")
    assert fill_inputs(wf, {"event": EventRef("purchase"), "time_range": given}, NOW)["time_range"] == given


def test_a_defaulted_range_is_the_range_its_stored_spec_resolves_to(workflow_file):
    """The spec travels with the range (JSON answers, a saved insight's rolling date, the previous period): it must
    resolve to the range the run read, not to one that starts at another hour."""
    filled = fill_inputs(load_workflow_file(workflow_file), {"event": EventRef("purchase")}, NOW)["time_range"]
    again = from_spec(filled.spec, NOW)
    assert filled.default and filled.spec == {"last": 14, "unit": "day"}
    assert (filled.start, filled.end, filled.label) == (again.start, again.end, again.label)


def test_unknown_option_is_refused(workflow_file):
    with pytest.raises(WorkflowError, match="no option 'colour'"):
        run_workflow(
            load_workflow_file(workflow_file),
            {"event": EventRef("purchase")},
            backend=FakeBackend(tables()),
            renderer=RecordingRenderer(),
            taxonomy=demo_taxonomy(),
            now=NOW,
            options={"colour": "red"},
        )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace(
                "    purpose: Which browser leads.\n", "    purpose: Which browser leads.\n    colour: red\n"
            ),
            "key 'colour'",
        ),
        (
            lambda t: t.replace("analysis: breakdown_totals\n  - id: drill", "analysis: tea_leaves\n  - id: drill"),
            "unknown analysis 'tea_leaves'",
        ),
        (lambda t: t.replace("slots: {event: =slots.event}", "slots: {event: =drill.x}"), "not earlier steps"),
        (lambda t: t.replace("id: probe", "id: other"), "must equal the file name"),
        (
            lambda t: t.replace('  - "Nothing concluded."\n', "  - {when: [nowhere.x], text: hi}\n"),
            "'nowhere.x' is not <step>.<fact>",
        ),
    ],
)
def test_malformed_files_name_the_file_and_the_problem(tmp_path, edit, message):
    path = tmp_path / "probe.yaml"
    path.write_text(edit(WORKFLOW.format(name="probe")))
    with pytest.raises(CatalogError, match=message) as err:
        load_workflow_file(path)
    assert str(path) in str(err.value)


def test_misspelt_reference_root_is_refused_on_load(tmp_path):
    path = tmp_path / "probe.yaml"
    path.write_text(
        WORKFLOW.format(name="probe").replace("limit: {first: [=slots.limit, =options.top_n]}", "limit: =optons.top_n")
    )
    with pytest.raises(CatalogError, match="optons"):
        load_workflow_file(path)


def test_a_step_not_applicable_does_not_block_the_steps_that_may_use_it(tmp_path):
    path = tmp_path / "optional.yaml"
    path.write_text(
        textwrap.dedent("""\
        id: optional
        title: Optional step
        description: The drill uses the channels step's fact when there is one.
        steps:
          - id: channels
            title: Channels
            purpose: Only when an event is given.
            when: =slots.event
            template: stub_channels
            analysis: breakdown_totals
          - id: drill
            title: Drill
            purpose: Runs either way.
            template: stub_drill
            slots: {channel: {first: [=channels.top, everyone]}}
        finding: ["{drill.rows} rows."]
        """)
    )
    renderer = RecordingRenderer()
    report = run_workflow(
        load_workflow_file(path),
        {},
        backend=FakeBackend(tables()),
        renderer=renderer,
        taxonomy=demo_taxonomy(),
        now=NOW,
    )
    channels, drill = report.steps
    assert channels.skipped and not channels.blocked and "=slots.event" in channels.summary
    assert drill.ok and dict(renderer.calls)["stub_drill"] == {"channel": "everyone"}
    assert report.finding == "2 rows."
