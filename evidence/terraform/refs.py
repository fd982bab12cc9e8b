"""Which resources an expression refers to, for ``related: TYPE, by: ATTR``.

A reference counts when it names a resource (``aws_s3_bucket.b``) bare or
through ``.id``, ``.arn``, ``.bucket`` or ``.name``; through ``var.x`` it is
whatever the module call passed in; through ``local.x`` whatever the local
refers to; through ``module.m.out`` whatever the output refers to.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from engine.values import Unknown
from evidence.terraform.hcl import Body, Expr

if TYPE_CHECKING:
    from evidence.terraform.instance import ModuleInstance

REF_ATTRIBUTES = frozenset({"id", "arn", "bucket", "name"})


class RefFinder:
    def __init__(self, instance: ModuleInstance) -> None:
        self.instance = instance
        self._locals: dict[str, set[str]] = {}
        self._outputs: dict[str, set[str]] = {}

    def of_body(self, body: Body, bound: dict[str, Any], prefix: str = "") -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        attrs, blocks = body
        for name, (expr, _) in attrs.items():
            found = self.of_expr(expr, bound)
            if found:
                out[prefix + name] = sorted(found)
        for kind, labels, _, inner in blocks:
            if kind == "dynamic" and labels:
                content = next((b[3] for b in inner[1] if b[0] == "content"), None)
                if content is None:
                    continue
                kind, inner = labels[0], content
            for key, ids in self.of_body(inner, bound, f"{prefix}{kind}.").items():
                out[key] = sorted(set(out.get(key, [])) | set(ids))
        return out

    def of_expr(self, expr: Expr, bound: dict[str, Any]) -> set[str]:
        found: set[str] = set()
        self._walk(expr, bound, found)
        return found

    def _walk(self, node: Any, bound: dict[str, Any], found: set[str]) -> None:
        if not isinstance(node, tuple) or not node:
            return
        tag = node[0]
        if tag in ("attr", "index", "name", "splat"):
            self._traversal(node, bound, found)
            return
        for child in node[1:]:
            if isinstance(child, tuple):
                self._walk(child, bound, found)
            elif isinstance(child, list):
                for item in child:
                    if isinstance(item, tuple) and item and isinstance(item[0], tuple):
                        for sub in item:
                            self._walk(sub, bound, found)
                    else:
                        self._walk(item, bound, found)

    def _traversal(self, node: Expr, bound: dict[str, Any], found: set[str]) -> None:
        steps: list[tuple[str, Any]] = []
        root = node
        while root[0] in ("attr", "index", "splat"):
            if root[0] == "attr":
                steps.append(("attr", root[2]))
            elif root[0] == "index":
                steps.append(("index", root[2]))
                self._walk(root[2], bound, found)
            else:
                steps.extend(reversed([("attr", s[1]) if s[0] == "attr" else ("splat", None)
                                       for s in root[2]]))
                steps.append(("splat", None))
            root = root[1]
        steps.reverse()
        if root[0] != "name":
            self._walk(root, bound, found)
            return
        name = root[1]
        if name in bound or not steps or steps[0][0] != "attr":
            return
        first = steps[0][1]
        if name == "var":
            found.update(self.instance.input_refs.get(first, ()))
        elif name == "local":
            found.update(self._local(first))
        elif name == "module":
            output = next((s[1] for s in steps[1:] if s[0] == "attr"), None)
            key = None
            if len(steps) > 1 and steps[1][0] == "index":
                value = self.instance.evaluator.value(steps[1][1], bound)
                key = None if isinstance(value, Unknown) else f"[{json.dumps(value)}]"
            if output is not None:
                found.update(self._module(first, output, key))
        elif self.instance.is_resource_type(name):
            self._resource(name, first, steps[1:], bound, found)

    def _resource(self, type_name: str, name: str, rest: list[tuple[str, Any]],
                  bound: dict[str, Any], found: set[str]) -> None:
        instance = self.instance
        decl = instance.config.resources.get((type_name, name))
        if decl is None:
            return
        keys = [e.key for e in instance.expand(decl)]
        if rest and rest[0][0] == "index":
            value = instance.evaluator.value(rest[0][1], bound)
            rest = rest[1:]
            if not isinstance(value, Unknown):
                wanted = f"[{json.dumps(value)}]"
                keys = [k for k in keys if k == wanted] or keys
        elif rest and rest[0][0] == "splat":
            rest = rest[1:]
        if rest and (rest[0][0] != "attr" or rest[0][1] not in REF_ATTRIBUTES):
            return
        base = f"{instance.id_prefix}{instance.prefix}{type_name}.{name}"
        found.update(base + k for k in keys)

    def _local(self, name: str) -> set[str]:
        if name not in self._locals:
            self._locals[name] = set()  # guards against cycles while computing
            entry = self.instance.config.locals.get(name)
            if entry is not None:
                self._locals[name] = self.of_expr(entry[0], {})
        return self._locals[name]

    def _module(self, name: str, output: str, instance_key: str | None) -> set[str]:
        key = f"{name}{instance_key or ''}.{output}"
        if key not in self._outputs:
            self._outputs[key] = set()  # guards against cycles while computing
            out: set[str] = set()
            for expansion, child in self.instance.children().get(name, []):
                if instance_key is not None and expansion.key != instance_key:
                    continue
                decl = child.config.outputs.get(output)
                value = decl.body[0].get("value") if decl else None
                if value:
                    out |= child.refs.of_expr(value[0], {})
            self._outputs[key] = out
        return self._outputs[key]
