"""``assay report``, ``export``, ``verify``, ``keygen``: what an auditor receives.

``SOURCE`` is a results.json file or a run id in the evidence locker (``--locker``
or the config's ``locker:``, default ``.assay``). Exit codes: 0 done; 1 ``verify``
found the bundle changed or its signature bad; 2 bad input (missing or invalid
results, unknown run, unreadable key, unwritable output).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from engine.cli import ExitCode
from engine.commands.history import history_renderer, locker_from, report_history
from engine.errors import AssayError, Location
from engine.output import write_atomic
from engine.periods import parse_period
from engine.results import Results
from evidence.locker import Locker, manifest_bytes
from reports import bundle
from reports.interface import formats, renderer
from reports.pdf import PdfRenderer

locker_options = [
    click.option("-c", "--config", "config_path", default="assay.yaml", show_default=True,
                 help="The assay.yaml naming the evidence locker."),
    click.option("--locker", "locker_spec", help="A locker folder or s3://bucket/prefix."),
]


def _with_locker_options(func: Any) -> Any:
    for option in reversed(locker_options):
        func = option(func)
    return func


def open_run_locker(source: str, config_path: str, locker_spec: str | None) -> Locker | None:
    """The locker to read ``source`` and its artifacts from; None when there is none.

    A run id needs one; a results.json file uses one when it is configured or the
    default ``.assay`` folder exists.
    """
    if locker_spec is not None or Path(config_path).is_file():
        return locker_from(config_path, locker_spec)
    if Path(source).is_file() and not Path(".assay").is_dir():
        return None
    return locker_from(config_path, ".assay")


def load_results(source: str, locker: Locker | None = None) -> tuple[Results, bytes]:
    """Read a results document (file or run id); a bad one is one located line, exit 2."""
    path = Path(source)
    if path.is_file():
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise AssayError(f"cannot read: {exc.strerror}", Location(source)) from None
    elif locker is None or source.endswith(".json") or "/" in source:
        raise AssayError("no such results file or run id in the evidence locker",
                         Location(source))
    else:
        data = locker.read_run(source)
    try:
        results = Results.from_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        raise AssayError(f"not an assay results document (schema_version 1): {where}: "
                         f"{first['msg']}", Location(source)) from None
    if locker is not None and not path.is_file() and results.run.manifest_sha256 is None:
        # the locker's manifest binds the stored results; reports name its hash
        manifest = manifest_bytes(locker.read_manifest(source))
        results.run.manifest_sha256 = hashlib.sha256(manifest).hexdigest()
    return results, data


def render_bytes(results: Results, fmt: str) -> bytes:
    try:
        return renderer(fmt).render(results)
    except (ImportError, KeyError):
        raise AssayError(f"format {fmt!r} is not available; formats: {', '.join(formats())}") \
            from None


@click.command("report")
@click.argument("source")
@_with_locker_options
@click.option("--format", "fmt", type=click.Choice(formats()), default="pdf", show_default=True,
              help="Output format.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write; stdout when omitted (text formats).")
@click.option("--period", "period_text", metavar="START..END",
              help="Audit period (e.g. 2026-01-01..2026-06-30): adds the Type II "
                   "operating-effectiveness section, from the locker's runs (pdf, html).")
def report(source: str, config_path: str, locker_spec: str | None, fmt: str,
           out: Path | None, period_text: str | None) -> None:
    """Render a saved run (results.json or run id) as pdf, html, csv, oscal, json, sarif, junit or markdown."""
    period = parse_period(period_text) if period_text else None
    if period is not None and fmt not in ("pdf", "html"):
        raise AssayError("--period adds a section to the pdf and html reports; "
                         "use --format pdf or --format html")
    locker = None if Path(source).is_file() and period is None \
        else open_run_locker(source, config_path, locker_spec)
    if period is not None and locker is None:
        raise AssayError("--period reads the runs of the evidence locker; none is configured"
                         " (use -c assay.yaml or --locker)")
    results, _ = load_results(source, locker)
    if fmt in ("pdf", "html") and locker is not None:  # the trend (and Type II) from the locker
        data = history_renderer(fmt, locker, results, period).render(results)
    else:
        data = render_bytes(results, fmt)
    if out is None:
        if fmt == "pdf":
            raise AssayError("--out FILE is required for pdf")
        click.echo(data.decode("utf-8"), nl=False)
        return
    write_atomic(out, data)
    click.echo(f"wrote {out} ({len(data):,} bytes)", err=True)



@click.command("export")
@click.argument("source")
@_with_locker_options
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The bundle zip to write.")
@click.option("--sign-key", "sign_key", type=click.Path(dir_okay=False, path_type=Path),
              help="Ed25519 private key (assay keygen) to sign manifest.json with.")
def export(source: str, config_path: str, locker_spec: str | None, out: Path,
           sign_key: Path | None) -> None:
    """Write the evidence bundle: report, results, CSV, evidence, waivers, attestations, signed manifest."""
    key = bundle.load_private_key(sign_key) if sign_key else None
    locker = open_run_locker(source, config_path, locker_spec)
    results, raw = load_results(source, locker)
    # The bundle's PDF is the one `assay report` gives: with the trend when a locker is there.
    pdf = PdfRenderer(history=report_history(locker, results)).render(results) if locker else None
    data, summary = bundle.build_bundle(results, results_json=raw, pdf=pdf,
                                        get_object=locker.get_object if locker else None,
                                        sign_key=key)
    write_atomic(out, data)
    click.echo(f"wrote {out}: {summary.files} files, {len(summary.included)} evidence object(s)"
               f" included", err=True)
    for missing in summary.not_included:
        click.echo(f"  not included: {missing['name']} ({missing['sha256'][:12]}…): "
                   f"{missing['reason']}", err=True)
    click.echo(f"  signed by key {summary.signed_by}" if summary.signed_by
               else "  unsigned (pass --sign-key to sign the manifest)", err=True)


@click.command("verify")
@click.argument("bundle_path", metavar="BUNDLE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--pubkey", type=click.Path(dir_okay=False, path_type=Path),
              help="The signer's public key, obtained separately: proves who signed.")
def verify(bundle_path: Path, pubkey: Path | None) -> None:
    """Check a bundle: every file against manifest.json, and manifest.json against its signature."""
    key = bundle.load_public_key(pubkey) if pubkey else None
    result = bundle.verify_bundle(bundle_path, key)
    for problem in result.problems:
        click.echo(f"{bundle_path}: {problem}")
    if not result.ok:
        click.echo(f"{bundle_path}: NOT INTACT — {len(result.problems)} problem(s)")
        raise ExitCode(1)
    click.echo(f"{bundle_path}: intact — {result.files} files match manifest.json")
    if not result.signed:
        click.echo("unsigned: this shows the files match their manifest, not that the manifest "
                   "is authentic")
    elif result.key_source == "bundle":
        click.echo(f"signature valid for the public key carried in the bundle ({result.fingerprint}): "
                   "this proves integrity, not authorship — pass --pubkey to check who signed")
    else:
        click.echo(f"signature valid for {pubkey} ({result.fingerprint}): signed by that key's holder")


@click.command("keygen")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Private key file to write; the public key goes beside it as .pub.")
@click.option("--force", is_flag=True, help="Replace existing key files.")
def keygen(out: Path, force: bool) -> None:
    """Create an Ed25519 key pair for signing bundles (private key mode 0600)."""
    public_path = out.with_suffix(".pub")
    for path in (out, public_path):
        if path.exists() and not force:
            raise AssayError("exists; pass --force to replace it", Location(str(path)))
    private, public = bundle.generate_key()
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(private)
        os.chmod(out, 0o600)
    except OSError as exc:
        raise AssayError(f"cannot write: {exc.strerror}", Location(str(out))) from None
    write_atomic(public_path, public)
    print_key = bundle.load_public_key(public_path)
    click.echo(f"wrote {out} (private, keep secret) and {public_path} (public)")
    click.echo(f"fingerprint {bundle.fingerprint(print_key)}")


COMMANDS = [report, export, verify, keygen]
