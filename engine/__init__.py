"""askhog: a deterministic natural-language → HogQL intent engine for PostHog data.

The names below are imported when first used (PEP 562), not with the package: a command that needs no engine,
such as ``askhog load``, starts without importing it (half a second of its start-up otherwise).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .answer import Answer, Clarification, ClarifyingQuestion
    from .backends.base import Backend, Table
    from .conversation import Conversation
    from .engine import Engine
    from .errors import AskhogError
    from .taxonomy import Taxonomy
    from .types import EventRef, PropertyFilter, PropertyRef, TimeRange

_MODULES = {
    "Answer": ".answer",
    "AskhogError": ".errors",
    "Backend": ".backends.base",
    "Clarification": ".answer",
    "ClarifyingQuestion": ".answer",
    "Conversation": ".conversation",
    "Engine": ".engine",
    "EventRef": ".types",
    "PropertyFilter": ".types",
    "PropertyRef": ".types",
    "Table": ".backends.base",
    "Taxonomy": ".taxonomy",
    "TimeRange": ".types",
}
"""Each public name and the module it is imported from."""

__all__ = [
    "Answer",
    "AskhogError",
    "Backend",
    "Clarification",
    "ClarifyingQuestion",
    "Conversation",
    "Engine",
    "EventRef",
    "PropertyFilter",
    "PropertyRef",
    "Table",
    "Taxonomy",
    "TimeRange",
]


def __getattr__(name: str) -> Any:
    """A public name, imported on first use and kept in the package's namespace after."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
