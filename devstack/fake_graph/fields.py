"""The `fields=` parameter: a comma list with field expansion, e.g.
`id,name,picture.type(large){url},instagram_business_account{id,username}`.

Modifiers (`.type(large)`) are kept for the renderer; braces nest to any depth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import GraphError

_NAME = re.compile(r"[A-Za-z0-9_]+")


@dataclass(frozen=True)
class Field:
    name: str
    modifiers: tuple[tuple[str, str], ...] = ()
    children: tuple[Field, ...] | None = None

    def modifier(self, name: str) -> str | None:
        return dict(self.modifiers).get(name)


def parse_fields(text: str) -> tuple[Field, ...]:
    parser = _Parser(text)
    fields = parser.field_list()
    if parser.peek():
        parser.fail("end of string")
    return fields


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def fail(self, expected: str):
        raise GraphError(2500, f'Syntax error "Expected {expected}." at character {self.pos}: {self.text}')

    def peek(self) -> str:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            self.fail(f'"{char}"')
        self.pos += 1

    def name(self) -> str:
        self.peek()
        match = _NAME.match(self.text, self.pos)
        if not match:
            self.fail("field name")
        self.pos = match.end()
        return match.group()

    def field_list(self) -> tuple[Field, ...]:
        fields = [self.field()]
        while self.peek() == ",":
            self.pos += 1
            fields.append(self.field())
        return tuple(fields)

    def field(self) -> Field:
        name = self.name()
        modifiers = []
        while self.peek() == ".":
            self.pos += 1
            modifier = self.name()
            self.expect("(")
            end = self.text.find(")", self.pos)
            if end < 0:
                self.fail('")"')
            modifiers.append((modifier, self.text[self.pos:end].strip()))
            self.pos = end + 1
        children = None
        if self.peek() == "{":
            self.pos += 1
            children = self.field_list()
            self.expect("}")
        return Field(name, tuple(modifiers), children)
