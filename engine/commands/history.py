"""``assay history``, ``assay diff``, ``assay merge`` — runs in the evidence locker."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from engine.cli import ExitCode
from engine.commands.common import FAIL_ON
from engine.errors import AssayError
from engine.history import History, RunSummary, control_history, diff_runs
from engine.merge import merge
from engine.output import exit_code, write_atomic
from engine.periods import HistoryView, history_view
from engine.results import Results
from engine.status import Severity
from evidence.locker import Locker, open_locker
from reports.interface import Renderer

_STATUSES = ("fail", "error", "unknown", "not_collected", "manual_pending", "waived", "pass")


def locker_from(config_path: str, locker_spec: str | None) -> Locker:
    """The locker named by ``--locker`` or by the config's ``locker:`` (default ``.assay``)."""
    locker = optional_locker(config_path, locker_spec)
    if locker is None:
        raise AssayError(f"{config_path}: no evidence locker configured (locker: is empty)")
    return locker


def optional_locker(config_path: str, locker_spec: str | None) -> Locker | None:
    """``--locker`` (relative to the working folder), else the config's ``locker:``
    (relative to the config's folder), else ``.assay``; None when the config switches it off."""
    from engine.commands.scan import load_config

    path = Path(config_path)
    aws: dict[str, Any] = {}
    spec: str | None = locker_spec or ".assay"
    base_dir = Path.cwd()
    if path.is_file():
        config = load_config(path)
        aws = config.sources.aws.model_dump(mode="json") if config.sources.aws else {}
        if locker_spec is None:
            spec, base_dir = config.locker, path.resolve().parent
    if not spec:
        return None
    return open_locker(spec, base_dir, aws)


def _results_of(ref: str, config_path: str, locker_spec: str | None) -> dict[str, Any]:
    """A results.json file, or a run id in the locker."""
    path = Path(ref)
    try:
        if path.is_file():
            data = path.read_bytes()
        else:
            data = locker_from(config_path, locker_spec).read_run(ref)
        loaded: dict[str, Any] = json.loads(data)
    except OSError as exc:
        raise AssayError(f"{ref}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise AssayError(f"{ref}: not a results document: {exc}") from None
    return loaded


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)


def _counts(run: RunSummary) -> str:
    return " ".join(f"{s}={run.summary[s]}" for s in _STATUSES if run.summary.get(s))


def _run_rows(runs: list[RunSummary]) -> list[list[str]]:
    rows = [["run", "as-of", "complete", "shard", "findings"]]
    for run in runs:
        shard = ";".join(f"{k}={','.join(v)}" for k, v in sorted((run.shard or {}).items()))
        rows.append([run.run_id, run.as_of.strftime("%Y-%m-%d %H:%M"),
                     "yes" if run.complete else "NO", shard or "-", _counts(run) or "-"])
    return rows


common = [
    click.option("-c", "--config", "config_path", default="assay.yaml", show_default=True,
                 help="The assay.yaml naming the locker."),
    click.option("--locker", "locker_spec", help="A locker folder or s3://bucket/prefix."),
]


def _with_common(func: Any) -> Any:
    for option in reversed(common):
        func = option(func)
    return func


@click.command("history")
@_with_common
@click.option("--control", "control_id", help="Status of one control in every run.")
@click.option("--limit", type=int, default=30, show_default=True, help="Most recent runs shown.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def history_command(config_path: str, locker_spec: str | None, control_id: str | None,
                    limit: int, as_json: bool) -> None:
    """Runs in the locker: date, completeness, counts — or one control over time."""
    runs = History(locker_from(config_path, locker_spec)).runs()[-limit:]
    if control_id is None:
        if as_json:
            click.echo(json.dumps([json.loads(r.to_json()) for r in runs], indent=2))
        elif not runs:
            click.echo("no runs in the locker yet")
        else:
            click.echo(_table(_run_rows(runs)))
        return
    whole = [r for r in runs if not r.shard] or runs  # shards show only part of a night
    found = control_history(whole, control_id)
    if all(status is None for _, status in found.statuses):
        raise AssayError(f"control {control_id} is in none of the last {len(runs)} run(s)")
    if as_json:
        click.echo(json.dumps({
            "control": control_id,
            "runs": [{"run_id": r.run_id, "as_of": r.as_of.isoformat(), "status": s}
                     for r, s in found.statuses],
            "first_failed_at": found.first_failed_at.isoformat() if found.first_failed_at else None,
            "days_failing": found.days_failing}, indent=2))
        return
    rows = [["run", "as-of", "status"]]
    rows += [[r.run_id, r.as_of.strftime("%Y-%m-%d %H:%M"), s or "(not in run)"]
             for r, s in found.statuses]
    click.echo(_table(rows))
    if found.first_failed_at is not None:
        click.echo(f"\n{control_id} failing since {found.first_failed_at:%Y-%m-%d %H:%M} UTC"
                   f" ({found.days_failing} day(s))")
    else:
        click.echo(f"\n{control_id} is not failing in the latest run")


def _finding_line(f: dict[str, Any]) -> str:
    return f"  {f['control_id']}/{f['check_id']}  {f['resource']['id']}  {f.get('message', '')}"


@click.command("diff")
@click.argument("run_a")
@click.argument("run_b")
@_with_common
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--fail-on-new", is_flag=True, help="Exit 1 when B has new failures.")
@click.option("--all", "show_all", is_flag=True, help="List the still-failing items too.")
def diff_command(run_a: str, run_b: str, config_path: str, locker_spec: str | None,
                 as_json: bool, fail_on_new: bool, show_all: bool) -> None:
    """Failures new in RUN_B, fixed since RUN_A and still failing (run ids or results.json)."""
    diff = diff_runs(_results_of(run_a, config_path, locker_spec),
                     _results_of(run_b, config_path, locker_spec))
    if as_json:
        click.echo(json.dumps(diff.to_dict(), indent=2, sort_keys=True))
    else:
        for title, items in (("new failures", diff.new), ("fixed", diff.fixed),
                             ("still failing", diff.still)):
            click.echo(f"{title}: {len(items)}")
            if items is diff.still and not show_all:
                continue
            for item in items:
                click.echo(_finding_line(item))
    if fail_on_new and diff.new:
        raise ExitCode(1)


def _shards_of_night(config_path: str, locker_spec: str | None, as_of: str) -> list[str]:
    """The shard runs in the locker with this as-of time (one run group)."""
    from engine.clock import resolve_as_of

    when, _ = resolve_as_of(as_of, None)
    shards = [r for r in History(locker_from(config_path, locker_spec)).runs()
              if r.shard and r.as_of == when]
    groups = sorted({r.group_id or "" for r in shards})
    if not shards:
        raise AssayError(f"no shard runs as of {as_of} in the evidence locker")
    if len(groups) > 1:
        raise AssayError(f"shard runs as of {as_of} belong to {len(groups)} run groups "
                         f"({', '.join(groups)}); name the runs to merge")
    return [r.run_id for r in shards]


@click.command("merge")
@click.argument("runs", nargs=-1)
@_with_common
@click.option("--as-of", "as_of", help="Merge every shard run of the locker with this as-of time.")
@click.option("--out-dir", default="assay-out", show_default=True, type=click.Path(path_type=Path))
@click.option("--fail-on", type=FAIL_ON, default="low", show_default=True)
def merge_command(runs: tuple[str, ...], config_path: str, locker_spec: str | None,
                  as_of: str | None, out_dir: Path, fail_on: str) -> None:
    """Combine the shards of one night (run ids, results.json files, or --as-of) into one run."""
    from engine.commands.scan import keep_in_locker

    if bool(runs) == bool(as_of):
        raise AssayError("assay merge: name the shard runs, or give --as-of (not both)")
    if as_of:
        runs = tuple(_shards_of_night(config_path, locker_spec, as_of))
    parts = []
    for ref in runs:
        try:
            parts.append(Results.model_validate(_results_of(ref, config_path, locker_spec)))
        except ValidationError as exc:
            raise AssayError(f"{ref}: not a results document: {exc.errors()[0]['msg']}") from None
    merged = merge(parts)
    locker = optional_locker(config_path, locker_spec)
    if locker is not None:
        keep_in_locker(merged, locker)
    target = out_dir / "results.json"
    write_atomic(target, merged.to_json())
    click.echo(f"merged {len(parts)} shard(s) into run {merged.run.id}; wrote {target}", err=True)
    raise ExitCode(exit_code(merged, Severity(fail_on)))


COMMANDS = [history_command, diff_command, merge_command]


def report_history(locker: Locker, results: Results,
                   period: tuple[date, date] | None = None) -> HistoryView:
    """The history sections' data for a report of ``results``: the locker's runs up to its
    as-of (the run itself included even when it is not in the locker)."""
    runs = History(locker).runs()
    if results.run.id not in {r.run_id for r in runs}:
        this = RunSummary.of_results(results.run.id, json.loads(results.to_json()))
        runs = sorted([*runs, this], key=lambda s: (s.as_of, s.run_id))
    return history_view(runs, period=period, as_of=results.run.as_of,
                        titles={c.id: c.title for c in results.controls})


def history_renderer(fmt: str, locker: Locker, results: Results,
                     period: tuple[date, date] | None = None) -> Renderer:
    """The pdf or html renderer with the locker's history sections (trend and, with an
    audit period, operating effectiveness)."""
    view = report_history(locker, results, period)
    if fmt == "pdf":
        from reports.pdf import PdfRenderer

        return PdfRenderer(history=view)
    from reports.html import HtmlRenderer

    return HtmlRenderer(history=view)
