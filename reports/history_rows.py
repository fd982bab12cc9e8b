"""The history sections' content as plain text rows, shared by the PDF and the HTML report.

"Compliance trend": satisfied requirements per framework over the last nightly runs.
"Operating effectiveness" (with an audit period): per control, the share of nightly runs
in which it passed, the nights it failed, and the nights the scan did not run.
"""

from __future__ import annotations

from engine.periods import ControlEffectiveness, Effectiveness, HistoryView

LINE_COLORS = ["#1565c0", "#2e7d32", "#c62828", "#6a1b9a", "#ef6c00", "#00838f", "#795548"]
MAX_DATES = 12  # failing nights listed per control; the rest are counted

TREND_HEADER = ["framework", "first night", "latest night", "best", "change"]
EFFECTIVENESS_HEADER = ["control", "title", "runs", "every night", "passed", "waived",
                        "failed on", "other"]
EFFECTIVENESS_NOTE = (
    "How each control operated over the audit period: the share of nightly runs in which it "
    "passed, the nights it failed, and nights the scan did not run. Waived nights are counted "
    "apart and are not passes; other statuses (unknown, error, not collected, manual pending) "
    "are listed by count.")


def trend_nights(view: HistoryView) -> list[str]:
    return sorted({night for points in view.trend.values() for night, _, _ in points})


def trend_note(view: HistoryView) -> str:
    nights = trend_nights(view)
    if len(nights) < 2:
        return (f"The evidence locker holds {len(nights)} nightly run(s) so far; the trend "
                "appears from the second night on.")
    return (f"Requirements satisfied per framework over the last {len(nights)} nightly runs "
            f"({nights[0]} to {nights[-1]}), as a share of each framework's requirements "
            "(not applicable ones left out). One run per night: the whole or merged run.")


def trend_rows(view: HistoryView) -> list[list[str]]:
    rows = []
    for framework, points in sorted(view.trend.items()):
        first, last = points[0], points[-1]
        best = max(points, key=lambda p: (p[1], p[0]))
        rows.append([framework, f"{first[1]} / {first[2]} ({first[0]})",
                     f"{last[1]} / {last[2]} ({last[0]})", f"{best[1]} ({best[0]})",
                     f"{last[1] - first[1]:+d}"])
    return rows


def effectiveness_facts(eff: Effectiveness) -> list[tuple[str, str]]:
    missing = ", ".join(eff.missing[:MAX_DATES * 2])
    if len(eff.missing) > MAX_DATES * 2:
        missing += f" and {len(eff.missing) - MAX_DATES * 2} more"
    return [
        ("Audit period", f"{eff.start} to {eff.end}"),
        ("Nights counted", f"{eff.nights} (to {eff.counted_until})"),
        ("Nights with a run", str(len(eff.run_nights))),
        ("Nights with no run", f"{len(eff.missing)}" + (f": {missing}" if missing else "")),
        ("Incomplete runs", ", ".join(eff.incomplete) or "none"),
    ]


def verdict(row: ControlEffectiveness) -> str:
    """pass: passed every night it ran; fail: failed on some night; else a dash."""
    if row.failed_on:
        return "fail"
    if row.runs and row.passed == row.runs:
        return "pass"
    return "-"


def effectiveness_rows(view: HistoryView) -> list[list[str]]:
    """One row per control, in ``EFFECTIVENESS_HEADER`` order."""
    eff = view.effectiveness
    assert eff is not None
    return [[row.control_id, view.titles.get(row.control_id, ""), str(row.runs), verdict(row),
             _share(row), str(row.waived) if row.waived else "", _failed(row),
             ", ".join(f"{k} {v}" for k, v in row.other.items())] for row in eff.controls]


def _share(row: ControlEffectiveness) -> str:
    return "-" if row.share is None else f"{100 * row.share:.1f}%"


def _failed(row: ControlEffectiveness) -> str:
    dates = row.failed_on
    if not dates:
        return ""
    shown = ", ".join(dates[:MAX_DATES])
    return shown + (f" and {len(dates) - MAX_DATES} more" if len(dates) > MAX_DATES else "")
