"""Checks of assay.yaml against the file system and the loaded library, each error located.

The model validates the configuration's shape; these check what it names: control
folders and the waivers file exist, frameworks and parameter overrides are known.
Every error of a stage is reported together, as ``file:line:col: message`` lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.config import Config, resolve
from engine.errors import AssayError, ControlError, InputErrors, Location
from engine.loader import load_model_located
from engine.model import Control, Framework
from engine.yamlloc import Positions

BUILTIN = "builtin"


@dataclass
class LocatedConfig:
    config: Config
    path: Path
    positions: Positions

    @classmethod
    def load(cls, path: Path) -> LocatedConfig:
        loaded = load_model_located(path, Config)
        return cls(loaded.model, path, loaded.positions)

    @property
    def base_dir(self) -> Path:
        return self.path.resolve().parent


def named_paths(located: LocatedConfig) -> tuple[list[Path], Path | None]:
    """The control folders and the waivers file the configuration names; all must exist."""
    config = located.config
    errors: list[AssayError] = []
    controls = []
    for index, entry in enumerate(config.controls):
        if entry == BUILTIN:
            continue
        path = resolve(located.base_dir, entry)
        if path.exists():
            controls.append(path)
        else:
            errors.append(ControlError(f"controls: {entry}: no such file or folder",
                                       located.positions.value(("controls", index))))
    waivers = resolve(located.base_dir, config.waivers) if config.waivers else None
    if waivers is not None and not waivers.is_file():
        errors.append(ControlError(f"waivers: {config.waivers}: no such file",
                                   located.positions.value(("waivers",))))
    errors += _source_path_errors(located)
    if errors:
        raise InputErrors(errors)
    return controls, waivers


def _source_path_errors(located: LocatedConfig) -> list[AssayError]:
    """Every local path a source or the attestations setting names must exist: a typo
    is a mistake in the configuration, not evidence that could not be collected."""
    config = located.config
    named: list[tuple[tuple[str | int, ...], str]] = []
    if config.attestations:
        named.append((("attestations",), config.attestations))
    for name, section in config.sources.configured().items():
        for key in ("paths", "var_files", "files"):
            named += [(("sources", name, key, i), p) for i, p in enumerate(section.get(key, []))]
        if section.get("tf_dir"):
            named.append((("sources", name, "tf_dir"), section["tf_dir"]))
    errors: list[AssayError] = []
    for where, given in named:
        if given.startswith("s3://") or resolve(located.base_dir, given).exists():
            continue
        label = ".".join(str(p) for p in where if isinstance(p, str))
        errors.append(ControlError(f"{label}: {given}: no such file or folder",
                                   located.positions.value(where)))
    return errors


def frameworks_and_params(located: LocatedConfig, catalogs: dict[str, Framework],
                          controls: Sequence[Control], selected: Sequence[str]) -> list[str]:
    """The frameworks in scope, after checking every framework and parameter named."""
    config, at = located.config, located.positions
    errors: list[AssayError] = []
    for index, framework_id in enumerate(config.frameworks or []):
        if framework_id not in catalogs:
            errors.append(ControlError(
                f"frameworks: unknown framework {framework_id!r}; known: "
                f"{', '.join(sorted(catalogs))}", at.value(("frameworks", index))))
    scope = list(config.frameworks) if config.frameworks else sorted(catalogs)
    for framework_id in selected:
        if framework_id not in scope:
            errors.append(ControlError(
                f"--framework {framework_id}: not among the frameworks in scope "
                f"({', '.join(scope)})", Location(str(located.path))))
    errors += _param_errors(located, controls)
    if errors:
        raise InputErrors(errors)
    return sorted(f for f in scope if not selected or f in selected)


def _param_errors(located: LocatedConfig, controls: Sequence[Control]) -> list[AssayError]:
    known = {c.id: c for c in controls}
    errors: list[AssayError] = []
    for control_id, overrides in located.config.params.items():
        control = known.get(control_id)
        if control is None:
            errors.append(ControlError(f"params: no control with id {control_id!r}",
                                       located.positions.key(("params", control_id))))
            continue
        for name in overrides:
            if name not in control.params:
                declared = ", ".join(sorted(control.params)) or "none"
                errors.append(ControlError(
                    f"params: control {control_id} has no parameter {name!r} (it has: {declared})",
                    located.positions.key(("params", control_id, name))))
    return errors

