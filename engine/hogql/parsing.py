"""Reading HogQL text into sqlglot trees, with syntax errors that say where.

The guard needs more than a tree: it needs the tokens (to see a trailing ``;``)
and every statement in the text (to refuse a second one), so the text is
tokenized once here and both are kept.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeVar, overload

from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokenizer_core import Token, TokenType

from ..errors import HogQLSyntaxError, Problem, UnsafeQueryError
from .dialect import HogQL

_DIALECT = HogQL()
_E = TypeVar("_E", bound=exp.Expr)
_TOKEN_ERROR_OFFSET = re.compile(r"from \d+:(\d+)")
_SQLGLOT_CLASS = re.compile(r"<class 'sqlglot\.[\w.]*\.(\w+)'>")


@dataclass(frozen=True)
class ParsedText:
    """A text's tokens and its statements (``None`` entries are empty statements between semicolons)."""

    text: str
    tokens: list[Token]
    statements: list[exp.Expr | None]


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset, as an editor shows them."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def tokenize(hogql: str) -> list[Token]:
    """The HogQL tokens of ``hogql``; ``HogQLSyntaxError`` with a position when it cannot be tokenized."""
    if not isinstance(hogql, str) or not hogql.strip():
        raise HogQLSyntaxError("the query is empty")
    try:
        return _DIALECT.tokenize(hogql)
    except TokenError as e:
        raise _token_error(hogql, e) from None
    except IndexError:  # sqlglot's tokenizer indexes past the end of some unterminated constructs
        raise HogQLSyntaxError("the text ends inside a string, identifier or comment") from None


def parse_text(hogql: str, tokens: list[Token] | None = None) -> ParsedText:
    """Tokenize (unless ``tokens`` are given) and parse every statement; raise ``HogQLSyntaxError`` with a position."""
    if tokens is None:
        tokens = tokenize(hogql)
    try:
        statements = _DIALECT.parser().parse(tokens, hogql)
    except ParseError as e:
        first = e.errors[0] if e.errors else {}
        message = _SQLGLOT_CLASS.sub(r"\1", first.get("description") or str(e))
        if first.get("highlight"):
            message += f" near {first['highlight']!r}"
        raise HogQLSyntaxError(message, first.get("line"), first.get("col")) from None
    except (IndexError, KeyError, TypeError, ValueError) as e:
        # sqlglot's function builders index their argument lists: map(x) with one argument raises IndexError.
        raise HogQLSyntaxError(f"malformed expression ({type(e).__name__}: {e})") from None
    return ParsedText(hogql, tokens, list(statements))


def parse(hogql: str) -> exp.Expr:
    """The one statement in ``hogql`` as a sqlglot tree of the HogQL dialect.

    Raises ``HogQLSyntaxError`` when the text does not parse and
    ``UnsafeQueryError`` when it holds more than one statement.
    """
    parsed = parse_text(hogql)
    statements = [s for s in parsed.statements if s is not None]
    if len(statements) != 1:
        raise UnsafeQueryError([multiple_statements_problem(parsed)])
    return statements[0]


def multiple_statements_problem(parsed: ParsedText) -> Problem:
    """The problem for a text that is not exactly one statement, placed at the second one."""
    count = sum(1 for s in parsed.statements if s is not None)
    where = next((t for t in parsed.tokens if t.token_type == TokenType.SEMICOLON), None)
    return Problem(
        "multiple_statements",
        f"the text holds {count} statements; HogQL runs exactly one",
        where.line if where else None,
        where.col if where else None,
        "send a single SELECT",
    )


def _token_error(text: str, error: TokenError) -> HogQLSyntaxError:
    cause = str(error.__cause__ or error)
    found = _TOKEN_ERROR_OFFSET.search(cause)
    if found:
        line, column = line_column(text, int(found.group(1)))
        return HogQLSyntaxError(cause.split(" from ")[0].replace("Missing", "unterminated: missing"), line, column)
    return HogQLSyntaxError(cause)


def locate(node: exp.Expr, text: str) -> tuple[int | None, int | None]:
    """Line and column where ``node`` starts in ``text``, from the token offsets sqlglot keeps in ``meta``.

    Nodes built without a token of their own (a JOIN, a comparison) take the
    position of the leftmost token beneath them.
    """
    starts = [n.meta["start"] for n in node.walk() if "start" in n.meta]
    if not starts:
        return None, None
    return line_column(text, min(starts))


def find_word(text: str, word: str) -> tuple[int | None, int | None]:
    """Line and column of the first whole-word, case-insensitive occurrence of ``word`` in ``text``."""
    found = re.search(rf"(?<![\w$]){re.escape(word)}(?![\w$])", text, re.IGNORECASE)
    return line_column(text, found.start()) if found else (None, None)


@overload
def find_all(tree: exp.Expr, kind: type[_E], /) -> Iterator[_E]: ...
@overload
def find_all(tree: exp.Expr, *types: type[exp.Expr]) -> Iterator[exp.Expr]: ...
def find_all(tree: exp.Expr, *types: type[exp.Expr]) -> Iterator[exp.Expr]:
    """``tree.find_all(*types)`` in the same breadth-first order, over a node list built once per tree.

    The guard and the checklist ask a dozen such questions of one query; sqlglot would walk the whole
    tree for each. The lists of the last few trees are kept per thread, by identity (a copy is another tree).
    """
    recent: list[tuple[exp.Expr, tuple[exp.Expr, ...]]] = getattr(_walked, "trees", None) or []
    nodes = next((n for t, n in recent if t is tree), None)
    if nodes is None:
        nodes = tuple(tree.walk())
        _walked.trees = [(tree, nodes), *recent[:3]]
    return (node for node in nodes if isinstance(node, types))


_walked = threading.local()
