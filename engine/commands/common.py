"""What `check` and `scan` share: loading the library, waivers and frameworks, and output."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from engine.errors import AssayError, ControlError
from engine.library_cache import load_library_cached
from engine.model import Control, Framework, Waiver
from engine.output import write_atomic
from engine.results import Results
from engine.status import Severity
from reports.interface import Renderer, formats, renderer

FAIL_ON = click.Choice([s.value for s in Severity])


@dataclass
class Library:
    catalogs: dict[str, Framework]
    controls: list[Control]
    waivers: list[Waiver]


def load_library(control_paths: Sequence[Path], builtin: bool,
                 waivers_path: Path | None) -> Library:
    """Catalogs, controls and waivers; every error of the catalogs and controls together."""
    loaded = load_library_cached(control_paths, builtin=builtin)
    waivers = []
    if waivers_path is not None:
        from engine.loader import load_waivers  # reads YAML; not needed without waivers

        waivers = load_waivers(waivers_path, loaded.controls)
    return Library(loaded.catalogs, loaded.controls, waivers)


def frameworks_in_scope(catalogs: dict[str, Framework], configured: Sequence[str] | None,
                        selected: Sequence[str]) -> list[str]:
    scope = list(configured) if configured else sorted(catalogs)
    for framework_id in [*scope, *selected]:
        if framework_id not in catalogs:
            raise ControlError(f"unknown framework {framework_id!r}; "
                               f"known: {', '.join(sorted(catalogs))}")
    if selected:
        scope = [f for f in scope if f in selected]
    return sorted(scope)


def existing_path(text: str) -> Path:
    path = Path(text)
    if not path.exists():
        raise AssayError(f"{text}: no such file or directory")
    return path


def renderers_for(names: Sequence[str]) -> list[Renderer]:
    """Check every requested format before any work is done."""
    chosen = []
    for name in names:
        if name not in formats():
            raise AssayError(f"unknown format {name!r}; expected one of {', '.join(formats())}")
        try:
            chosen.append(renderer(name))
        except ImportError as exc:
            raise AssayError(f"format {name!r} is not available: {exc}") from None
    return chosen


def check_out_file(out: Path | None) -> None:
    """``--out`` must name a file; checked before any work."""
    if out is not None and (str(out) in ("", ".") or out.is_dir()):
        raise AssayError(f"--out {str(out)!r}: expected a file path, not a folder")


def emit(results: Results, chosen: Renderer, out: Path | None) -> None:
    data = chosen.render(results)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomic(out, data)
