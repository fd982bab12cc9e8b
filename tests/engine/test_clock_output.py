from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.clock import parse_time, resolve_as_of
from engine.errors import AssayError, ControlError
from engine.model import Finding, ResourceRef
from engine.output import exit_code, write_atomic
from engine.results import CheckResult, ControlResult, Period, Results, RunInfo
from engine.status import Severity, Status

AS_OF = datetime(2026, 6, 30, tzinfo=UTC)


def test_parse_time_forms() -> None:
    assert parse_time("2026-06-30") == AS_OF
    assert parse_time("2026-06-30T02:00:00+02:00") == AS_OF
    assert parse_time("2026-06-30T00:00:00Z") == AS_OF
    assert parse_time("2026-06-30T00:00:00") == AS_OF
    with pytest.raises(ControlError, match="not an ISO 8601"):
        parse_time("yesterday", "--as-of")


def test_as_of_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1782777600")  # 2026-06-30T00:00:00Z
    assert resolve_as_of("2026-01-01", AS_OF) == (datetime(2026, 1, 1, tzinfo=UTC), True)
    assert resolve_as_of(None, datetime(2020, 1, 1)) == (AS_OF, True)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert resolve_as_of(None, datetime(2020, 1, 1)) == (datetime(2020, 1, 1, tzinfo=UTC), True)
    now, pinned = resolve_as_of(None, None)
    assert not pinned and now.tzinfo is UTC
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(ControlError, match="SOURCE_DATE_EPOCH"):
        resolve_as_of(None, None)


def test_write_atomic_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "out" / "results.json"
    write_atomic(target, b"{}")
    assert target.read_bytes() == b"{}"
    assert [p.name for p in target.parent.iterdir()] == ["results.json"]
    assert target.stat().st_mode & 0o777 == 0o666 & ~_current_umask()


def _current_umask() -> int:
    import os

    current = os.umask(0)
    os.umask(current)
    return current


def test_write_atomic_failure_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(AssayError, match="cannot create|cannot write|Not a directory|exists"):
        write_atomic(blocker / "results.json", b"{}")


def results_with(findings: list[Finding], *, complete: bool = True,
                 truncated: int | None = None) -> Results:
    run = RunInfo(id="r", started=AS_OF, finished=AS_OF, as_of=AS_OF, tool_version="0",
                  library_digest="l", config_digest="c", period=Period(start=AS_OF, end=AS_OF),
                  frameworks_in_scope=[], complete=complete)
    control = ControlResult(id="EX-A-01", title="t", objective="o", severity=Severity.HIGH,
                            frameworks={}, status=Status.PASS,
                            checks=[CheckResult(id="c", source="cloudtrail", status=Status.PASS,
                                                remediation="r", truncated=truncated)])
    return Results(run=run, findings=findings, controls=[control], frameworks=[], summary={})


def failing(severity: Severity, baseline: str | None = None) -> Finding:
    return Finding(control_id="EX-A-01", check_id="c", status=Status.FAIL, severity=severity,
                   source="terraform", resource=ResourceRef(type="t", id="x"), message="m",
                   baseline=baseline)  # type: ignore[arg-type]


def test_exit_codes() -> None:
    assert exit_code(results_with([]), Severity.LOW) == 0
    assert exit_code(results_with([failing(Severity.MEDIUM)]), Severity.LOW) == 1
    assert exit_code(results_with([failing(Severity.MEDIUM)]), Severity.HIGH) == 0
    assert exit_code(results_with([failing(Severity.MEDIUM)], complete=False), Severity.HIGH) == 3
    assert exit_code(results_with([failing(Severity.MEDIUM)], complete=False), Severity.LOW) == 1
    assert exit_code(results_with([failing(Severity.HIGH, "existing")]), Severity.LOW) == 0
    assert exit_code(results_with([failing(Severity.HIGH, "new")]), Severity.LOW) == 1
    assert exit_code(results_with([], truncated=3), Severity.HIGH) == 1


def test_plain_progress_lines_are_timestamped() -> None:
    import io
    import re

    from engine.progress import PlainProgress, RichProgress, reporter_for

    stream = io.StringIO()
    with reporter_for(stream) as progress:
        assert isinstance(progress, PlainProgress)
        progress("terraform", "done (3 files)")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ terraform: done \(3 files\)\n",
                        stream.getvalue())

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    import os
    saved = os.environ.pop("CI", None)
    try:
        with reporter_for(terminal) as progress:
            assert isinstance(progress, RichProgress)
            progress("aws", "collecting")
            progress("aws", "done (12 resources)")
    finally:
        if saved is not None:
            os.environ["CI"] = saved
    assert "aws" in terminal.getvalue()
