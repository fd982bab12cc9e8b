"""One registry names the collectors: source name → collector class.

Built-in collectors are imported lazily by module path so importing the
registry does no work; third parties add theirs through the
``assay.collectors`` entry-point group.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from evidence.interface import Collector

_BUILTIN: dict[str, str] = {
    "terraform": "evidence.terraform.collector:TerraformCollector",
    "terraform_plan": "evidence.terraform.plan:TerraformPlanCollector",
    "aws": "evidence.aws.collector:AwsCollector",
    "cloudtrail": "evidence.auditlog.collectors:CloudTrailCollector",
    "k8s_audit": "evidence.auditlog.collectors:K8sAuditCollector",
    "auditlog": "evidence.auditlog.collectors:AppAuditLogCollector",
    "manual": "evidence.manual.collector:AttestationCollector",
}

_extra: dict[str, type[Collector]] = {}


def register(cls: type[Collector]) -> type[Collector]:
    """Class decorator for collectors outside the built-in table (tests, plug-ins)."""
    _extra[cls.source] = cls
    return cls


def source_names() -> list[str]:
    names = set(_BUILTIN) | set(_extra)
    names |= {ep.name for ep in entry_points(group="assay.collectors")}
    return sorted(names)


def get(source: str) -> type[Collector]:
    """The collector class for ``source``; KeyError when there is none."""
    if source in _extra:
        return _extra[source]
    if source in _BUILTIN:
        module_name, _, attr = _BUILTIN[source].partition(":")
        found: type[Collector] = getattr(importlib.import_module(module_name), attr)
        return found
    for ep in entry_points(group="assay.collectors", name=source):
        loaded: type[Collector] = ep.load()
        return loaded
    raise KeyError(source)
