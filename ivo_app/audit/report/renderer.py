"""PDF rendering of a ReportDocument with reportlab: cover, table of contents with PDF bookmarks,
named styles, header and footer with "page X / Y", bar charts as Drawings, an embedded TTF font
(DejaVu Sans: accented and non-French Latin letters), PDF metadata. Built into bytes."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
    TableStyle,
)  # fmt: skip
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import (
    Table as RLTable,
)
from reportlab.platypus.tableofcontents import TableOfContents

from ivo_app.audit.report.document import BarChart, Paragraph, ReportDocument, Section, Table

FONT, FONT_BOLD = "IVOSans", "IVOSans-Bold"
BLUE = colors.HexColor("#1f4e79")


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
        "h0": ParagraphStyle("h0", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20, textColor=BLUE,
                             spaceBefore=6, spaceAfter=10),
        "h1": ParagraphStyle("h1", parent=base, fontName=FONT_BOLD, fontSize=12, leading=16, textColor=BLUE,
                             spaceBefore=8, spaceAfter=6),
        "cover_title": ParagraphStyle("cover_title", parent=base, fontName=FONT_BOLD, fontSize=24, leading=30,
                                      alignment=TA_CENTER, textColor=BLUE, spaceAfter=18),
        "cover": ParagraphStyle("cover", parent=base, fontSize=12, leading=17, alignment=TA_CENTER),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11, spaceAfter=0),
        "toc0": ParagraphStyle("toc0", parent=base, fontSize=10.5, leftIndent=10, firstLineIndent=-10),
        "toc1": ParagraphStyle("toc1", parent=base, fontSize=9, leftIndent=24, firstLineIndent=-10),
    }  # fmt: skip


class _Doc(BaseDocTemplate):
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

    def first(canvas: Any, d: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(BLUE)
        canvas.rect(0, height - 1.2 * cm, width, 1.2 * cm, fill=1, stroke=0)
        canvas.restoreState()

    def later(canvas: Any, d: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(2 * cm, height - 1.3 * cm, f"{doc.document.title} — {doc.document.facility}"[:110])
        canvas.line(2 * cm, height - 1.45 * cm, width - 2 * cm, height - 1.45 * cm)
        total = f" / {total_pages}" if total_pages else ""
        canvas.drawRightString(width - 2 * cm, 1.2 * cm, f"page {d.page}{total}")
        canvas.drawString(2 * cm, 1.2 * cm, "Document confidentiel — données de santé (IPP uniquement)")
        canvas.restoreState()

    return [PageTemplate("first", [frame], onPage=first), PageTemplate("later", [frame], onPage=later)]


def _story(document: ReportDocument, st: dict[str, ParagraphStyle]) -> list[Any]:
    story: list[Any] = [Spacer(1, 5 * cm), RLParagraph(escape(document.title), st["cover_title"])]
    story += [RLParagraph(escape(line), st["cover"]) for line in document.cover_lines]
    story += [NextPageTemplate("later"), PageBreak(), RLParagraph("Sommaire", st["h0"])]
    toc = TableOfContents()
    toc.levelStyles = [st["toc0"], st["toc1"]]
    story.append(toc)
    for section in document.sections:
        story += _section(section, st)
    return story


def _section(section: Section, st: dict[str, ParagraphStyle]) -> list[Any]:
    flow: list[Any] = [PageBreak()] if section.level == 0 else []
    heading = RLParagraph(escape(section.title), st[f"h{min(section.level, 1)}"])
    heading.toc_level = section.level
    flow.append(heading)
    for block in section.blocks:
        if isinstance(block, Paragraph):
            flow.append(RLParagraph(escape(block.text).replace("\n", "<br/>"), st[block.style]))
        elif isinstance(block, Table):
            flow += [_table(block, st), Spacer(1, 6)]
        elif isinstance(block, BarChart):
            flow += [_chart(block), Spacer(1, 6)]
    return flow


def _table(block: Table, st: dict[str, ParagraphStyle]) -> RLTable:
    width = A4[0] - 4 * cm
    rel = block.widths or [1] * len(block.headers)
    widths = [width * w / sum(rel) for w in rel]
    data = [[RLParagraph(f"<b>{escape(h)}</b>", st["cell"]) for h in block.headers]]
    data += [[RLParagraph(escape(str(c)), st["cell"]) for c in row] for row in block.rows]
    table = RLTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dce6f1")),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f5f7fa")]),
    ]))  # fmt: skip
    return table


def _chart(block: BarChart) -> Drawing:
    width, bar = A4[0] - 4 * cm, 14
    height = 40 + bar * max(1, len(block.values)) * 1.4
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 150, 10
    chart.width, chart.height = width - 190, height - 40
    chart.data = [block.values or [0]]
    chart.categoryAxis.categoryNames = block.labels or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = BLUE
    chart.barLabelFormat = "%.1f" if any(v % 1 for v in block.values) else "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 12
    drawing.add(chart)
    drawing.add(String(0, height - 12, f"{block.title}{' (' + block.unit + ')' if block.unit else ''}",
                       fontName=FONT_BOLD, fontSize=9))  # fmt: skip
    return drawing


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
