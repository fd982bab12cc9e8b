"""``assay check PATH…`` — the pre-merge policy check over Terraform folders and plan files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from engine import cache, cli
from engine.baseline import apply_baseline
from engine.cli import ExitCode
from engine.clock import resolve_as_of
from engine.commands.common import (
    FAIL_ON,
    check_out_file,
    emit,
    existing_path,
    frameworks_in_scope,
    load_library,
    renderers_for,
)
from engine.errors import AssayError
from engine.gcpause import gc_paused
from engine.output import exit_code
from engine.results import Results
from engine.run import RunPlan, digest_of, execute
from engine.status import Severity

CHECK_FORMATS = ["json", "sarif", "junit", "markdown"]


def default_redactor() -> Any:
    from evidence.redact import redact

    return redact


def parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    parsed = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise AssayError(f"--var {pair!r}: expected NAME=VALUE")
        parsed[name] = value
    return parsed


def terraform_sources(paths: list[Path], var_files: list[Path],
                      variables: dict[str, str],
                      tf_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """Folders and .tf files go to the terraform source, .json files to terraform_plan."""
    plans = [p for p in paths if p.is_file() and p.suffix == ".json"]
    folders = [p for p in paths if p not in plans]
    sources: dict[str, dict[str, Any]] = {}
    if folders:
        sources["terraform"] = {"paths": [str(p) for p in folders],
                                "var_files": [str(v) for v in var_files], "vars": variables}
    if plans:
        sources["terraform_plan"] = {"files": [str(p) for p in plans]}
        if tf_dir is not None:
            sources["terraform_plan"]["tf_dir"] = str(tf_dir)
    return sources


def read_baseline(path: Path) -> Results:
    """A previous results document (``check --format json`` or ``scan``); bad input is exit 2."""
    try:
        return Results.from_json(path.read_bytes())
    except OSError as exc:
        raise AssayError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    except ValueError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid"
        raise AssayError(f"{path}: not an assay results document ({first})") from None


@click.command("check")
@click.argument("paths", nargs=-1, required=True)
@click.option("--controls", "control_paths", multiple=True, help="Control file or folder (repeatable).")
@click.option("--no-builtin", is_flag=True, help="Leave out the shipped control library.")
@click.option("--var-file", "var_files", multiple=True, help="Terraform variables file (repeatable).")
@click.option("--var", "var_pairs", multiple=True, help="Terraform variable NAME=VALUE (repeatable).")
@click.option("--waivers", "waivers_path", help="Waivers YAML file.")
@click.option("--framework", "framework_ids", multiple=True, help="Limit to a framework (repeatable).")
@click.option("--format", "fmt", type=click.Choice(CHECK_FORMATS), default="json", show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here instead of stdout.")
@click.option("--fail-on", type=FAIL_ON, default="low", show_default=True,
              help="Lowest severity whose failures give exit 1.")
@click.option("--as-of", "as_of", help="Evaluate as of this ISO 8601 time (default: now).")
@click.option("--baseline", "baseline_path",
              help="Earlier results JSON: only findings not failing there give exit 1.")
@click.option("--tf-dir", "tf_dir", help="Terraform sources of the plan files, for file and line.")
@click.option("--no-cache", is_flag=True,
              help="Read and write no cache (parsed files, library, findings of unchanged "
                   "root modules); the results are the same either way.")
def check_command(paths: tuple[str, ...], control_paths: tuple[str, ...], no_builtin: bool,
                  var_files: tuple[str, ...], var_pairs: tuple[str, ...],
                  waivers_path: str | None, framework_ids: tuple[str, ...], fmt: str,
                  out: Path | None, fail_on: str, as_of: str | None,
                  baseline_path: str | None = None, tf_dir: str | None = None,
                  no_cache: bool = False) -> None:
    """Check Terraform folders and plan JSON files before they merge."""
    # until the command ends, ExitCode included
    click.get_current_context().with_resource(cache.turned_off(no_cache))
    check_out_file(out)
    targets = [existing_path(p) for p in paths]
    library = load_library([existing_path(p) for p in control_paths], not no_builtin,
                           existing_path(waivers_path) if waivers_path else None)
    chosen = renderers_for([fmt])[0]
    when, pinned = resolve_as_of(as_of, None)
    variables = parse_vars(var_pairs)
    baseline = read_baseline(existing_path(baseline_path)) if baseline_path else None
    sources = terraform_sources(targets, [existing_path(v) for v in var_files], variables,
                                existing_path(tf_dir) if tf_dir else None)
    plan = RunPlan(
        controls=library.controls, catalogs=library.catalogs,
        frameworks=frameworks_in_scope(library.catalogs, None, framework_ids),
        sources=sources, base_dir=Path.cwd(), as_of=when,
        period=(when, when), redact=default_redactor(), waivers=library.waivers,
        config_digest=digest_of(sources), only_sources=frozenset(sources),
        started=None if pinned else when,
        cache_dir=cache.user_cache_dir() / "findings" if cache.enabled() else None,
    )
    with gc_paused(resume=not cli.PROCESS_ENDS_WITH_COMMAND):
        results = execute(plan)
        if baseline is not None and baseline_path is not None:
            results = apply_baseline(results, baseline, baseline_path)
        emit(results, chosen, out)
    raise ExitCode(exit_code(results, Severity(fail_on)))


COMMANDS = [check_command]
