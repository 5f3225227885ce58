"""askhog: a deterministic natural-language → HogQL intent engine for PostHog data."""

from .errors import AskhogError

__all__ = ["AskhogError"]
