"""The guard's checks on the token stream: what a parsed tree cannot show.

A tree has no comments and no record of how a literal was spelled, so three refusals are made here,
before parsing:

* leftover template markup (``{{ x }}``, ``{% if %}``): two braces as adjacent *tokens*, so that
  ``'{{x}}'`` inside a string, or a property named ``x}}`` in backticks, is data and passes;
* comments another reader could end elsewhere: a block comment holding ``/*`` (ClickHouse nests
  them, PostHog's lexer does not), a line comment holding a character that some reader takes for
  a line end (``\\r``, ``\\v``, ``\\f``, NEL, U+2028/9), a NUL, and ``#`` comments (HogQL grammar
  versions disagree on them). Whatever such a comment hides from one reader, the other may run;
* template strings (``f'…{expr}…'``): PostHog evaluates the braces as code, which sqlglot reads
  as a plain string, so a call inside one would escape the function allow-list.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from sqlglot.tokenizer_core import Token, TokenType

from ..errors import Problem
from .parsing import line_column

_LINE_ENDS_ELSEWHERE = frozenset("\r\x0b\x0c\x00\x85\u2028\u2029")
"""Characters inside a line comment that some reader could take for the comment's end (or refuse)."""


def token_problems(text: str, tokens: list[Token]) -> list[Problem]:
    """Every token-stream refusal in ``text`` (tokenized as ``tokens``), in order of position."""
    return [*_template_markup(text, tokens), *_comment_tricks(text, tokens), *_template_strings(text, tokens)]


def _problem(code: str, message: str, text: str, offset: int, fix: str) -> Problem:
    line, column = line_column(text, offset)
    return Problem(code, message, line, column, fix)


def _adjacent(first: Token, second: Token) -> bool:
    return second.start == first.end + 1


def _template_markup(text: str, tokens: list[Token]) -> Iterator[Problem]:
    for first, second in itertools.pairwise(tokens):
        pair = (first.token_type, second.token_type)
        if _adjacent(first, second) and pair in _MARKUP:
            yield _problem(
                "template_braces",
                f"'{first.text}{second.text}' is left in the text: a template was not fully rendered",
                text,
                first.start,
                "render the template with every value, or use a HogQL placeholder {name}",
            )
            return


_MARKUP = frozenset(
    {
        (TokenType.L_BRACE, TokenType.L_BRACE),
        (TokenType.R_BRACE, TokenType.R_BRACE),
        (TokenType.L_BRACE, TokenType.MOD),
        (TokenType.MOD, TokenType.R_BRACE),
    }
)


def _gaps(text: str, tokens: list[Token]) -> Iterator[tuple[int, str]]:
    """The text between tokens (whitespace and comments only), with the offset where each gap starts."""
    position = 0
    for token in tokens:
        if token.start > position:
            yield position, text[position : token.start]
        position = max(position, token.end + 1)
    if position < len(text):
        yield position, text[position:]


def _comment_tricks(text: str, tokens: list[Token]) -> Iterator[Problem]:
    for offset, gap in _gaps(text, tokens):
        i = 0
        while i < len(gap):
            if gap.startswith("/*", i):
                end = gap.find("*/", i + 2)
                end = len(gap) if end < 0 else end
                if "/*" in gap[i + 2 : end]:
                    yield _trick("a comment opens inside a comment", text, offset + i)
                i = end + 2
            elif gap.startswith(("--", "//"), i):
                end = min((k for k in (gap.find("\n", i), gap.find("\r", i)) if k >= 0), default=len(gap))
                odd = next((c for c in gap[i + 2 : end] if c in _LINE_ENDS_ELSEWHERE), None)
                if odd is not None:
                    yield _trick(
                        f"the line comment holds U+{ord(odd):04X}, which some readers take for a line end",
                        text,
                        offset + i,
                    )
                i = end + 1
            elif gap[i] == "#":
                yield _trick("'#' starts a comment in ClickHouse but not in every HogQL version", text, offset + i)
                end = gap.find("\n", i)
                i = len(gap) if end < 0 else end + 1
            else:
                i += 1


def _trick(why: str, text: str, offset: int) -> Problem:
    return _problem(
        "comment_trick",
        f"{why}, so readers could disagree on what the query runs",
        text,
        offset,
        "use plain -- or /* */ comments on their own, without other comment markers or line breaks in them",
    )


def _template_strings(text: str, tokens: list[Token]) -> Iterator[Problem]:
    for first, second in itertools.pairwise(tokens):
        if first.text in ("f", "F") and second.token_type == TokenType.STRING and _adjacent(first, second):
            yield _problem(
                "template_string",
                "f'...' is a HogQL template string: its {braces} run code the guard cannot check",
                text,
                first.start,
                "write a plain string, or build it with concat(...)",
            )
