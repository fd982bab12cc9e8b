"""Checks beyond the models: what a control or catalog refers to must exist.

A control's framework and requirement IDs must be in the catalogs (and not be
headings), its sources in the collector registry, the resource types it relates
to known by that source, every ``{param: x}`` declared, every condition
compilable. Each problem is a ``ControlError`` at the YAML node that causes it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError

from engine.conditions import compile_condition, validate_path
from engine.errors import ControlError
from engine.model import CONTROL_ID, Check, Control, Framework, Leaf, Requirement
from engine.yamlloc import KeyPath, Positions
from evidence import registry

_TERRAFORM_TYPE = re.compile(r"^[a-z][a-z0-9]*_[a-z0-9_]+$")
_AWS_TYPE = re.compile(r"^aws\.[a-z0-9]+\.[a-z0-9_]+$")
# Used while a source's collector cannot be imported (e.g. not installed yet).
_FALLBACK_TYPES: dict[str, re.Pattern[str]] = {
    "terraform": _TERRAFORM_TYPE,
    "terraform_plan": _TERRAFORM_TYPE,
    "aws": _AWS_TYPE,
}
_QUANTIFIERS = ("any_item", "all_items", "no_item")
_CONDITION_PLACES: tuple[KeyPath, ...] = (("where",), ("assert",), ("events", "where"))


def suggest(name: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a choice is close to ``name``."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def catalog_errors(framework: Framework, positions: Positions) -> list[ControlError]:
    """Duplicate requirement IDs, unknown parents, unknown or heading entries in
    ``not_covered`` / ``not_applicable``."""
    errors: list[ControlError] = []
    ids: dict[str, int] = {}
    for i, requirement in enumerate(framework.requirements):
        if requirement.id in ids:
            errors.append(ControlError(
                f"duplicate requirement id {requirement.id!r} (first at line "
                f"{positions.value(('requirements', ids[requirement.id], 'id')).line})",
                positions.value(("requirements", i, "id"))))
        ids.setdefault(requirement.id, i)
    headings = {r.id for r in framework.requirements if r.heading}
    parents = {r.id: r.parent for r in framework.requirements}
    for i, requirement in enumerate(framework.requirements):
        where = positions.value(("requirements", i, "parent"))
        if requirement.parent is not None and requirement.parent not in ids:
            errors.append(ControlError(f"unknown parent {requirement.parent!r}", where))
        elif _in_cycle(requirement.id, parents):
            errors.append(ControlError(f"requirement {requirement.id!r} is its own ancestor",
                                       where))
    for section in ("not_covered", "not_applicable"):
        for req_id in getattr(framework, section):
            where = positions.key((section, req_id))
            if req_id not in ids:
                errors.append(ControlError(f"unknown requirement {req_id!r} in {framework.id}"
                                           f"{suggest(req_id, ids)}", where))
            elif req_id in headings:
                errors.append(ControlError(f"{req_id!r} is a heading in {framework.id}, "
                                           "not a requirement", where))
    return errors


def _in_cycle(start: str, parents: dict[str, str | None]) -> bool:
    current = parents.get(start)
    for _ in range(len(parents)):
        if current is None:
            return False
        if current == start:
            return True
        current = parents.get(current)
    return False


class ControlCheck:
    """Cross-checks controls against the catalogs and the collector registry."""

    def __init__(self, catalogs: dict[str, Framework]) -> None:
        self.catalogs = catalogs
        self.requirements = {fid: {r.id: r for r in fw.requirements}
                             for fid, fw in catalogs.items()}
        self.sources = registry.source_names()
        self._type_checks: dict[str, Callable[[str], bool] | None] = {}

    def errors(self, control: Control | None, data: Any, positions: Positions,
               stem: str) -> list[ControlError]:
        """Problems of one control file. ``data`` is the raw YAML, so this works even when
        the model rejected the file (``control`` is then None and nothing is compiled)."""
        found: list[ControlError] = []
        if not isinstance(data, dict):
            return found

        def add(message: str, path: KeyPath, *, key: bool = False) -> None:
            where = positions.key(path) if key else positions.value(path)
            found.append(ControlError(message, where))

        control_id = data.get("id")
        if isinstance(control_id, str) and re.match(CONTROL_ID, control_id) \
                and control_id != stem:
            add(f"control id {control_id!r} does not match its file name {stem!r}", ("id",))
        if isinstance(data.get("frameworks"), dict):
            self._frameworks(data["frameworks"], add)
        params = data.get("params")
        declared = {str(k): v.get("default") if isinstance(v, dict) else None
                    for k, v in params.items()} if isinstance(params, dict) else {}
        checks = data.get("checks")
        seen: set[Any] = set()
        for i, raw in enumerate(checks if isinstance(checks, list) else []):
            if not isinstance(raw, dict):
                continue
            check_id = raw.get("id")
            if isinstance(check_id, str) and check_id in seen:
                add(f"duplicate check id {check_id!r}", ("checks", i, "id"))
            seen.add(check_id if isinstance(check_id, str) else None)
            model = control.checks[i] if control is not None else None
            self._check(model, raw, declared, ("checks", i), add)
        return found

    def _frameworks(self, mappings: dict[Any, Any], add: _Add) -> None:
        for fid, req_ids in mappings.items():
            known = self.requirements.get(fid)
            if known is None:
                add(f"unknown framework {fid!r}; expected one of "
                    f"{', '.join(sorted(self.catalogs)) or '(no catalogs loaded)'}"
                    f"{suggest(str(fid), self.catalogs)}", ("frameworks", fid), key=True)
                continue
            seen: set[str] = set()
            for j, req_id in enumerate(req_ids if isinstance(req_ids, list) else []):
                if not isinstance(req_id, str):
                    continue
                here = ("frameworks", fid, j)
                requirement = known.get(req_id)
                if requirement is None:
                    add(f"unknown requirement {req_id!r} in {fid}{suggest(req_id, known)}", here)
                elif requirement.heading:
                    add(f"{req_id!r} is a heading in {fid}, not a requirement; map the "
                        f"requirements under it{self._under(fid, req_id)}", here)
                elif req_id in seen:
                    add(f"requirement {req_id!r} is listed twice", here)
                seen.add(req_id)

    def _under(self, fid: str, heading: str) -> str:
        """`` (1.1.1, 1.1.2, …)``: the first requirements below a heading, via parents."""
        children: dict[str | None, list[Requirement]] = {}
        for requirement in self.catalogs[fid].requirements:
            children.setdefault(requirement.parent, []).append(requirement)
        found: list[str] = []
        stack = list(reversed(children.get(heading, [])))
        seen: set[str] = set()
        while stack and len(found) < 5:
            requirement = stack.pop()
            if requirement.id in seen:  # a parent cycle is the catalog's error, not a hang
                continue
            seen.add(requirement.id)
            if not requirement.heading:
                found.append(requirement.id)
            stack.extend(reversed(children.get(requirement.id, [])))
        if not found:
            return ""
        return f" ({', '.join(found[:4])}{', …' if len(found) > 4 else ''})"

    def _check(self, check: Check | None, raw: dict[Any, Any], params: dict[str, Any],
               here: KeyPath, add: _Add) -> None:
        source = raw.get("source")
        if not isinstance(source, str):
            return
        if source not in self.sources:
            add(f"unknown source {source!r}; expected one of {', '.join(self.sources)}"
                f"{suggest(source, self.sources)}", (*here, "source"))
            return
        resource = raw.get("resource")
        if isinstance(resource, str) and not self._knows(source, resource):
            add(f"unknown {source} resource type {resource!r}", (*here, "resource"))
        for place in _CONDITION_PLACES:
            node = _get(raw, place)
            if node is None:
                continue
            # Without a model (the file has other errors) each leaf is compiled alone.
            walker = _ConditionWalk(self, params, source, add, compile_leaves=check is None)
            walker.walk(node, (*here, *place))
            if not walker.failed and check is not None:
                self._compile(check, place, node, params, source, (*here, *place), add)

    def _compile(self, check: Check, place: KeyPath, node: Any, params: dict[str, Any],
                 source: str, path: KeyPath, add: _Add) -> None:
        """Compile the whole condition; on failure compile leaf by leaf to find where."""
        condition: Any = check
        for part in place:
            condition = getattr(condition, "assert_" if part == "assert" else str(part))
        message = compile_error(condition, params)
        if message is None:
            return
        walker = _ConditionWalk(self, params, source, add, compile_leaves=True)
        walker.walk(node, path)
        if not walker.failed:
            add(message, path)

    def knows_type(self, source: str, type_name: str) -> bool:
        return self._knows(source, type_name)

    def _knows(self, source: str, type_name: str) -> bool:
        if source not in self._type_checks:
            self._type_checks[source] = _type_check(source)
        check = self._type_checks[source]
        return True if check is None else check(type_name)


_Add = Callable[..., None]


def _type_check(source: str) -> Callable[[str], bool] | None:
    try:
        collector = registry.get(source)
    except ImportError:
        pattern = _FALLBACK_TYPES.get(source)
        return None if pattern is None else (lambda t: pattern.match(t) is not None)
    except KeyError:  # pragma: no cover - unknown sources are reported before
        return None
    return collector.knows_type


def _get(raw: Any, place: KeyPath) -> Any:
    for part in place:
        if not isinstance(raw, dict):
            return None
        raw = raw.get(part)
    return raw


class _ConditionWalk:
    """Walks a raw condition mapping (already valid for the model) checking what it names."""

    def __init__(self, checker: ControlCheck, params: dict[str, Any], source: str,
                 add: _Add, *, compile_leaves: bool) -> None:
        self.checker = checker
        self.compile_leaves = compile_leaves
        self.params = params
        self.source = source
        self.add = add
        self.failed = False

    def error(self, message: str, path: KeyPath, *, key: bool = False) -> None:
        self.failed = True
        self.add(message, path, key=key)

    def walk(self, node: Any, path: KeyPath) -> None:
        if not isinstance(node, dict):
            return
        for group in ("all", "any"):
            children = node.get(group)
            for j, child in enumerate(children if isinstance(children, list) else []):
                self.walk(child, (*path, group, j))
        if "not" in node:
            self.walk(node["not"], (*path, "not"))
        for quantifier in _QUANTIFIERS:
            spec = node.get(quantifier)
            if isinstance(spec, dict):
                self.path(spec.get("path"), (*path, quantifier, "path"))
                self.walk(spec.get("where"), (*path, quantifier, "where"))
        if isinstance(node.get("related"), str):
            self.related(node, path)
        elif "path" in node:
            self.leaf(node, path)

    def related(self, node: dict[str, Any], path: KeyPath) -> None:
        type_name = str(node["related"])
        if not self.checker.knows_type(self.source, type_name):
            self.error(f"related: unknown {self.source} resource type {type_name!r}",
                       (*path, "related"))
        if "assert" in node:
            self.walk(node["assert"], (*path, "assert"))

    def leaf(self, node: dict[str, Any], path: KeyPath) -> None:
        """Path and operands; when asked, the leaf alone is compiled, so a bad operand is
        reported at its operator rather than at the top of the condition."""
        ok = self.path(node["path"], (*path, "path"))
        for op, operand in node.items():
            if op != "path":
                ok = self.operand(operand, (*path, op)) and ok
        if not ok or not self.compile_leaves:
            return
        try:
            leaf = Leaf.model_validate(node)
        except ValidationError:
            return  # the model has reported it
        message = compile_error(leaf, self.params)
        if message is not None:
            self.error(message, (*path, leaf.operator))

    def operand(self, operand: Any, path: KeyPath) -> bool:
        if isinstance(operand, list):
            checked = [self.operand(item, (*path, i)) for i, item in enumerate(operand)]
            return all(checked)
        if not (isinstance(operand, dict) and "param" in operand):
            return True
        name = operand["param"]
        if name not in self.params:
            declared = ", ".join(sorted(self.params))
            hint = f"declared: {declared}" if declared else "the control declares no params"
            self.error(f"unknown parameter {name!r}; {hint}", (*path, "param"))
            return False
        return True

    def path(self, text: Any, path: KeyPath) -> bool:
        message = path_error(text)
        if message is not None:
            self.error(message, path)
        return message is None


# --------------------------------------------------------------------------- condition engine


def path_error(text: Any) -> str | None:
    """Why ``text`` is not a valid attribute path, or None."""
    try:
        validate_path(text)
    except (ControlError, ValueError) as exc:
        return str(getattr(exc, "message", None) or exc)
    return None


def compile_error(condition: Any, params: dict[str, Any]) -> str | None:
    """Why ``condition`` does not compile (bad operand for its operator…), or None."""
    try:
        compile_condition(condition, params)
    except (ControlError, ValueError) as exc:
        return str(getattr(exc, "message", None) or exc)
    return None
