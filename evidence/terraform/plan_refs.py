"""Relations in a plan: the ``configuration`` section's ``references``, bound to instances.

``references`` name what an expression reads (``aws_s3_bucket.b.id``,
``aws_s3_bucket.b``, ``var.key``, ``module.m.out``). A resource reference is
bound to the instances in the same module instance; ``var.x`` follows the
module call's input in the parent; ``module.m.out`` the output's expression in
the child.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

_MODULE_SEGMENT = re.compile(r'module\.([^.\[]+)((?:\[[^\]]*\])?)\.')
_RESOURCE_REF = re.compile(r'^([a-z][a-z0-9_]*)\.([^.\[]+)((?:\[[^\]]*\])?)(?:\.(.*))?$')
_VAR_REF = re.compile(r"^var\.([^.\[]+)")
_MODULE_REF = re.compile(r'^module\.([^.\[]+)((?:\[[^\]]*\])?)\.([^.\[]+)')
_TRAILING_INDEX = re.compile(r"\[[^\]]*\]$")

Chain = tuple[tuple[str, str], ...]  # (module name, instance key) from the root down


def split_address(address: str) -> tuple[Chain, str]:
    chain: list[tuple[str, str]] = []
    pos = 0
    while True:
        match = _MODULE_SEGMENT.match(address, pos)
        if not match:
            break
        chain.append((match.group(1), match.group(2)))
        pos = match.end()
    return tuple(chain), address[pos:]


def _prefix(chain: Chain) -> str:
    return "".join(f"module.{name}{key}." for name, key in chain)


class ConfigRefs:
    def __init__(self, configuration: dict[str, Any], addresses: list[str]) -> None:
        self.root = configuration.get("root_module") or {}
        self.addresses = set(addresses)
        self.instances: dict[str, list[str]] = defaultdict(list)
        for address in sorted(addresses):
            self.instances[_TRAILING_INDEX.sub("", address)].append(address)

    def _module(self, chain: Chain) -> dict[str, Any] | None:
        module = self.root
        for name, _ in chain:
            call = (module.get("module_calls") or {}).get(name)
            if not call:
                return None
            module = call.get("module") or {}
        return module

    def of_instance(self, address: str) -> dict[str, list[str]]:
        chain, rest = split_address(address)
        module = self._module(chain)
        if module is None:
            return {}
        local = _TRAILING_INDEX.sub("", rest)
        config = next((r for r in module.get("resources") or []
                       if r.get("address") == local and r.get("mode", "managed") == "managed"),
                      None)
        if config is None:
            return {}
        out: dict[str, list[str]] = {}
        for path, refs in _expression_refs(config.get("expressions") or {}, ""):
            found: set[str] = set()
            for ref in _most_specific(refs):
                found |= self._resolve(ref, chain, 0)
            found.discard(address)
            if found:
                out[path] = sorted(set(out.get(path, [])) | found)
        return out

    def _resolve(self, ref: str, chain: Chain, depth: int) -> set[str]:
        if depth > 32:
            return set()
        var = _VAR_REF.match(ref)
        if var:
            return self._through_input(var.group(1), chain, depth)
        module = _MODULE_REF.match(ref)
        if module:
            return self._through_output(module.group(1), module.group(2), module.group(3),
                                        chain, depth)
        resource = _RESOURCE_REF.match(ref)
        if not resource or resource.group(1) in ("local", "each", "count", "path", "data",
                                                 "self", "terraform"):
            return set()
        base = f"{_prefix(chain)}{resource.group(1)}.{resource.group(2)}"
        if resource.group(3):
            wanted = base + resource.group(3)
            return {wanted} if wanted in self.addresses else set(self.instances.get(base, []))
        return set(self.instances.get(base, []))

    def _through_input(self, name: str, chain: Chain, depth: int) -> set[str]:
        if not chain:
            return set()
        parent = chain[:-1]
        module = self._module(parent) or {}
        call = (module.get("module_calls") or {}).get(chain[-1][0]) or {}
        expression = (call.get("expressions") or {}).get(name) or {}
        found: set[str] = set()
        for ref in expression.get("references") or []:
            found |= self._resolve(ref, parent, depth + 1)
        return found

    def _through_output(self, name: str, key: str, output: str, chain: Chain,
                        depth: int) -> set[str]:
        module = self._module(chain) or {}
        call = (module.get("module_calls") or {}).get(name) or {}
        expression = ((call.get("module") or {}).get("outputs") or {}).get(output) or {}
        refs = (expression.get("expression") or {}).get("references") or []
        keys = {key} if key else self._instance_keys(chain, name)
        found: set[str] = set()
        for instance_key in keys:
            for ref in refs:
                found |= self._resolve(ref, chain + ((name, instance_key),), depth + 1)
        return found

    def _instance_keys(self, chain: Chain, name: str) -> set[str]:
        prefix = f"{_prefix(chain)}module.{name}"
        keys: set[str] = set()
        for address in self.addresses:
            if address.startswith(prefix):
                sub_chain, _ = split_address(address)
                if len(sub_chain) > len(chain):
                    keys.add(sub_chain[len(chain)][1])
        return keys or {""}


def _most_specific(refs: list[str]) -> list[str]:
    """Terraform lists ``aws_s3_bucket.b[1].id``, ``aws_s3_bucket.b[1]`` and
    ``aws_s3_bucket.b``; the bare name must not widen the reference to every instance."""
    indexed = set()
    for ref in refs:
        match = _RESOURCE_REF.match(ref)
        if match and match.group(3):
            indexed.add(f"{match.group(1)}.{match.group(2)}")
    return [r for r in refs if r not in indexed]


def _expression_refs(expressions: Any, prefix: str) -> list[tuple[str, list[str]]]:
    """(attribute path, references) for every expression, nested blocks included."""
    out: list[tuple[str, list[str]]] = []
    if isinstance(expressions, list):
        for item in expressions:
            out += _expression_refs(item, prefix)
        return out
    if not isinstance(expressions, dict):
        return out
    for key, value in expressions.items():
        if isinstance(value, dict) and ("references" in value or "constant_value" in value):
            refs = value.get("references") or []
            if refs:
                out.append((prefix + key, [str(r) for r in refs]))
        elif isinstance(value, dict | list):
            out += _expression_refs(value, f"{prefix}{key}.")
    return out
