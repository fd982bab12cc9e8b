"""The auditor's PDF (reportlab platypus), sections in the order of DESIGN "Outputs".

Same results → same bytes: reportlab runs in invariant mode and the document's
creation date, its ID seed and every date printed come from the run, never from
the clock.

Sections are data (``Section``: key, title, builder) so optional ones can be slotted
in without touching this module: ``PdfRenderer(history=…)`` loads
``reports.pdf_history.sections(history)`` — a list of ``(after_key, Section)``
pairs — and ``extra_sections=`` takes such pairs directly. The history module
belongs with the locker's run index; this renderer only reads ``Results``.
"""

from __future__ import annotations

import importlib
import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from hashlib import md5
from typing import Any

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate
from reportlab.platypus.tableofcontents import TableOfContents

from engine.model import Finding
from engine.results import Results
from reports.interface import Renderer
from reports.pdf_style import FONT, PAGE_MARGIN, STYLES, esc
from reports.view import findings_by_check


@dataclass
class PdfContext:
    """What a section builder gets: the results, the usable width and shared lookups."""

    results: Results
    width: float
    history: Any = None
    _by_check: dict[tuple[str, str], list[Finding]] | None = field(default=None, repr=False)
    entries: list[tuple[int, str, str]] = field(default_factory=list)  # level, text, key
    tocs: list[TableOfContents] = field(default_factory=list)

    @property
    def by_check(self) -> dict[tuple[str, str], list[Finding]]:
        if self._by_check is None:
            self._by_check = findings_by_check(self.results)
        return self._by_check

    def heading(self, text: str, level: int = 0) -> Heading:
        return Heading(text, level, self._entry(text, level))

    def bookmark(self, text: str, level: int = 0) -> Bookmark:
        return Bookmark(text, level, self._entry(text, level))

    def _entry(self, text: str, level: int) -> str:
        key = f"h{len(self.entries) + 1}"
        self.entries.append((level, text, key))
        return key

    def seed_contents(self) -> None:
        """Give the contents its final entries before the first pass.

        Every heading is known once the story is built, so the first pass already
        lays the contents out at full length; only page numbers change, and the
        second pass settles them and "page X of Y" together (two passes, not three).
        """
        entries = [(level, esc(text), 999, key) for level, text, key in self.entries]
        for toc in self.tocs:
            toc._entries = list(entries)  # beforeBuild() moves them to _lastEntries


SectionBuilder = Callable[[PdfContext], list[Flowable]]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    build: SectionBuilder


class Heading(Flowable):  # type: ignore[misc]
    """A section heading that is also a bookmark and a contents entry."""

    def __init__(self, text: str, level: int, key: str) -> None:
        super().__init__()
        from reportlab.platypus import Paragraph

        self.text, self.level, self.key = text, level, key
        self._para = Paragraph(esc(text), STYLES["h1" if level == 0 else "h2"])
        self.keepWithNext = 1  # never a heading alone at the foot of a page

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        w, h = self._para.wrap(aw, ah)
        return w, h

    def getSpaceBefore(self) -> float:  # noqa: N802 - reportlab API
        return float(self._para.getSpaceBefore())

    def getSpaceAfter(self) -> float:  # noqa: N802 - reportlab API
        return float(self._para.getSpaceAfter())

    def draw(self) -> None:
        self._para.drawOn(self.canv, 0, 0)


class Bookmark(Flowable):  # type: ignore[misc]
    """A bookmark and contents entry that draws nothing (the cover)."""

    def __init__(self, text: str, level: int, key: str) -> None:
        super().__init__()
        self.text, self.level, self.key = text, level, key

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


class _Doc(BaseDocTemplate):  # type: ignore[misc]
    def __init__(self, buffer: io.BytesIO, results: Results) -> None:
        run = results.run
        super().__init__(
            buffer, pagesize=A4, leftMargin=PAGE_MARGIN, rightMargin=PAGE_MARGIN,
            topMargin=PAGE_MARGIN, bottomMargin=PAGE_MARGIN + 4,
            title=f"Compliance assessment — {run.organization or run.id}",
            author=run.organization or "assay", subject=f"assay run {run.id}",
            creator=f"assay {run.tool_version}", producer="assay", invariant=1,
        )
        self.run_id = run.id
        self.total_pages = 0  # from the previous pass; see _allSatisfied
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._footer)])

    @property
    def layout_pass(self) -> bool:
        """The first pass: nothing it draws is kept (it never satisfies _allSatisfied)."""
        return self.total_pages == 0

    def _footer(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, _ = self.pagesize
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillGray(0.35)
        canvas.drawString(PAGE_MARGIN, PAGE_MARGIN - 8, f"assay run {self.run_id}")
        canvas.drawRightString(width - PAGE_MARGIN, PAGE_MARGIN - 8,
                               f"page {self.page} of {self.total_pages or '?'}")
        canvas.restoreState()

    def _allSatisfied(self) -> bool:  # noqa: N802 - reportlab API
        """Also build again until "of Y" in the footers equals the page count.

        Footers are drawn as each page starts, so they use the previous pass's
        count; the footer text never changes the layout, so one extra pass settles it.
        """
        stable = self.total_pages == self.page
        self.total_pages = self.page
        return bool(super()._allSatisfied()) and stable

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - reportlab API
        if isinstance(flowable, Heading | Bookmark):
            self.canv.bookmarkPage(flowable.key)
            self.canv.addOutlineEntry(flowable.text, flowable.key, level=flowable.level,
                                      closed=flowable.level > 0)
            self.notify("TOCEntry", (flowable.level, esc(flowable.text), self.page, flowable.key))


def _pin_time(canvas: Canvas, when: datetime) -> None:
    """Use the run's time for the creation date and the document ID seed.

    reportlab takes them from SOURCE_DATE_EPOCH or a fixed date in invariant mode;
    the report's date is the run's, whatever the environment says.
    """
    doc = canvas._doc
    stamp = doc._timeStamp
    stamp.t = when.timestamp()
    stamp.lt = time.gmtime(stamp.t)
    stamp.YMDhms = tuple(stamp.lt)[:6]
    stamp.dhh = stamp.dmm = 0
    stamp.tzname = "UTC"
    doc.signature = md5(usedforsecurity=False)
    doc.signature.update(b"a reportlab document")
    doc.signature.update(ascii(stamp.t).encode())


class _PinnedCanvas(Canvas):  # type: ignore[misc]
    def __init__(self, *args: Any, when: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _pin_time(self, when)


def _contents(ctx: PdfContext) -> list[Flowable]:
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = [STYLES["toc0"], STYLES["toc1"]]
    ctx.tocs.append(toc)
    return [ctx.heading("Contents"), toc, PageBreak()]


def default_sections() -> list[Section]:
    from reports import pdf_back, pdf_controls, pdf_frameworks, pdf_front

    return [
        Section("cover", "Cover", pdf_front.cover),
        Section("contents", "Contents", _contents),
        Section("summary", "Executive summary", pdf_front.executive_summary),
        Section("scope", "Scope and method", pdf_front.scope_and_method),
        Section("matrices", "Requirement matrices", pdf_frameworks.requirement_matrices),
        Section("soa", "Statement of Applicability", pdf_frameworks.statement_of_applicability),
        Section("controls", "Control details", pdf_controls.control_details),
        Section("exceptions", "Exceptions register", pdf_back.exceptions_register),
        Section("attestations", "Attestations", pdf_back.attestations),
        Section("manifest", "Evidence manifest", pdf_back.evidence_manifest),
        Section("signoff", "Sign-off", pdf_back.sign_off),
    ]


def arrange(sections: Sequence[Section], extras: Sequence[tuple[str, Section]]) -> list[Section]:
    """Insert each extra section after the section keyed ``after`` (at the end if absent)."""
    ordered = list(sections)
    for after, extra in extras:
        keys = [s.key for s in ordered]
        at = keys.index(after) + 1 if after in keys else len(ordered)
        while at < len(ordered) and ordered[at].key.startswith(after + "."):
            at += 1  # keep several extras after one anchor in the order given
        ordered.insert(at, Section(f"{after}.{extra.key}", extra.title, extra.build))
    return ordered


class PdfRenderer(Renderer):
    format = "pdf"
    file_name = "report.pdf"
    media_type = "application/pdf"

    def __init__(self, history: Any = None,
                 extra_sections: Sequence[tuple[str, Section]] | None = None) -> None:
        self.history = history
        if extra_sections is None and history is not None:
            module = importlib.import_module("reports.pdf_history")
            extra_sections = module.sections(history)
        self.extra_sections = list(extra_sections or [])

    def render(self, results: Results) -> bytes:
        rl_config.invariant = 1
        buffer = io.BytesIO()
        doc = _Doc(buffer, results)
        ctx = PdfContext(results, doc.width, self.history)
        story: list[Flowable] = []
        for section in arrange(default_sections(), self.extra_sections):
            story.extend(section.build(ctx))
        ctx.seed_contents()
        maker = partial(_PinnedCanvas, when=results.run.finished)
        doc.multiBuild(story, canvasmaker=maker)
        return buffer.getvalue()
