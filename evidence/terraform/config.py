"""One folder of ``.tf`` files indexed by what it declares (a module's configuration)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidence.terraform.hcl import Body, Expr

SuppressionTuple = tuple[str, str | None, str | None, str | None, int]  # control, check, reason, until, line


@dataclass(frozen=True)
class Declared:
    """A declaration in a module: a resource, data source, module call, variable or output."""

    kind: str
    type: str  # resource type; "" for modules, variables and outputs
    name: str
    body: Body
    file: str  # as shown to users (relative to the scanned root)
    line: int
    suppressions: tuple[SuppressionTuple, ...] = ()


@dataclass(frozen=True)
class ParsedFile:
    """What the parser keeps of one file: its body and the suppressions per block line."""

    body: Body
    suppressions: dict[int, list[SuppressionTuple]]


@dataclass
class ModuleConfig:
    directory: Path
    variables: dict[str, Declared] = field(default_factory=dict)
    locals: dict[str, tuple[Expr, str, int]] = field(default_factory=dict)
    resources: dict[tuple[str, str], Declared] = field(default_factory=dict)
    data: dict[tuple[str, str], Declared] = field(default_factory=dict)
    modules: dict[str, Declared] = field(default_factory=dict)
    outputs: dict[str, Declared] = field(default_factory=dict)
    resource_types: set[str] = field(default_factory=set)
    duplicates: list[tuple[str, str, int]] = field(default_factory=list)  # (what, file, line)
    shown_dir: str = "."  # the folder as results name it (path.module)

    def add_file(self, shown: str, parsed: ParsedFile) -> None:
        self.shown_dir = posixpath.dirname(shown) or "."
        _, blocks = parsed.body
        for kind, labels, line, body in blocks:
            sups = tuple(parsed.suppressions.get(line, ()))
            if kind == "resource" and len(labels) == 2:
                self._put(self.resources, (labels[0], labels[1]),
                          Declared(kind, labels[0], labels[1], body, shown, line, sups),
                          f"resource {labels[0]}.{labels[1]}")
                self.resource_types.add(labels[0])
            elif kind == "data" and len(labels) == 2:
                self.data[(labels[0], labels[1])] = Declared(kind, labels[0], labels[1], body,
                                                             shown, line)
            elif kind == "module" and len(labels) == 1:
                self._put(self.modules, labels[0],
                          Declared(kind, "", labels[0], body, shown, line), f"module {labels[0]}")
            elif kind == "variable" and len(labels) == 1:
                self._put(self.variables, labels[0],
                          Declared(kind, "", labels[0], body, shown, line), f"variable {labels[0]}")
            elif kind == "output" and len(labels) == 1:
                self.outputs[labels[0]] = Declared(kind, "", labels[0], body, shown, line)
            elif kind == "locals":
                for name, (expr, attr_line) in body[0].items():
                    self.locals[name] = (expr, shown, attr_line)

    def _put(self, table: dict[Any, Declared], key: Any, value: Declared, what: str) -> None:
        if key in table:
            self.duplicates.append((what, value.file, value.line))
            return
        table[key] = value

    def local_module_sources(self) -> list[str]:
        """Literal ``source`` values of module calls that point at local folders."""
        out = []
        for decl in self.modules.values():
            source = decl.body[0].get("source")
            if source and source[0][0] == "lit" and is_local_source(source[0][1]):
                out.append(source[0][1])
        return out


def is_local_source(source: Any) -> bool:
    return isinstance(source, str) and (source.startswith("./") or source.startswith("../")
                                        or source in (".", ".."))
