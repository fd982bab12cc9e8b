"""The ``terraform`` collector: resources of HCL configurations, resolved as Terraform would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from typing import Any

import orjson

from engine import cache
from engine.gcpause import gc_paused
from engine.model import Event, Location, Resource, Suppression
from engine.values import Unknown
from evidence.interface import CollectContext, Collector, CollectRequest, Part
from evidence.terraform.config import Declared
from evidence.terraform.incremental import IncrementalScan
from evidence.terraform.instance import Instance, UnknownAttributes
from evidence.terraform.scan import Root, RootResult, Scan, Settings
from evidence.terraform.suppressions import parse_until

TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9]*_[a-z0-9_]+$")


class TerraformCollector(Collector):
    source = "terraform"
    kind = "posture"
    version = "1"

    @classmethod
    def knows_type(cls, type_name: str) -> bool:
        return bool(TYPE_PATTERN.match(type_name))

    def collect(self, request: CollectRequest) -> Iterator[Resource | Event]:
        settings = Settings.of(self.config)
        scan = Scan(settings, self.context)
        resources: list[Resource] = []
        with gc_paused():
            roots = scan.load()
            self.context.count("root_modules", len(roots))
            for result in scan.evaluate(roots, request.types):
                resources += self._resources_of(result, settings, request)
        yield from resources

    def parts(self, request: CollectRequest) -> list[Part] | None:
        """One part per root module (see ``evidence.terraform.incremental``)."""
        settings = Settings.of(self.config)
        if not settings.cache or not cache.enabled():
            return None
        incremental = IncrementalScan(Scan(settings, self.context), request.types)
        with gc_paused():
            roots = incremental.roots()
        self.context.count("root_modules", len(roots))
        return [Part(label=root.label, key=incremental.key(root),
                     collect=partial(self._collect_root, incremental, root, settings, request))
                for root in roots]

    def _collect_root(self, incremental: IncrementalScan, root: Root, settings: Settings,
                      request: CollectRequest) -> list[Resource]:
        with gc_paused():
            return self._resources_of(incremental.evaluate(root), settings, request)

    def _resources_of(self, result: RootResult, settings: Settings,
                      request: CollectRequest) -> list[Resource]:
        """A root's resources, its evidence stored and counted."""
        self.context.count("resources", len(result.instances))
        sha = self._store(result, settings, request)
        return [self._resource(i, sha) for i in result.instances]

    def _resource(self, instance: Instance, artifact: str) -> Resource:
        decl = instance.decl
        return Resource.model_construct(
            source=self.source,
            type=instance.type,
            id=instance.id,
            attributes=instance.attributes,
            location=Location(file=decl.file, line=decl.line),
            refs=instance.refs,
            suppressions=suppressions_of(decl, self.context) if decl.suppressions else [],
            artifacts=[artifact],
        )

    def _store(self, result: RootResult, settings: Settings, request: CollectRequest) -> str:
        records = [_record(i) for i in sorted(result.instances, key=lambda i: i.id)]
        data = dump_json({"root": result.root.label, "resources": records})
        query = {
            "root": result.root.label,
            "paths": settings.paths,
            "var_files": settings.var_files,
            "vars": sorted(settings.vars),
            "types": sorted(request.types),
        }
        return self.context.store_artifact(
            name=f"terraform/{result.root.label}.json", data=data,
            media_type="application/json", query=query, item_count=len(records),
            complete=not result.errors,
        )


def suppressions_of(decl: Declared, context: CollectContext) -> list[Suppression]:
    """The block's ``# assay:ignore`` comments; a malformed date is noted and ignored."""
    out = []
    for control, check, reason, until_text, line in decl.suppressions:
        until = None
        if until_text is not None:
            until = parse_until(until_text)
            if until is None:
                context.note(f"{decl.file}:{line}: assay:ignore {control}: until="
                             f"{until_text} is not a date (YYYY-MM-DD); the comment is ignored")
                continue
        out.append(Suppression(control=control, check=check, reason=reason, until=until,
                               file=decl.file, line=line))
    return out


def _record(instance: Instance) -> dict[str, Any]:
    attributes: Any = instance.attributes
    if isinstance(attributes, UnknownAttributes):
        attributes = {"$unknown": attributes.reason}
    return {
        "id": instance.id,
        "type": instance.type,
        "file": instance.decl.file,
        "line": instance.decl.line,
        "attributes": attributes,
        "refs": instance.refs,
    }


def _unknown_as_json(value: Any) -> Any:
    if isinstance(value, Unknown):
        return {"$unknown": value.reason}
    raise TypeError(f"cannot store a {type(value).__name__} as JSON")


def dump_json(document: Any) -> bytes:
    """Canonical JSON of collected evidence (sorted keys); an Unknown is ``{"$unknown": why}``."""
    return orjson.dumps(document, default=_unknown_as_json,
                        option=orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
                        | orjson.OPT_NON_STR_KEYS)
