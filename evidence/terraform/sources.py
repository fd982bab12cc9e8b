"""Addresses → the ``.tf`` block that declares them, for plan resources and SARIF regions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from evidence.terraform.config import Declared, ModuleConfig, is_local_source

if TYPE_CHECKING:
    from evidence.terraform.scan import Scan


class SourceMap:
    """``module.a.aws_s3_bucket.b`` (no instance keys) → its declaration."""

    def __init__(self, scan: Scan, root: Path) -> None:
        self.table: dict[str, Declared] = {}
        config = scan.configs.get(root.resolve())
        if config is not None:
            self._index(scan, config, "", (root.resolve(),))

    def _index(self, scan: Scan, config: ModuleConfig, prefix: str,
               ancestry: tuple[Path, ...]) -> None:
        for (type_name, name), decl in config.resources.items():
            self.table[f"{prefix}{type_name}.{name}"] = decl
        for name, decl in config.modules.items():
            source = decl.body[0].get("source")
            if not source or source[0][0] != "lit" or not is_local_source(source[0][1]):
                continue
            folder = (config.directory / str(source[0][1])).resolve()
            if folder in ancestry:
                continue
            child = scan.load_module(folder)
            if child is not None:
                self._index(scan, child, f"{prefix}module.{name}.", ancestry + (folder,))

    def find(self, address: str) -> Declared | None:
        return self.table.get(address)
