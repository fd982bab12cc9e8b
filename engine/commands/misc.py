"""Small commands: ``schema``, ``init`` and ``waivers list``."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import click

from engine.clock import resolve_as_of
from engine.commands.common import existing_path, load_library
from engine.config import Config
from engine.config_checks import BUILTIN, LocatedConfig, named_paths
from engine.errors import AssayError
from engine.model import parse_duration
from engine.output import write_atomic
from engine.results import results_json_schema

SCHEMAS = {"results": results_json_schema, "config": Config.model_json_schema}


def schema_text(name: str) -> str:
    return json.dumps(SCHEMAS[name](), indent=2, sort_keys=True) + "\n"


@click.command("schema")
@click.argument("name", type=click.Choice(sorted(SCHEMAS)))
def schema_command(name: str) -> None:
    """Print the JSON Schema of the results document or of assay.yaml."""
    click.echo(schema_text(name), nl=False)


INIT_TEMPLATE = """\
# assay configuration — see `assay schema config` for every key.
organization: Example Corp
frameworks: [soc2, iso27001, gdpr, pci-dss, hipaa]
# period: {start: 2026-01-01, end: 2026-06-30}   # default: the 365 days before the run
controls: [builtin]          # add folders of your own controls here
# waivers: ./waivers.yaml
# attestations: ./attestations
locker: .assay
sources:
  terraform: {paths: [infra/]}
  # terraform_plan: {files: [plan.json]}
  # aws: {regions: [us-east-1]}
  # cloudtrail: {paths: [logs/cloudtrail/]}
"""


@click.command("init")
@click.option("--path", "target", default="assay.yaml", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path))
def init_command(target: Path) -> None:
    """Write a starter assay.yaml (never overwrites one)."""
    if target.exists():
        raise AssayError(f"{target}: already exists; not overwriting it")
    write_atomic(target, INIT_TEMPLATE.encode())
    click.echo(f"wrote {target}")


@click.group("waivers")
def waivers_group() -> None:
    """Inspect waivers."""


@waivers_group.command("list")
@click.argument("waivers_path", required=False)
@click.option("-c", "--config", "config_path", default="assay.yaml", show_default=True,
              help="Without WAIVERS_PATH: list the waivers (and use the controls) it names.")
@click.option("--controls", "control_paths", multiple=True)
@click.option("--no-builtin", is_flag=True)
@click.option("--expiring", help="Only waivers expiring within this duration, e.g. 30d.")
@click.option("--as-of", "as_of")
def waivers_list(waivers_path: str | None, config_path: str, control_paths: tuple[str, ...],
                 no_builtin: bool, expiring: str | None, as_of: str | None) -> None:
    """List waivers with their status at as-of: active, expiring or expired."""
    window = parse_duration(expiring) if expiring else None
    extra = [existing_path(p) for p in control_paths]
    pinned = None
    if waivers_path is not None:
        library = load_library(extra, not no_builtin, existing_path(waivers_path))
    else:
        located = LocatedConfig.load(existing_path(config_path))
        paths, waivers = named_paths(located)
        if waivers is None:
            raise AssayError(f"{config_path}: names no waivers file")
        builtin = BUILTIN in located.config.controls and not no_builtin
        library = load_library(paths + extra, builtin, waivers)
        pinned = located.config.as_of
    when, _ = resolve_as_of(as_of, pinned)
    for waiver in sorted(library.waivers, key=lambda w: (w.expires, w.id)):
        left = waiver.expires - when
        if window is not None and not (0 <= left.total_seconds() <= window.total_seconds()):
            continue
        state = "expired" if left.total_seconds() < 0 else f"{left.days}d left"
        scope = waiver.control + (f".{waiver.check}" if waiver.check else "")
        click.echo(f"{waiver.id}\t{scope}\t{waiver.expires.astimezone(UTC):%Y-%m-%d}\t"
                   f"{state}\t{waiver.approver}")


COMMANDS = [schema_command, init_command, waivers_group]
