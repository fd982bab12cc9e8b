"""YAML with positions: ``yaml.safe_load`` semantics, but every node keeps its place.

The document is composed with PyYAML's safe loader (never the full loader, so no
object construction from tags) and then constructed here, node by node, so each
mapping key and each value can be traced back to ``file:line:col``. Anything the
safe loader would reject is a located ``ControlError``; so is a key repeated in
one mapping, which PyYAML would silently resolve to the last occurrence.
"""

from __future__ import annotations

import os
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.errors import ControlError, Location, display_name

try:  # the C parser is several times faster and reports the same marks
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

KeyPath = tuple[Hashable, ...]

_MERGE_TAG = "tag:yaml.org,2002:merge"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_MAX_BYTES = 10 * 1024 * 1024  # a control or waiver file is a few KB; refuse absurd ones


@dataclass
class Positions:
    """Where each node of one document sits. Paths are tuples of keys and list indices."""

    file: str
    values: dict[KeyPath, Location] = field(default_factory=dict)
    keys: dict[KeyPath, Location] = field(default_factory=dict)

    def value(self, path: KeyPath) -> Location:
        """Location of the value at ``path``, or of its deepest ancestor that exists."""
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return found
        return Location(self.file, 1, 1)

    def key(self, path: KeyPath) -> Location:
        """Location of the mapping key that ends ``path`` (its value's when there is none)."""
        found = self.keys.get(path)
        return found if found is not None else self.value(path)

    def has(self, path: KeyPath) -> bool:
        return path in self.values


def _location(file: str, mark: Any) -> Location:
    if mark is None:
        return Location(file)
    return Location(file, mark.line + 1, mark.column + 1)


def _offset_location(file: str, data: bytes | str, offset: int) -> Location:
    head = data[:offset]
    newline: bytes | str = b"\n" if isinstance(head, bytes) else "\n"
    line = head.count(newline) + 1  # type: ignore[arg-type]
    column = offset - (head.rfind(newline) + 1)  # type: ignore[arg-type]
    return Location(file, line, column + 1)


def read_text(path: str | os.PathLike[str], file: str | None = None) -> str:
    """Read a UTF-8 input file; any failure is a located ControlError."""
    name = file if file is not None else display_name(path)
    try:
        size = os.stat(path).st_size
        if size > _MAX_BYTES:
            raise ControlError(f"file is too large ({size} bytes; at most {_MAX_BYTES})",
                               Location(name))
        raw = Path(path).read_bytes()
    except IsADirectoryError:
        raise ControlError("is a folder, expected a YAML file", Location(name)) from None
    except OSError as exc:
        raise ControlError(f"cannot read file: {exc.strerror or exc}", Location(name)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ControlError("file is not valid UTF-8", _offset_location(name, raw, exc.start)) \
            from None


def load_located(path: str | os.PathLike[str]) -> tuple[Any, Positions]:
    """Load one YAML file like ``yaml.safe_load`` and return ``(data, positions)``."""
    name = display_name(path)
    return loads_located(read_text(path, name), name)


def loads_located(text: str, file: str) -> tuple[Any, Positions]:
    """Like :func:`load_located` for text already read; ``file`` names it in errors."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise _marked_error(file, exc) from None
    except yaml.reader.ReaderError as exc:
        raise ControlError(f"invalid YAML: {exc.reason}",
                           _offset_location(file, text, exc.position)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - the composer raises marked errors
        raise ControlError(f"invalid YAML: {exc}", Location(file)) from None
    positions = Positions(file)
    if node is None:
        return None, positions
    return _Builder(positions).build(node, ()), positions


def _marked_error(file: str, exc: yaml.MarkedYAMLError) -> ControlError:
    problem = (exc.problem or "malformed document").strip()
    message = f"invalid YAML: {problem}"
    if problem.startswith("but ") and exc.context:  # "expected X" / "but found Y"
        message = f"invalid YAML: {exc.context.strip()}, {problem}"
    elif exc.context and exc.context_mark is not None and exc.problem_mark is not None \
            and exc.context_mark.line != exc.problem_mark.line:
        message += f" ({exc.context.strip()} at line {exc.context_mark.line + 1})"
    return ControlError(message, _location(file, exc.problem_mark or exc.context_mark))


class _Builder:
    """Turns a composed node tree into Python data, recording positions on the way."""

    def __init__(self, positions: Positions) -> None:
        self.positions = positions
        self.file = positions.file
        self.scalars = SafeConstructor()
        self.done: dict[int, Any] = {}  # aliases share one object, as with safe_load
        self.active: set[int] = set()

    def build(self, node: Node, path: KeyPath) -> Any:
        self.positions.values.setdefault(path, _location(self.file, node.start_mark))
        if id(node) in self.done:
            return self.done[id(node)]
        if id(node) in self.active:
            raise ControlError("recursive alias is not supported",
                               _location(self.file, node.start_mark))
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        if node.tag not in (_SEQ_TAG, _MAP_TAG):
            raise ControlError(f"unsupported tag {node.tag!r}; only plain lists and mappings",
                               _location(self.file, node.start_mark))
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                result: Any = [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
            elif isinstance(node, MappingNode):
                result = self._mapping(node, path)
            else:  # pragma: no cover - the composer yields only these three
                raise ControlError("unsupported YAML node", _location(self.file, node.start_mark))
        finally:
            self.active.discard(id(node))
        self.done[id(node)] = result
        return result

    def _scalar(self, node: ScalarNode) -> Any:
        if node.tag == _STR_TAG:  # most scalars: no constructor needed
            return node.value
        try:
            return self.scalars.construct_object(node, deep=True)
        except ConstructorError as exc:
            raise _marked_error(self.file, exc) from None
        except ValueError:
            # An impossible date such as 2026-02-30 stays text: the model that expects a
            # date reports it, located, among the file's other errors (raising here would
            # hide them all behind this one).
            return node.value

    def _key(self, node: Node) -> Hashable:
        if not isinstance(node, ScalarNode):
            raise ControlError("a mapping key must be a plain value, not a list or mapping",
                               _location(self.file, node.start_mark))
        key = self._scalar(node)
        if not isinstance(key, Hashable):  # pragma: no cover - scalars are hashable
            raise ControlError("unhashable mapping key", _location(self.file, node.start_mark))
        return key

    def _mapping(self, node: MappingNode, path: KeyPath) -> dict[Hashable, Any]:
        result: dict[Hashable, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                self._merge(result, value_node, path)
        seen: dict[Hashable, Location] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self._key(key_node)
            where = _location(self.file, key_node.start_mark)
            if key in seen:
                first = seen[key]
                raise ControlError(f"duplicate key {key!r} (first at line {first.line})", where)
            seen[key] = where
            child = (*path, key)
            self.positions.keys[child] = where
            self.positions.values[child] = _location(self.file, value_node.start_mark)
            result[key] = self.build(value_node, child)
        return result

    def _merge(self, result: dict[Hashable, Any], node: Node, path: KeyPath) -> None:
        """``<<: *base`` or ``<<: [*a, *b]``: earlier mappings win, local keys win over all."""
        sources = node.value if isinstance(node, SequenceNode) else [node]
        for source in reversed(sources):
            if not isinstance(source, MappingNode):
                raise ControlError("a merge key (<<) needs a mapping or a list of mappings",
                                   _location(self.file, source.start_mark))
            merged = self.build(source, path)
            result.update(merged)
