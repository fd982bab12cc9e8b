"""python-hcl2's Lark parse tree → the intermediate form of ``hcl.py``."""

from __future__ import annotations

import functools
import re
from typing import Any

from lark import Token, Tree

from evidence.terraform.hcl import Body, Expr, HclSyntaxError, Node, parse_expression

_NL = "new_line_or_comment"
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)")


@functools.lru_cache(maxsize=1)
def grammar() -> Any:
    """python-hcl2's grammar and post-lexer, without position propagation.

    Trees then carry no line metadata (a quarter of the parse time saved);
    tokens still know their line, and a block's or attribute's line is its
    first token's.
    """
    import hcl2
    from hcl2.postlexer import PostLexer
    from lark import Lark

    return Lark.open("hcl2.lark", rel_to=hcl2.__file__, parser="lalr",
                     propagate_positions=False, postlex=PostLexer(), cache=True)


def parse_body(text: str) -> Body:
    """Parse one file's text into a body; raise HclSyntaxError when it does not parse."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

    try:
        tree = grammar().parse(text + "\n")
    except UnexpectedCharacters as exc:
        raise HclSyntaxError(f"unexpected character {exc.char!r}", exc.line, exc.column) from None
    except UnexpectedEOF as exc:
        raise HclSyntaxError("unexpected end of file", text.count("\n") + 1, 0) from exc
    except UnexpectedInput as exc:
        token = getattr(exc, "token", None)
        shown = str(token).strip() if token is not None else ""
        what = f"unexpected {shown!r}" if shown else "unexpected end of input"
        raise HclSyntaxError(what, getattr(exc, "line", 0), getattr(exc, "column", 0)) from None
    except Exception as exc:  # the grammar's post-processing raises plain errors
        raise HclSyntaxError(f"cannot parse: {exc}") from None
    return _body(tree.children[0])


def _trees(node: Node) -> list[Any]:
    """Children that carry meaning: no tokens, no newlines or comments."""
    return [c for c in node.children if isinstance(c, Tree) and c.data != _NL]


def _body(node: Node) -> Body:
    attrs: dict[str, tuple[Expr, int]] = {}
    blocks: list[tuple[str, tuple[str, ...], int, Any]] = []
    for child in node.children:
        if not isinstance(child, Tree):
            continue
        if child.data == "attribute":
            name_node, value = _trees(child)
            attrs[_name(name_node)] = (expr(value), _line(child))
        elif child.data == "block":
            parts = _trees(child)
            body = parts[-1]
            labels = tuple(_label(p) for p in parts[1:-1])
            blocks.append((_name(parts[0]), labels, _line(child), _body(body)))
    return attrs, blocks


def _line(node: Node) -> int:
    while isinstance(node, Tree):
        node = node.children[0]
    return int(node.line)


def _name(node: Node) -> str:
    token = node.children[0]
    return str(token)


def _label(node: Node) -> str:
    if node.data == "string":
        value = _string(node)
        if value[0] == "lit":
            return str(value[1])
        return "".join(p if isinstance(p, str) else "?" for p in value[1])
    return _name(node)


def expr(node: Any) -> Expr:
    data = node.data
    if data == "expr_term":
        inner = _trees(node)
        return expr(inner[0])
    handler = _HANDLERS.get(data)
    if handler is None:
        return ("unsupported", f"expression {data} is not supported")
    return handler(node)


def _int(node: Node) -> Expr:
    return ("lit", int(node.children[0]))


def _float(node: Node) -> Expr:
    return ("lit", float(node.children[0]))


def _literal(node: Node) -> Expr:
    word = str(node.children[0])
    return ("lit", {"true": True, "false": False, "null": None}[word])


def _identifier(node: Node) -> Expr:
    return ("name", str(node.children[0]))


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, "\\" + code)

    return _ESCAPE_RE.sub(one, text)


def _string(node: Node) -> Expr:
    parts: list[Any] = []
    for child in node.children:
        if not isinstance(child, Tree):
            continue  # the quotes
        piece = child.children[0]
        if isinstance(piece, Token):
            text = str(piece)
            if piece.type == "ESCAPED_INTERPOLATION":
                text = text[1:]
            elif piece.type == "ESCAPED_DIRECTIVE":
                text = text[1:]
            else:
                text = _unescape(text)
            parts.append(text)
        elif piece.data == "interpolation":
            parts.append(expr(_trees(piece)[0]))
        else:
            return ("unsupported", "template directives (%{…}) are not supported")
    return _template(parts)


def _template(parts: list[Any]) -> Expr:
    merged: list[Any] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    if not merged:
        return ("lit", "")
    if len(merged) == 1 and isinstance(merged[0], str):
        return ("lit", merged[0])
    return ("tmpl", merged)


_HEREDOC_RE = re.compile(r"<<-?([a-zA-Z][a-zA-Z0-9._-]*)\r?\n(.*?)\r?\n?[ \t]*\1\r?\n?\Z", re.S)


def _heredoc(node: Node) -> Expr:
    raw = str(node.children[0])
    match = _HEREDOC_RE.match(raw)
    body = match.group(2) + "\n" if match and match.group(2) else ""
    if node.data == "heredoc_template_trim":
        lines = body.splitlines(keepends=True)
        indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
        cut = min(indents) if indents else 0
        body = "".join(ln[cut:] for ln in lines)
    return _heredoc_template(body)


def template_of(text: str) -> Expr:
    """A template file's text (``templatefile()``) as a template expression."""
    return _heredoc_template(text)


def _heredoc_template(body: str) -> Expr:
    parts: list[Any] = []
    pos = 0
    while True:
        start = body.find("${", pos)
        if start < 0:
            parts.append(body[pos:])
            break
        if start > 0 and body[start - 1] == "$":
            parts.append(body[pos:start])  # "$${" → literal "${"
            pos = start + 1
            continue
        end = _closing_brace(body, start + 2)
        if end < 0:
            return ("unsupported", "unterminated interpolation in heredoc")
        parts.append(body[pos:start])
        parts.append(parse_expression(body[start + 2:end]))
        pos = end + 1
    if "%{" in body:
        return ("unsupported", "template directives (%{…}) are not supported")
    return _template(parts)


def _closing_brace(text: str, pos: int) -> int:
    depth = 0
    quoted = False
    while pos < len(text):
        char = text[pos]
        if quoted:
            if char == "\\":
                pos += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return pos
            depth -= 1
        pos += 1
    return -1


def _tuple(node: Node) -> Expr:
    return ("tuple", [expr(c) for c in _trees(node)])


def _object(node: Node) -> Expr:
    items = []
    for elem in _trees(node):
        key_node, value = _trees(elem)
        items.append((_object_key(key_node), expr(value)))
    return ("obj", items)


def _object_key(node: Node) -> Expr:
    inner = node.children[0]
    if isinstance(inner, Tree) and inner.data == "keyword":
        return ("lit", str(inner.children[0]))
    key = expr(inner)
    if key[0] == "name":  # `{ k = v }`: a bare word is the key itself
        return ("lit", key[1])
    return key


def _call(node: Node) -> Expr:
    names = [str(c.children[0]) for c in node.children if isinstance(c, Tree) and c.data == "identifier"]
    args_nodes = [c for c in node.children if isinstance(c, Tree) and c.data == "arguments"]
    args: list[Expr] = []
    expand = False
    if args_nodes:
        args = [expr(c) for c in _trees(args_nodes[0])]
        expand = any(isinstance(t, Token) and t.type == "ELLIPSIS" for t in args_nodes[0].children)
    return ("call", "::".join(names), args, expand)


def _get_attr(node: Node) -> Expr:
    base, step = _trees(node)
    return ("attr", expr(base), _name(_trees(step)[0]))


def _index(node: Node) -> Expr:
    base, step = _trees(node)
    return ("index", expr(base), _index_key(step))


def _index_key(step: Node) -> Expr:
    if step.data == "short_index":
        return ("lit", int(step.children[-1]))
    return expr(_trees(step)[0])


def _splat(node: Node) -> Expr:
    base, splat = _trees(node)
    steps: list[tuple[str, Any]] = []
    for step in _trees(splat):
        if step.data == "get_attr":
            steps.append(("attr", _name(_trees(step)[0])))
        else:
            steps.append(("index", _index_key(step)))
    return ("splat", expr(base), steps)


def _binary(node: Node) -> Expr:
    left, term = _trees(node)[:2]
    op_node, right = _trees(term)
    return ("bin", str(op_node.children[0]).strip(), expr(left), expr(right))


def _unary(node: Node) -> Expr:
    op = str(node.children[0])
    return ("unary", op, expr(_trees(node)[0]))


def _conditional(node: Node) -> Expr:
    test, yes, no = _trees(node)
    return ("cond", expr(test), expr(yes), expr(no))


def _for(node: Node) -> Expr:
    parts = _trees(node)
    intro = parts[0]
    names = [str(c.children[0]) for c in _trees(intro) if c.data == "identifier"]
    collection = expr([c for c in _trees(intro) if c.data != "identifier"][0])
    key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
    cond = None
    if parts[-1].data == "for_cond":
        cond = expr(_trees(parts[-1])[0])
        parts = parts[:-1]
    group = any(isinstance(t, Token) and t.type == "ELLIPSIS" for t in node.children)
    if node.data == "for_object_expr":
        return ("for", key_var, value_var, collection, expr(parts[1]), expr(parts[2]), cond, group)
    return ("for", key_var, value_var, collection, None, expr(parts[1]), cond, False)


_HANDLERS = {
    "int_lit": _int,
    "float_lit": _float,
    "literal_value": _literal,
    "identifier": _identifier,
    "string": _string,
    "template_string": lambda n: ("lit", str(n.children[0])[2:-2]),
    "heredoc_template": _heredoc,
    "heredoc_template_trim": _heredoc,
    "tuple": _tuple,
    "object": _object,
    "function_call": _call,
    "get_attr_expr_term": _get_attr,
    "index_expr_term": _index,
    "attr_splat_expr_term": _splat,
    "full_splat_expr_term": _splat,
    "binary_op": _binary,
    "unary_op": _unary,
    "conditional": _conditional,
    "for_tuple_expr": _for,
    "for_object_expr": _for,
}


