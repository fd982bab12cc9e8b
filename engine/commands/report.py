"""``assay report``: render a saved run in any format.

``SOURCE`` is a results.json file. Exit codes: 0 written; 2 bad input (missing or
invalid results file, unknown format, unwritable output).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from pydantic import ValidationError

from engine.errors import AssayError, Location
from engine.results import Results
from reports.interface import formats, renderer


def load_results(source: str) -> Results:
    """Read a results document; a bad one is one located line, exit 2."""
    path = Path(source)
    if not path.is_file():
        raise AssayError(f"no such results file (run ids need the evidence locker): {source}",
                         Location(source))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AssayError(f"cannot read: {exc.strerror}", Location(source)) from None
    try:
        return Results.from_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        raise AssayError(f"not an assay results document (schema_version 1): {where}: "
                         f"{first['msg']}", Location(source)) from None


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so nothing is half-written."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise AssayError(f"cannot write: {exc.strerror}", Location(str(path))) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise AssayError(f"cannot write: {exc.strerror}", Location(str(path))) from None


def render_bytes(results: Results, fmt: str) -> bytes:
    try:
        return renderer(fmt).render(results)
    except (ImportError, KeyError):
        raise AssayError(f"format {fmt!r} is not available; formats: {', '.join(formats())}") \
            from None


@click.command("report")
@click.argument("source")
@click.option("--format", "fmt", type=click.Choice(formats()), default="pdf", show_default=True,
              help="Output format.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write; stdout when omitted (text formats).")
def report(source: str, fmt: str, out: Path | None) -> None:
    """Render a saved run (results.json) as pdf, html, csv, oscal, json, sarif, junit or markdown."""
    data = render_bytes(load_results(source), fmt)
    if out is None:
        if fmt == "pdf":
            raise AssayError("--out FILE is required for pdf")
        click.echo(data.decode("utf-8"), nl=False)
        return
    write_atomic(out, data)
    click.echo(f"wrote {out} ({len(data):,} bytes)", err=True)


COMMANDS = [report]
