"""What a report says, independent of how it is drawn: titled sections of paragraphs, tables, charts.

Services build a `ReportDocument` from their data; `renderer.render_pdf` draws it. Every string here
is plain text: the renderer escapes it, so a name containing `<b>` or `&` prints as typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Paragraph:
    text: str
    style: str = "body"  # body | note | emphasis | box


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # relative widths; widened so the longest word of a column fits


@dataclass
class BarChart:
    title: str
    labels: list[str]
    values: list[float]
    unit: str = ""  # "%": the axis runs from 0 to 100


@dataclass
class RadarChart:
    title: str
    labels: list[str]
    series: list[tuple[str, list[float]]]  # (legend, values in %)


@dataclass
class KeyFigures:
    figures: list[tuple[str, str]]  # (value, label)


Block = Paragraph | Table | BarChart | RadarChart | KeyFigures


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 0  # 0: chapter, 1: sub-section
    new_page: bool = True  # a chapter starts a page unless it follows a short one


@dataclass
class ReportDocument:
    title: str
    subtitle: str
    facility: str
    author: str
    cover_lines: list[str]
    sections: list[Section] = field(default_factory=list)
    footer: str = "Document confidentiel — données de santé (IPP uniquement)"
    draft: str | None = None  # the completeness line of a draft: "PROJET" and this line on every page
