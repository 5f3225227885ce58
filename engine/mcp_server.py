"""``askhog mcp``: askhog as a Model Context Protocol server over stdio, for chat apps.

Four small tools with one-line descriptions (PostHog's own server spends over 50k tokens of context on 44 tool
descriptions; an assistant needs only these): ``ask``, ``reply``, ``describe_data`` and ``save``. They are
``askhog.chat.ChatTools`` over the same ``Engine`` and backend as the CLI, with the conversations kept in this
process (a bounded LRU with an idle expiry). Any error comes back as an MCP tool error carrying askhog's message,
never a traceback. Built on the official ``mcp`` SDK, an optional extra: ``pip install "askhog[mcp]"``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from .chat import ChatTools
from .errors import AskhogError

T = TypeVar("T")

INSTRUCTIONS = (
    "askhog answers product-analytics questions about this PostHog project (or its demo data) in plain English, "
    "deterministically, with no LLM. Call describe_data to see the events and example questions; ask a question; "
    "when the result is a clarification, call reply with the user's choice; follow-ups ('and by browser?') go to "
    "reply too; save keeps an answer as a PostHog insight."
)


def build_server(tools: ChatTools) -> Any:
    """The FastMCP server with askhog's four tools (``mcp`` is imported here: it is an optional extra)."""
    import anyio
    from mcp.server.fastmcp import FastMCP
    from mcp.server.fastmcp.exceptions import ToolError

    server = FastMCP("askhog", instructions=INSTRUCTIONS, log_level="WARNING")

    async def call(fn: Callable[..., T], *args: Any) -> T:
        """Engine work off the event loop (a query may take a while); askhog's errors as tool errors."""
        try:
            return await anyio.to_thread.run_sync(partial(fn, *args))
        except AskhogError as exc:
            raise ToolError(f"{type(exc).__name__}: {exc}") from None

    @server.tool(
        description="Ask a product-analytics question in plain English. Returns the result rows, "
        "what was computed, its interpretation and HogQL, or a clarification to reply to."
    )
    async def ask(question: str, conversation_id: str | None = None) -> dict[str, Any]:
        return await call(tools.ask, question, conversation_id)

    @server.tool(
        description="Answer a clarification (an option or its number) or ask a follow-up "
        "('and by browser?') in a conversation."
    )
    async def reply(conversation_id: str, answer: str) -> dict[str, Any]:
        return await call(tools.reply, conversation_id, answer)

    @server.tool(description="List the project's events and properties, and example questions per analysis.")
    async def describe_data() -> dict[str, Any]:
        return await call(tools.describe_data)

    @server.tool(
        description="Save the conversation's last answer to PostHog as an insight (needs a PostHog "
        "project); returns its URL."
    )
    async def save(conversation_id: str, name: str, dashboard: int | None = None) -> dict[str, Any]:
        return await call(tools.save, conversation_id, name, dashboard)

    return server


def require_sdk() -> None:
    """Fail early, with the install line, when the optional MCP SDK is missing."""
    try:
        import mcp.server.fastmcp  # noqa: F401
    except ImportError:
        raise AskhogError('askhog mcp needs the MCP SDK: pip install "askhog[mcp]"') from None


def serve(tools: ChatTools) -> None:
    """Serve over stdin/stdout until the client closes them (stdout carries only the protocol)."""
    require_sdk()
    build_server(tools).run("stdio")
