"""Every analysis a workflow file may name, by name."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from . import diagnose_analyses, readout_analyses, segment_analysis
from .analysis_base import Analysis, Outcome, StepInput

ANALYSES: Mapping[str, Analysis] = MappingProxyType(
    {**diagnose_analyses.ANALYSES, **segment_analysis.ANALYSES, **readout_analyses.ANALYSES}
)

__all__ = ["ANALYSES", "Analysis", "Outcome", "StepInput"]
