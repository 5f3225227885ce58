"""``askhog mcp`` as a chat app runs it: a subprocess on stdio, driven by the MCP SDK's own client.

The server reads a small loaded dataset (a loaded store is never regenerated, so nothing depends on today's
date) with its clock pinned by ``--now``; the recognizer's trained model is written to the server's home first,
so the subprocess starts warm.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest

pytest.importorskip("mcp")

from askhog.demo.load import load_file
from askhog.demo.store import Store
from askhog.engine import Engine
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

NOW = "2026-11-26T12:00:00"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, engine: Engine, model_home: Path) -> Path:
    """40 people who signed up, viewed pages and sometimes purchased, from Oct 20 to Nov 24, 2026."""
    home = tmp_path_factory.mktemp("mcp-home")
    rnd = random.Random(5)
    lines = []
    for n in range(40):
        person = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        browser = rnd.choice(["Chrome", "Safari", "Firefox"])
        signed_up = datetime(2026, 10, 20, tzinfo=UTC) + timedelta(days=rnd.randrange(35), hours=rnd.randrange(24))

        def event(
            name: str, at: datetime, n: int = n, person: str = person, browser: str = browser, **properties: Any
        ) -> None:
            lines.append(
                json.dumps(
                    {
                        "event": name,
                        "distinct_id": f"u{n}",
                        "person_id": person,
                        "timestamp": f"{at:%Y-%m-%dT%H:%M:%S}Z",
                        "properties": {"$browser": browser, "$session_id": f"s{n}", **properties},
                    }
                )
            )

        event("signed_up", signed_up)
        for k in range(rnd.randrange(1, 6)):
            event("$pageview", signed_up + timedelta(hours=k + 1), **{"$pathname": rnd.choice(["/", "/pricing"])})
        if rnd.random() < 0.5:
            event("purchase", signed_up + timedelta(days=rnd.randrange(1, 4)), amount=rnd.choice([10, 20, 50]))
    export = home / "events.jsonl"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_file(export, home)
    Store.release()  # the server process opens the store
    shutil.copytree(model_home / "models", home / "models")  # the session engine's trained model: a warm start
    return home


async def drive(home: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTHOG_")}
    env["ASKHOG_HOME"] = str(home)
    server = StdioServerParameters(command=sys.executable, args=["-m", "askhog.cli", "mcp", "--now", NOW], env=env)
    seen: dict[str, Any] = {}
    with anyio.fail_after(60):
        async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            seen["tools"] = (await session.list_tools()).tools
            seen["clarify"] = data(await session.call_tool("ask", {"question": "show me user engagement"}))
            conversation = seen["clarify"]["conversation_id"]
            seen["table"] = data(await session.call_tool("reply", {"conversation_id": conversation, "answer": "2"}))
            seen["follow_up"] = data(
                await session.call_tool("reply", {"conversation_id": conversation, "answer": "what about last week?"})
            )
            seen["errors"] = [
                await session.call_tool(name, arguments)
                for name, arguments in (
                    ("ask", {}),
                    ("ask", {"question": ["not", "text"]}),
                    ("ask", {"question": "   "}),
                    ("reply", {"conversation_id": "c-nope", "answer": "2"}),
                    ("save", {"conversation_id": conversation, "name": "Daily actives"}),
                )
            ]
    return seen


def data(result: CallToolResult) -> dict[str, Any]:
    assert not result.isError, result.content
    payload = result.structuredContent or json.loads(result.content[0].text)  # type: ignore[union-attr]
    assert isinstance(payload, dict)
    return payload


def test_a_chat_app_asks_replies_and_follows_up(home: Path) -> None:
    seen = anyio.run(drive, home)
    tools = {tool.name: tool for tool in seen["tools"]}
    assert set(tools) == {"ask", "reply", "describe_data", "save"}
    assert all(len(tool.description or "") <= 200 for tool in tools.values())
    assert tools["ask"].inputSchema["required"] == ["question"]

    clarify = seen["clarify"]
    assert clarify["status"] == "needs_clarification"
    assert clarify["questions"][0]["options"][:3] == ["active", "dau", "wau"]

    table = seen["table"]  # option 2: daily active users over the default 30 days, one row a day
    assert table["status"] == "answered" and table["intent"] == "engagement"
    assert table["columns"] == ["period", "active_users"] and 20 <= table["row_count"] <= 31
    assert table["computes"].startswith("dau") and "last 30 days" in table["computes"]
    assert table["interpretation"] and "SELECT" in table["hogql"]

    follow_up = seen["follow_up"]  # the same metric, now for last week: seven days
    assert follow_up["conversation_id"] == clarify["conversation_id"] and follow_up["status"] == "answered"
    assert "last week (Nov 16 – Nov 22, 2026)" in follow_up["computes"]
    days = [row[0][:10] for row in follow_up["rows"]]  # days without activity have no row
    assert days and days == sorted(days) and set(days) <= {f"2026-11-{d}" for d in range(16, 23)}

    errors = seen["errors"]
    assert all(e.isError for e in errors)
    texts = [e.content[0].text for e in errors]
    assert all("Traceback" not in t for t in texts)
    assert "question" in texts[0] and "question" in texts[1]
    assert "QuestionError: the question is empty" in texts[2]
    assert "no conversation 'c-nope'" in texts[3]
    assert "POSTHOG_PERSONAL_API_KEY" in texts[4]  # saving needs a PostHog project, which this server has not
