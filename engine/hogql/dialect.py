"""HogQL as a sqlglot dialect: ClickHouse's, with the three things HogQL writes differently.

HogQL is ClickHouse SQL plus PostHog's conveniences. Stock sqlglot's ClickHouse
dialect gets three of them wrong, and each is fixed in the dialect's tables:

* ``$`` inside identifiers (``properties.$browser``, ``$session_id``): ClickHouse's
  tokenizer reads ``$`` as the start of a heredoc string. HogQL has no heredocs,
  so ``$`` becomes an ordinary identifier character.
* ``{name}`` placeholders: ClickHouse only knows typed query parameters
  ``{name: Type}`` and otherwise reads ``{...}`` as a map literal (``{filters}``
  silently became an empty map). Here an untyped ``{name}`` (or ``{a.b}``) is an
  ``exp.Placeholder`` whose ``this`` is the name.
* Property chains (``person.properties.$x``) then parse as the column/dot chains
  they are, with no further change.

Comments are read exactly as PostHog's lexer (``HogQLLexer.g4``) reads them, since
a query that one reader sees as comment and the other as code could hide a call or
a second statement from the guard: ``/* */`` does not nest, ``--`` and ``//`` run
to a ``\n`` *or* a ``\r``. (``#`` stays a comment, as in ClickHouse and in the
parser PostHog ships today; the guard refuses it, since grammar versions differ.)

Two smaller additions serve the guard: calls with a dedicated sqlglot parser
(``string_agg``, ``arrayJoin``) remember the name they were written with, as
ordinary calls already do, and the "falling back to Command" log line is not
printed (the guard reports such a statement itself).

sqlglot only *reads* HogQL here: the text sent to PostHog is the rendered
template, never sqlglot's regenerated SQL (which rewrites ``if()`` as CASE).

The dialect is written against sqlglot 30.30.0's pure-Python tokenizer. The
optional compiled build (``sqlglot[c]``, "sqlglotc") overlays compiled modules on
sqlglot's own; askhog neither needs nor installs it, and ``PURE_PYTHON`` records
which build is loaded so that a test can tell.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from sqlglot import exp, tokens
from sqlglot.dialects.clickhouse import ClickHouse
from sqlglot.generators.clickhouse import ClickHouseGenerator
from sqlglot.parsers.clickhouse import ClickHouseParser
from sqlglot.tokenizer_core import TokenType

PURE_PYTHON: bool = not tokens.SQLGLOTC_INSTALLED
NAME_META_KEY: str = ClickHouse.ORIGINAL_NAME_META_KEY or "clickhouse_name"
"""Where a function node keeps the name the query wrote (``toStartOfDay`` for a TimestampTrunc)."""


def _keeping_written_name(parse: Callable[[Any], exp.Expr | None]) -> Callable[[Any], exp.Expr | None]:
    """Wrap a dedicated function parser so its node remembers the name as written.

    sqlglot records the written name of ordinary calls (``toStartOfDay``) in
    ``meta``, but not of calls with their own parser (``string_agg`` and
    ``groupConcat`` both become GroupConcat). The guard needs it to tell an
    allowed spelling from a refused one. When the parser runs, the name and
    ``(`` are the two tokens just consumed.
    """

    def parse_keeping_name(self: Any) -> exp.Expr | None:
        name_token = self._tokens[self._index - 2]
        node = parse(self)
        if isinstance(node, exp.Func) and NAME_META_KEY not in node.meta:
            node.meta[NAME_META_KEY] = name_token.text
            node.update_positions(name_token)
        return node

    return parse_keeping_name


class HogQL(ClickHouse):
    """The HogQL dialect: ``sqlglot.parse_one(text, read=HogQL)``."""

    class Tokenizer(ClickHouse.Tokenizer):
        COMMENTS = ["--", "//", "#", ("/*", "*/")]
        NESTED_COMMENTS = False
        COMMENTS_TERMINATE_AT_NEWLINE_ONLY = False
        HEREDOC_STRINGS: ClassVar[list[str | tuple[str, str]]] = []
        SINGLE_TOKENS = {k: v for k, v in ClickHouse.Tokenizer.SINGLE_TOKENS.items() if k != "$"}
        VAR_SINGLE_TOKENS = {"$"}

    class Parser(ClickHouseParser):
        FUNCTION_PARSERS = {
            name: _keeping_written_name(parse) for name, parse in ClickHouseParser.FUNCTION_PARSERS.items()
        }

        PLACEHOLDER_PARSERS = {
            **ClickHouseParser.PLACEHOLDER_PARSERS,
            TokenType.L_BRACE: lambda self: self._parse_hogql_placeholder(),
        }

        def _warn_unsupported(self) -> None:
            """Stay quiet: the guard reports a statement sqlglot reads as a bare Command, with its position."""

        def _parse_hogql_placeholder(self) -> exp.Expr | None:
            """``{name}`` or ``{a.b}`` → Placeholder(this=name); ``{x: Type}`` stays ClickHouse's."""
            index = self._index
            parts: list[str] = []
            while self._curr is not None and self._curr.token_type in (TokenType.VAR, *self.ID_VAR_TOKENS):
                parts.append(self._curr.text)
                self._advance()
                if not self._match(TokenType.DOT):
                    break
            if parts and self._match(TokenType.R_BRACE):
                return self.expression(exp.Placeholder(this=".".join(parts)))
            self._retreat(index)
            return self._parse_query_parameter()

    class Generator(ClickHouseGenerator):
        TRANSFORMS = {
            **ClickHouseGenerator.TRANSFORMS,
            exp.Placeholder: lambda self, e: f"{{{e.name}}}" if e.args.get("kind") is None else self.placeholder_sql(e),
        }
