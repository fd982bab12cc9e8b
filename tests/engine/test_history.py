"""History from the locker: run index, cache, control history, diff, CLI.

Results documents are built through the results models, so they are what a
scan writes.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from engine.cli import main
from engine.errors import AssayError
from engine.history import History, RunSummary, control_history, diff_runs, nightly, trend
from engine.model import Finding, ResourceRef
from engine.results import (
    ControlResult,
    FrameworkResult,
    Period,
    RequirementResult,
    Results,
    RunInfo,
)
from engine.status import RequirementStatus, Severity, Status, requirement_status
from evidence.locker import LocalLocker

START = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def results(night: int, statuses: dict[str, Status], failing: dict[str, list[str]] | None = None,
            *, complete: bool = True, shard: dict[str, list[str]] | None = None,
            hour: int = 0) -> Results:
    """A run on night ``night`` (0 = 2026-06-01) with the given control statuses;
    ``failing`` names the failing resources of each failing control."""
    as_of = START + timedelta(days=night, hours=hour)
    failing = failing or {}
    findings = []
    for control_id, status in sorted(statuses.items()):
        resources = failing.get(control_id, ["res-1"]) if status is Status.FAIL else ["res-1"]
        for resource in resources:
            findings.append(Finding(
                control_id=control_id, check_id="tf", severity=Severity.HIGH,
                status=status if status is not Status.NOT_APPLICABLE else Status.PASS,
                source="terraform", resource=ResourceRef(type="aws_s3_bucket", id=resource),
                message=f"{control_id} on {resource}"))
    controls = [ControlResult(id=c, title=c, objective="o", severity=Severity.HIGH,
                              frameworks={"soc2": [f"CC{i}"]}, status=s, checks=[])
                for i, (c, s) in enumerate(sorted(statuses.items()))]
    reqs = [RequirementResult(id=f"CC{i}", title="t", status=requirement_status([c.status]),
                              controls=[c.id]) for i, c in enumerate(controls)]
    summary = {s.value: sum(r.status is s for r in reqs) for s in RequirementStatus}
    return Results(
        run=RunInfo(id=as_of.strftime("%Y%m%dT%H%M%SZ") + "-abcd1234", started=as_of,
                    finished=as_of, as_of=as_of, tool_version="0.1.0", library_digest="l",
                    config_digest="c", period=Period(start=START, end=as_of),
                    frameworks_in_scope=["soc2"], complete=complete, shard=shard),
        findings=findings, controls=controls,
        frameworks=[FrameworkResult(id="soc2", name="SOC 2", version="2017", summary=summary,
                                    requirements=reqs)],
        summary={s.value: sum(f.status is s for f in findings) for s in Status},
    )


P, F, W = Status.PASS, Status.FAIL, Status.WAIVED


def _store(locker: LocalLocker, doc: Results) -> str:
    locker.write_run(doc.run.id, doc.to_json(), {})
    return doc.run.id


@pytest.fixture
def locker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalLocker:
    monkeypatch.setenv("ASSAY_CACHE_DIR", str(tmp_path / "cache"))
    lk = LocalLocker(tmp_path / "locker")
    _store(lk, results(0, {"ENC-01": P, "IAM-01": P}))
    _store(lk, results(1, {"ENC-01": F, "IAM-01": P}, {"ENC-01": ["docs"]}))
    _store(lk, results(2, {"ENC-01": F, "IAM-01": F}, {"ENC-01": ["docs", "logs"]},
                       complete=False))
    _store(lk, results(3, {"ENC-01": F, "IAM-01": W}, {"ENC-01": ["logs"]}))
    return lk


def test_runs_are_read_from_the_locker_and_cached(locker: LocalLocker, tmp_path: Path) -> None:
    history = History(locker, tmp_path / "cache.sqlite")
    runs = history.runs()
    assert [r.night for r in runs] == ["2026-06-01", "2026-06-02", "2026-06-03", "2026-06-04"]
    assert [r.complete for r in runs] == [True, True, False, True]
    assert runs[2].controls == {"ENC-01": "fail", "IAM-01": "fail"}
    assert runs[2].summary["fail"] == 3
    assert runs[0].frameworks["soc2"]["satisfied"] == 2
    assert (tmp_path / "cache.sqlite").exists()
    # the cache answers without reading results again
    reads: list[str] = []
    real = locker.read_run
    locker.read_run = lambda run_id: reads.append(run_id) or real(run_id)  # type: ignore[method-assign]
    assert History(locker, tmp_path / "cache.sqlite").runs() == runs
    assert reads == []
    # a new run is picked up; a missing cache is rebuilt; a corrupt one too
    _store(locker, results(4, {"ENC-01": P, "IAM-01": P}))
    assert len(History(locker, tmp_path / "cache.sqlite").runs()) == 5
    assert reads == [results(4, {}).run.id]
    (tmp_path / "cache.sqlite").write_bytes(b"not a database at all" * 100)
    assert len(History(locker, tmp_path / "cache.sqlite").runs()) == 5
    (tmp_path / "cache.sqlite").unlink()
    assert [r.run_id for r in History(locker, tmp_path / "cache.sqlite").runs()] == [
        r.run_id for r in History(locker, tmp_path / "other.sqlite").runs()]


def test_control_history_first_failed_at_and_days(locker: LocalLocker) -> None:
    runs = History(locker).runs()
    enc = control_history(runs, "ENC-01")
    assert [s for _, s in enc.statuses] == ["pass", "fail", "fail", "fail"]
    assert enc.first_failed_at == START + timedelta(days=1)
    assert enc.days_failing == 3
    iam = control_history(runs, "IAM-01")
    assert iam.first_failed_at is None and iam.days_failing == 0  # waived since


def test_diff_new_fixed_still(locker: LocalLocker) -> None:
    a = json.loads(locker.read_run(results(1, {}).run.id))
    b = json.loads(locker.read_run(results(3, {}).run.id))
    diff = diff_runs(a, b)
    assert [f["resource"]["id"] for f in diff.new] == ["logs"]
    assert [f["resource"]["id"] for f in diff.fixed] == ["docs"]
    assert diff.still == []
    c = json.loads(locker.read_run(results(2, {}).run.id))
    diff = diff_runs(a, c)
    assert [(f["control_id"], f["resource"]["id"]) for f in diff.new] == [
        ("ENC-01", "logs"), ("IAM-01", "res-1")]
    assert [f["resource"]["id"] for f in diff.still] == ["docs"]


def test_nightly_prefers_whole_runs_and_trend_counts_satisfied() -> None:
    def summary(doc: Results) -> RunSummary:
        return RunSummary.of_results(doc.run.id, json.loads(doc.to_json()))

    runs = [summary(results(0, {"A-01": P})),
            summary(results(0, {"A-01": F}, hour=1, shard={"regions": ["eu-west-1"]})),
            summary(results(1, {"A-01": F}, shard={"regions": ["eu-west-1"]}))]
    assert [r.controls["A-01"] for r in nightly(runs)] == ["pass", "fail"]
    assert trend(runs)["soc2"] == [("2026-06-01", 1, 1), ("2026-06-02", 0, 1)]


def test_cli_history_control_and_diff(locker: LocalLocker, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    spec = ["--locker", str(locker.root)]
    assert main(["history", *spec]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["run", "as-of", "complete", "shard", "findings"]
    assert out[3].split()[:4] == [results(2, {}).run.id, "2026-06-03", "02:00", "NO"]
    assert "fail=3" in out[3]

    assert main(["history", *spec, "--control", "ENC-01"]) == 0
    out = capsys.readouterr().out
    assert "ENC-01 failing since 2026-06-02 02:00 UTC (3 day(s))" in out

    assert main(["history", *spec, "--control", "NOPE-01"]) == 2
    assert "control NOPE-01 is in none of the last 4 run(s)" in capsys.readouterr().err

    a, b = results(1, {}).run.id, results(3, {}).run.id
    assert main(["diff", a, b, *spec]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "new failures: 1" and "logs" in out[1]
    assert out[2] == "fixed: 1" and "docs" in out[3]
    assert out[4] == "still failing: 0"
    assert main(["diff", a, b, *spec, "--fail-on-new"]) == 1
    capsys.readouterr()
    assert main(["diff", a, "nope", *spec]) == 2
    assert "has no run nope" in capsys.readouterr().err


def test_cli_reads_the_locker_from_assay_yaml(locker: LocalLocker, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "assay.yaml"
    config.write_text("locker: locker\n")
    assert main(["history", "-c", str(config), "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert len(runs) == 4 and runs[0]["controls"] == {"ENC-01": "pass", "IAM-01": "pass"}


# --------------------------------------------------------------------------- audit periods


def test_parse_period() -> None:
    from engine.periods import parse_period

    assert parse_period("2026-01-01..2026-06-30") == (date(2026, 1, 1), date(2026, 6, 30))
    for bad in ("2026-01-01", "2026-06-30..2026-01-01", "x..y"):
        with pytest.raises(AssayError, match="--period"):
            parse_period(bad)


def test_operating_effectiveness_counts_nights_failures_and_missing_runs(
        locker: LocalLocker) -> None:
    from engine.periods import operating_effectiveness

    runs = History(locker).runs()  # nights 06-01 … 06-04; 06-03 incomplete
    as_of = START + timedelta(days=5)  # the report is made on 06-06
    eff = operating_effectiveness(runs, date(2026, 5, 30), date(2026, 6, 30), as_of)
    assert eff.counted_until == date(2026, 6, 6)
    assert eff.nights == 8
    assert eff.run_nights == ["2026-06-01", "2026-06-02", "2026-06-03", "2026-06-04"]
    assert eff.missing == ["2026-05-30", "2026-05-31", "2026-06-05", "2026-06-06"]
    assert eff.incomplete == ["2026-06-03"]
    rows = {c.control_id: c for c in eff.controls}
    assert (rows["ENC-01"].runs, rows["ENC-01"].passed, rows["ENC-01"].share) == (4, 1, 0.25)
    assert rows["ENC-01"].failed_on == ["2026-06-02", "2026-06-03", "2026-06-04"]
    assert (rows["IAM-01"].passed, rows["IAM-01"].waived, rows["IAM-01"].failed_on) == (
        2, 1, ["2026-06-03"])


def test_report_period_adds_trend_and_operating_effectiveness_to_the_pdf(
        locker: LocalLocker, tmp_path: Path) -> None:
    from pypdf import PdfReader

    last = results(3, {}).run.id
    out = tmp_path / "report.pdf"
    assert main(["report", last, "--locker", str(locker.root), "--format", "pdf",
                 "--period", "2026-06-01..2026-06-30", "--out", str(out)]) == 0
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Compliance trend" in text and "Operating effectiveness" in text
    assert "Nights with no run" in text
    section = text[text.index("Operating effectiveness\nHow"):]
    enc = section[section.index("ENC-01"):section.index("IAM-01")]
    assert "25.0%" in enc  # passed one night in four
    for night in ("2026-06-02", "2026-06-03", "2026-06-04"):
        assert night in enc  # failed on
    again = tmp_path / "again.pdf"
    assert main(["report", last, "--locker", str(locker.root), "--format", "pdf",
                 "--period", "2026-06-01..2026-06-30", "--out", str(again)]) == 0
    assert out.read_bytes() == again.read_bytes()


def test_report_period_adds_trend_and_operating_effectiveness_to_the_html(
        locker: LocalLocker, tmp_path: Path) -> None:
    last = results(3, {}).run.id
    out = tmp_path / "report.html"
    assert main(["report", last, "--locker", str(locker.root), "--format", "html",
                 "--period", "2026-06-01..2026-06-30", "--out", str(out)]) == 0
    html = out.read_text()
    assert '<section id="trend"><h2>Compliance trend</h2>' in html
    assert html.count("<polyline") == 1 and ">soc2</text>" in html  # one framework, labelled
    assert "2026-06-01 to 2026-06-04" in html  # the nights the trend spans
    section = html[html.index('<section id="effectiveness">'):]
    enc = section[section.index(">ENC-01<"):section.index(">IAM-01<")]
    assert "25.0%" in enc and "2026-06-02, 2026-06-03, 2026-06-04" in enc
    assert "Nights with no run" in section
    order = [html.index(f'<section id="{name}">') for name in
             ("summary", "trend", "scope", "matrices", "effectiveness", "controls")]
    assert order == sorted(order)  # where the PDF has them
    again = tmp_path / "again.html"
    assert main(["report", last, "--locker", str(locker.root), "--format", "html",
                 "--period", "2026-06-01..2026-06-30", "--out", str(again)]) == 0
    assert out.read_bytes() == again.read_bytes()
    # without a period: the trend, no Type II section
    plain = tmp_path / "plain.html"
    assert main(["report", last, "--locker", str(locker.root), "--format", "html",
                 "--out", str(plain)]) == 0
    assert 'id="trend"' in plain.read_text() and 'id="effectiveness"' not in plain.read_text()


def test_report_period_needs_pdf_or_html_and_a_locker(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "results.json"
    doc.write_bytes(results(0, {"A-01": P}).to_json())
    assert main(["report", str(doc), "--format", "csv", "--period",
                 "2026-01-01..2026-06-30"]) == 2
    assert "use --format pdf or --format html" in capsys.readouterr().err
    assert main(["report", str(doc), "--format", "html", "--period",
                 "2026-01-01..2026-06-30"]) == 2
    assert "none is configured" in capsys.readouterr().err


def test_diff_keeps_an_open_gap_the_same_failure() -> None:
    def doc(end: str) -> dict[str, object]:
        return {"findings": [{"control_id": "LOG-01", "check_id": "gap", "status": "fail",
                              "resource": {"type": "gap", "id": f"2026-03-14T18:05:00Z..{end}"},
                              "message": "no event"}]}

    diff = diff_runs(doc("2026-06-29T23:00:00Z"), doc("2026-06-30T23:00:00Z"))
    assert (len(diff.new), len(diff.fixed), len(diff.still)) == (0, 0, 1)


def test_a_broken_night_does_not_end_a_failing_streak(tmp_path: Path) -> None:
    def summary(doc: Results) -> RunSummary:
        return RunSummary.of_results(doc.run.id, json.loads(doc.to_json()))

    runs = [summary(results(n, {"A-01": s})) for n, s in
            enumerate([P, F, Status.ERROR, Status.NOT_COLLECTED, F])]
    found = control_history(runs, "A-01")
    assert found.first_failed_at == START + timedelta(days=1)
    assert found.days_failing == 4
    runs.append(summary(results(5, {"A-01": P})))
    assert control_history(runs, "A-01").first_failed_at is None


def test_two_local_lockers_named_alike_have_their_own_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSAY_CACHE_DIR", str(tmp_path / "cache"))
    a = LocalLocker(tmp_path / "a" / ".assay", ".assay")
    b = LocalLocker(tmp_path / "b" / ".assay", ".assay")
    assert History(a).cache != History(b).cache
    assert History(a).cache.parent == tmp_path / "cache"
