"""A real HTTP server on 127.0.0.1 speaking PostHog's API shapes, scripted per test.

Requests the client sends to the query endpoint are checked against PostHog's
own JSON Schema (QueryRequest), saved insights' queries against PostHog's insight
schema (posthog-insight-schema.json), and the canned answers are built by helpers
that check them against HogQLQueryResponse / QueryStatus / HogQLMetadataResponse,
so the client is tested against the contract, not against our reading of it.
The schema is a copy of ../shared/spec/posthog-query-schema.json kept in
tests/posthog/data so the tests run anywhere the repository is checked out.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jsonschema
from askhog.backends.posthog.cache import TTLCache
from askhog.backends.posthog.client import PostHogClient
from askhog.backends.posthog.config import PostHogConfig, QueryLimits
from askhog.backends.posthog.limiter import QueryRateLimiter

SCHEMA_PATH = Path(__file__).parent / "data" / "posthog-query-schema.json"
INSIGHT_SCHEMA_PATH = Path(__file__).parent / "data" / "posthog-insight-schema.json"
API_KEY = "phx_secret_KEY_0123456789abcdef"  # what the tests configure; it must never surface


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def validator(definition: str) -> jsonschema.protocols.Validator:
    """A validator for ``#/definitions/<definition>`` with the schema's other definitions resolvable."""
    schema = _schema()
    root = {"$schema": schema["$schema"], "$ref": f"#/definitions/{definition}", "definitions": schema["definitions"]}
    return jsonschema.Draft7Validator(root)


@cache
def insight_validator() -> jsonschema.protocols.Validator:
    """PostHog's schema of an insight's ``query`` (an InsightVizNode or a DataVisualizationNode and all they reach);
    a copy of ../shared/spec/posthog-insight-schema.json."""
    return jsonschema.Draft7Validator(json.loads(INSIGHT_SCHEMA_PATH.read_text(encoding="utf-8")))


def check(definition: str, instance: Any) -> Any:
    validator(definition).validate(instance)
    return instance


@dataclass
class Reply:
    """One scripted answer; ``reset`` closes the connection without answering.

    ``trickle`` sends the answer one byte every ``trickle`` seconds (the whole response, status line
    and headers included, when ``trickle_headers``), until it is sent or the client hangs up; ``endless``
    announces a body that never ends. ``raw`` is a JSON body sent exactly as given (a body too deeply
    nested for ``json.dumps`` to write).
    """

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False
    trickle: float = 0.0
    trickle_headers: bool = False
    endless: bool = False
    raw: bytes | None = None


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


Responder = Reply | Callable[[Recorded], Reply]


def hogql_response(columns: list[str], types: list[str], rows: list[list[Any]], **extra: Any) -> dict[str, Any]:
    """A HogQLQueryResponse as PostHog sends it (``types`` as ``[name, type]`` pairs)."""
    body = {
        "columns": columns,
        "types": [[c, t] for c, t in zip(columns, types)],
        "results": rows,
        "hasMore": False,
        **extra,
    }
    return check("HogQLQueryResponse", body)


def query_status(query_id: str, *, complete: bool, results: Any = None, error_message: str | None = None) -> dict:
    status: dict[str, Any] = {
        "id": query_id,
        "query_async": True,
        "team_id": 1,
        "complete": complete,
        "error": error_message is not None,
        "error_message": error_message,
    }
    if results is not None:
        status["results"] = results
    check("QueryStatus", status)
    return {"query_status": status}


def metadata_response(errors: list[dict[str, Any]] = (), warnings: list[dict[str, Any]] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    body = {"errors": list(errors), "warnings": list(warnings), "notices": [], "isValid": not errors}
    return check("HogQLMetadataResponse", body)


def page(results: list[dict[str, Any]], next_url: str | None = None) -> dict[str, Any]:
    return {"count": len(results), "next": next_url, "previous": None, "results": results}


class _QuietServer(ThreadingHTTPServer):
    """A client that hung up on purpose (a deadline test) is not an error worth a traceback on stderr."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class FakePostHog:
    """Routes ``(method, path)`` to scripted replies (consumed in order), then to a default reply."""

    def __init__(self, project_id: str = "1"):
        self.project_id = project_id
        self.requests: list[Recorded] = []
        self.invalid_requests: list[str] = []
        self._scripts: dict[tuple[str, str], deque[Responder]] = {}
        self._defaults: dict[tuple[str, str], Responder] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def project_path(self, suffix: str = "") -> str:
        return f"/api/projects/{self.project_id}/{suffix}"

    def script(self, method: str, path: str, *replies: Responder) -> None:
        with self._lock:
            self._scripts.setdefault((method, path), deque()).extend(replies)

    def default(self, method: str, path: str, reply: Responder) -> None:
        with self._lock:
            self._defaults[(method, path)] = reply

    def calls(self, method: str, path: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and (path is None or r.path == path)]

    def start(self) -> FakePostHog:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, recorded: Recorded) -> Reply:
        key = (recorded.method, recorded.path)
        with self._lock:
            self.requests.append(recorded)
            queue = self._scripts.get(key)
            responder = queue.popleft() if queue else self._defaults.get(key)
        if responder is None:
            return Reply(404, {"type": "invalid_request", "code": "not_found", "detail": "Not found.", "attr": None})
        return responder(recorded) if callable(responder) else responder

    def _validate(self, recorded: Recorded) -> None:
        if recorded.method == "POST" and recorded.path == self.project_path("query/"):
            for error in validator("QueryRequest").iter_errors(recorded.body):
                self.invalid_requests.append(f"{list(error.absolute_path)}: {error.message}")
        if recorded.method == "POST" and recorded.path == self.project_path("insights/"):
            body = recorded.body if isinstance(recorded.body, dict) else {}
            if not isinstance(body.get("name"), str) or "query" not in body:
                self.invalid_requests.append("an insight needs a name and a query")
            for error in insight_validator().iter_errors(body.get("query")):
                self.invalid_requests.append(f"insight query {list(error.absolute_path)}: {error.message}")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                recorded = Recorded(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    json.loads(raw) if raw else None,
                )
                fake._validate(recorded)
                try:
                    reply = fake._answer(recorded)
                except Exception as exc:  # a broken script must fail the test, not look like a network fault
                    fake.invalid_requests.append(f"handler crashed on {recorded.method} {recorded.path}: {exc!r}")
                    reply = Reply(599, {"detail": "fake server handler crashed"})
                if reply.reset:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if reply.raw is not None:
                    payload, ctype = reply.raw, "application/json"
                elif isinstance(reply.body, (bytes, str)):
                    payload = reply.body.encode() if isinstance(reply.body, str) else reply.body
                    ctype = "text/html"
                else:
                    payload = json.dumps(reply.body).encode()
                    ctype = "application/json"
                if reply.trickle:
                    self._trickle(reply, payload, ctype)
                    return
                self.send_response(reply.status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)

            def _trickle(self, reply: Reply, payload: bytes, ctype: str) -> None:
                length = 1 << 30 if reply.endless else len(payload)
                head = [
                    f"HTTP/1.1 {reply.status} OK",
                    f"Content-Type: {ctype}",
                    f"Content-Length: {length}",
                    *(f"{k}: {v}" for k, v in reply.headers.items()),
                ]
                head_bytes = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
                self.close_connection = True
                try:
                    if not reply.trickle_headers:
                        self.wfile.write(head_bytes)
                        self.wfile.flush()
                        head_bytes = b""
                    data, sent = head_bytes + payload, 0
                    while not fake._stopping.is_set() and (reply.endless or sent < len(data)):
                        self.wfile.write(data[sent : sent + 1] if sent < len(data) else b" ")
                        self.wfile.flush()
                        sent += 1
                        time.sleep(reply.trickle)
                except OSError:  # the client hung up, as it should once its deadline passes
                    return

            do_GET = do_POST = do_DELETE = do_PATCH = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


def client_on_clock(
    config: PostHogConfig,
    clock: Any,
    limits: QueryLimits | None = None,
    transport: httpx.BaseTransport | None = None,
) -> PostHogClient:
    """A client on a test's fake ``clock`` (which also sleeps): its time, waits, jitter, rate limiter and cache all
    follow it, so no test waits for real."""
    return PostHogClient(
        config,
        transport=transport,
        clock=clock,
        sleep=clock.sleep,
        jitter=lambda: 0.5,
        limiter=QueryRateLimiter(limits or config.limits, clock=clock, sleep=clock.sleep),
        cache=TTLCache(config.cache_ttl, config.cache_size, clock=clock),
    )
