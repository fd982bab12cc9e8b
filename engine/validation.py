"""Pydantic validation errors turned into located lines a control author understands.

Pydantic reports an error by a ``loc`` of field names, list indices and, inside
unions, the names of union members (``leaf``, ``any``, ``ParamRef``,
``list[any]``…) that are not keys of the YAML. Each loc is matched against the
loaded data to find the deepest node that really exists, and the error is
reported there, in words, not in pydantic's vocabulary.
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Sequence
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, Tag, ValidationError
from pydantic_core import ErrorDetails

from engine.errors import ControlError, Location
from engine.model import CHECK_ID, CONTROL_ID, OPERATORS
from engine.yamlloc import KeyPath, Positions

M = TypeVar("M", bound=BaseModel)

# What a type error expected, in words; several members of a union are joined with "or".
_EXPECTED = {
    "string_type": "a string",
    "string_sub_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "datetime_type": "a date-time (ISO 8601)",
    "datetime_parsing": "a date-time (ISO 8601)",
    "datetime_from_date_parsing": "a date-time (ISO 8601)",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
}
_MODEL_SHAPES = {"ParamRef": "{param: NAME}", "GapExpectation": "{max_gap: DURATION}"}
_PATTERN_HINTS = {
    CONTROL_ID: "invalid control id {value!r}; expected upper-case words joined by '-', "
                "e.g. ENC-S3-01",
    CHECK_ID: "invalid check id {value!r}; expected lower-case letters, digits, '-' or '_', "
              "e.g. tf",
}


def describe(value: Any) -> str:
    """A YAML author's name for the type of ``value``."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def validate(model: type[M], data: Any, positions: Positions) -> tuple[M | None, list[ControlError]]:
    """Validate ``data`` against ``model``; return the instance or every located error."""
    if data is None:
        return None, [ControlError("the file is empty; expected a mapping",
                                   Location(positions.file, 1, 1))]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, translate(exc.errors(), data, positions, model)


def translate(errors: Sequence[ErrorDetails], data: Any, positions: Positions,
              model: type[BaseModel] | None = None) -> list[ControlError]:
    """One located ControlError per offending YAML node, in document order."""
    groups: dict[tuple[KeyPath, str, bool], list[ErrorDetails]] = {}
    for error in errors:
        loc = error["loc"]
        if error["type"] == "missing" and loc:
            path = _mapping_ancestor(data, resolve(data, loc[:-1])[0])
            key = (path, str(loc[-1]), False)
        else:
            path, rest = resolve(data, loc)
            if error["type"] == "extra_forbidden" and path and not rest:
                key = (path, str(path[-1]), True)
            else:
                key = (path, _short(path) or "document", False)
        groups.setdefault(key, []).append(error)
    _drop_other_union_members(groups)
    missing: dict[KeyPath, list[str]] = {}
    for (path, name, _), group in groups.items():
        if group[0]["type"] == "missing":
            missing.setdefault(path, []).append(name)
    hints = {(path, name): _misspelt(name, missing.get(path[:-1], []),
                                     _allowed(model, group[0]["loc"][:-1]))
             for (path, name, is_key), group in groups.items() if is_key}
    found: list[ControlError] = []
    seen: set[str] = set()
    for (path, name, is_key), group in groups.items():
        if group[0]["type"] == "missing" and name not in missing.get(path, []):
            continue  # explained by the misspelt key that stands in its place
        where = positions.key(path) if is_key else positions.value(path)
        message = _message(name, group) + hints.get((path, name), "")
        if f"{where}{message}" not in seen:
            seen.add(f"{where}{message}")
            found.append(ControlError(message, where))
    found.sort(key=lambda e: (e.location.line, e.location.column) if e.location else (0, 0))
    return found


def _drop_other_union_members(groups: dict[tuple[KeyPath, str, bool], list[ErrorDetails]]
                              ) -> None:
    """``in: {param: x, typo: 1}`` fails as a list and inside ParamRef; the error inside
    the member that took the value's shape is the one that explains it."""
    paths = [path for path, _, _ in groups]
    for key in list(groups):
        path = key[0]
        shallow = all(e["type"] in _EXPECTED or e["type"] == "literal_error"
                      for e in groups[key])
        if shallow and any(len(p) > len(path) and p[:len(path)] == path for p in paths):
            del groups[key]


def _misspelt(name: str, missing: list[str], allowed: list[str] | None) -> str:
    """What the author may have meant by an unknown key: a missing key that looks like it
    (which is then not reported separately), another allowed key, or the list of them."""
    close = difflib.get_close_matches(name, missing, n=1, cutoff=0.6)
    if close:
        missing.remove(close[0])
        return f" (did you mean {close[0]!r}?)"
    if not allowed or set(allowed) == set(OPERATORS) | {"path"}:
        return ""  # a leaf's message already lists the operators
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f"; expected one of {', '.join(allowed)}"


def _allowed(model: type[BaseModel] | None, loc: Sequence[int | str]) -> list[str] | None:
    """The keys the model accepts in the mapping at pydantic ``loc`` (tags included)."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
    for _, member in _members(current):
        if isinstance(member, type) and issubclass(member, BaseModel):
            return sorted(f.alias or n for n, f in member.model_fields.items())
    return None


def _members(annotation: Any) -> list[tuple[str | None, Any]]:
    """Flatten Optional / Union / Annotated into (union tag, type) pairs."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *meta = get_args(annotation)
        tag = next((m.tag for m in meta if isinstance(m, Tag)), None)
        return [(tag or t, m) for t, m in _members(inner)]
    if origin in (Union, UnionType):
        return [pair for arg in get_args(annotation) for pair in _members(arg)]
    return [(None, annotation)]


def _step(annotation: Any, part: int | str) -> Any:
    members = _members(annotation)
    for tag, member in members:
        if part == tag or part == getattr(member, "__name__", None):
            return member
    for _, member in members:
        if isinstance(member, type) and issubclass(member, BaseModel):
            for name, info in member.model_fields.items():
                if part in (name, info.alias):
                    return info.annotation
        elif get_origin(member) is list and isinstance(part, int):
            return get_args(member)[0]
        elif get_origin(member) is dict and isinstance(part, str):
            return get_args(member)[1]
    return None


def resolve(data: Any, loc: Sequence[int | str]) -> tuple[KeyPath, tuple[int | str, ...]]:
    """The deepest path of ``loc`` parts that exist in ``data`` (skipping union tags),
    and the parts left after the last part that matched."""
    best: tuple[KeyPath, int] = ((), 0)

    def walk(node: Any, index: int, path: KeyPath) -> None:
        nonlocal best
        if len(path) > len(best[0]) or (len(path) == len(best[0]) and index > best[1]):
            best = (path, index)
        for i in range(index, len(loc)):
            child = _child(node, loc[i])
            if child is not _MISSING:
                walk(child, i + 1, (*path, loc[i]))

    walk(data, 0, ())
    path, index = best
    return path, tuple(loc[index:])


_MISSING = object()


def _child(node: Any, part: Hashable) -> Any:
    if isinstance(node, dict):
        return node.get(part, _MISSING)
    if isinstance(node, list) and isinstance(part, int) and not isinstance(part, bool):
        return node[part] if 0 <= part < len(node) else _MISSING
    return _MISSING


def _mapping_ancestor(data: Any, path: KeyPath) -> KeyPath:
    """The longest prefix of ``path`` that leads to a mapping (where a key is missing)."""
    nodes = [data]
    for part in path:
        nodes.append(_child(nodes[-1], part))
    for end in range(len(path), -1, -1):
        if isinstance(nodes[end], dict):
            return path[:end]
    return ()


def label(path: KeyPath) -> str:
    """``checks[0].assert`` for a path; the name a message uses for a node."""
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _short(path: KeyPath) -> str:
    """The last key of a path, with the indices after it: ``checks[0]``, ``title``."""
    tail: list[Hashable] = []
    for part in reversed(path):
        tail.insert(0, part)
        if not isinstance(part, int) or isinstance(part, bool):
            break
    return label(tuple(tail))


def _message(field: str, group: list[ErrorDetails]) -> str:
    first = group[0]
    kind = first["type"]
    if kind == "missing":
        return f"missing required key {field!r}"
    if kind == "extra_forbidden":
        return _extra_message(field, first)
    value_errors = [e for e in group if e["type"] in ("value_error", "assertion_error")]
    if value_errors:
        return _value_error(field, value_errors[0])
    expected = _expected_phrases(group)
    if expected:
        got = describe(first["input"])
        if first["type"] in ("enum", "literal_error") and len(expected) == 1:
            got = repr(first["input"])
        return f"{field}: expected {_join(expected)}, got {got}"
    return _other_message(field, first)


def _extra_message(name: str, error: ErrorDetails) -> str:
    loc = error["loc"]
    if len(loc) >= 2 and loc[-2] == "leaf":
        return f"unknown operator {name!r}; expected one of {', '.join(OPERATORS)}"
    return f"unknown key {name!r}"


def _value_error(field: str, error: ErrorDetails) -> str:
    text = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    last = error["loc"][-1] if error["loc"] else None
    if isinstance(last, str) and last.startswith("function-"):
        return f"{field}: {text}"
    return text


def _expected_phrases(group: list[ErrorDetails]) -> list[str]:
    phrases: list[str] = []
    for error in group:
        kind = error["type"]
        if kind == "model_type":
            phrase = _MODEL_SHAPES.get(str(error.get("ctx", {}).get("class_name")), "a mapping")
        elif kind in ("enum", "literal_error"):
            phrase = str(error.get("ctx", {}).get("expected", ""))
        else:
            phrase = _EXPECTED.get(kind, "")
        if not phrase:
            if kind == "none_required":
                continue
            return []
        if phrase not in phrases:
            phrases.append(phrase)
    return phrases


def _join(phrases: list[str]) -> str:
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + " or " + phrases[-1]


def _other_message(field: str, error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx", {})
    value = error["input"]
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(str(ctx.get("pattern")))
        if hint:
            return hint.format(value=value)
        return f"{field}: {value!r} does not match the pattern {ctx.get('pattern')}"
    if kind in ("too_short", "string_too_short"):
        if isinstance(value, str):
            return f"{field}: must not be empty"
        return f"{field}: needs at least {ctx.get('min_length', 1)} entry"
    if kind == "invalid_condition":
        return f"{field}: {error['msg']}" if field != "document" else error["msg"]
    return f"{field}: {error['msg']}"
