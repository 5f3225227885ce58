"""Workflow files: their shape, their validation, and where they are found.

A workflow is a YAML file in this package (``diagnose.yaml``, ...): the inputs
it needs, its options, its steps (each a template plus how its slots derive,
and optionally a named analysis that concludes from the result), the sentence
rules of its finding and its follow-ups. Adding a workflow is adding a file;
the loader rejects a file that would fail at run time (an unknown analysis, a
step waiting for a later one), naming the file, the line and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import CatalogError
from ..yamlfiles import line_of, load_with_lines
from .analyses import ANALYSES
from .expressions import RESERVED_ROOTS, references

_PACKAGE = "askhog.workflows"
_TOP_KEYS = {
    "id": True,
    "title": True,
    "description": True,
    "inputs": False,
    "options": False,
    "steps": True,
    "finding": True,
    "follow_ups": False,
}
_STEP_KEYS = {"id", "title", "purpose", "template", "slots", "runs", "analysis", "params", "when", "after"}
_INPUT_KEYS = {"required", "required_if", "prompt", "default", "default_days"}
_RULE_KEYS = {"when", "text"}


@dataclass(frozen=True)
class InputSpec:
    """A slot the workflow reads: asked for when required and missing, else defaulted."""

    name: str
    prompt: str
    required: bool = False
    required_if: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    default: Any = None
    default_days: int | None = None

    def is_required(self, slots: Mapping[str, Any]) -> bool:
        if self.required:
            return True
        return any(slots.get(slot) in values for slot, values in self.required_if.items())


@dataclass(frozen=True)
class StepDef:
    """One step: a query (or several ``runs`` of one template) and/or an analysis of earlier results."""

    id: str
    title: str
    purpose: str
    template: str | Mapping[str, Any] | None
    slots: Mapping[str, Any]
    runs: Mapping[str, Mapping[str, Any]]
    analysis: str | None
    params: Mapping[str, Any]
    when: Any
    depends_on: frozenset[str]


@dataclass(frozen=True)
class TextRule:
    """A sentence (``str.format`` over step facts) used when every fact in ``when`` is set."""

    text: str
    when: tuple[str, ...] = ()


@dataclass(frozen=True)
class Workflow:
    id: str
    title: str
    description: str
    inputs: Mapping[str, InputSpec]
    options: Mapping[str, Any]
    steps: tuple[StepDef, ...]
    finding: tuple[TextRule, ...]
    follow_ups: tuple[TextRule, ...]
    source: str


def available_workflows() -> list[str]:
    """The ids of the workflow files shipped in this package, sorted."""
    return sorted(p.name.removesuffix(".yaml") for p in resources.files(_PACKAGE).iterdir() if p.name.endswith(".yaml"))


@cache
def load_workflow(name: str) -> Workflow:
    """The shipped workflow ``name``, validated; an unknown name is a ``CatalogError`` listing the known ones.
    Shipped files do not change while the process runs, so each is parsed once."""
    if name not in available_workflows():
        raise CatalogError(f"engine/workflows/{name}.yaml", f"no such workflow; known: {available_workflows()}")
    text = resources.files(_PACKAGE).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return parse_workflow(text, f"engine/workflows/{name}.yaml")


def load_workflow_file(path: str | Path) -> Workflow:
    """A workflow from any file (a project's own workflows, tests)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise CatalogError(str(p), f"cannot read the file: {e.strerror}") from None
    return parse_workflow(text, str(p))


# --- validation ------------------------------------------------------------------------------


def _require_mapping(value: Any, source: str, key: str, parent: Any) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise CatalogError(source, "must be a mapping", line=line_of(parent, key), key=key)
    return value


def _check_keys(raw: Mapping[str, Any], allowed: set[str], source: str, what: str) -> None:
    for key in raw:
        if key not in allowed:
            raise CatalogError(
                source, f"unknown key in {what}; allowed: {sorted(allowed)}", line=line_of(raw, key), key=key
            )


def _text(raw: Mapping[str, Any], key: str, source: str, *, required: bool = True) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(source, "must be a non-empty string", line=line_of(raw, key), key=key)
    return value.strip()


def parse_workflow(text: str, source: str) -> Workflow:
    raw = load_with_lines(text, source)
    if not isinstance(raw, Mapping):
        raise CatalogError(source, "a workflow file must be a mapping")
    _check_keys(raw, set(_TOP_KEYS), source, "a workflow")
    for key, required in _TOP_KEYS.items():
        if required and key not in raw:
            raise CatalogError(source, "missing required key", key=key)
    wf_id = _text(raw, "id", source)
    expected = Path(source).name.removesuffix(".yaml")
    if wf_id != expected:
        raise CatalogError(
            source, f"id {wf_id!r} must equal the file name {expected!r}", line=line_of(raw, "id"), key="id"
        )
    inputs = _parse_inputs(_require_mapping(raw.get("inputs"), source, "inputs", raw), source)
    options = dict(_require_mapping(raw.get("options"), source, "options", raw))
    steps = _parse_steps(raw.get("steps"), source, raw)
    facts = {s.id for s in steps}
    return Workflow(
        id=wf_id,
        title=_text(raw, "title", source),
        description=_text(raw, "description", source),
        inputs=inputs,
        options=options,
        steps=steps,
        finding=_parse_rules(raw.get("finding"), source, raw, "finding", facts, required=True),
        follow_ups=_parse_rules(raw.get("follow_ups"), source, raw, "follow_ups", facts, required=False),
        source=source,
    )


def _parse_inputs(raw: Mapping[str, Any], source: str) -> dict[str, InputSpec]:
    inputs = {}
    for name, spec in raw.items():
        spec = _require_mapping(spec, source, name, raw)
        _check_keys(spec, _INPUT_KEYS, source, f"input {name!r}")
        required_if = _require_mapping(spec.get("required_if"), source, "required_if", spec)
        days = spec.get("default_days")
        if days is not None and (not isinstance(days, int) or days <= 0):
            raise CatalogError(
                source,
                "must be a positive whole number of days",
                line=line_of(spec, "default_days"),
                key="default_days",
            )
        inputs[name] = InputSpec(
            name=name,
            prompt=_text(spec, "prompt", source, required=False) or f"What should {name} be?",
            required=bool(spec.get("required", False)),
            required_if={k: tuple(v) if isinstance(v, list) else (v,) for k, v in required_if.items()},
            default=spec.get("default"),
            default_days=days,
        )
    return inputs


def _is_template_spec(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return (
        isinstance(value, Mapping)
        and set(value) == {"by", "cases"}
        and isinstance(value["cases"], Mapping)
        and all(isinstance(stem, str) and stem for stem in value["cases"].values())
    )


def template_stems(step: StepDef) -> tuple[str, ...]:
    """Every template stem a step may render."""
    if step.template is None:
        return ()
    if isinstance(step.template, str):
        return (step.template,)
    return tuple(dict.fromkeys(step.template["cases"].values()))


def _parse_steps(raw: Any, source: str, parent: Any) -> tuple[StepDef, ...]:
    if not isinstance(raw, list) or not raw:
        raise CatalogError(source, "must be a non-empty list of steps", line=line_of(parent, "steps"), key="steps")
    steps: list[StepDef] = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise CatalogError(source, "each step must be a mapping", line=line_of(parent, "steps"), key="steps")
        _check_keys(item, _STEP_KEYS, source, "a step")
        step_id = _text(item, "id", source)
        if step_id in RESERVED_ROOTS or any(s.id == step_id for s in steps):
            raise CatalogError(
                source, f"step id {step_id!r} is reserved or used twice", line=line_of(item, "id"), key="id"
            )
        template = item.get("template")
        if template is not None and not _is_template_spec(template):
            raise CatalogError(
                source,
                "must be a template stem or {by: <slot>, cases: {<value>: <stem>}}",
                line=line_of(item, "template"),
                key="template",
            )
        analysis = item.get("analysis")
        if analysis is not None and analysis not in ANALYSES:
            raise CatalogError(
                source,
                f"unknown analysis {analysis!r}; known: {sorted(ANALYSES)}",
                line=line_of(item, "analysis"),
                key="analysis",
            )
        if template is None and analysis is None:
            raise CatalogError(source, f"step {step_id!r} needs a template, an analysis or both", line=line_of(item))
        slots = _require_mapping(item.get("slots"), source, "slots", item)
        runs = _require_mapping(item.get("runs"), source, "runs", item)
        if runs and template is None:
            raise CatalogError(source, "runs need a template", line=line_of(item, "runs"), key="runs")
        for label, overrides in runs.items():
            _require_mapping(overrides, source, str(label), runs)
        params = _require_mapping(item.get("params"), source, "params", item)
        after = item.get("after") or []
        if not isinstance(after, list):
            raise CatalogError(source, "must be a list of step ids", line=line_of(item, "after"), key="after")
        known = {s.id for s in steps}
        depends = (references([slots, dict(runs), params, item.get("when")]) | set(after)) - RESERVED_ROOTS
        unknown = depends - known
        if unknown:
            raise CatalogError(
                source,
                f"step {step_id!r} refers to {sorted(unknown)}, which are not earlier steps",
                line=line_of(item),
                key=step_id,
            )
        steps.append(
            StepDef(
                id=step_id,
                title=_text(item, "title", source),
                purpose=_text(item, "purpose", source),
                template=template,
                slots=slots,
                runs=runs,
                analysis=analysis,
                params=params,
                when=item.get("when"),
                depends_on=frozenset(depends),
            )
        )
    return tuple(steps)


def _parse_rules(
    raw: Any, source: str, parent: Any, key: str, steps: set[str], *, required: bool
) -> tuple[TextRule, ...]:
    if raw is None and not required:
        return ()
    if not isinstance(raw, list) or not raw:
        raise CatalogError(source, "must be a non-empty list of {text, when} rules", line=line_of(parent, key), key=key)
    rules = []
    for item in raw:
        if isinstance(item, str):
            rules.append(TextRule(item))
            continue
        if not isinstance(item, Mapping):
            raise CatalogError(source, "a rule is a sentence or {text, when}", line=line_of(parent, key), key=key)
        _check_keys(item, _RULE_KEYS, source, f"a {key} rule")
        when = item.get("when") or []
        when = [when] if isinstance(when, str) else when
        for fact in when:
            if not isinstance(fact, str) or fact.split(".", 1)[0] not in steps | RESERVED_ROOTS:
                raise CatalogError(
                    source, f"{fact!r} is not <step>.<fact> of this workflow", line=line_of(item, "when"), key="when"
                )
        rules.append(TextRule(_text(item, "text", source), tuple(when)))
    return tuple(rules)
