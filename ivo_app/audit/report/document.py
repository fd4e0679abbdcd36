"""What a report says, independent of how it is drawn: titled sections of paragraphs, tables, charts.

Services build a `ReportDocument` from their data; `renderer.render_pdf` draws it. Every string here
is plain text: the renderer escapes it, so a name containing `<b>` or `&` prints as typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Paragraph:
    text: str
    style: str = "body"  # body | note | emphasis


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # relative widths


@dataclass
class BarChart:
    title: str
    labels: list[str]
    values: list[float]
    unit: str = ""


@dataclass
class Section:
    title: str
    blocks: list[Paragraph | Table | BarChart] = field(default_factory=list)
    level: int = 0  # 0: chapter (new page), 1: sub-section


@dataclass
class ReportDocument:
    title: str
    subtitle: str
    facility: str
    author: str
    cover_lines: list[str]
    sections: list[Section] = field(default_factory=list)
