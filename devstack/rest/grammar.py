"""PostgREST's URL grammar: `select`, filters, `and`/`or` trees, `order`, `columns`, `on_conflict`.

Follows `PostgREST.ApiRequest.QueryParams` (docs: references/api/url_grammar.rst, tables_views.rst).
Parsing only builds the small syntax tree below; `query.py` turns it into SQL. Resource embedding
(`rel!hint!inner(...)`) is parsed here and resolved against the schema cache's foreign keys there;
spreads and aggregates parse far enough to be refused with PostgREST's own errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from devstack.rest import errors

# Operators that take one value, and the SQL they stand for (PostgREST.Query.SqlFragment).
SIMPLE_OPERATORS = {
    "neq": "<>", "cs": "@>", "cd": "<@", "ov": "&&", "sl": "<<", "sr": ">>",
    "nxr": "&<", "nxl": "&>", "adj": "-|-",
}
# Operators that also accept the `(any)` / `(all)` modifiers.
QUANTIFIABLE_OPERATORS = {
    "eq": "=", "gte": ">=", "gt": ">", "lte": "<=", "lt": "<",
    "like": "like", "ilike": "ilike", "match": "~", "imatch": "~*",
}
FTS_OPERATORS = {
    "fts": "to_tsquery", "plfts": "plainto_tsquery", "phfts": "phraseto_tsquery",
    "wfts": "websearch_to_tsquery",
}
IS_VALUES = ("null", "not_null", "true", "false", "unknown")
# `key=value` parameters that are neither filters nor RPC arguments.
RESERVED_PARAMS = frozenset({"select", "columns", "on_conflict"})
# Parameters that may be prefixed with an embedded resource (`items.order`), hence matched on the last word.
RESERVED_EMBEDDABLE = frozenset({"order", "limit", "offset", "and", "or"})

_IDENTIFIER_CHAR = re.compile(r"[\w $]", re.UNICODE)
_CAST = re.compile(r"[A-Za-z0-9_ $]+")


@dataclass(frozen=True)
class JsonStep:
    arrow: str  # "->" or "->>"
    key: str
    is_index: bool


@dataclass(frozen=True)
class Field:
    name: str
    json_path: tuple[JsonStep, ...] = ()


@dataclass(frozen=True)
class Embed:
    """`alias:name!hint!inner(select)`: a related table embedded in each row."""

    hint: str | None  # a foreign key constraint or column that picks one relationship
    join: str | None  # "inner" drops rows whose embedding is empty; "left" (default) keeps them
    select: tuple[SelectItem, ...]
    spread: bool = False  # `...rel(cols)`: the related row's columns become the row's own


@dataclass(frozen=True)
class SelectItem:
    field: Field  # name "*" selects every column; for an embedding, the name it is asked by
    alias: str | None = None
    cast: str | None = None
    embed: Embed | None = None

    @property
    def key(self) -> str:
        """How filters, order and limits address an embedding: its alias, else its name."""
        return self.alias or self.field.name

    @property
    def output_name(self) -> str | None:
        """The key this item gets in the JSON: the alias, else the last JSON key (as PostgREST names it)."""
        if self.alias:
            return self.alias
        if self.field.json_path:
            return self.field.json_path[-1].key
        return None


@dataclass(frozen=True)
class Operation:
    operator: str  # a key of the operator tables above, or "in", "is", "isdistinct"
    value: str | tuple[str, ...]
    quantifier: str | None = None  # "any" / "all"
    language: str | None = None  # full-text search configuration


@dataclass(frozen=True)
class Filter:
    field: Field
    negated: bool
    operation: Operation


@dataclass(frozen=True)
class LogicTree:
    negated: bool
    operator: str  # "and" / "or"
    children: tuple[Filter | LogicTree, ...]


@dataclass(frozen=True)
class OrderTerm:
    field: Field
    direction: str | None = None  # "asc" / "desc"
    nulls: str | None = None  # "nullsfirst" / "nullslast"
    embedding: str | None = None  # `order=rel(col)`: a column of a to-one embedding


class _ParseFailure(Exception):
    def __init__(self, position: int, expected: str):
        super().__init__(expected)
        self.position = position
        self.expected = expected


class _Scanner:
    """A cursor over one parameter value, with the few primitives the grammar needs."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def accept(self, token: str) -> bool:
        if self.peek(token):
            self.pos += len(token)
            return True
        return False

    def expect(self, token: str, what: str | None = None) -> None:
        if not self.accept(token):
            self.fail(what or f'"{token}"')

    def skip_spaces(self) -> None:
        while not self.at_end() and self.text[self.pos] in " \t":
            self.pos += 1

    def take_while(self, predicate) -> str:
        start = self.pos
        while not self.at_end() and predicate(self.text[self.pos]):
            self.pos += 1
        return self.text[start:self.pos]

    def rest(self) -> str:
        value = self.text[self.pos:]
        self.pos = len(self.text)
        return value

    def fail(self, expected: str):
        raise _ParseFailure(self.pos, expected)


def _parse(what: str, text: str, rule):
    """Runs `rule` over the whole of `text`; a failure becomes PostgREST's PGRST100 error."""
    scanner = _Scanner(text)
    try:
        result = rule(scanner)
        if not scanner.at_end():
            scanner.fail("end of input")
        return result
    except _ParseFailure as failure:
        found = f'unexpected "{text[failure.position]}"' if failure.position < len(text) else "unexpected end of input"
        raise errors.query_param_error(
            f'"failed to parse {what} ({text})" (line 1, column {failure.position + 1})',
            f"{found} expecting {failure.expected}",
        ) from None


# --- names and JSON paths ---------------------------------------------------------------------

def _quoted(scanner: _Scanner) -> str:
    scanner.expect('"')
    chars = []
    while True:
        if scanner.at_end():
            scanner.fail('"\\"" (closing quote)')
        char = scanner.text[scanner.pos]
        scanner.pos += 1
        if char == '"':
            return "".join(chars)
        if char == "\\" and not scanner.at_end():
            char = scanner.text[scanner.pos]
            scanner.pos += 1
        chars.append(char)


def _dash_separated(scanner: _Scanner, is_word_char) -> str:
    """Words joined by dashes; a dash that starts `->` ends the name instead."""
    start = scanner.pos
    words = []
    while True:
        word = scanner.take_while(is_word_char)
        if not word:
            scanner.pos = start
            scanner.fail("field name (* or [a..z0..9_$])")
        words.append(word)
        if scanner.peek("-") and not scanner.peek("->"):
            scanner.pos += 1
            continue
        return "-".join(words).strip()


def _field_name(scanner: _Scanner) -> str:
    if scanner.peek('"'):
        return _quoted(scanner)
    return _dash_separated(scanner, lambda char: bool(_IDENTIFIER_CHAR.fullmatch(char)))


def _json_path(scanner: _Scanner) -> tuple[JsonStep, ...]:
    steps = []
    while scanner.peek("->"):
        arrow = "->>" if scanner.peek("->>") else "->"
        scanner.pos += len(arrow)
        index = re.match(r"-?\d+", scanner.text[scanner.pos:])
        if index and _at_json_operand_end(scanner.text, scanner.pos + index.end()):
            scanner.pos += index.end()
            steps.append(JsonStep(arrow, index.group(), True))
        elif scanner.peek('"'):
            steps.append(JsonStep(arrow, _quoted(scanner), False))
        else:
            steps.append(JsonStep(arrow, _dash_separated(scanner, lambda char: char not in "(-:.,>)"), False))
    return tuple(steps)


def _at_json_operand_end(text: str, position: int) -> bool:
    rest = text[position:]
    return rest == "" or rest.startswith(("->", "::", ".", ","))


def _field(scanner: _Scanner) -> Field:
    scanner.skip_spaces()
    field = Field(_field_name(scanner), _json_path(scanner))
    scanner.skip_spaces()
    return field


# --- select -----------------------------------------------------------------------------------

def parse_select(text: str) -> list[SelectItem]:
    return _parse("select parameter", text, _select_items) if text else []


def _select_items(scanner: _Scanner) -> list[SelectItem]:
    items = [_select_item(scanner)]
    while scanner.accept(","):
        items.append(_select_item(scanner))
    return items


def _at_select_item_end(scanner: _Scanner) -> bool:
    return scanner.at_end() or scanner.peek(",") or scanner.peek(")")


def _select_item(scanner: _Scanner) -> SelectItem:
    scanner.skip_spaces()
    if scanner.accept("*"):
        scanner.skip_spaces()
        if _at_select_item_end(scanner):
            return SelectItem(Field("*"))
        scanner.fail('"," or end of input')
    if scanner.accept("..."):
        field = _field(scanner)
        if not (scanner.peek("(") or scanner.peek("!")):
            scanner.fail('"(" or "!"')
        return SelectItem(field, embed=replace(_embed(scanner), spread=True))
    alias = _alias(scanner)
    if scanner.peek("count()"):
        raise errors.aggregates_not_allowed()
    field = _field(scanner)
    if scanner.peek("(") or scanner.peek("!"):
        return SelectItem(field, alias, embed=_embed(scanner))
    cast = None
    if scanner.accept("::"):
        cast = scanner.take_while(lambda char: bool(_CAST.fullmatch(char))).strip()
        if not cast:
            scanner.fail("type name")
    if re.match(r"\.(sum|avg|count|max|min)\(\)", scanner.text[scanner.pos:]):
        raise errors.aggregates_not_allowed()
    scanner.skip_spaces()
    if not _at_select_item_end(scanner):
        scanner.fail('"->", "::", "," or end of input')
    return SelectItem(field, alias, cast)


def _embed(scanner: _Scanner) -> Embed:
    hint = join = None
    while scanner.accept("!"):
        word = _field_name(scanner)
        if word in ("inner", "left"):
            join = word
        else:
            hint = word
    scanner.expect("(")
    scanner.skip_spaces()
    items = [] if scanner.peek(")") else _select_items(scanner)
    scanner.skip_spaces()
    scanner.expect(")", '"," or ")"')
    scanner.skip_spaces()
    if not _at_select_item_end(scanner):
        scanner.fail('"," or end of input')
    return Embed(hint, join, tuple(items))


def _alias(scanner: _Scanner) -> str | None:
    start = scanner.pos
    try:
        name = _field_name(scanner)
    except _ParseFailure:
        scanner.pos = start
        return None
    if scanner.peek(":") and not scanner.peek("::"):
        scanner.pos += 1
        return name
    scanner.pos = start
    return None


# --- filters ----------------------------------------------------------------------------------

def parse_filter_key(key: str) -> tuple[tuple[str, ...], Field]:
    """The embedding path and the column (and JSON path) of a `[rel.]column=op.value` parameter."""
    def rule(scanner: _Scanner) -> tuple[tuple[str, ...], Field]:
        scanner.skip_spaces()
        names = [_field_name(scanner)]
        while scanner.accept("."):
            names.append(_field_name(scanner))
        field = Field(names[-1], _json_path(scanner))
        scanner.skip_spaces()
        return tuple(names[:-1]), field
    return _parse("tree path", key, rule)


def parse_filter_value(key: str, value: str) -> tuple[tuple[str, ...], Filter]:
    path, field = parse_filter_key(key)
    return path, Filter(field, *_parse("filter", value, lambda s: _operation_expression(s, _single_value)))


def parses_as_filter(value: str) -> bool:
    """RPC GET arguments are the parameters whose value is no operator expression."""
    try:
        _parse("filter", value, lambda s: _operation_expression(s, _single_value))
    except errors.ApiError:
        return False
    return True


def _single_value(scanner: _Scanner) -> str:
    return scanner.rest()


def _operation_expression(scanner: _Scanner, value_rule) -> tuple[bool, Operation]:
    negated = scanner.accept("not.")
    return negated, _operation(scanner, value_rule)


def _operation(scanner: _Scanner, value_rule) -> Operation:
    if scanner.accept("in."):
        return Operation("in", _list_value(scanner))
    if scanner.accept("is."):
        word = scanner.take_while(lambda char: char.isalpha() or char == "_")
        if word.lower() not in IS_VALUES:
            scanner.fail("isVal: (null, not_null, true, false, unknown)")
        return Operation("is", word.lower())
    if scanner.accept("isdistinct."):
        return Operation("isdistinct", value_rule(scanner))
    for name in sorted(FTS_OPERATORS, key=len, reverse=True):
        if scanner.accept(name):
            language = None
            if scanner.accept("("):
                language = scanner.take_while(lambda char: bool(_CAST.fullmatch(char))).strip()
                scanner.expect(")")
            scanner.expect(".", "delimiter (.)")
            return Operation(name, value_rule(scanner), language=language)
    for name in sorted(SIMPLE_OPERATORS, key=len, reverse=True):
        if scanner.accept(name + "."):
            return Operation(name, value_rule(scanner))
    for name in sorted(QUANTIFIABLE_OPERATORS, key=len, reverse=True):
        if scanner.accept(name):
            quantifier = None
            if scanner.accept("(any)"):
                quantifier = "any"
            elif scanner.accept("(all)"):
                quantifier = "all"
            scanner.expect(".", "delimiter (.)")
            return Operation(name, value_rule(scanner), quantifier)
    scanner.fail('"not" or operator (eq, gt, ...)')


def _list_value(scanner: _Scanner) -> tuple[str, ...]:
    """`(a, "b,c", d)`: unquoted elements lose their surrounding blanks; `()` and `(   )` are empty."""
    scanner.skip_spaces()
    scanner.expect("(")
    elements = [_list_element(scanner)]
    while scanner.accept(","):
        elements.append(_list_element(scanner))
    scanner.expect(")", '"," or ")"')
    scanner.skip_spaces()
    return () if elements == [""] else tuple(elements)


def _list_element(scanner: _Scanner) -> str:
    scanner.skip_spaces()
    quoted = _whole_quoted_element(scanner)
    if quoted is not None:
        return quoted
    return scanner.take_while(lambda char: char not in ",)").strip(" \t")


def _whole_quoted_element(scanner: _Scanner) -> str | None:
    """A double-quoted element that ends at a `,` or `)` (or the end), unquoted; otherwise None
    and the scanner is left where it was."""
    start = scanner.pos
    if scanner.peek('"'):
        value = _quoted(scanner)
        if scanner.at_end() or scanner.peek(",") or scanner.peek(")"):
            return value
        scanner.pos = start
    return None


# --- and / or ---------------------------------------------------------------------------------

def is_logic_key(key: str) -> bool:
    return key.split(".")[-1] in ("and", "or")


def parse_logic(key: str, value: str) -> tuple[tuple[str, ...], LogicTree]:
    """`or=(a.eq.1,b.gt.2)`, `not.and=(...)`, `rel.or=(...)`: the key's operator applied to the value's list."""
    words = key.split(".")
    negated = len(words) > 1 and words[-2] == "not"
    path = tuple(words[:-2] if negated else words[:-1])
    prefix = ("not." if negated else "") + words[-1]
    return path, _parse("logic tree", prefix + value, _logic_tree)


def _logic_tree(scanner: _Scanner) -> LogicTree:
    negated = scanner.accept("not.")
    if scanner.accept("and"):
        operator = "and"
    elif scanner.accept("or"):
        operator = "or"
    else:
        scanner.fail("logic operator (and, or)")
    scanner.skip_spaces()
    scanner.expect("(")
    children = [_logic_child(scanner)]
    while scanner.accept(","):
        children.append(_logic_child(scanner))
    scanner.skip_spaces()
    scanner.expect(")", '"," or ")"')
    scanner.skip_spaces()
    return LogicTree(negated, operator, tuple(children))


def _logic_child(scanner: _Scanner) -> Filter | LogicTree:
    scanner.skip_spaces()
    start = scanner.pos
    try:
        field = _field(scanner)
        scanner.expect(".", "delimiter (.)")
        negated, operation = _operation_expression(scanner, _logic_single_value)
        return Filter(field, negated, operation)
    except _ParseFailure:
        scanner.pos = start
    return _logic_tree(scanner)


def _logic_single_value(scanner: _Scanner) -> str:
    quoted = _whole_quoted_element(scanner)
    if quoted is not None:
        return quoted
    start = scanner.pos
    if scanner.peek("{"):
        end = scanner.text.find("}", scanner.pos)
        if end != -1 and "{" not in scanner.text[scanner.pos + 1:end]:
            scanner.pos = end + 1
            return scanner.text[start:scanner.pos]
    return scanner.take_while(lambda char: char not in ",)")


# --- order, columns ---------------------------------------------------------------------------

def parse_order(value: str) -> list[OrderTerm]:
    return _parse("order", value, _order_terms)


def _order_terms(scanner: _Scanner) -> list[OrderTerm]:
    terms = [_order_term(scanner)]
    while scanner.accept(","):
        terms.append(_order_term(scanner))
    return terms


def _order_term(scanner: _Scanner) -> OrderTerm:
    field = _field(scanner)
    embedding = None
    if scanner.accept("("):
        embedding, field = field.name, _field(scanner)
        scanner.expect(")")
    direction = nulls = None
    for word in ("asc", "desc"):
        if scanner.accept("." + word):
            direction = word
            break
    for word in ("nullsfirst", "nullslast"):
        if scanner.accept("." + word):
            nulls = word
            break
    scanner.skip_spaces()
    if not (scanner.at_end() or scanner.peek(",")):
        scanner.fail('".asc", ".desc", ".nullsfirst", ".nullslast", "," or end of input')
    return OrderTerm(field, direction, nulls, embedding)


def parse_columns(what: str, text: str) -> list[str]:
    """`columns=a,b` and `on_conflict=a,b`: plain (possibly quoted) column names."""
    def rule(scanner: _Scanner) -> list[str]:
        names = []
        while True:
            scanner.skip_spaces()
            names.append(_field_name(scanner))
            scanner.skip_spaces()
            if not scanner.accept(","):
                return names
    return _parse(what, text, rule)
