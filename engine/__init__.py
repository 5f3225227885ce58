"""askhog: a deterministic natural-language → HogQL intent engine for PostHog data."""

from .answer import Answer, Clarification, ClarifyingQuestion
from .backends.base import Backend, Table
from .conversation import Conversation
from .engine import Engine
from .errors import AskhogError
from .taxonomy import Taxonomy
from .types import EventRef, PropertyFilter, PropertyRef, TimeRange

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
