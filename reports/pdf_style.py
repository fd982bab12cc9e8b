"""Styles, escaping and table helpers shared by the PDF sections.

Every string that reaches a Paragraph goes through ``esc`` (or ``para``): reportlab
parses Paragraph text as markup, so an unescaped resource name such as
``<font size=72>`` would restyle the report — or crash it.

Table cells are plain strings wrapped here rather than Paragraphs: a plain cell is
drawn as text, never parsed as markup, and wrapping it ourselves is several times
faster than Paragraph layout — which is what keeps a 10,000-finding report within
its time budget.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import registerFont, stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from engine.errors import RenderError

PAGE_MARGIN = 18 * mm


def _register(name: str, path: str) -> str:
    from reportlab.pdfbase.ttfonts import TTFont

    try:
        registerFont(TTFont(name, path))
    except Exception as exc:  # reportlab raises TTFError, OSError or struct errors
        raise RenderError(f"ASSAY_PDF_FONT: {path}: not a usable TrueType font "
                          f"({type(exc).__name__}: {exc})") from None
    return name


def _text_fonts() -> tuple[str, str]:
    """Helvetica, or the TrueType font ``$ASSAY_PDF_FONT`` names (bold: ``$ASSAY_PDF_FONT_BOLD``,
    else the same file): the standard PDF fonts have Latin glyphs only, so names in Greek,
    Cyrillic or CJK scripts need a font that has them. The font is embedded (subset)."""
    regular = os.environ.get("ASSAY_PDF_FONT")
    if not regular:
        return "Helvetica", "Helvetica-Bold"
    bold = os.environ.get("ASSAY_PDF_FONT_BOLD") or regular
    return _register("AssayText", regular), _register("AssayTextBold", bold)


FONT, BOLD = _text_fonts()
MONO = "Courier"

STATUS_COLORS: dict[str, colors.Color] = {
    "pass": colors.HexColor("#2e7d32"),
    "satisfied": colors.HexColor("#2e7d32"),
    "fail": colors.HexColor("#c62828"),
    "not_satisfied": colors.HexColor("#c62828"),
    "error": colors.HexColor("#6a1b9a"),
    "unknown": colors.HexColor("#ef6c00"),
    "incomplete": colors.HexColor("#ef6c00"),
    "not_collected": colors.HexColor("#795548"),
    "manual_pending": colors.HexColor("#1565c0"),
    "waived": colors.HexColor("#00838f"),
    "not_applicable": colors.HexColor("#757575"),
    "not_covered": colors.HexColor("#9e9e9e"),
}
HEADER_BG = colors.HexColor("#263238")
ROW_ALT = colors.HexColor("#f3f5f7")
GRID = colors.HexColor("#c5cbd3")

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _style(name: str, **kw: Any) -> ParagraphStyle:
    base: dict[str, Any] = {"fontName": FONT, "fontSize": 9, "leading": 11.5}
    base.update(kw)
    return ParagraphStyle(name, **base)


STYLES: dict[str, ParagraphStyle] = {
    "title": _style("title", fontName=BOLD, fontSize=26, leading=32, spaceAfter=6),
    "subtitle": _style("subtitle", fontSize=14, leading=18, textColor=colors.HexColor("#455a64")),
    "h1": _style("h1", fontName=BOLD, fontSize=17, leading=21, spaceBefore=4, spaceAfter=8),
    "h2": _style("h2", fontName=BOLD, fontSize=12.5, leading=16, spaceBefore=10, spaceAfter=5,
                 keepWithNext=1),
    "h3": _style("h3", fontName=BOLD, fontSize=10, leading=13, spaceBefore=7, spaceAfter=3,
                 keepWithNext=1),
    "body": _style("body", spaceAfter=4),
    "small": _style("small", fontSize=7.5, leading=9.2),
    "mono": _style("mono", fontName=MONO, fontSize=7.5, leading=9.2),
    "mono_small": _style("mono_small", fontName=MONO, fontSize=6.3, leading=8.5),
    "cell": _style("cell", fontSize=7.5, leading=9.2),
    "cell_bold": _style("cell_bold", fontName=BOLD, fontSize=7.5, leading=9.2),
    "head": _style("head", fontName=BOLD, fontSize=7.5, leading=9.2, textColor=colors.white),
    "warn": _style("warn", fontName=BOLD, fontSize=10, leading=13, textColor=STATUS_COLORS["fail"]),
    "center": _style("center", alignment=TA_CENTER),
    "toc0": _style("toc0", fontName=BOLD, fontSize=10, leading=14),
    "toc1": _style("toc1", fontSize=8.5, leading=11, leftIndent=14),
}


def esc(text: object) -> str:
    """Untrusted text as Paragraph markup that prints literally."""
    return escape(_CONTROL_CHARS.sub(" ", str(text)))


def para(text: object, style: str = "cell") -> Paragraph:
    return Paragraph(esc(text), STYLES[style])


def status_para(status: object, style: str = "cell_bold") -> Paragraph:
    value = str(status)
    color = STATUS_COLORS.get(value, colors.black).hexval()[2:]
    return Paragraph(f'<font color="#{color}">{esc(value)}</font>', STYLES[style])


class StatusCell(str):
    """A table cell drawn bold in its status colour."""

    __slots__ = ()


CELL_SIZE = 7.5
CELL_LEADING = 9.2
CELL_PAD = 3
# A table row cannot break across pages: a cell taller than a page stops the whole
# report (LayoutError). Evidence text can be any length, so cells are capped; the
# full text is in results.csv.
CELL_MAX_LINES = 24


def _cut_word(word: str, width: float, font: str, size: float) -> list[str]:
    """A word wider than ``width`` cut into pieces that fit (at least one character each)."""
    pieces: list[str] = []
    start, total = 0, 0.0
    for i, ch in enumerate(word):
        w = stringWidth(ch, font, size)
        if total + w > width and i > start:
            pieces.append(word[start:i])
            start, total = i, 0.0
        total += w
    pieces.append(word[start:])
    return pieces


def wrap_text(text: object, width: float, font: str = FONT, size: float = CELL_SIZE,
              max_lines: int = CELL_MAX_LINES) -> str:
    """``text`` broken into lines no wider than ``width``; over-long words are cut and
    more than ``max_lines`` lines are cut short with a pointer to results.json, which holds
    every cell in full (results.csv has the findings only)."""
    # No line holds more characters than this (the narrowest glyphs are ~0.2 em), so
    # a longer text cannot fit in max_lines anyway: never measure more than that.
    budget = int(max_lines * width / (0.18 * size)) + 1
    raw_text = _CONTROL_CHARS.sub(" ", str(text)[:budget])
    space = stringWidth(" ", font, size)
    lines: list[str] = []
    for raw in raw_text.split("\n"):
        line, line_w = "", 0.0
        for word in raw.split(" "):
            word_w = stringWidth(word, font, size)
            if line and line_w + space + word_w <= width:
                line, line_w = f"{line} {word}", line_w + space + word_w
                continue
            if line:
                lines.append(line)
            if word_w > width:
                *full, word = _cut_word(word, width, font, size)
                lines += full
                word_w = stringWidth(word, font, size)
            line, line_w = word, word_w
            if len(lines) > max_lines:
                break
        lines.append(line)
        if len(lines) > max_lines:
            break
    if len(lines) > max_lines or len(str(text)) > budget:
        lines = lines[:max_lines - 1] + ["… (cut short; full text in results.json)"]
    return "\n".join(lines)


class LayoutTable(Table):  # type: ignore[misc]
    """A Table that skips drawing on the document's layout-only first pass.

    The first pass only measures (page count, contents page numbers) and its canvas is
    thrown away; drawing thousands of cells there would be wasted work.
    """

    def draw(self) -> None:
        doc = getattr(self.canv, "_doctemplate", None)
        if getattr(doc, "layout_pass", False):
            return
        super().draw()


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float],
          *, zebra: bool = True) -> Table:
    """A full-width table whose header repeats on every page it spans.

    Cells that are already flowables are used as they are; anything else is escaped
    into a wrapping Paragraph.
    """
    head = [Paragraph(esc(h), STYLES["head"]) for h in header]
    inner = [w - 2 * CELL_PAD for w in widths]
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 1), (-1, -1), FONT, CELL_SIZE, CELL_LEADING),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    body: list[list[Any]] = []
    for r, row in enumerate(rows, start=1):
        cells: list[Any] = []
        for c, value in enumerate(row):
            if isinstance(value, Flowable):
                cells.append(value)
                continue
            if isinstance(value, StatusCell):
                color = STATUS_COLORS.get(str(value).split(" ")[0], colors.black)
                commands += [("TEXTCOLOR", (c, r), (c, r), color),
                             ("FONT", (c, r), (c, r), BOLD, CELL_SIZE, CELL_LEADING)]
            cells.append(wrap_text(value, inner[c]))
        body.append(cells)
    t = LayoutTable([head, *body], colWidths=list(widths), repeatRows=1)
    if zebra and len(body) > 1:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ROW_ALT]))
    t.setStyle(TableStyle(commands))
    return t


def facts(rows: Sequence[tuple[str, Any]], width: float, key_width: float = 42 * mm) -> Table:
    """A two-column key/value table (cover, control header)."""
    body = [[Paragraph(esc(k), STYLES["cell_bold"]), v if isinstance(v, Flowable) else para(v)]
            for k, v in rows]
    t = Table(body, colWidths=[key_width, width - key_width])
    t.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return t


def gap(height: float = 4 * mm) -> Spacer:
    return Spacer(1, height)
