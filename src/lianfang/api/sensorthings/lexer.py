"""Tokens of the OData expression language used by STA's $filter and $orderby (18-088 §9.3.3.5).

Literal forms follow OData 4.0 ABNF as STA uses them: ``'text'`` with ``''`` for a quote, numbers,
``true``/``false``/``null``, date-times with a zone (``2024-01-01T08:00:00+08:00``), dates, times of
day, ``duration'P1DT2H'`` and ``geography'POINT(104 30)'`` (also ``geometry'…'``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from lianfang.errors import InputError

__all__ = ["Token", "TokenKind", "tokenize"]


class TokenKind(StrEnum):
    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    SLASH = "/"
    COLON = ":"
    MINUS = "-"
    STRING = "string"
    TYPED = "typed"  # duration'…', geography'…', geometry'…': text = prefix, value = body
    DATETIME = "datetime"
    DATE = "date"
    TIMEOFDAY = "timeofday"
    NUMBER = "number"
    NAME = "name"  # identifiers, keywords, function names, @iot.id
    END = "end"


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str  # the source text (for STRING/TYPED: see ``value``)
    pos: int  # offset in the expression, for error messages
    value: str = ""  # decoded body of a STRING or TYPED literal


_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})",
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?![\dT])")
_TIMEOFDAY = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?![\d:])")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_@$][A-Za-z0-9_.@$]*")
_TYPED_PREFIXES = ("duration", "geography", "geometry")
_PUNCT = {
    "(": TokenKind.LPAREN,
    ")": TokenKind.RPAREN,
    ",": TokenKind.COMMA,
    "/": TokenKind.SLASH,
    ":": TokenKind.COLON,
    "-": TokenKind.MINUS,
}


def _quoted(source: str, start: int) -> tuple[str, int]:
    """Decode the quoted text starting at ``source[start] == "'"``; return (body, end offset)."""
    out: list[str] = []
    i = start + 1
    while i < len(source):
        ch = source[i]
        if ch == "'":
            if i + 1 < len(source) and source[i + 1] == "'":
                out.append("'")
                i += 2
                continue
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise InputError(f"unterminated string literal starting at position {start}")


def tokenize(source: str) -> list[Token]:
    """Split ``source`` into tokens ending with an END token; InputError (400) on a stray character."""
    tokens: list[Token] = []
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "'":
            body, end = _quoted(source, i)
            tokens.append(Token(TokenKind.STRING, source[i:end], i, body))
            i = end
            continue
        if ch.isdigit():
            for pattern, kind in (
                (_DATETIME, TokenKind.DATETIME),
                (_DATE, TokenKind.DATE),
                (_TIMEOFDAY, TokenKind.TIMEOFDAY),
                (_NUMBER, TokenKind.NUMBER),
            ):
                m = pattern.match(source, i)
                if m:
                    tokens.append(Token(kind, m.group(), i))
                    i = m.end()
                    break
            continue
        name = _NAME.match(source, i)
        if name:
            text = name.group()
            end = name.end()
            if text in _TYPED_PREFIXES and end < n and source[end] == "'":
                body, stop = _quoted(source, end)
                tokens.append(Token(TokenKind.TYPED, text, i, body))
                i = stop
                continue
            tokens.append(Token(TokenKind.NAME, text, i))
            i = end
            continue
        punct = _PUNCT.get(ch)
        if punct is None:
            raise InputError(f"unexpected character {ch!r} at position {i}")
        tokens.append(Token(punct, ch, i))
        i += 1
    tokens.append(Token(TokenKind.END, "", n))
    return tokens
