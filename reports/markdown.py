"""A pull-request comment: new failures first, grouped by control; then what could
not be decided and what broke. Kept under GitHub's comment limit with a count of
what was left out. Resource names, messages and paths are untrusted: escaped."""

from __future__ import annotations

import re
from collections import defaultdict

from engine.model import Finding
from engine.results import Results
from engine.status import Status
from reports.findings import Catalog, location_text, sort_key
from reports.interface import Renderer

LIMIT = 65_000
_RESERVE = 400  # room for the truncation notice
# Only what can start emphasis, code, links, tables or strike-through mid-line; items
# never begin a line with untrusted text, so list and heading markers cannot fire.
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def escape(text: str) -> str:
    """Markdown- and HTML-inert text on one line."""
    flat = " ".join(str(text).split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    flat = _SPECIAL.sub(r"\\\1", flat)
    return flat.replace("@", "@\u200b")  # no mentions


class MarkdownRenderer(Renderer):
    format = "markdown"
    file_name = "results.md"
    media_type = "text/markdown"

    def render(self, results: Results) -> bytes:
        return _Writer(results).write().encode()


class _Writer:
    def __init__(self, results: Results) -> None:
        self.results = results
        self.catalog = Catalog(results)
        self.lines: list[str] = []
        self.size = 0
        self.left_out = 0
        self.full = False

    def add(self, line: str) -> bool:
        if self.full or self.size + len(line) + 1 > LIMIT - _RESERVE:
            self.full = True
            return False
        self.lines.append(line)
        self.size += len(line) + 1
        return True

    def write(self) -> str:
        results = self.results
        failing = [f for f in results.findings if f.status == Status.FAIL]
        new = [f for f in failing if f.baseline != "existing"]
        existing = [f for f in failing if f.baseline == "existing"]
        self._header(new, existing)
        self._group("New failures" if results.baseline else "Failures", new)
        # collection errors first: they are usually why checks below broke
        self._run_errors()
        self._listing("Could not be decided (unknown)",
                      [f for f in results.findings if f.status == Status.UNKNOWN])
        self._listing("Checks that broke (error)",
                      [f for f in results.findings if f.status == Status.ERROR])
        if existing:
            self._group("Failures already in the baseline", existing)
        if results.baseline and results.baseline.fixed:
            self._listing("Fixed since the baseline", results.baseline.fixed)
        self._waived()
        if self.left_out:
            self.lines.append("")
            self.lines.append(f"_… {self.left_out} more item(s) not shown: the comment is "
                              f"limited to {LIMIT:,} characters. See the full report._")
        return "\n".join(self.lines) + "\n"

    def _header(self, new: list[Finding], existing: list[Finding]) -> None:
        summary = self.results.summary
        verdict = "❌" if new else ("⚠️" if not self.results.run.complete else "✅")
        self.add(f"## {verdict} assay compliance check")
        self.add("")
        counts = ", ".join(f"{summary[k]} {k}" for k in sorted(summary) if summary[k])
        self.add(f"**{len(new)}** new failing finding(s)"
                 + (f", {len(existing)} already in the baseline" if self.results.baseline else "")
                 + (f" — {counts}" if counts else ""))
        if not self.results.run.complete:
            self.add("")
            self.add("> **The run is incomplete:** some evidence could not be collected; "
                     "see the errors below.")

    def _group(self, title: str, findings: list[Finding]) -> None:
        if not findings:
            return
        self.add("")
        self.add(f"### {title} ({len(findings)})")
        by_control: dict[str, list[Finding]] = defaultdict(list)
        for finding in sorted(findings, key=sort_key):
            by_control[finding.control_id].append(finding)
        order = sorted(by_control, key=lambda c: (-self.catalog.severity(c).rank, c))
        for control_id in order:
            group = by_control[control_id]
            severity = self.catalog.severity(control_id).value
            if not self.add("") or not self.add(
                    f"#### `{control_id}` {escape(self.catalog.title(control_id))} "
                    f"— {severity}"):
                self.left_out += len(group)
                continue
            for position, finding in enumerate(group):
                if not self.add(self._item(finding)):
                    self.left_out += len(group) - position
                    break
            remediation = self.catalog.remediation(group[0])
            if remediation:
                self.add(f"  - _Remediation:_ {escape(remediation)}")

    def _item(self, finding: Finding) -> str:
        where = location_text(finding)
        at = f" at `{_code(where)}`" if where else ""
        return (f"- `{_code(finding.resource.id)}`{at} ({escape(finding.check_id)}): "
                f"{escape(finding.message)}")

    def _listing(self, title: str, findings: list[Finding]) -> None:
        if not findings:
            return
        self.add("")
        self.add(f"### {title} ({len(findings)})")
        ordered = sorted(findings, key=sort_key)
        for position, finding in enumerate(ordered):
            line = f"- `{_code(finding.control_id)}` " + self._item(finding)[2:]
            if not self.add(line):
                self.left_out += len(ordered) - position
                return

    def _run_errors(self) -> None:
        errors = self.results.run.errors
        if not errors:
            return
        self.add("")
        self.add(f"### Collection errors ({len(errors)})")
        for position, err in enumerate(errors):
            where = f" `{_code(err.location)}`" if err.location else ""
            if not self.add(f"- {escape(err.source)}{where}: {escape(err.message)}"):
                self.left_out += len(errors) - position
                return

    def _waived(self) -> None:
        waived = [f for f in self.results.findings if f.status == Status.WAIVED]
        if waived:
            self.add("")
            self.add(f"<details><summary>{len(waived)} waived finding(s)</summary>")
            self.add("")
            for position, finding in enumerate(sorted(waived, key=sort_key)):
                line = f"- `{_code(finding.control_id)}` `{_code(finding.resource.id)}`: " \
                       f"waiver {escape(finding.waiver or '')}"
                if not self.add(line):
                    self.left_out += len(waived) - position
                    break
            self.lines.append("")
            self.lines.append("</details>")


def _code(text: str) -> str:
    """Text inside a code span: no backticks or line breaks can escape it."""
    return " ".join(str(text).split()).replace("`", "'")
