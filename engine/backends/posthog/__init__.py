"""The PostHog backend: a real project through PostHog's HTTP API.

``backend_from_settings`` is what the CLI calls (``None`` when no key is set:
use the embedded demo); ``PostHogBackend`` answers the ``Backend`` protocol;
``doctor`` explains a broken setup.
"""

from .backend import PostHogBackend, backend_from_settings
from .client import PostHogClient
from .config import ConfigError, PostHogConfig, QueryLimits, key_is_configured
from .doctor import Check, DoctorReport, doctor
from .metrics import QueryMetrics
from .project_data import Cohort, Experiment, ExperimentNotFound

__all__ = [
    "Check",
    "Cohort",
    "ConfigError",
    "DoctorReport",
    "Experiment",
    "ExperimentNotFound",
    "PostHogBackend",
    "PostHogClient",
    "PostHogConfig",
    "QueryLimits",
    "QueryMetrics",
    "backend_from_settings",
    "doctor",
    "key_is_configured",
]
