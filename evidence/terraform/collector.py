"""The ``terraform`` collector: resources of HCL configurations, resolved as Terraform would."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from engine.model import Event, Location, Resource, Suppression
from engine.values import to_jsonable
from evidence.interface import CollectContext, Collector, CollectRequest
from evidence.terraform.config import Declared
from evidence.terraform.instance import Instance, UnknownAttributes
from evidence.terraform.scan import RootResult, Scan, Settings
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
        roots = scan.load()
        self.context.count("root_modules", len(roots))
        for result in scan.evaluate(roots, request.types):
            resources = [self._resource(i) for i in result.instances]
            self.context.count("resources", len(resources))
            self._store(result, resources, settings, request)
            yield from resources

    def _resource(self, instance: Instance) -> Resource:
        decl = instance.decl
        return Resource.model_construct(
            source=self.source,
            type=instance.type,
            id=instance.id,
            attributes=instance.attributes,
            location=Location(file=decl.file, line=decl.line),
            refs=instance.refs,
            suppressions=suppressions_of(decl, self.context),
        )

    def _store(self, result: RootResult, resources: list[Resource], settings: Settings,
               request: CollectRequest) -> None:
        records = [_record(r) for r in sorted(resources, key=lambda r: r.id)]
        data = json.dumps({"root": result.root.label, "resources": records}, indent=1,
                          sort_keys=True, ensure_ascii=False).encode()
        query = {
            "root": result.root.label,
            "paths": settings.paths,
            "var_files": settings.var_files,
            "vars": sorted(settings.vars),
            "types": sorted(request.types),
        }
        self.context.store_artifact(
            name=f"terraform/{result.root.label}.json", data=data,
            media_type="application/json", query=query, item_count=len(records),
            complete=True,
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


def _record(resource: Resource) -> dict[str, Any]:
    attributes = resource.attributes
    shown: Any
    if isinstance(attributes, UnknownAttributes):
        shown = {"$unknown": attributes.reason}
    else:
        shown = to_jsonable(attributes)
    return {
        "id": resource.id,
        "type": resource.type,
        "file": resource.location.file,
        "line": resource.location.line,
        "attributes": shown,
        "refs": resource.refs,
    }
