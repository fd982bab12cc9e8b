"""The ``terraform_plan`` collector: ``terraform show -json`` output.

Values come from ``planned_values`` (every module depth), what is known only
after apply from ``resource_changes[].change.after_unknown`` (an ``Unknown``
at that path), relations from the ``configuration`` section's references.
A resource is located in the plan file by its address; when the ``.tf``
sources sit beside the plan (or ``tf_dir`` names them) its file and line
point at the code instead, and inline suppressions there apply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.gcpause import gc_paused
from engine.model import Event, Location, Resource
from engine.values import Unknown
from evidence.interface import CollectContext, Collector, CollectRequest
from evidence.terraform.collector import TYPE_PATTERN, dump_json, suppressions_of
from evidence.terraform.expressions import PRESENT_AFTER_APPLY
from evidence.terraform.files import decode
from evidence.terraform.plan_refs import ConfigRefs
from evidence.terraform.scan import Scan, Settings
from evidence.terraform.sources import SourceMap

MAX_PLAN_BYTES = 512 * 1024 * 1024
_INDEX = re.compile(r"\[[^\]]*\]")


class PlanError(Exception):
    pass


@dataclass
class PlanSettings:
    files: list[str]
    tf_dir: str | None = None

    @classmethod
    def of(cls, config: Any) -> PlanSettings:
        files = config.get("files") or []
        if isinstance(files, str):
            files = [files]
        return cls(files=[str(f) for f in files], tf_dir=config.get("tf_dir"))


class TerraformPlanCollector(Collector):
    source = "terraform_plan"
    kind = "posture"
    version = "1"

    @classmethod
    def knows_type(cls, type_name: str) -> bool:
        return bool(TYPE_PATTERN.match(type_name))

    def collect(self, request: CollectRequest) -> Iterator[Resource | Event]:
        settings = PlanSettings.of(self.config)
        several = len(settings.files) > 1
        for given in settings.files:
            path = Path(given) if Path(given).is_absolute() else self.context.base_dir / given
            shown = given if not Path(given).is_absolute() else path.name
            with gc_paused():
                try:
                    plan = read_plan(path)
                except PlanError as exc:
                    self.context.error(f"plan {shown}: {exc}", shown)
                    continue
                sources = self._sources(path, given, settings)
                prefix = f"{shown}/" if several else ""
                resources = list(self._resources(plan, shown, prefix, sources, request))
            self.context.count("plan_files")
            self.context.count("resources", len(resources))
            sha = self._store(shown, resources, settings, request)
            for resource in resources:
                resource.artifacts = [sha]
            yield from resources

    def _sources(self, plan_path: Path, given: str, settings: PlanSettings) -> SourceMap | None:
        """Map addresses to .tf file and line when the configuration is at hand."""
        if settings.tf_dir:
            folder_given = settings.tf_dir
        else:
            if not any(plan_path.parent.glob("*.tf")):
                return None
            folder_given = str(Path(given).parent)
        folder = Path(folder_given)
        folder = folder if folder.is_absolute() else self.context.base_dir / folder
        scan = Scan(Settings(paths=[folder_given]), _NotesOnly(self.context))
        roots = scan.load()
        root = next((r for r in roots if r.folder.resolve() == folder.resolve()), None)
        return SourceMap(scan, root.folder) if root else None

    def _resources(self, plan: dict[str, Any], shown: str, prefix: str,
                   sources: SourceMap | None, request: CollectRequest) -> Iterator[Resource]:
        unknowns = _after_unknown(plan)
        root = (plan.get("planned_values") or {}).get("root_module") or {}
        entries = list(_walk_modules(root))
        refs = ConfigRefs(plan.get("configuration") or {},
                          [str(e.get("address", "")) for e in entries
                           if e.get("mode", "managed") == "managed"])
        for entry in entries:
            if entry.get("mode", "managed") != "managed":
                continue
            type_name = str(entry.get("type", ""))
            if request.types and type_name not in request.types:
                continue
            address = str(entry.get("address", ""))
            values = dict(entry.get("values") or {})
            marks = unknowns.get(address)
            if marks is not None:
                values = _mark_unknown(values, marks, address)
            decl = sources.find(_INDEX.sub("", address)) if sources else None
            location = Location(file=decl.file, line=decl.line) if decl else \
                Location(file=shown)
            yield Resource.model_construct(
                source=self.source, type=type_name, id=prefix + address, attributes=values,
                location=location,
                refs={k: [prefix + i for i in v] for k, v in refs.of_instance(address).items()},
                suppressions=suppressions_of(decl, self.context) if decl else [],
            )

    def _store(self, shown: str, resources: list[Resource], settings: PlanSettings,
               request: CollectRequest) -> str:
        records = [{"id": r.id, "type": r.type, "file": r.location.file,
                    "line": r.location.line, "attributes": r.attributes,
                    "refs": r.refs} for r in sorted(resources, key=lambda r: r.id)]
        data = dump_json({"plan": shown, "resources": records})
        return self.context.store_artifact(
            name=f"terraform_plan/{shown}.resources.json", data=data,
            media_type="application/json",
            query={"plan": shown, "tf_dir": settings.tf_dir, "types": sorted(request.types)},
            item_count=len(records), complete=True)


class _NotesOnly:
    """The plan is the evidence; trouble reading the sources beside it only costs the mapping
    to file and line, so it is noted rather than making the run incomplete."""

    def __init__(self, context: CollectContext) -> None:
        self._context = context
        self.as_of = context.as_of
        self.period_start = context.period_start
        self.period_end = context.period_end
        self.base_dir = context.base_dir

    def error(self, message: str, location: str | None = None) -> None:
        where = f"{location}: " if location else ""
        self._context.note(f"sources beside the plan: {where}{message}")

    def note(self, message: str) -> None:
        self._context.note(message)

    def count(self, key: str, n: int = 1) -> None:
        self._context.count(f"source_{key}", n)

    def store_artifact(self, **kwargs: Any) -> str:
        raise AssertionError("the source scan of a plan stores nothing")

    def not_collected(self, types: Any, scope: str, reason: str) -> None:
        self._context.not_collected(types, scope, reason)


def read_plan(path: Path) -> dict[str, Any]:
    try:
        size = path.stat().st_size
        if size > MAX_PLAN_BYTES:
            raise PlanError(f"file is {size} bytes, over the limit")
        raw = path.read_bytes()
    except OSError as exc:
        raise PlanError(f"cannot read: {exc.strerror or exc}") from None
    text, problem = decode(raw)
    if text is None:
        raise PlanError(problem or "cannot decode")
    try:
        plan = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") \
            from None
    if not isinstance(plan, dict) or "format_version" not in plan:
        raise PlanError("not the output of `terraform show -json` (no format_version)")
    return plan


def _walk_modules(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources") or []
    for child in module.get("child_modules") or []:
        yield from _walk_modules(child)


def _after_unknown(plan: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for change in plan.get("resource_changes") or []:
        marks = (change.get("change") or {}).get("after_unknown")
        if marks:
            out[str(change.get("address"))] = marks
    return out


def _mark_unknown(values: Any, marks: Any, path: str) -> Any:
    """Put an Unknown wherever ``after_unknown`` says true, at any depth."""
    if marks is True:
        last = path.rsplit(".", 1)[-1]
        return Unknown(f"{path} is known only after apply", present=last in PRESENT_AFTER_APPLY)
    if isinstance(marks, dict):
        base = dict(values) if isinstance(values, dict) else {}
        for key, mark in marks.items():
            if mark is False:
                continue
            base[key] = _mark_unknown(base.get(key), mark, f"{path}.{key}")
        return base
    if isinstance(marks, list):
        items = list(values) if isinstance(values, list) else []
        items += [None] * (len(marks) - len(items))
        return [_mark_unknown(v, m, f"{path}[{i}]") if m not in (False, None) else v
                for i, (v, m) in enumerate(zip(items, marks, strict=False))]
    return values


