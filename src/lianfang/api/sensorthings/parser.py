"""Parser of $filter and $orderby expressions into :mod:`expr` trees.

Precedence, lowest first: ``or``, ``and``, ``not``, comparisons and ``in``, ``add``/``sub``,
``mul``/``div``/``mod``, unary minus, primaries. (OData binds ``not`` tighter than comparisons; like
FROST and SQL, ``not name eq 'x'`` here means ``not (name eq 'x')``, the reading users intend.)
Every syntax error is an :class:`InputError`, answered 400 with the position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

from lianfang.api.sensorthings import literals
from lianfang.api.sensorthings.expr import (
    COMPARISONS,
    Binary,
    Call,
    Expr,
    In,
    Lambda,
    Literal,
    Negate,
    Not,
    Path,
)
from lianfang.api.sensorthings.functions import FUNCTIONS
from lianfang.api.sensorthings.lexer import Token, TokenKind, tokenize
from lianfang.errors import InputError

__all__ = ["OrderItem", "parse_filter", "parse_orderby"]

_KEYWORDS = COMPARISONS | {"and", "or", "not", "add", "sub", "mul", "div", "mod", "in"}
_CONSTANTS: dict[str, Any] = {"true": True, "false": False, "null": None}


@dataclass(frozen=True, slots=True)
class OrderItem:
    expr: Expr
    descending: bool = False


class _Parser:
    def __init__(self, source: str, option: str) -> None:
        self.source = source
        self.option = option
        self.tokens = tokenize(source)
        self.i = 0
        self.lambda_vars: list[str] = []

    # --- token helpers -----------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        if token.kind is not TokenKind.END:
            self.i += 1
        return token

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token.kind is TokenKind.NAME and token.text in words

    def expect(self, kind: TokenKind) -> Token:
        token = self.advance()
        if token.kind is not kind:
            self.fail(token, f"expected {kind.value!r}")
        return token

    def fail(self, token: Token, message: str) -> NoReturn:
        found = "end of expression" if token.kind is TokenKind.END else repr(token.text)
        raise InputError(f"{self.option}: {message} at position {token.pos}, found {found}")

    # --- grammar -----------------------------------------------------------------------
    def expression(self) -> Expr:
        return self.or_expr()

    def or_expr(self) -> Expr:
        left = self.and_expr()
        while self.at_word("or"):
            self.advance()
            left = Binary("or", left, self.and_expr())
        return left

    def and_expr(self) -> Expr:
        left = self.not_expr()
        while self.at_word("and"):
            self.advance()
            left = Binary("and", left, self.not_expr())
        return left

    def not_expr(self) -> Expr:
        if self.at_word("not"):
            self.advance()
            return Not(self.not_expr())
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.additive()
        token = self.peek()
        if token.kind is TokenKind.NAME and token.text in COMPARISONS:
            self.advance()
            return Binary(token.text, left, self.additive())
        if self.at_word("in"):
            self.advance()
            if self.peek().kind is not TokenKind.LPAREN:  # FROST: 'tag' in properties/tags
                return In(left, (self.additive(),))
            self.expect(TokenKind.LPAREN)
            items = [self.additive()]
            while self.peek().kind is TokenKind.COMMA:
                self.advance()
                items.append(self.additive())
            self.expect(TokenKind.RPAREN)
            return In(left, tuple(items))
        return left

    def additive(self) -> Expr:
        left = self.multiplicative()
        while self.at_word("add", "sub"):
            op = self.advance().text
            left = Binary(op, left, self.multiplicative())
        return left

    def multiplicative(self) -> Expr:
        left = self.unary()
        while self.at_word("mul", "div", "mod"):
            op = self.advance().text
            left = Binary(op, left, self.unary())
        return left

    def unary(self) -> Expr:
        if self.peek().kind is TokenKind.MINUS:
            self.advance()
            operand = self.unary()
            if isinstance(operand, Literal) and isinstance(operand.value, int | float):
                return Literal(-operand.value)
            return Negate(operand)
        return self.primary()

    def primary(self) -> Expr:
        token = self.advance()
        kind = token.kind
        if kind is TokenKind.LPAREN:
            inner = self.expression()
            self.expect(TokenKind.RPAREN)
            return inner
        if kind is TokenKind.STRING:
            return Literal(token.value)
        if kind is TokenKind.NUMBER:
            return Literal(literals.parse_number(token.text))
        if kind is TokenKind.DATETIME:
            return Literal(literals.parse_datetime(token.text))
        if kind is TokenKind.DATE:
            return Literal(literals.parse_date(token.text))
        if kind is TokenKind.TIMEOFDAY:
            return Literal(literals.parse_time(token.text))
        if kind is TokenKind.TYPED:
            if token.text == "duration":
                return Literal(literals.parse_duration(token.value))
            return Literal(literals.parse_geometry(token.value))
        if kind is TokenKind.NAME:
            if token.text in _CONSTANTS:
                return Literal(_CONSTANTS[token.text])
            if token.text in _KEYWORDS:
                self.fail(token, "expected a value")
            if self.peek().kind is TokenKind.LPAREN:
                return self.call(token)
            return self.path(token)
        self.fail(token, "expected a value")

    def call(self, name: Token) -> Expr:
        spec = FUNCTIONS.get(name.text)
        if spec is None:
            self.fail(name, f"unknown function {name.text!r}")
        self.expect(TokenKind.LPAREN)
        args: list[Expr] = []
        if self.peek().kind is not TokenKind.RPAREN:
            args.append(self.expression())
            while self.peek().kind is TokenKind.COMMA:
                self.advance()
                args.append(self.expression())
        self.expect(TokenKind.RPAREN)
        low, high = spec[0], spec[1]
        if not low <= len(args) <= high:
            wanted = str(low) if low == high else f"{low} to {high}"
            raise InputError(
                f"{self.option}: {name.text}() takes {wanted} arguments, got {len(args)} "
                f"(position {name.pos})"
            )
        return Call(name.text, tuple(args))

    def path(self, first: Token) -> Expr:
        var: str | None = None
        segments: list[str] = []
        if first.text in self.lambda_vars:
            var = first.text
        else:
            segments.append(first.text)
        while self.peek().kind is TokenKind.SLASH:
            self.advance()
            token = self.advance()
            if token.kind is TokenKind.NUMBER and token.text.isdigit():  # properties/tags/0
                segments.append(token.text)
                continue
            if token.kind is not TokenKind.NAME:
                self.fail(token, "expected a property name")
            if token.text in ("any", "all") and self.peek().kind is TokenKind.LPAREN:
                return self.lambda_(Path(tuple(segments), var), token.text)
            segments.append(token.text)
        if not segments:
            self.fail(first, f"lambda variable {first.text!r} needs a property path")
        return Path(tuple(segments), var)

    def lambda_(self, collection: Path, op: str) -> Expr:
        self.expect(TokenKind.LPAREN)
        if self.peek().kind is TokenKind.RPAREN:
            self.advance()
            if op == "all":
                raise InputError(f"{self.option}: all() needs a predicate")
            return Lambda(collection, op, None, None)
        var = self.expect(TokenKind.NAME).text
        self.expect(TokenKind.COLON)
        self.lambda_vars.append(var)
        body = self.expression()
        self.lambda_vars.pop()
        self.expect(TokenKind.RPAREN)
        return Lambda(collection, op, var, body)

    def finish(self) -> None:
        token = self.peek()
        if token.kind is not TokenKind.END:
            self.fail(token, "unexpected token")


def parse_filter(source: str) -> Expr:
    """Parse a $filter value (InputError if empty or malformed)."""
    if not source.strip():
        raise InputError("$filter: empty expression")
    parser = _Parser(source, "$filter")
    expr = parser.expression()
    parser.finish()
    return expr


def parse_orderby(source: str) -> list[OrderItem]:
    """Parse ``expr [asc|desc], …`` (18-088 §9.3.3.2)."""
    if not source.strip():
        raise InputError("$orderby: empty value")
    parser = _Parser(source, "$orderby")
    items: list[OrderItem] = []
    while True:
        expr = parser.expression()
        descending = False
        token = parser.peek()
        # FROST's own client sends "DESC": accept the direction in any case
        if token.kind is TokenKind.NAME and token.text.lower() in ("asc", "desc"):
            descending = parser.advance().text.lower() == "desc"
        items.append(OrderItem(expr, descending))
        if parser.peek().kind is TokenKind.COMMA:
            parser.advance()
            continue
        parser.finish()
        return items
