"""A module instance: a module's configuration bound to input values.

It answers the names expressions use (``var.``, ``local.``, resources,
``module.``), expands ``count``/``for_each`` and ``dynamic`` blocks, and walks
its resources and child module instances. Everything is evaluated lazily and
memoized, so a resource referring to another one is evaluated once, and a
reference cycle becomes an unknown value instead of a crash.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.values import Unknown
from evidence.terraform.config import Declared, ModuleConfig, is_local_source
from evidence.terraform.expressions import EvalError, Evaluator, ResourceObject
from evidence.terraform.files import read_text
from evidence.terraform.hcl import Body
from evidence.terraform.refs import RefFinder

RESOURCE_META = frozenset({"count", "for_each", "provider", "depends_on"})
META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})
MODULE_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


class UnknownAttributes(dict[str, Any]):
    """Attributes of an instance that may not exist (unknown ``count``/``for_each``):
    every path into it is unknown, for the reason given."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason

    def get(self, key: Any, default: Any = None) -> Any:
        return Unknown(self.reason)

    def __missing__(self, key: Any) -> Any:
        return Unknown(self.reason)


@dataclass
class Instance:
    """One expanded resource instance, ready to become an ``engine.model.Resource``."""

    id: str
    type: str
    decl: Declared
    attributes: dict[str, Any]
    refs: dict[str, list[str]]


@dataclass
class Expansion:
    key: str  # "", "[0]", '["k"]' or "[*]"
    bound: dict[str, Any]
    unknown: str | None = None


@dataclass
class Environment:
    """What every instance of one scan shares: loading module folders and reporting."""

    load_module: Callable[[Path], ModuleConfig | None]
    note: Callable[[str], None]
    error: Callable[[str, str | None], None]
    read_file: Callable[[Path], tuple[str | None, bytes | None, str | None]] = read_text


@dataclass
class ModuleInstance:
    config: ModuleConfig
    env: Environment
    id_prefix: str  # "<root>/" with several roots, else ""
    prefix: str = ""  # "module.a." or 'module.b["k"].'
    inputs: dict[str, Any] = field(default_factory=dict)
    input_refs: dict[str, set[str]] = field(default_factory=dict)
    unknown: str | None = None  # the whole instance may not exist, for this reason
    ancestry: tuple[Path, ...] = ()
    root_dir: str | None = None  # path.root, as results name it
    _locals: dict[str, Any] = field(default_factory=dict)
    _resources: dict[tuple[str, str], Any] = field(default_factory=dict)
    _expansions: dict[tuple[str, str], list[Expansion]] = field(default_factory=dict)
    _children: dict[str, list[tuple[Expansion, ModuleInstance]]] | None = None
    _busy: set[Any] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.evaluator = Evaluator(self)
        self.refs = RefFinder(self)

    # ----------------------------------------------------------------- Resolver

    def variable(self, name: str) -> Any:
        if name in self.inputs:
            return self.inputs[name]
        decl = self.config.variables.get(name)
        if decl is None:
            raise EvalError(f"var.{name} is not declared")
        default = decl.body[0].get("default")
        if default is not None:
            return self.evaluator.value(default[0])
        where = f" (in {self.prefix.rstrip('.')})" if self.prefix else ""
        return Unknown(f"var.{name} is not set{where}")

    def local(self, name: str) -> Any:
        if name in self._locals:
            return self._locals[name]
        entry = self.config.locals.get(name)
        if entry is None:
            raise EvalError(f"local.{name} is not declared")
        key = ("local", name)
        if key in self._busy:
            return Unknown(f"local.{name} refers to itself")
        self._busy.add(key)
        try:
            value = self.evaluator.value(entry[0])
        finally:
            self._busy.discard(key)
        self._locals[name] = value
        return value

    def is_resource_type(self, name: str) -> bool:
        return name in self.config.resource_types

    def resource(self, type_name: str, name: str) -> Any:
        key = (type_name, name)
        if key in self._resources:
            return self._resources[key]
        decl = self.config.resources.get(key)
        if decl is None:
            return None
        if key in self._busy:
            return Unknown(f"{type_name}.{name} refers to itself")
        self._busy.add(key)
        try:
            value = self._resource_value(decl)
        finally:
            self._busy.discard(key)
        self._resources[key] = value
        return value

    def _resource_value(self, decl: Declared) -> Any:
        expansions = self.expand(decl)
        address = f"{self.prefix}{decl.type}.{decl.name}"
        if len(expansions) == 1 and expansions[0].unknown:
            return Unknown(expansions[0].unknown)
        objects = [ResourceObject(address + e.key, self.body_values(decl.body, e.bound, True))
                   for e in expansions]
        if "for_each" in decl.body[0]:
            return {json.loads(e.key[1:-1]): o for e, o in zip(expansions, objects, strict=True)}
        if "count" in decl.body[0]:
            return objects
        return objects[0]

    def module_output(self, name: str) -> Any:
        children = self.children().get(name)
        if children is None:
            raise EvalError(f"module.{name} is not declared or not evaluated")
        values = [child.outputs() for _, child in children]
        decl = self.config.modules[name]
        if "for_each" in decl.body[0]:
            return {json.loads(e.key[1:-1]): v for (e, _), v in zip(children, values, strict=True)}
        if "count" in decl.body[0]:
            return values
        return values[0]

    def path(self, name: str) -> Any:
        if name == "module":
            return self.config.shown_dir
        if name == "root":
            return self.root_dir or self.config.shown_dir
        if name == "cwd":
            return "."
        raise EvalError(f"path.{name} is not supported")

    def read_file(self, name: str) -> Any:
        """``file(path)``: a path under ``path.module`` is read from the module's folder."""
        shown = self.config.shown_dir
        relative = name[len(shown) + 1:] if shown != "." and name.startswith(shown + "/") \
            else name if not name.startswith("/") else None
        if relative is None:
            raise EvalError(f"file({name!r}): only files of the module are read")
        path = Path(os.path.normpath(self.config.directory / relative))
        text, _, problem = self.env.read_file(path)
        if text is None:
            raise EvalError(f"file({name!r}): {problem}")
        return text

    def outputs(self) -> Any:
        if self.unknown:
            return Unknown(self.unknown)
        out: dict[str, Any] = {}
        for name, decl in self.config.outputs.items():
            value = decl.body[0].get("value")
            out[name] = self.evaluator.value(value[0]) if value else None
        return out

    # ----------------------------------------------------------------- expansion

    def expand(self, decl: Declared) -> list[Expansion]:
        key = (decl.kind, decl.name if decl.kind == "module" else f"{decl.type}.{decl.name}")
        cached = self._expansions.get(key)
        if cached is None:
            cached = self._expand(decl)
            self._expansions[key] = cached
        return cached

    def _expand(self, decl: Declared) -> list[Expansion]:
        attrs = decl.body[0]
        if "count" in attrs:
            count = self.evaluator.value(attrs["count"][0])
            if isinstance(count, Unknown):
                return [Expansion("[*]", {}, f"count is unknown: {count.reason}")]
            if isinstance(count, bool) or not isinstance(count, int | float) or count < 0:
                return [Expansion("[*]", {}, f"count is not a whole number: {count!r}")]
            return [Expansion(f"[{i}]", {"count": {"index": i}}) for i in range(int(count))]
        if "for_each" in attrs:
            items = self.evaluator.value(attrs["for_each"][0])
            return _for_each(items)
        return [Expansion("", {})]

    def body_values(self, body: Body, bound: dict[str, Any], top: bool = False) -> dict[str, Any]:
        attrs, blocks = body
        out: dict[str, Any] = {}
        for name, (expr, _) in attrs.items():
            if top and name in RESOURCE_META:
                continue
            out[name] = self.evaluator.value(expr, bound)
        for kind, labels, _, inner in blocks:
            if top and kind in META_BLOCKS:
                continue
            if kind == "dynamic" and labels:
                self._dynamic(out, labels[0], inner, bound)
                continue
            existing = out.setdefault(kind, [])
            if isinstance(existing, list):
                existing.append(self.body_values(inner, bound))
        return out

    def _dynamic(self, out: dict[str, Any], name: str, body: Body, bound: dict[str, Any]) -> None:
        attrs, blocks = body
        content = next((b[3] for b in blocks if b[0] == "content"), None)
        iterator = name
        if "iterator" in attrs and attrs["iterator"][0][0] == "name":
            iterator = attrs["iterator"][0][1]
        items = self.evaluator.value(attrs["for_each"][0], bound) if "for_each" in attrs \
            else Unknown(f"dynamic {name} has no for_each")
        if isinstance(items, Unknown):
            out[name] = Unknown(f"dynamic block {name}: {items.reason}")
            return
        if content is None:
            return
        existing = out.setdefault(name, [])
        if not isinstance(existing, list):
            return
        pairs = sorted(items.items()) if isinstance(items, dict) else \
            [(v, v) for v in items] if isinstance(items, list) else []
        for key, value in pairs:
            inner = dict(bound)
            inner[iterator] = {"key": key, "value": value}
            existing.append(self.body_values(content, inner))

    # ----------------------------------------------------------------- walking

    def instances(self, wanted: frozenset[str]) -> Iterator[Instance]:
        """Every resource instance of this module and its children, in source order."""
        for (type_name, _), decl in self.config.resources.items():
            if wanted and type_name not in wanted:
                continue
            yield from self._instances_of(decl)
        for children in self.children().values():
            for _, child in children:
                yield from child.instances(wanted)

    def _instances_of(self, decl: Declared) -> Iterator[Instance]:
        address = f"{self.prefix}{decl.type}.{decl.name}"
        value = self.resource(decl.type, decl.name)
        for expansion in self.expand(decl):
            instance_id = f"{self.id_prefix}{address}{expansion.key}"
            reason = self.unknown or expansion.unknown
            attributes: dict[str, Any]
            if reason:
                attributes = UnknownAttributes(f"{instance_id} may not exist: {reason}")
            elif isinstance(value, dict) and not isinstance(value, ResourceObject):
                attributes = value[json.loads(expansion.key[1:-1])]
            elif isinstance(value, list):
                attributes = value[int(expansion.key[1:-1])]
            else:
                attributes = value
            refs = self.refs.of_body(decl.body, expansion.bound)
            yield Instance(instance_id, decl.type, decl, dict(attributes) if not reason
                           else attributes, refs)

    def children(self) -> dict[str, list[tuple[Expansion, ModuleInstance]]]:
        if self._children is None:
            self._children = {}
            for name, decl in self.config.modules.items():
                built = self._child(name, decl)
                if built is not None:
                    self._children[name] = built
        return self._children

    def _child(self, name: str, decl: Declared) -> list[tuple[Expansion, ModuleInstance]] | None:
        source_expr = decl.body[0].get("source")
        source = source_expr[0][1] if source_expr and source_expr[0][0] == "lit" else None
        where = f"{decl.file}:{decl.line}"
        if not is_local_source(source):
            self.env.note(f"{where}: module.{name}: source {source!r} is not fetched "
                          "(registry and git modules are not evaluated)")
            return None
        directory = Path(os.path.normpath(self.config.directory / str(source)))
        if directory in self.ancestry or directory == self.config.directory:
            self.env.error(f"module.{name} calls {source} which is already being "
                           "evaluated (module cycle)", where)
            return None
        child_config = self.env.load_module(directory)
        if child_config is None:
            self.env.error(f"module.{name}: source {source} has no .tf files", where)
            return None
        out = []
        for expansion in self.expand(decl):
            inputs, refs = {}, {}
            for key, (expr, _) in decl.body[0].items():
                if key in MODULE_META:
                    continue
                inputs[key] = self.evaluator.value(expr, expansion.bound)
                refs[key] = self.refs.of_expr(expr, expansion.bound)
            child = ModuleInstance(
                child_config, self.env, self.id_prefix,
                prefix=f"{self.prefix}module.{name}{expansion.key}.",
                inputs=inputs, input_refs=refs,
                unknown=self.unknown or expansion.unknown,
                ancestry=self.ancestry + (self.config.directory,),
                root_dir=self.root_dir or self.config.shown_dir,
            )
            out.append((expansion, child))
        return out


def _for_each(items: Any) -> list[Expansion]:
    if isinstance(items, Unknown):
        return [Expansion("[*]", {}, f"for_each is unknown: {items.reason}")]
    if isinstance(items, dict):
        pairs = sorted(items.items())
    elif isinstance(items, list):
        if any(isinstance(i, Unknown) for i in items):
            return [Expansion("[*]", {}, "for_each has unknown elements")]
        pairs = sorted((str(i), i) for i in items)
    else:
        return [Expansion("[*]", {}, f"for_each is not a map or set: {items!r}")]
    return [Expansion(f"[{json.dumps(str(k))}]", {"each": {"key": str(k), "value": v}})
            for k, v in pairs]
