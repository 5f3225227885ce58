"""Running a workflow: fill its inputs, run independent steps concurrently, isolate failures, conclude.

A step starts as soon as the steps it refers to have finished, so the
workflow's own references are its schedule. A step that fails (a query the
backend refuses, an analysis with nothing to analyse) is reported in the
report with its message; the steps that needed it are skipped and say why;
the rest carry on.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from datetime import datetime
from string import Formatter
from typing import Any, Protocol

from ..backends.base import Backend, Table
from ..clock import aware_utc
from ..errors import AskhogError, WorkflowError
from ..linking import load_lexicon
from ..render import select_template
from ..roles import resolve_roles
from ..taxonomy import Taxonomy
from ..timerange import from_spec
from ..types import TimeRange
from .analyses import ANALYSES, Outcome, StepInput
from .definition import InputSpec, StepDef, TextRule, Workflow, load_workflow
from .expressions import Scope, resolve, resolve_each, truthy
from .report import QueryRun, Report, StepResult

DEFAULT_CONCURRENCY = 4


class Rendered(Protocol):
    @property
    def hogql(self) -> str: ...

    @property
    def values(self) -> dict[str, Any]: ...


class TemplateRenderer(Protocol):
    """What the runner needs of ``askhog.render.Renderer``."""

    def render(self, template: str, slots: Mapping[str, Any]) -> Rendered: ...


# --- inputs ------------------------------------------------------------------------------------


def missing_inputs(workflow: Workflow, slots: Mapping[str, Any]) -> list[InputSpec]:
    """The inputs a person must still give (required, no default, not in ``slots``): ask these, nothing else."""
    return [
        spec
        for spec in workflow.inputs.values()
        if spec.is_required(slots)
        and not truthy(slots.get(spec.name))
        and spec.default is None
        and spec.default_days is None
    ]


def _default_range(days: int, now: datetime) -> TimeRange:
    """``default_days: N``, "the last N days": resolved from its spec, as the engine's own defaults are, because
    the spec travels with the range (JSON answers, a saved insight's rolling date, the previous period) and must
    name the range the run read."""
    return replace(from_spec({"last": days, "unit": "day"}, now), default=True)


def fill_inputs(
    workflow: Workflow, slots: Mapping[str, Any], now: datetime, roles: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """``slots`` plus the defaults of every input the question left out; refuses when a required one is missing.

    A time range the engine defaulted (``TimeRange.default``) counts as left
    out: an experiment readout wants the experiment's whole run, not the
    engine's generic last 30 days.
    """
    missing = missing_inputs(workflow, slots)
    if missing:
        asks = "; ".join(spec.prompt for spec in missing)
        raise WorkflowError(f"workflow {workflow.id!r} needs more from the question: {asks}")
    filled = dict(slots)
    for spec in workflow.inputs.values():
        given = filled.get(spec.name)
        if isinstance(given, TimeRange) and given.default and spec.default_days is not None:
            given = None  # the engine's generic default; this workflow knows a better one
        if truthy(given):
            continue
        if spec.default_days is not None:
            filled[spec.name] = _default_range(spec.default_days, now)
        elif spec.default is not None:
            filled[spec.name] = _played_by(spec.default, spec.name, roles)
    return filled


def _played_by(value: Any, name: str, roles: Mapping[str, str] | None) -> Any:
    """A default or option written as a role (``@revenue_event``): the project's event for it (``roles``, from
    ``engine/roles.py``); a role no event plays is asked about, naming the two ways to say it."""
    if not (isinstance(value, str) and value.startswith("@")):
        return value
    role = value[1:]
    event = (roles or {}).get(role)
    if event is None:
        raise WorkflowError(
            f"no event of this project reads as its {role.replace('_', ' ')}: which one is it? "
            f"Say it with --option {name}=EVENT, or once for all in askhog.yaml "
            f"(roles: {{{role}: EVENT}})"
        )
    return event


def _options(workflow: Workflow, given: Mapping[str, Any] | None, roles: Mapping[str, str] | None) -> dict[str, Any]:
    options = dict(workflow.options)
    for key, value in (given or {}).items():
        if key not in options:
            raise WorkflowError(f"workflow {workflow.id!r} has no option {key!r}; its options are {sorted(options)}")
        options[key] = value
    return {key: _played_by(value, key, roles) for key, value in options.items()}


# --- one step ----------------------------------------------------------------------------------


class _Run:
    """The inputs of one workflow run, shared read-only by the step threads.

    Each step gets a snapshot of the results finished when it was submitted
    (which includes everything it depends on), so no thread reads a dict the
    scheduler is writing.
    """

    def __init__(
        self,
        slots: Mapping[str, Any],
        options: Mapping[str, Any],
        *,
        backend: Backend,
        renderer: TemplateRenderer,
        taxonomy: Taxonomy,
        now: datetime,
    ):
        self.slots = slots
        self.options = options
        self.backend = backend
        self.renderer = renderer
        self.taxonomy = taxonomy
        self.now = now

    def execute(self, step: StepDef, finished: Mapping[str, StepResult]) -> StepResult:
        started = time.perf_counter()
        blocked = [d for d in sorted(step.depends_on) if finished[d].error is not None or finished[d].blocked]
        if blocked:
            why = ", ".join(f"{d} ({'failed' if finished[d].error else 'blocked'})" for d in blocked)
            return StepResult(step.id, step.title, step.purpose, skipped=True, blocked=True, summary=f"needs {why}")
        queries: list[QueryRun] = []
        try:
            facts = {sid: (r.facts if r.ok else {}) for sid, r in finished.items()}
            scope = Scope(self.slots, self.options, facts, self.taxonomy, self.now)
            if step.when is not None and not truthy(resolve(step.when, scope)):
                return StepResult(
                    step.id, step.title, step.purpose, skipped=True, summary=f"not applicable ({step.when} is not set)"
                )
            base = resolve_each(step.slots, scope)
            if step.template is not None:
                for label, overrides in (step.runs or {"": {}}).items():
                    slots = {**base, **resolve_each(overrides, scope)}
                    stem = select_template(step.template, slots)
                    rendered = self.renderer.render(stem, slots)
                    # Recorded before it runs, so a query the backend refuses is still shown with the error.
                    queries.append(QueryRun(label, rendered.hogql, dict(rendered.values)))
                    table = self.backend.run(rendered.hogql, dict(rendered.values))
                    queries[-1] = QueryRun(label, rendered.hogql, dict(rendered.values), table)
            outcome = self._conclude(step, queries, base, scope)
        except Exception as e:  # one failed step is reported in its place; the others still run
            return StepResult(
                step.id,
                step.title,
                step.purpose,
                tuple(queries),
                error=str(e) if isinstance(e, AskhogError) else f"unexpected {type(e).__name__}: {e}",
                elapsed_ms=(time.perf_counter() - started) * 1000,
            )
        return StepResult(
            step.id,
            step.title,
            step.purpose,
            tuple(queries),
            outcome.table,
            outcome.summary,
            facts=outcome.facts,
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    def _conclude(self, step: StepDef, queries: list[QueryRun], base: Mapping[str, Any], scope: Scope) -> Outcome:
        runs = {q.label: q.table for q in queries if q.table is not None}
        combined = _combine(runs) if step.runs else runs.get("")
        if step.analysis is None:
            rows = len(combined) if combined is not None else 0
            return Outcome(f"{rows} row{'s' if rows != 1 else ''}.", {"rows": rows}, combined)
        data = StepInput(
            table=combined,
            runs=runs,
            slots=base,
            params=resolve_each(step.params, scope),
            facts=scope.facts,
            backend=self.backend,
            taxonomy=self.taxonomy,
            now=self.now,
        )
        outcome = ANALYSES[step.analysis](data)
        return (
            outcome
            if outcome.table is not None or combined is None
            else Outcome(outcome.summary, outcome.facts, combined)
        )


def _combine(runs: Mapping[str, Table]) -> Table | None:
    """The tables of a step's runs stacked, with a leading ``run`` column saying which is which."""
    tables = list(runs.items())
    if not tables:
        return None
    columns, types = tables[0][1].columns, tables[0][1].types
    rows = tuple((label, *row) for label, t in tables for row in t.rows)
    return Table(("run", *columns), ("String", *types), rows)


# --- sentences ---------------------------------------------------------------------------------


class _Facts(dict):  # type: ignore[type-arg]
    """Step facts reachable as ``{step.fact}`` in a sentence."""

    def __getitem__(self, name: str) -> Any:
        value = super().__getitem__(name)
        return _Facts(value) if isinstance(value, Mapping) else value

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _sentence(rule: TextRule, namespace: Mapping[str, Any]) -> str | None:
    for path in rule.when:
        root, *rest = path.split(".")
        value: Any = namespace.get(root)
        for part in rest:
            value = value.get(part) if isinstance(value, Mapping) else None
        if not truthy(value):
            return None
    try:
        return Formatter().vformat(rule.text, (), _Facts(namespace))
    except (KeyError, AttributeError, IndexError, ValueError, TypeError):
        return None


# --- the whole run -----------------------------------------------------------------------------


def run_workflow(
    workflow: str | Workflow,
    slots: Mapping[str, Any],
    *,
    backend: Backend,
    renderer: TemplateRenderer,
    taxonomy: Taxonomy,
    now: datetime,
    options: Mapping[str, Any] | None = None,
    question: str = "",
    concurrency: int = DEFAULT_CONCURRENCY,
    roles: Mapping[str, str] | None = None,
) -> Report:
    """Run ``workflow`` (a built-in's name, or one already loaded: a project's own file, a test's) on ``backend``
    and report its finding, evidence and follow-ups. ``roles``: the project's event for each role
    (``Engine.roles``); by default the ones the taxonomy's names say. ``now`` may be naive, meaning UTC."""
    started = time.perf_counter()
    if isinstance(workflow, str):
        workflow = load_workflow(workflow)
    now = aware_utc(now)
    if roles is None:  # a caller without an engine: the roles the taxonomy's names say
        roles = resolve_roles(taxonomy, load_lexicon(taxonomy), {})
    run = _Run(
        fill_inputs(workflow, slots, now, roles),
        _options(workflow, options, roles),
        backend=backend,
        renderer=renderer,
        taxonomy=taxonomy,
        now=now,
    )
    results: dict[str, StepResult] = {}
    pending = list(workflow.steps)
    running: dict[Future[StepResult], StepDef] = {}
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix=f"wf-{workflow.id}") as pool:
        while pending or running:
            for step in [s for s in pending if s.depends_on <= results.keys()]:
                pending.remove(step)
                running[pool.submit(run.execute, step, dict(results))] = step
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                step = running.pop(future)
                results[step.id] = future.result()
    ordered = tuple(results[s.id] for s in workflow.steps)
    namespace = {"slots": run.slots, "options": run.options, **{r.id: r.facts for r in ordered if r.ok}}
    finding = next((s for s in (_sentence(r, namespace) for r in workflow.finding) if s), None)
    if finding is None:
        failed = [r.title for r in ordered if r.error]
        finding = f"No conclusion: {', '.join(failed) or 'the steps'} could not be completed."
    follow_ups = tuple(dict.fromkeys(s for s in (_sentence(r, namespace) for r in workflow.follow_ups) if s))
    return Report(
        workflow.id, question, finding, ordered, follow_ups, run.slots, (time.perf_counter() - started) * 1000
    )
