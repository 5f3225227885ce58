"""Keeping the personal API key out of every message and log line, whatever the server sends back.

The key is only ever sent as ``Authorization: Bearer …``, but a server or proxy can echo it: in a
query's ``error_message``, an error body, a redirect's ``Location``, a response header that the HTTP
library logs at DEBUG. Rather than trusting each place that builds a message, the client passes
every error it raises through ``Redactor.scrub`` and attaches a ``RedactingFilter`` to the loggers
that see its traffic.
"""

from __future__ import annotations

import json
import logging
import weakref
from collections.abc import Iterable
from urllib.parse import quote

REDACTED = "[redacted]"

LOGGERS: tuple[str, ...] = (
    "askhog",
    "askhog.posthog",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.connection_pool",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
"""Every logger a PostHog call writes to. A logger's filters only see records logged on that very logger
(not its children's), so each one is named here rather than only the parents."""


class Redactor:
    """Replaces a secret, and the spellings a server could echo it in (URL- and JSON-escaped), with
    ``[redacted]``."""

    def __init__(self, secret: str):
        spellings = {secret, quote(secret, safe=""), json.dumps(secret)[1:-1]} - {""}
        self._spellings = tuple(sorted(spellings, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        for spelling in self._spellings:
            if spelling in text:
                text = text.replace(spelling, REDACTED)
        return text

    def __repr__(self) -> str:
        return "Redactor([redacted])"

    def scrub(self, exc: BaseException) -> BaseException:
        """``exc`` with the secret removed from its message, PostHog's error fields and the path of the call
        (a ``next`` link the server sent can hold anything), changed in place."""
        exc.args = tuple(self(a) if isinstance(a, str) else a for a in exc.args)
        for name in ("detail", "attr", "code", "path"):
            value = getattr(exc, name, None)
            if isinstance(value, str):
                setattr(exc, name, self(value))
        return exc


class RedactingFilter(logging.Filter):
    """A logging filter that rewrites a record holding the secret; it never drops a record."""

    def __init__(self, redactor: Redactor):
        super().__init__()
        self._redact = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: leave it to the handler's own error path
            return True
        clean = self._redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and record.exc_info[1] is not None:
            self._redact.scrub(record.exc_info[1])
            record.exc_text = None
        return True


def install(redactor: Redactor, owner: object, loggers: Iterable[str] = LOGGERS) -> RedactingFilter:
    """Attach a filter for ``redactor`` to ``loggers`` until ``uninstall`` (or until ``owner`` is collected)."""
    found = RedactingFilter(redactor)
    names = tuple(loggers)
    for name in names:
        logging.getLogger(name).addFilter(found)
    weakref.finalize(owner, _detach, found, names)
    return found


def uninstall(found: RedactingFilter, loggers: Iterable[str] = LOGGERS) -> None:
    _detach(found, tuple(loggers))


def _detach(found: RedactingFilter, names: tuple[str, ...]) -> None:
    for name in names:
        logging.getLogger(name).removeFilter(found)
