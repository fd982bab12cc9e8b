"""Evaluate HCL expressions (see ``hcl.py`` for their form) as Terraform would.

Values are plain Python: str, int/float, bool, None, list, dict. Whatever
cannot be known from the configuration becomes ``Unknown(reason)`` and
propagates: ``"${var.x}-a"`` is unknown when ``var.x`` is. A reference that
Terraform would reject (an undeclared name, a missing key) raises ``EvalError``
inside evaluation; ``try()`` catches it, and at the top it becomes an unknown
value whose reason is the error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from engine.values import Unknown
from evidence.terraform.functions import FUNCTIONS, UNKNOWN_AWARE, FunctionError, to_string
from evidence.terraform.hcl import Expr, render

# Attributes every managed resource has once applied: a reference to one is
# unknown in content but certain to exist (``exists`` holds on it).
PRESENT_AFTER_APPLY = frozenset({"id", "arn", "key_id", "bucket", "name"})


class EvalError(Exception):
    """An expression Terraform would reject; the message says which."""


class ResourceObject(dict[str, Any]):
    """A resource's configured attributes; anything else is known only at apply."""

    __slots__ = ("address",)

    def __init__(self, address: str, attributes: dict[str, Any]) -> None:
        super().__init__(attributes)
        self.address = address


class Resolver(Protocol):
    """What an expression's free names resolve against: one module instance."""

    def variable(self, name: str) -> Any: ...
    def local(self, name: str) -> Any: ...
    def resource(self, type_name: str, name: str) -> Any: ...  # None when undeclared
    def module_output(self, name: str) -> Any: ...
    def path(self, name: str) -> Any: ...
    def is_resource_type(self, name: str) -> bool: ...
    def read_file(self, name: str) -> Any: ...


_ONE_STEP_ROOTS = ("var", "local", "module", "path", "terraform")


class Evaluator:
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver

    def value(self, node: Expr, bound: dict[str, Any] | None = None) -> Any:
        """The expression's value; errors become Unknown naming the problem."""
        try:
            return self.eval(node, bound or {})
        except EvalError as exc:
            return Unknown(str(exc))
        except RecursionError:
            return Unknown(f"{render(node)} is nested too deeply to evaluate")

    def eval(self, node: Expr, bound: dict[str, Any]) -> Any:
        return _DISPATCH[node[0]](self, node, bound)

    # ----------------------------------------------------------------- leaves

    def _lit(self, node: Expr, bound: dict[str, Any]) -> Any:
        return node[1]

    def _unsupported(self, node: Expr, bound: dict[str, Any]) -> Any:
        return Unknown(node[1])

    def _template(self, node: Expr, bound: dict[str, Any]) -> Any:
        out: list[str] = []
        for part in node[1]:
            if isinstance(part, str):
                out.append(part)
                continue
            value = self.eval(part, bound)
            if isinstance(value, Unknown):
                return value
            try:
                out.append(to_string(value))
            except FunctionError as exc:
                raise EvalError(f"{render(part)}: {exc}") from None
        return "".join(out)

    def _tuple(self, node: Expr, bound: dict[str, Any]) -> Any:
        return [self.eval(item, bound) for item in node[1]]

    def _object(self, node: Expr, bound: dict[str, Any]) -> Any:
        out: dict[str, Any] = {}
        for key_node, value_node in node[1]:
            key = self.eval(key_node, bound)
            if isinstance(key, Unknown):
                return key
            out[to_string(key)] = self.eval(value_node, bound)
        return out

    # ----------------------------------------------------------------- references

    def _traversal(self, node: Expr, bound: dict[str, Any]) -> Any:
        steps: list[tuple[str, Any]] = []
        root = node
        while root[0] in ("attr", "index"):
            steps.append(("attr", root[2]) if root[0] == "attr" else ("index", root[2]))
            root = root[1]
        steps.reverse()
        if root[0] != "name":
            value = self.eval(root, bound)
            return self._walk(value, steps, bound, render(root))
        return self._from_name(root[1], steps, bound)

    def _from_name(self, name: str, steps: list[tuple[str, Any]], bound: dict[str, Any]) -> Any:
        if name in bound:
            return self._walk(bound[name], steps, bound, name)
        if name == "data":
            text = name + "".join(f".{s[1]}" if s[0] == "attr" else "[…]" for s in steps)
            return Unknown(f"{text} is known only at apply")
        first = steps[0] if steps else None
        if name in _ONE_STEP_ROOTS or self.resolver.is_resource_type(name):
            if first is None or first[0] != "attr":
                raise EvalError(f"{name} must be followed by .NAME")
            text = f"{name}.{first[1]}"
            value = self._root_value(name, first[1], text)
            return self._walk(value, steps[1:], bound, text)
        if name in ("count", "each", "self"):
            raise EvalError(f"{name} is not available here")
        raise EvalError(f"unknown name {name!r}")

    def _root_value(self, name: str, attr: str, text: str) -> Any:
        resolver = self.resolver
        if name == "var":
            return resolver.variable(attr)
        if name == "local":
            return resolver.local(attr)
        if name == "module":
            return resolver.module_output(attr)
        if name == "path":
            return resolver.path(attr)
        if name == "terraform":
            if attr == "workspace":
                return "default"
            raise EvalError(f"{text} is not supported")
        value = resolver.resource(name, attr)
        if value is None:
            raise EvalError(f"{text} is not declared in this module")
        return value

    def _walk(self, value: Any, steps: list[tuple[str, Any]], bound: dict[str, Any],
              text: str) -> Any:
        for kind, arg in steps:
            if isinstance(value, Unknown):
                return value
            if kind == "attr":
                text = f"{text}.{arg}"
                value = self._get(value, arg, text)
            else:
                key = self.eval(arg, bound)
                if isinstance(key, Unknown):
                    return key
                text = f"{text}[{json.dumps(key)}]"
                value = self._index_into(value, key, text)
        return value

    def _get(self, value: Any, name: str, text: str) -> Any:
        if isinstance(value, dict):
            if name in value:
                return value[name]
            if isinstance(value, ResourceObject):
                return Unknown(f"{text} is known only at apply",
                               present=name in PRESENT_AFTER_APPLY)
            raise EvalError(f"{text}: no attribute {name!r}")
        if isinstance(value, list) and name.isdigit():
            return self._index_into(value, int(name), text)
        if value is None:
            raise EvalError(f"{text}: attempt to read an attribute of null")
        raise EvalError(f"{text}: cannot read attribute {name!r} of a {_kind(value)}")

    def _index_into(self, value: Any, key: Any, text: str) -> Any:
        if isinstance(value, list):
            if isinstance(key, bool) or not isinstance(key, int | float):
                raise EvalError(f"{text}: a list index must be a number")
            position = int(key)
            if 0 <= position < len(value):
                return value[position]
            raise EvalError(f"{text}: index out of range")
        if isinstance(value, dict):
            name = to_string(key)
            if name in value:
                return value[name]
            raise EvalError(f"{text}: no key {name!r}")
        raise EvalError(f"{text}: cannot index a {_kind(value)}")

    def _splat(self, node: Expr, bound: dict[str, Any]) -> Any:
        base = self.eval(node[1], bound)
        if isinstance(base, Unknown):
            return base
        if base is None:
            return []
        items = base if isinstance(base, list) else [base]
        text = render(node[1]) + "[*]"
        return [self._walk(item, list(node[2]), bound, text) for item in items]

    # ----------------------------------------------------------------- operators

    def _unary(self, node: Expr, bound: dict[str, Any]) -> Any:
        value = self.eval(node[2], bound)
        if isinstance(value, Unknown):
            return value
        if node[1] == "!":
            if not isinstance(value, bool):
                raise EvalError(f"{render(node)}: ! needs a bool")
            return not value
        return -_number(value, render(node))

    def _binary(self, node: Expr, bound: dict[str, Any]) -> Any:
        op = node[1]
        left = self.eval(node[2], bound)
        if op in ("&&", "||"):
            return self._logic(op, left, node, bound)
        right = self.eval(node[3], bound)
        for side in (left, right):
            if isinstance(side, Unknown):
                return side
        if op == "==":
            return _equal(left, right)
        if op == "!=":
            return not _equal(left, right)
        text = render(node)
        a, b = _number(left, text), _number(right, text)
        return _ARITHMETIC[op](a, b, text)

    def _logic(self, op: str, left: Any, node: Expr, bound: dict[str, Any]) -> Any:
        decisive = op == "||"  # true decides ||, false decides && (Kleene logic)
        if left is decisive:
            return decisive
        right = self.eval(node[3], bound)
        if right is decisive:
            return decisive
        for side in (left, right):
            if isinstance(side, Unknown):
                return side
            if not isinstance(side, bool):
                raise EvalError(f"{render(node)}: {op} needs bools")
        return not decisive

    def _conditional(self, node: Expr, bound: dict[str, Any]) -> Any:
        test = self.eval(node[1], bound)
        if isinstance(test, Unknown):
            yes, no = self.value(node[2], bound), self.value(node[3], bound)
            if not isinstance(yes, Unknown) and _equal(yes, no):
                return yes
            return Unknown(f"{render(node[1])} is unknown: {test.reason}")
        if not isinstance(test, bool):
            raise EvalError(f"{render(node[1])}: a condition must be a bool")
        return self.eval(node[2] if test else node[3], bound)

    # ----------------------------------------------------------------- calls and for

    def _call(self, node: Expr, bound: dict[str, Any]) -> Any:
        name, arg_nodes, expand = node[1], node[2], node[3]
        if name == "try":
            return self._try(arg_nodes, bound)
        if name == "can":
            try:
                value = self.eval(arg_nodes[0], bound)
            except EvalError:
                return False
            return value if isinstance(value, Unknown) else True
        if name == "file" and len(arg_nodes) == 1:
            path = self.eval(arg_nodes[0], bound)
            return path if isinstance(path, Unknown) else self.resolver.read_file(str(path))
        if name == "templatefile" and len(arg_nodes) == 2:
            return self._templatefile(node, arg_nodes, bound)
        function = FUNCTIONS.get(name)
        if function is None:
            return Unknown(f"{render(node)}: function {name}() is not evaluated by assay")
        args = [self.eval(a, bound) for a in arg_nodes]
        if expand and args:
            if isinstance(args[-1], Unknown):
                return args[-1]
            args = args[:-1] + list(args[-1])
        if name not in UNKNOWN_AWARE:
            for arg in args:
                if isinstance(arg, Unknown):
                    return arg
        try:
            return function(*args)
        except FunctionError as exc:
            raise EvalError(f"{render(node)}: {exc}") from None
        except (TypeError, ValueError) as exc:
            raise EvalError(f"{render(node)}: invalid arguments ({exc})") from None

    def _templatefile(self, node: Expr, arg_nodes: list[Expr], bound: dict[str, Any]) -> Any:
        """``templatefile(path, vars)``: the file's ``${…}`` interpolations evaluated with
        only ``vars`` in scope, as Terraform does; ``%{…}`` directives are unknown."""
        from evidence.terraform.parser import template_of  # the parser, only when needed

        path, variables = (self.eval(a, bound) for a in arg_nodes)
        if isinstance(path, Unknown):
            return path
        text = self.resolver.read_file(str(path))
        if isinstance(variables, Unknown):
            return Unknown(f"{render(node)}: the template variables are unknown: "
                           f"{variables.reason}")
        if not isinstance(variables, dict):
            raise EvalError(f"{render(node)}: the second argument must be an object")
        template = template_of(text)
        if template[0] == "unsupported":
            return Unknown(f"templatefile({to_string(path)}): {template[1]}")
        try:
            return self.eval(template, dict(variables))
        except EvalError as exc:
            raise EvalError(f"templatefile({to_string(path)}): {exc}") from None

    def _try(self, arg_nodes: list[Expr], bound: dict[str, Any]) -> Any:
        problems: list[str] = []
        for arg in arg_nodes:
            try:
                return self.eval(arg, bound)  # an unknown value is returned as is
            except EvalError as exc:
                problems.append(str(exc))
        raise EvalError("try(): no argument could be evaluated: " + "; ".join(problems))

    def _for(self, node: Expr, bound: dict[str, Any]) -> Any:
        _, key_var, value_var, coll_node, key_node, value_node, cond_node, group = node
        collection = self.eval(coll_node, bound)
        if isinstance(collection, Unknown):
            return collection
        if isinstance(collection, dict):
            pairs = sorted(collection.items())
        elif isinstance(collection, list):
            pairs = list(enumerate(collection))
        else:
            raise EvalError(f"{render(coll_node)}: a for expression needs a list or map")
        out_list: list[Any] = []
        out_map: dict[str, Any] = {}
        for key, item in pairs:
            inner = dict(bound)
            inner[value_var] = item
            if key_var:
                inner[key_var] = key
            if cond_node is not None:
                keep = self.eval(cond_node, inner)
                if isinstance(keep, Unknown):
                    return keep
                if not keep:
                    continue
            if key_node is None:
                out_list.append(self.eval(value_node, inner))
                continue
            out_key = self.eval(key_node, inner)
            if isinstance(out_key, Unknown):
                return out_key
            value = self.eval(value_node, inner)
            if group:
                out_map.setdefault(to_string(out_key), []).append(value)
            else:
                out_map[to_string(out_key)] = value
        return out_list if key_node is None else out_map

    def _name(self, node: Expr, bound: dict[str, Any]) -> Any:
        return self._from_name(node[1], [], bound)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "null" if value is None else "value"


def _number(value: Any, text: str) -> int | float:
    if isinstance(value, bool) or value is None:
        raise EvalError(f"{text}: a number is required")
    if isinstance(value, int | float):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise EvalError(f"{text}: a number is required") from None
    return int(number) if number.is_integer() else number


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def _divide(a: float, b: float, text: str) -> Any:
    if b == 0:
        raise EvalError(f"{text}: division by zero")
    result = a / b
    return int(result) if float(result).is_integer() else result


def _modulo(a: float, b: float, text: str) -> Any:
    if b == 0:
        raise EvalError(f"{text}: division by zero")
    return a % b


_ARITHMETIC: dict[str, Callable[[Any, Any, str], Any]] = {
    "+": lambda a, b, t: a + b,
    "-": lambda a, b, t: a - b,
    "*": lambda a, b, t: a * b,
    "/": _divide,
    "%": _modulo,
    "<": lambda a, b, t: a < b,
    ">": lambda a, b, t: a > b,
    "<=": lambda a, b, t: a <= b,
    ">=": lambda a, b, t: a >= b,
}

_DISPATCH: dict[str, Callable[[Evaluator, Expr, dict[str, Any]], Any]] = {
    "lit": Evaluator._lit,
    "unsupported": Evaluator._unsupported,
    "tmpl": Evaluator._template,
    "tuple": Evaluator._tuple,
    "obj": Evaluator._object,
    "name": Evaluator._name,
    "attr": Evaluator._traversal,
    "index": Evaluator._traversal,
    "splat": Evaluator._splat,
    "unary": Evaluator._unary,
    "bin": Evaluator._binary,
    "cond": Evaluator._conditional,
    "call": Evaluator._call,
    "for": Evaluator._for,
}
