"""HCL text → a compact intermediate form that is cheap to cache and to evaluate.

python-hcl2 8.x serializes expressions back to strings (``"${var.x}"``), which
would force a second parser. We take its Lark parse tree instead
(``hcl2.parses_to_tree``: the same grammar and LALR parser) and keep
expressions as small tuples, so a parsed file can be marshalled into the cache
and evaluated without re-parsing.

Expression nodes (first item is the tag):
    ("lit", value)                  str, int, float, bool or None
    ("tmpl", parts)                 parts: str or expression, joined as strings
    ("tuple", items) / ("obj", [(key_expr, value_expr)])
    ("name", identifier)            a bare identifier (var, local, aws_s3_bucket…)
    ("attr", expr, name) / ("index", expr, key_expr)
    ("splat", expr, steps)          steps: ("attr", name) | ("index", expr)
    ("call", name, args, expand_last)
    ("bin", op, left, right) / ("unary", op, expr) / ("cond", test, yes, no)
    ("for", key_var, value_var, collection, key_expr | None, value_expr, cond | None, group)
    ("unsupported", reason)

A body is ``(attributes, blocks)``: ``{name: (expr, line)}`` and a list of
``(type, labels, line, body)``.
"""

from __future__ import annotations

from typing import Any

Expr = tuple[Any, ...]
Node = Any  # a Lark tree or token; the grammar decides its shape
Body = tuple[dict[str, tuple[Expr, int]], list[tuple[str, tuple[str, ...], int, Any]]]



class HclSyntaxError(Exception):
    """The file does not parse; ``line`` and ``column`` come from the parser."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def parse_text(text: str) -> Body:
    """Parse one file's text into a body; raise HclSyntaxError when it does not parse.

    The parser (python-hcl2 and Lark) is imported only here: a scan served from
    the cache never loads it.
    """
    from evidence.terraform.parser import parse_body

    return parse_body(text)


def parse_expression(text: str) -> Expr:
    """Parse a lone expression (``-var`` values, heredoc interpolations)."""
    attrs, _ = parse_text(f"x = {text}\n")
    return attrs["x"][0]


def render(node: Expr) -> str:
    """Source-like text of an expression, for messages (``var.rot``, ``data.x.y.value``)."""
    tag = node[0]
    if tag == "name":
        return str(node[1])
    if tag == "attr":
        return f"{render(node[1])}.{node[2]}"
    if tag == "index":
        return f"{render(node[1])}[{render(node[2])}]"
    if tag == "lit":
        return _render_literal(node[1])
    if tag == "splat":
        return f"{render(node[1])}[*]" + "".join(
            f".{s[1]}" if s[0] == "attr" else f"[{render(s[1])}]" for s in node[2])
    if tag == "call":
        return f"{node[1]}({', '.join(render(a) for a in node[2])})"
    if tag == "bin":
        return f"{render(node[2])} {node[1]} {render(node[3])}"
    if tag == "unary":
        return f"{node[1]}{render(node[2])}"
    if tag == "cond":
        return f"{render(node[1])} ? {render(node[2])} : {render(node[3])}"
    if tag == "tmpl":
        inner = "".join(p if isinstance(p, str) else "${" + render(p) + "}" for p in node[1])
        return '"' + inner + '"'
    if tag == "tuple":
        return "[" + ", ".join(render(i) for i in node[1]) + "]"
    if tag == "obj":
        return "{" + ", ".join(f"{render(k)} = {render(v)}" for k, v in node[1]) + "}"
    return "…"


def _render_literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"'
    return str(value)
