"""Attribute paths: ``a.b[0].c`` parsed once into steps, compiled into a fast extractor.

Grammar: dotted keys; ``[n]`` picks element ``n`` of a list (negative counts from
the end); ``["key.with.dots"]`` reads a key that is not a plain name.

Evaluation (DESIGN: Condition language, Semantics):
- a key step over a list applies to every element (HCL blocks are lists), so a
  path yields zero, one or many values;
- JSON ``null`` is absent: a missing key and a ``None`` value both yield nothing;
- a list at the end of a path is flattened into its elements;
- an ``Unknown`` met anywhere along the path is yielded as a value, so the
  operator can turn it into an ``unknown`` verdict with its reason.

Everything textual happens in :func:`parse_path`; the extractor only walks data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.values import Unknown

Extractor = Callable[[Any], Sequence[Any]]


@dataclass(frozen=True, slots=True)
class Key:
    name: str

    def __str__(self) -> str:
        if _is_plain(self.name):
            return self.name
        return '["' + self.name + '"]'


@dataclass(frozen=True, slots=True)
class Index:
    position: int

    def __str__(self) -> str:
        return f"[{self.position}]"


Step = Key | Index

_FORBIDDEN_IN_KEY = frozenset(".[]\"' \t\r\n")


def _is_plain(name: str) -> bool:
    return bool(name) and not any(c in _FORBIDDEN_IN_KEY for c in name)


def validate_path(path: str) -> None:
    """Raise ``ValueError`` with a clear message when ``path`` is malformed."""
    parse_path(path)


def parse_path(path: str) -> tuple[Step, ...]:
    """``a.b[0]["c.d"]`` → ``(Key('a'), Key('b'), Index(0), Key('c.d'))``."""
    if not isinstance(path, str) or not path:
        raise ValueError("a path must be a non-empty string such as a.b[0].c")
    steps: list[Step] = []
    i, n = 0, len(path)
    need_key = True  # at the start and right after a dot
    while i < n:
        char = path[i]
        if char == "[":
            if need_key and steps:
                raise _error(path, i, "expected a key after '.'")
            step, i = _bracket(path, i)
            steps.append(step)
            need_key = False
        elif char == ".":
            if need_key:
                raise _error(path, i, "empty key")
            need_key = True
            i += 1
        elif not need_key:
            raise _error(path, i, "expected '.' or '[' after ']'")
        else:
            start = i
            while i < n and path[i] not in ".[":
                if path[i] in _FORBIDDEN_IN_KEY:
                    raise _error(path, i, f"unexpected {path[i]!r} in a key; "
                                          'quote such keys as ["key"]')
                i += 1
            name = path[start:i]
            if name == "*":
                raise _error(path, start, "no wildcards: a step over a list already "
                                          "applies to every element")
            steps.append(Key(name))
            need_key = False
    if need_key:
        raise _error(path, n, "path ends with '.'" if steps else "empty path")
    return tuple(steps)


def _bracket(path: str, i: int) -> tuple[Step, int]:
    close = path.find("]", i)
    if close < 0:
        raise _error(path, i, "unclosed '['")
    inside = path[i + 1:close]
    if len(inside) >= 2 and inside[0] == inside[-1] and inside[0] in "\"'":
        name = inside[1:-1]
        if not name or inside[0] in name:
            raise _error(path, i, "a quoted key must be non-empty and contain no quote")
        return Key(name), close + 1
    digits = inside[1:] if inside.startswith("-") else inside
    if not digits.isdigit() or not digits.isascii():
        raise _error(path, i, f"expected an integer index or a quoted key in [], got {inside!r}")
    return Index(int(inside)), close + 1


def _error(path: str, position: int, message: str) -> ValueError:
    return ValueError(f"invalid path {path!r} at column {position + 1}: {message}")


def format_path(steps: Sequence[Step]) -> str:
    """The canonical text of parsed steps (round-trips through parse_path)."""
    out = ""
    for step in steps:
        text = str(step)
        out += text if (not out or text.startswith("[")) else "." + text
    return out


# --------------------------------------------------------------------------- evaluation

_EMPTY: tuple[Any, ...] = ()
SCALAR_TYPES = frozenset({str, int, bool, float})


ABSENT: Any = object()  # the path yields nothing
COMPOUND: Any = object()  # the path meets a list, an Unknown or another mapping
Probe = Callable[[Any], Any]


def plain_keys(path: str) -> tuple[str, ...] | None:
    """The keys of a path made of plain keys only (``a.b.c``), else None."""
    steps = parse_path(path)
    if all(isinstance(s, Key) for s in steps):
        return tuple(s.name for s in steps if isinstance(s, Key))
    return None


def compile_probe(path: str) -> Probe:
    """``probe(root)``: the one scalar a path of plain keys reaches through nested dicts,
    ``ABSENT`` when it reaches nothing, ``COMPOUND`` when only the extractor can say.

    Most conditions read one scalar; this answers them without building a list.
    """
    keys = plain_keys(path)
    if keys is None:
        return lambda root: COMPOUND
    if len(keys) == 1:
        (key,) = keys

        def one_key(root: Any) -> Any:
            if root.__class__ is not dict:
                return COMPOUND
            value = root.get(key)
            if value is None:
                return ABSENT
            return value if value.__class__ in SCALAR_TYPES else COMPOUND

        return one_key

    def nested_keys(root: Any) -> Any:
        value = root
        for key in keys:
            if value.__class__ is not dict:
                return COMPOUND
            value = value.get(key)
            if value is None:
                return ABSENT
        return value if value.__class__ in SCALAR_TYPES else COMPOUND

    return nested_keys


def compile_path(path: str) -> Extractor:
    """Parse ``path`` once and return ``extract(root) -> values``."""
    steps = parse_path(path)
    appliers = tuple(_key_applier(s.name) if isinstance(s, Key) else _index_applier(s.position)
                     for s in steps)

    def generic(root: Any) -> Sequence[Any]:
        current: list[Any] = [root]
        for apply in appliers:
            following: list[Any] = []
            for value in current:
                apply(value, following)
            if not following:
                return _EMPTY
            current = following
        out: list[Any] = []
        for value in current:
            _flatten_into(value, out)
        return out

    return generic


def _key_applier(name: str) -> Callable[[Any, list[Any]], None]:
    def apply(value: Any, out: list[Any]) -> None:
        if value.__class__ is dict or isinstance(value, Mapping):
            found = value.get(name)
            if found is not None:
                out.append(found)
        elif value.__class__ is list or value.__class__ is tuple:
            for element in value:
                apply(element, out)
        elif value.__class__ is Unknown:
            out.append(value)

    return apply


def _index_applier(position: int) -> Callable[[Any, list[Any]], None]:
    def apply(value: Any, out: list[Any]) -> None:
        if value.__class__ is list or value.__class__ is tuple:
            if -len(value) <= position < len(value):
                found = value[position]
                if found is not None:
                    out.append(found)
        elif value.__class__ is Unknown:
            out.append(value)

    return apply


def _flatten_into(value: Any, out: list[Any]) -> None:
    if value.__class__ is list or value.__class__ is tuple:
        for element in value:
            _flatten_into(element, out)
    elif value is not None:
        out.append(value)
