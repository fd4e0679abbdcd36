"""PDF rendering of a ReportDocument with reportlab: cover, table of contents with PDF bookmarks,
named styles, header and footer with "page X / Y", charts as Drawings, an embedded TTF font
(DejaVu Sans: accented and non-French Latin letters), PDF metadata. Built into bytes.

Table columns are sized so that the longest word of each column fits (words are never split; a
table too wide for the page gets a smaller font). A draft carries "PROJET" across every page and its
completeness line in the header.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.spider import SpiderChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageBreakIfNotEmpty,
    PageTemplate,
    Spacer,
    TableStyle,
)  # fmt: skip
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import (
    Table as RLTable,
)
from reportlab.platypus.paragraph import split
from reportlab.platypus.tableofcontents import TableOfContents

from ivo_app.audit.report.document import (
    BarChart,
    KeyFigures,
    Paragraph,
    RadarChart,
    ReportDocument,
    Section,
    Table,
)
from ivo_app.audit.report.french import decimal

FONT, FONT_BOLD = "IVOSans", "IVOSans-Bold"
BLUE = colors.HexColor("#1f4e79")
PAD = 4  # cell padding, left and right
CELL_SIZES = (8.5, 7.5, 6.5)  # font sizes tried, largest first, until the longest words fit
BODY_WIDTH = A4[0] - 4 * cm


def register_fonts(folder: Path) -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, spaceAfter=4)
    return {
        "body": base,
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, textColor=colors.grey),
        "emphasis": ParagraphStyle("emphasis", parent=base, fontName=FONT_BOLD),
        "box": ParagraphStyle("box", parent=base, fontName=FONT_BOLD, textColor=colors.HexColor("#9c2a00"),
                              backColor=colors.HexColor("#fdf1e6"), borderPadding=5, spaceBefore=5, spaceAfter=9),
        "h0": ParagraphStyle("h0", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20, textColor=BLUE,
                             spaceBefore=6, spaceAfter=10),
        "h1": ParagraphStyle("h1", parent=base, fontName=FONT_BOLD, fontSize=12, leading=16, textColor=BLUE,
                             spaceBefore=8, spaceAfter=6),
        "cover_title": ParagraphStyle("cover_title", parent=base, fontName=FONT_BOLD, fontSize=24, leading=30,
                                      alignment=TA_CENTER, textColor=BLUE, spaceAfter=18),
        "cover": ParagraphStyle("cover", parent=base, fontSize=12, leading=17, alignment=TA_CENTER),
        "figure": ParagraphStyle("figure", parent=base, fontName=FONT_BOLD, fontSize=15, leading=18,
                                 alignment=TA_CENTER, textColor=BLUE, spaceAfter=0),
        "figure_label": ParagraphStyle("figure_label", parent=base, fontSize=8, leading=10, alignment=TA_CENTER,
                                       spaceAfter=0),
        "toc0": ParagraphStyle("toc0", parent=base, fontSize=10.5, leftIndent=10, firstLineIndent=-10),
        "toc1": ParagraphStyle("toc1", parent=base, fontSize=9, leftIndent=24, firstLineIndent=-10),
    }  # fmt: skip


def cell_style(size: float, bold: bool = False) -> ParagraphStyle:
    # splitLongWords off: a word is never cut; column widths are computed so that it fits.
    return ParagraphStyle(f"cell{size}{bold}", fontName=FONT_BOLD if bold else FONT, fontSize=size,
                          leading=size * 1.3, spaceAfter=0, splitLongWords=0)  # fmt: skip


class _Doc(BaseDocTemplate):  # type: ignore[misc]  # reportlab ships no type hints
    """Feeds the table of contents and the PDF outline from the headings as they are laid out."""

    def __init__(self, buffer: io.BytesIO, document: ReportDocument, **kwargs: Any) -> None:
        super().__init__(buffer, pagesize=A4, title=document.title, author=document.author,
                         subject=document.subtitle, creator="IVO", lang="fr-FR", **kwargs)  # fmt: skip
        self.document = document
        self._heading = 0

    def beforeDocument(self) -> None:  # reportlab calls it at each layout pass
        self._heading = 0  # the same bookmark keys on every pass, so the contents can settle

    def afterFlowable(self, flowable: Any) -> None:
        level = getattr(flowable, "toc_level", None)
        if level is None:
            return
        text = flowable.getPlainText()
        key = f"h{self._heading}"
        self._heading += 1
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=False)
        self.notify("TOCEntry", (level, text, self.page, key))


def _frame_pages(doc: _Doc, total_pages: int | None) -> list[PageTemplate]:
    width, height = A4
    frame = Frame(2 * cm, 2 * cm, width - 4 * cm, height - 4 * cm, id="body")
    draft = doc.document.draft

    def mark(canvas: Any) -> None:
        if draft is None:
            return
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.85, 0.2, 0.1, alpha=0.13))
        canvas.setFont(FONT_BOLD, 110)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(50)
        canvas.drawCentredString(0, -35, "PROJET")
        canvas.restoreState()
        canvas.saveState()
        canvas.setFont(FONT_BOLD, 7.5)
        canvas.setFillColor(colors.HexColor("#9c2a00"))
        canvas.drawCentredString(width / 2, height - 0.75 * cm, f"PROJET — audit incomplet · {draft}"[:120])
        canvas.restoreState()

    def first(canvas: Any, d: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(BLUE)
        canvas.rect(0, height - 1.2 * cm, width, 0.5 * cm, fill=1, stroke=0)
        canvas.restoreState()
        mark(canvas)

    def later(canvas: Any, d: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(2 * cm, height - 1.3 * cm, f"{doc.document.title} — {doc.document.facility}"[:110])
        canvas.line(2 * cm, height - 1.45 * cm, width - 2 * cm, height - 1.45 * cm)
        total = f" / {total_pages}" if total_pages else ""
        canvas.drawRightString(width - 2 * cm, 1.2 * cm, f"page {d.page}{total}")
        canvas.drawString(2 * cm, 1.2 * cm, doc.document.footer[:120])
        canvas.restoreState()
        mark(canvas)

    return [PageTemplate("first", [frame], onPage=first), PageTemplate("later", [frame], onPage=later)]


def _story(document: ReportDocument, st: dict[str, ParagraphStyle]) -> list[Any]:
    story: list[Any] = [Spacer(1, 4 * cm), RLParagraph(escape(document.title), st["cover_title"])]
    story += [RLParagraph(escape(line), st["cover"]) for line in document.cover_lines]
    if document.draft:
        story += [Spacer(1, 1 * cm), RLParagraph(escape(f"PROJET — {document.draft}"), st["box"])]
    story += [NextPageTemplate("later"), PageBreak(), RLParagraph("Sommaire", st["h0"])]
    toc = TableOfContents()
    toc.levelStyles = [st["toc0"], st["toc1"]]
    story.append(toc)
    for section in document.sections:
        story += _section(section, st)
    return story


def _section(section: Section, st: dict[str, ParagraphStyle]) -> list[Any]:
    if section.level == 0:
        # PageBreakIfNotEmpty: a chapter following a table that just filled its page gets no blank page.
        flow: list[Any] = [PageBreakIfNotEmpty()] if section.new_page else [CondPageBreak(8 * cm)]
    else:
        flow = [CondPageBreak(4 * cm)]
    heading = RLParagraph(escape(section.title), st[f"h{min(section.level, 1)}"])
    heading.toc_level = section.level
    flow.append(heading)
    for block in section.blocks:
        if isinstance(block, Paragraph):
            flow.append(RLParagraph(escape(block.text).replace("\n", "<br/>"), st[block.style]))
        elif isinstance(block, Table):
            flow.append(_spaced(_table(block), 6))
        elif isinstance(block, BarChart):
            flow.append(_spaced(KeepTogether([_chart(block)]), 6))
        elif isinstance(block, RadarChart):
            flow.append(_spaced(KeepTogether([_radar(block)]), 6))
        elif isinstance(block, KeyFigures):
            flow.append(_spaced(_figures(block, st), 8))
    return flow


def _spaced(flowable: Any, after: float) -> Any:
    # Space as the flowable's own spaceAfter, not a Spacer: a Spacer pushed to the next page would make
    # that page "not empty" and the next chapter's page break would leave it blank.
    flowable.spaceAfter = after
    return flowable


def _words(text: str) -> list[str]:
    words: list[str] = split(text)
    return words


def table_layout(block: Table, width: float = BODY_WIDTH) -> tuple[list[float], float]:
    """Column widths and font size such that every word of every cell fits its column."""
    rel = block.widths or [1.0] * len(block.headers)
    for size in CELL_SIZES:
        need = []
        for col in range(len(block.headers)):
            head = max(
                (pdfmetrics.stringWidth(w, FONT_BOLD, size) for w in _words(block.headers[col])), default=0
            )
            body = max((pdfmetrics.stringWidth(w, FONT, size) for row in block.rows if col < len(row)
                        for w in _words(str(row[col]))), default=0)  # fmt: skip
            need.append(max(head, body) + 2 * PAD + 1)
        if sum(need) <= width or size == CELL_SIZES[-1]:
            break
    widths = [width * w / sum(rel) for w in rel]
    for _ in range(len(widths)):  # raise columns below their need, taking from those with room
        short = [i for i, w in enumerate(widths) if w < need[i] - 0.01]
        if not short:
            break
        deficit = sum(need[i] - widths[i] for i in short)
        for i in short:
            widths[i] = need[i]
        room = {i: widths[i] - need[i] for i in range(len(widths)) if i not in short and widths[i] > need[i]}
        total_room = sum(room.values())
        if total_room <= 0:
            break
        take = min(deficit, total_room)
        for i, r in room.items():
            widths[i] -= take * r / total_room
    return widths, size


def _table(block: Table) -> RLTable:
    widths, size = table_layout(block)
    head, cell = cell_style(size, bold=True), cell_style(size)
    data = [[RLParagraph(escape(h), head) for h in block.headers]]
    data += [[RLParagraph(escape(str(c)).replace("\n", "<br/>"), cell) for c in row] for row in block.rows]
    if not block.rows:
        data.append([RLParagraph("Aucune donnée.", cell)] + [""] * (len(block.headers) - 1))
    table = RLTable(data, colWidths=widths, repeatRows=1)
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dce6f1")),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f5f7fa")]),
    ]
    if not block.rows:
        commands.append(("SPAN", (0, 1), (-1, 1)))
    table.setStyle(TableStyle(commands))
    return table


def _nice_max(values: list[float], unit: str) -> tuple[float, float]:
    """An axis maximum at or above every bar, and its step; 0–100 for percentages of a whole."""
    top = max(values, default=0.0)
    if unit == "%" and top <= 100:
        return 100.0, 20.0
    if top <= 0:
        return 1.0, 1.0
    magnitude = 10 ** math.floor(math.log10(top))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude / 5 if factor * magnitude >= top else None
        if step:
            step = max(step, 1.0) if all(float(v).is_integer() for v in values) else step
            return math.ceil(top / step) * step, step
    return top, top / 5


def _label(value: float) -> str:
    return decimal(value, 0) if float(value).is_integer() else decimal(value, 1)


def _chart(block: BarChart) -> Drawing:
    width, bar = BODY_WIDTH, 14
    height = 40 + bar * max(1, len(block.values)) * 1.4
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 170, 18
    chart.width, chart.height = width - 215, height - 40
    chart.data = [block.values or [0]]
    chart.categoryAxis.categoryNames = block.labels or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.reverseDirection = True  # first label at the top, as in the tables
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top, step = _nice_max(block.values, block.unit)
    chart.valueAxis.valueMax = top
    chart.valueAxis.valueStep = step
    chart.valueAxis.labelTextFormat = _label
    chart.bars[0].fillColor = BLUE
    chart.barLabelFormat = _label
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 12
    drawing.add(chart)
    drawing.add(String(0, height - 12, f"{block.title}{' (' + block.unit + ')' if block.unit else ''}",
                       fontName=FONT_BOLD, fontSize=9))  # fmt: skip
    return drawing


def _radar(block: RadarChart) -> Drawing:
    width, height = BODY_WIDTH, 250
    drawing = Drawing(width, height)
    chart = SpiderChart()
    chart.x, chart.y = 90, 15
    chart.width, chart.height = width - 180, height - 45
    # Rings at 25, 50, 75 and 100 % drawn as grey strands: they also fix the scale at 0–100 %, which
    # SpiderChart would otherwise stretch to the largest value.
    rings = [25.0, 50.0, 75.0, 100.0]
    chart.data = [[r] * len(block.labels) for r in rings] + [values for _, values in block.series]
    chart.labels = block.labels
    chart.strands.strokeWidth = 1.2
    chart.spokes.strokeColor = colors.lightgrey
    for i in range(len(rings)):
        chart.strands[i].strokeColor = colors.lightgrey
        chart.strands[i].strokeWidth = 0.4
        chart.strands[i].fillColor = None
    palette = [BLUE, colors.HexColor("#c0504d"), colors.HexColor("#9bbb59")]
    for i in range(len(block.series)):
        chart.strands[len(rings) + i].strokeColor = palette[i % len(palette)]
        chart.strands[len(rings) + i].fillColor = None
    chart.strandLabels.fontName = FONT
    chart.spokeLabels.fontName = FONT
    chart.spokeLabels.fontSize = 7
    chart.strandLabels.fontSize = 6
    drawing.add(chart)
    cx, cy = chart.x + chart.width / 2, chart.y + chart.height / 2
    radius = min(chart.width, chart.height) / 2
    for r in rings:  # the ring's value on the upward spoke
        drawing.add(String(cx + 2, cy + radius * r / 100 - 7, decimal(r, 0) + "\u00a0%", fontName=FONT, fontSize=5.5,
                           fillColor=colors.grey))  # fmt: skip
    drawing.add(String(0, height - 12, block.title, fontName=FONT_BOLD, fontSize=9))
    x = width - 150
    for i, (name, _) in enumerate(block.series):
        drawing.add(Rect(x, height - 28 - 12 * i, 8, 8, fillColor=palette[i % len(palette)], strokeWidth=0))
        drawing.add(String(x + 12, height - 27 - 12 * i, name, fontName=FONT, fontSize=7.5))
    return drawing


def _figures(block: KeyFigures, st: dict[str, ParagraphStyle]) -> Any:
    per_row = 4
    cells = [[RLParagraph(escape(v), st["figure"]), RLParagraph(escape(label), st["figure_label"])]
             for v, label in block.figures]  # fmt: skip
    rows = []
    for start in range(0, len(cells), per_row):
        chunk = cells[start : start + per_row]
        chunk += [["", ""]] * (per_row - len(chunk))
        rows.append(chunk)
    table = RLTable([[c for c in row] for row in rows], colWidths=[BODY_WIDTH / per_row] * per_row)
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.5, BLUE), ("INNERGRID", (0, 0), (-1, -1), 0.3, colors.lightgrey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))  # fmt: skip
    return KeepTogether([table])


def render_pdf(document: ReportDocument, fonts: Path) -> bytes:
    """The PDF as bytes: laid out twice, so the contents and "page X / Y" are right."""
    register_fonts(fonts)
    st = styles()
    total: int | None = None
    for _ in range(2):
        buffer = io.BytesIO()
        doc = _Doc(buffer, document)
        doc.addPageTemplates(_frame_pages(doc, total))
        doc.multiBuild(_story(document, st))
        total = doc.page
    return buffer.getvalue()
