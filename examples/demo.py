"""`make demo`: the FinAI Nexus estate, scanned night after night, on a fresh machine.

1. generate the estate's CloudTrail and application logs (fixed seed);
2. start a local AWS stand-in (moto server on 127.0.0.1) seeded to match the Terraform;
3. night of 2026-06-29: `assay scan` (Terraform, AWS, logs, attestations, waivers)
   into the estate's evidence locker;
4. someone removes a bucket's public access block by hand (the drift);
5. night of 2026-06-30: `assay scan` again → out/results.json, results.sarif, report.html;
6. `assay history`, `assay diff` and `assay history --control` read the locker;
7. `assay report --period` → out/report.pdf with the trend and the Type II view;
8. `assay export` signs out/bundle.zip with a throwaway key generated into out/,
   `assay verify` checks it; a summary per framework is printed.

Period, as-of times and seeds are pinned, so the results are the same every day.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import socket
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
ESTATE = REPO / "examples" / "finai-nexus"
OUT = REPO / "out"
PORT = 5055
FIRST_NIGHT = "2026-06-29T23:00:00Z"  # the config pins the second: 2026-06-30T23:00:00Z
PERIOD = "2026-06-29..2026-06-30"
FORMATS = ["json", "sarif", "html"]  # the PDF comes from `assay report --period`
SUMMARY_COLUMNS = ["satisfied", "not_satisfied", "incomplete", "manual_pending",
                   "not_applicable", "not_covered"]
OUTPUTS = ("results.json", "results.sarif", "report.html", "report.pdf", "bundle.zip",
           "demo-signing-key.pem", "demo-signing-key.pub")

sys.path.insert(0, str(REPO))
_T0 = time.monotonic()


def say(text: str) -> None:
    print(f"[demo {time.monotonic() - _T0:5.1f}s] {text}", flush=True)


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ESTATE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generate_logs() -> None:
    """The estate's logs; kept from an earlier demo when the generator has not changed."""
    logs = ESTATE / "logs"
    stamp = logs / ".generator-sha256"
    digest = hashlib.sha256((ESTATE / "generate_logs.py").read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text() == digest:
        say("logs already generated (same generator, same seed)")
        return
    trail, app = _load("generate_logs").write(logs)
    stamp.write_text(digest)
    say(f"generated {trail} CloudTrail events and {app} platform audit records")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_aws() -> tuple[Any, str]:
    """A moto server on 127.0.0.1 (port 5055 when free), seeded to match infra/."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    for key, value in {"AWS_ACCESS_KEY_ID": "demo", "AWS_SECRET_ACCESS_KEY": "demo",
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
                       "AWS_SHARED_CREDENTIALS_FILE": os.devnull}.items():
        os.environ[key] = value
    os.environ.pop("AWS_PROFILE", None)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=PORT if _free(PORT) else 0,
                                verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    _load("aws_seed").seed(endpoint)
    say(f"AWS stand-in at {endpoint}, seeded to match infra/")
    return server, endpoint


def config_for(endpoint: str) -> Path:
    """The estate's assay.yaml; a copy with the endpoint replaced if 5055 was taken."""
    config = ESTATE / "assay.yaml"
    if endpoint.endswith(f":{PORT}"):
        return config
    local = ESTATE / ".assay-demo.yaml"
    local.write_text(config.read_text().replace(f"http://127.0.0.1:{PORT}", endpoint))
    say(f"port {PORT} is taken; using {endpoint} ({local.name})")
    return local


def _commands() -> set[str]:
    from engine.cli import _COMMAND_MODULES

    return set(_COMMAND_MODULES)


def run_assay(*argv: str, ok: tuple[int, ...] = (0,)) -> int:
    from engine.cli import main

    say("assay " + " ".join(argv))
    code = main(list(argv))
    if code not in ok:
        raise SystemExit(f"[demo] assay {argv[0]} exited {code}")
    return code


def night(config: Path, out_dir: Path, formats: list[str], as_of: str | None) -> dict[str, Any]:
    """One nightly scan; exit 1 (failing findings) and 3 (incomplete) are expected here."""
    argv = ["scan", "-c", str(config), "--format", ",".join(formats), "--out-dir", str(out_dir)]
    run_assay(*argv, *(["--as-of", as_of] if as_of else []), ok=(0, 1, 3))
    loaded: dict[str, Any] = json.loads((out_dir / "results.json").read_text())
    return loaded


def history(config: Path, first: str, second: str) -> None:
    if "history" not in _commands():
        return
    run_assay("history", "-c", str(config))
    run_assay("diff", first, second, "-c", str(config))
    run_assay("history", "-c", str(config), "--control", "NET-S3-02")


def report(config: Path, run_id: str) -> None:
    run_assay("report", run_id, "-c", str(config), "--format", "pdf", "--period", PERIOD,
              "--out", str(OUT / "report.pdf"))


def bundle(config: Path, run_id: str) -> None:
    if not {"keygen", "export", "verify"} <= _commands():
        say("evidence bundle commands not in this build yet; skipping out/bundle.zip")
        return
    key = OUT / "demo-signing-key.pem"
    run_assay("keygen", "--out", str(key))
    run_assay("export", run_id, "-c", str(config), "--out", str(OUT / "bundle.zip"),
              "--sign-key", str(key))
    run_assay("verify", str(OUT / "bundle.zip"), "--pubkey", str(key.with_suffix(".pub")))


def summary(data: dict[str, Any]) -> None:
    run = data["run"]
    rows = [["framework", *[c.replace("_", " ") for c in SUMMARY_COLUMNS]]]
    for framework in data["frameworks"]:
        counts = framework.get("summary", {})
        rows.append([framework["id"], *[str(counts.get(c, 0)) for c in SUMMARY_COLUMNS]])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print()
    print(f"{run.get('organization', '')} — run {run['id']} as of {run['as_of']}"
          f" — {'complete' if run['complete'] else 'INCOMPLETE'}")
    for row in rows:
        print("  ".join(cell.rjust(w) if i else cell.ljust(w)
                        for i, (cell, w) in enumerate(zip(row, widths, strict=True))))
    findings = data.get("summary", {})
    print("findings: " + ", ".join(f"{k} {v}" for k, v in findings.items() if v))
    waivers = data.get("waivers", {})
    print(f"waivers: {len(waivers.get('applied', []))} applied, "
          f"{len(waivers.get('expired', []))} expired, {len(waivers.get('unused', []))} unused")
    attested = data.get("attestations", [])
    expired = [a for a in attested if a.get("status") == "fail"]
    print(f"attestations: {len(attested)}, expired: "
          + (", ".join(f"{a['control']}/{a['name']}" for a in expired) or "none"))


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for name in OUTPUTS:
        (OUT / name).unlink(missing_ok=True)
    shutil.rmtree(OUT / "first-night", ignore_errors=True)
    shutil.rmtree(ESTATE / ".assay", ignore_errors=True)  # a fresh locker each demo
    generate_logs()
    server, endpoint = start_aws()
    try:
        config = config_for(endpoint)
        if "scan" not in _commands():
            say("this build has no scan command yet; the estate and the AWS stand-in are ready")
            return 0
        first = night(config, OUT / "first-night", ["json"], FIRST_NIGHT)
        _load("aws_seed").apply_drift(endpoint)
        say("drift: finai-learner-documents lost its public access block (changed by hand)")
        second = night(config, OUT, FORMATS, None)
        history(config, first["run"]["id"], second["run"]["id"])
        report(config, second["run"]["id"])
        bundle(config, second["run"]["id"])
        summary(second)
    finally:
        server.stop()
    written = sorted(p.name for p in OUT.iterdir() if p.is_file())
    say(f"out/: {', '.join(written)}")
    say(f"done in {time.monotonic() - _T0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
