"""Audit periods: the Type II view of how controls operated night after night.

``assay report --period 2026-01-01..2026-06-30`` reads every run of the locker in
the period (one per night: the whole run, or the merged one, of that night) and
gives, per control, the share of nightly runs in which it passed, the dates it
failed, and the nights with no run at all. Nights are counted up to the report's
as-of time, so a report built mid-period does not count the future as missed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from engine.errors import AssayError
from engine.history import RunSummary, nightly, trend

PASSING = ("pass",)


def parse_period(text: str) -> tuple[date, date]:
    """``2026-01-01..2026-06-30`` (both days included)."""
    start_text, sep, end_text = text.partition("..")
    try:
        if not sep:
            raise ValueError
        start, end = date.fromisoformat(start_text.strip()), date.fromisoformat(end_text.strip())
    except ValueError:
        raise AssayError(f"--period {text!r}: expected START..END, e.g. 2026-01-01..2026-06-30")\
            from None
    if end < start:
        raise AssayError(f"--period {text!r}: ends before it starts")
    return start, end


@dataclass(frozen=True)
class ControlEffectiveness:
    control_id: str
    runs: int  # nightly runs in which the control was evaluated
    passed: int
    waived: int
    failed_on: list[str]  # nights (ISO dates) it failed
    other: dict[str, int]  # unknown, error, not_collected, manual_pending… → nights

    @property
    def share(self) -> float | None:
        """Share of runs in which it passed (waived nights are not passes)."""
        return self.passed / self.runs if self.runs else None


@dataclass(frozen=True)
class Effectiveness:
    start: date
    end: date
    counted_until: date
    nights: int  # nights in [start, counted_until]
    run_nights: list[str]
    missing: list[str]  # nights with no run
    incomplete: list[str]  # nights whose run was incomplete
    controls: list[ControlEffectiveness] = field(default_factory=list)


def _nights(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def operating_effectiveness(runs: Sequence[RunSummary], start: date, end: date,
                            as_of: datetime | None = None) -> Effectiveness:
    """Per control, how it operated over the nightly runs in [start, end]."""
    until = min(end, as_of.date()) if as_of is not None else end
    chosen = [r for r in nightly(runs) if start <= r.as_of.date() <= until]
    run_nights = [r.night for r in chosen]
    expected = _nights(start, until) if until >= start else []
    missing = sorted(set(d.isoformat() for d in expected) - set(run_nights))
    control_ids = sorted({c for r in chosen for c in r.controls})
    controls = []
    for control_id in control_ids:
        passed = waived = 0
        failed: list[str] = []
        other: dict[str, int] = {}
        evaluated = 0
        for run in chosen:
            status = run.controls.get(control_id)
            if status is None or status == "not_applicable":
                continue
            evaluated += 1
            if status in PASSING:
                passed += 1
            elif status == "waived":
                waived += 1
            elif status == "fail":
                failed.append(run.night)
            else:
                other[status] = other.get(status, 0) + 1
        controls.append(ControlEffectiveness(control_id, evaluated, passed, waived, failed,
                                             dict(sorted(other.items()))))
    return Effectiveness(
        start=start, end=end, counted_until=until, nights=len(expected), run_nights=run_nights,
        missing=missing, incomplete=[r.night for r in chosen if not r.complete],
        controls=controls,
    )


@dataclass(frozen=True)
class HistoryView:
    """What the PDF's history sections read (``PdfRenderer(history=…)``)."""

    trend: dict[str, list[tuple[str, int, int]]]  # framework → (night, satisfied, requirements)
    effectiveness: Effectiveness | None = None
    titles: dict[str, str] = field(default_factory=dict)  # control id → title


def history_view(runs: Sequence[RunSummary], *, period: tuple[date, date] | None = None,
                 as_of: datetime | None = None, titles: dict[str, str] | None = None,
                 last: int = 30) -> HistoryView:
    """The trend of the ``last`` nights up to ``as_of`` and, with a period, its Type II view."""
    upto = [r for r in runs if as_of is None or r.as_of <= as_of]
    effectiveness = None
    if period is not None:
        effectiveness = operating_effectiveness(upto, period[0], period[1], as_of)
    return HistoryView(trend=trend(upto, last), effectiveness=effectiveness,
                       titles=dict(titles or {}))
