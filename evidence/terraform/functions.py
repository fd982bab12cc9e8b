"""The Terraform functions compliance checks meet most, over plain values.

Every function receives already-evaluated arguments; an ``Unknown`` argument
makes the result unknown (``try`` and ``coalesce`` excepted, which look past it).
Anything not in the table is unknown with a reason naming the function.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from engine.values import Unknown


class FunctionError(Exception):
    """A call Terraform itself would reject (wrong argument types)."""


def _first_unknown(value: Any) -> Unknown | None:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        for item in value.values():
            found = _first_unknown(item)
            if found:
                return found
    elif isinstance(value, list):
        for item in value:
            found = _first_unknown(item)
            if found:
                return found
    return None


def _jsonencode(value: Any) -> Any:
    unknown = _first_unknown(value)
    if unknown:
        return unknown
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _jsondecode(text: Any) -> Any:
    if not isinstance(text, str):
        raise FunctionError("jsondecode needs a string")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise FunctionError(f"jsondecode: invalid JSON ({exc})") from None


def _merge(*maps: Any) -> Any:
    out: dict[str, Any] = {}
    for item in maps:
        if item is None:
            continue
        if not isinstance(item, dict):
            raise FunctionError("merge needs maps or objects")
        out.update(item)
    return out


def _concat(*lists: Any) -> Any:
    out: list[Any] = []
    for item in lists:
        if not isinstance(item, list):
            raise FunctionError("concat needs lists")
        out.extend(item)
    return out


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if not isinstance(mapping, dict):
        raise FunctionError("lookup needs a map")
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise FunctionError(f"lookup: no key {key!r} and no default")


def _coalesce(*values: Any) -> Any:
    for value in values:
        if isinstance(value, Unknown):
            return value  # an unknown earlier value may be the non-empty one
        if value is not None and value != "":
            return value
    raise FunctionError("coalesce: no non-null argument")


def _tolist(value: Any) -> Any:
    if isinstance(value, list):
        return value
    raise FunctionError("tolist needs a list or set")


def _toset(value: Any) -> Any:
    if not isinstance(value, list):
        raise FunctionError("toset needs a list")
    seen: list[Any] = []
    for item in value:
        if item not in seen:
            seen.append(item)
    return sorted(seen, key=lambda v: (str(type(v)), str(v)))


def _length(value: Any) -> Any:
    if isinstance(value, str | list | dict):
        return len(value)
    raise FunctionError("length needs a string, list or map")


def _format(spec: Any, *args: Any) -> Any:
    if not isinstance(spec, str):
        raise FunctionError("format needs a format string")
    values = iter(args)
    out: list[str] = []
    i = 0
    while i < len(spec):
        char = spec[i]
        if char != "%":
            out.append(char)
            i += 1
            continue
        j = i + 1
        while j < len(spec) and spec[j] in "0123456789.+-# ":
            j += 1
        if j >= len(spec):
            raise FunctionError("format: incomplete verb")
        verb = spec[j]
        if verb == "%":
            out.append("%")
        else:
            out.append(_format_one(spec[i + 1:j], verb, next(values, None)))
        i = j + 1
    return "".join(out)


def _format_one(flags: str, verb: str, value: Any) -> str:
    if verb == "s":
        return ("%" + flags + "s") % _to_string(value)
    if verb == "d":
        return ("%" + flags + "d") % int(value)
    if verb in "fegEG":
        return ("%" + flags + verb) % float(value)
    if verb == "q":
        return json.dumps(_to_string(value))
    if verb == "v":
        return _to_string(value) if not isinstance(value, list | dict) else json.dumps(value)
    if verb == "t":
        return "true" if value else "false"
    raise FunctionError(f"format: verb %{verb} is not supported")


def _to_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str | int | float):
        return str(value)
    if value is None:
        raise FunctionError("cannot use null as a string")
    raise FunctionError("cannot convert a collection to a string")


def _lower(text: Any) -> Any:
    if not isinstance(text, str):
        raise FunctionError("lower needs a string")
    return text.lower()


def _upper(text: Any) -> Any:
    if not isinstance(text, str):
        raise FunctionError("upper needs a string")
    return text.upper()


def _contains(collection: Any, value: Any) -> Any:
    if not isinstance(collection, list):
        raise FunctionError("contains needs a list or set")
    return value in collection


def _keys(mapping: Any) -> Any:
    if not isinstance(mapping, dict):
        raise FunctionError("keys needs a map")
    return sorted(mapping)


def _values(mapping: Any) -> Any:
    if not isinstance(mapping, dict):
        raise FunctionError("values needs a map")
    return [mapping[k] for k in sorted(mapping)]


def _tostring(value: Any) -> Any:
    return _to_string(value)


def _tonumber(value: Any) -> Any:
    if isinstance(value, bool):
        raise FunctionError("tonumber needs a number or a numeric string")
    if isinstance(value, int | float):
        return value
    try:
        number = float(str(value))
    except ValueError:
        raise FunctionError(f"tonumber: {value!r} is not a number") from None
    return int(number) if number.is_integer() else number


def _tomap(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    raise FunctionError("tomap needs a map or object")


def _flatten(value: Any) -> Any:
    if not isinstance(value, list):
        raise FunctionError("flatten needs a list")
    out: list[Any] = []
    for item in value:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _join(sep: Any, items: Any) -> Any:
    if not isinstance(items, list):
        raise FunctionError("join needs a list")
    return str(sep).join(_to_string(i) for i in items)


def _element(items: Any, index: Any) -> Any:
    if not isinstance(items, list) or not items:
        raise FunctionError("element needs a non-empty list")
    return items[int(index) % len(items)]


def _string_fn(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(text: Any, *rest: Any) -> Any:
        if not isinstance(text, str):
            raise FunctionError(f"{name} needs a string")
        return fn(text, *rest)

    return call


def _list_fn(name: str, fn: Callable[[list[Any]], Any]) -> Callable[..., Any]:
    def call(items: Any) -> Any:
        if not isinstance(items, list):
            raise FunctionError(f"{name} needs a list")
        return fn(items)

    return call


def _distinct(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _zipmap(keys: Any, values: Any) -> Any:
    if not isinstance(keys, list) or not isinstance(values, list) or len(keys) != len(values):
        raise FunctionError("zipmap needs two lists of the same length")
    return {_to_string(k): v for k, v in zip(keys, values, strict=True)}


def _range(*args: Any) -> Any:
    numbers = [int(a) for a in args]
    if not 1 <= len(numbers) <= 3:
        raise FunctionError("range takes one to three numbers")
    return list(range(*numbers))


def _one(items: Any) -> Any:
    if not isinstance(items, list) or len(items) > 1:
        raise FunctionError("one needs a list of zero or one element")
    return items[0] if items else None


def _tobool(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if value in ("true", "false"):
        return value == "true"
    raise FunctionError(f"tobool: {value!r} is not a bool")


def _base64(kind: str) -> Callable[[Any], Any]:
    import base64

    def call(text: Any) -> Any:
        if not isinstance(text, str):
            raise FunctionError(f"base64{kind} needs a string")
        if kind == "encode":
            return base64.b64encode(text.encode()).decode()
        try:
            return base64.b64decode(text, validate=True).decode()
        except ValueError as exc:
            raise FunctionError(f"base64decode: {exc}") from None

    return call


def _substr(text: str, offset: Any, length: Any) -> str:
    start = int(offset)
    if start < 0:
        start += len(text)
    return text[start:] if int(length) < 0 else text[start:start + int(length)]


MORE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "replace": _string_fn("replace", lambda t, old, new: t.replace(str(old), str(new))),
    "split": _string_fn("split", lambda sep, t: str(t).split(sep)),  # split(separator, string)
    "trimspace": _string_fn("trimspace", str.strip),
    "trimprefix": _string_fn("trimprefix", lambda t, p: t[len(p):] if t.startswith(p) else t),
    "trimsuffix": _string_fn("trimsuffix",
                             lambda t, p: t[: -len(p)] if p and t.endswith(p) else t),
    "chomp": _string_fn("chomp", lambda t: t.rstrip("\r\n")),
    "title": _string_fn("title", lambda t: " ".join(w[:1].upper() + w[1:] for w in t.split(" "))),
    "substr": _string_fn("substr", _substr),
    "startswith": _string_fn("startswith", lambda t, p: t.startswith(str(p))),
    "endswith": _string_fn("endswith", lambda t, p: t.endswith(str(p))),
    "strrev": _string_fn("strrev", lambda t: t[::-1]),
    "distinct": _list_fn("distinct", _distinct),
    "compact": _list_fn("compact", lambda items: [i for i in items if i not in (None, "")]),
    "reverse": _list_fn("reverse", lambda items: list(reversed(items))),
    "sort": _list_fn("sort", lambda items: sorted(_to_string(i) for i in items)),
    "sum": _list_fn("sum", lambda items: sum(items)),
    "alltrue": _list_fn("alltrue", lambda items: all(i is True or i == "true" for i in items)),
    "anytrue": _list_fn("anytrue", lambda items: any(i is True or i == "true" for i in items)),
    "zipmap": _zipmap,
    "range": _range,
    "one": _one,
    "tobool": _tobool,
    "abs": lambda n: abs(n),
    "ceil": lambda n: -int(-n // 1),
    "floor": lambda n: int(n // 1),
    "base64encode": _base64("encode"),
    "base64decode": _base64("decode"),
}


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "merge": _merge,
    "concat": _concat,
    "lookup": _lookup,
    "coalesce": _coalesce,
    "tolist": _tolist,
    "toset": _toset,
    "length": _length,
    "format": _format,
    "lower": _lower,
    "upper": _upper,
    "contains": _contains,
    "keys": _keys,
    "values": _values,
    "tostring": _tostring,
    "tonumber": _tonumber,
    "tomap": _tomap,
    "flatten": _flatten,
    "join": _join,
    "element": _element,
    "min": lambda *v: min(v),
    "max": lambda *v: max(v),
    **MORE_FUNCTIONS,
}

# Functions that see an Unknown argument themselves instead of returning it unevaluated.
UNKNOWN_AWARE = frozenset({"coalesce"})


def to_string(value: Any) -> str:
    """Terraform's string conversion for interpolation."""
    return _to_string(value)
