"""Multi-query workflows: YAML plans of template queries and named analyses, concluded in a ``Report``."""

from .definition import Workflow, available_workflows, load_workflow, load_workflow_file
from .report import QueryRun, Report, StepResult
from .runner import fill_inputs, missing_inputs, run_workflow

__all__ = [
    "QueryRun",
    "Report",
    "StepResult",
    "Workflow",
    "available_workflows",
    "fill_inputs",
    "load_workflow",
    "load_workflow_file",
    "missing_inputs",
    "run_workflow",
]
