"""``assay scan`` — every configured source against every control, results into --out-dir."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import click

from engine.cli import ExitCode
from engine.clock import resolve_as_of
from engine.commands.check import default_redactor
from engine.commands.common import (
    FAIL_ON,
    existing_path,
    load_library,
    renderers_for,
)
from engine.config import Config
from engine.config_checks import BUILTIN, LocatedConfig, frameworks_and_params, named_paths
from engine.errors import AssayError
from engine.loader import load_model
from engine.model import parse_duration
from engine.output import exit_code, write_atomic
from engine.progress import reporter_for
from engine.results import Results
from engine.run import RunPlan, execute
from engine.shards import apply_shard, group_id, parse_shard
from engine.status import Severity
from evidence.locker import Locker, manifest_bytes, open_locker


def load_config(path: Path) -> Config:
    config = load_model(path, Config)
    assert isinstance(config, Config)
    return config


def configured_sources(config: Config, base_dir: Path) -> dict[str, dict[str, Any]]:
    sources = config.sources.configured()
    if config.attestations:  # relative to base_dir, like every other source's paths
        sources["manual"] = {"path": config.attestations}
    return sources


def plan_for(located: LocatedConfig, *, control_paths: tuple[str, ...], no_builtin: bool,
             framework_ids: tuple[str, ...], as_of: str | None) -> RunPlan:
    config, base_dir = located.config, located.base_dir
    paths, waivers = named_paths(located)
    paths += [existing_path(p) for p in control_paths]
    builtin = BUILTIN in config.controls and not no_builtin
    library = load_library(paths, builtin, waivers)
    frameworks = frameworks_and_params(located, library.catalogs, library.controls, framework_ids)
    when, pinned = resolve_as_of(as_of, config.as_of)
    return RunPlan(
        controls=library.controls, catalogs=library.catalogs, frameworks=frameworks,
        sources=configured_sources(config, base_dir), base_dir=base_dir, as_of=when,
        period=config.period_bounds(when), redact=default_redactor(), waivers=library.waivers,
        params=config.params, organization=config.organization,
        config_digest=hashlib.sha256(located.path.read_bytes()).hexdigest(),
        started=None if pinned else when,
    )


def check_out_dir(out_dir: Path) -> None:
    """The output folder must be usable before any work is done."""
    if out_dir.exists() and not out_dir.is_dir():
        raise AssayError(f"--out-dir {out_dir}: exists and is not a folder")


def open_configured_locker(config: Config, base_dir: Path) -> Locker | None:
    """The evidence locker, checked writable before any work; None when switched off."""
    if not config.locker:
        return None
    aws = config.sources.aws.model_dump(mode="json") if config.sources.aws else {}
    retention = parse_duration(config.locker_retention) if config.locker_retention else None
    locker = open_locker(config.locker, base_dir, aws, retention=retention)
    locker.ensure_writable()
    return locker


def keep_in_locker(results: Results, locker: Locker) -> None:
    """Store the run (results, then its manifest) and bind the manifest hash to the results.

    The same pinned inputs give the same run id and bytes: storing such a run again
    is a no-op, while a different run under an existing id is an error.
    """
    manifest = {
        "run_id": results.run.id, "tool_version": results.run.tool_version,
        "library_digest": results.run.library_digest,
        "config_digest": results.run.config_digest,
        "artifacts": {a.sha256: {"name": a.name, "size": a.size, "media_type": a.media_type}
                      for a in results.artifacts},
    }
    stored = results.to_json()
    if results.run.id in locker.list_runs():
        if locker.read_run(results.run.id) != stored:
            raise AssayError(f"evidence locker already holds a different run {results.run.id}")
        sha = hashlib.sha256(manifest_bytes(locker.read_manifest(results.run.id))).hexdigest()
    else:
        sha = locker.write_run(results.run.id, stored, manifest)
    results.run.manifest_sha256 = sha


def write_outputs(results: Results, out_dir: Path, fmts: list[str],
                  locker: Locker | None = None) -> list[Path]:
    """results.json always, then each requested format under its fixed name
    (the PDF and HTML with the locker's history sections when there is a locker)."""
    written = []
    for chosen in renderers_for(["json", *[f for f in fmts if f != "json"]]):
        target = out_dir / chosen.file_name
        if chosen.format in ("pdf", "html") and locker is not None:
            from engine.commands.history import history_renderer

            chosen = history_renderer(chosen.format, locker, results)
        write_atomic(target, chosen.render(results))
        written.append(target)
    return written


@click.command("scan")
@click.option("-c", "--config", "config_path", default="assay.yaml", show_default=True,
              help="The assay.yaml to run.")
@click.option("--controls", "control_paths", multiple=True, help="Extra control file or folder.")
@click.option("--no-builtin", is_flag=True, help="Leave out the shipped control library.")
@click.option("--framework", "framework_ids", multiple=True, help="Limit to a framework (repeatable).")
@click.option("--format", "fmt", default="json", show_default=True,
              help="Comma-separated formats: json,sarif,junit,markdown,csv,html,oscal,pdf.")
@click.option("--out-dir", default="assay-out", show_default=True, type=click.Path(path_type=Path))
@click.option("--fail-on", type=FAIL_ON, default="low", show_default=True)
@click.option("--as-of", "as_of", help="Evaluate as of this ISO 8601 time.")
@click.option("--shard", "shard_specs", multiple=True, metavar="KEY=VALUE[,VALUE…]",
              help="Run one shard of the night: sources=…, regions=…, accounts=… "
                   "(repeatable); combine the shards with assay merge.")
def scan_command(config_path: str, control_paths: tuple[str, ...], no_builtin: bool,
                 framework_ids: tuple[str, ...], fmt: str, out_dir: Path, fail_on: str,
                 as_of: str | None, shard_specs: tuple[str, ...]) -> None:
    """Run every configured source against the controls in scope."""
    located = LocatedConfig.load(existing_path(config_path))
    config = located.config
    fmts = [f.strip() for f in fmt.split(",") if f.strip()]
    renderers_for(fmts)  # an unknown format is bad input: fail before any work
    shard = parse_shard(shard_specs)
    if shard and as_of is None and config.as_of is None:
        raise AssayError("--shard needs --as-of (or as_of in the config): the shards of one "
                         "night must share it")
    check_out_dir(out_dir)
    plan = apply_shard(plan_for(located, control_paths=control_paths,
                                no_builtin=no_builtin, framework_ids=framework_ids,
                                as_of=as_of), shard)
    locker = open_configured_locker(config, plan.base_dir)
    plan.store = locker
    with reporter_for() as progress:
        plan.progress = progress
        results = execute(plan)
    if shard:
        results.run.group_id = group_id(plan, results.run.library_digest)
    if locker is not None:
        keep_in_locker(results, locker)
    for target in write_outputs(results, out_dir, fmts, locker):
        click.echo(f"wrote {target}", err=True)
    raise ExitCode(exit_code(results, Severity(fail_on)))


COMMANDS = [scan_command]
