"""Small charts drawn with QPainter (Qt Essentials has no QtCharts)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget


class HistoryChart(QWidget):
    """One bar per extraction of the facility: the share of qualified identities (QUAL), with the
    extraction's date below and its anomaly count above: progress between two audits at a glance."""

    BAR = QColor("#2e7d32")
    CURRENT = QColor("#1565c0")

    def __init__(self) -> None:
        super().__init__()
        self.history: list[dict[str, Any]] = []
        self.setMinimumHeight(190)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_history(self, history: list[dict[str, Any]]) -> None:
        self.history = history
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.history:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        top, bottom = 34.0, self.height() - 34.0
        slot = min(120.0, (self.width() - 20) / len(self.history))
        for i, item in enumerate(self.history):
            x = 10 + i * slot
            share = float(item["qual_share"])
            height = (bottom - top) * share / 100
            painter.fillRect(
                QRectF(x + slot * 0.2, bottom - height, slot * 0.6, height),
                self.CURRENT if i == len(self.history) - 1 else self.BAR,
            )
            painter.setPen(Qt.GlobalColor.black)
            label = QRectF(x, bottom - height - 18, slot, 16)
            painter.drawText(label, Qt.AlignmentFlag.AlignCenter, f"{share:.1f} %".replace(".", ","))
            painter.drawText(
                QRectF(x, bottom + 2, slot, 16), Qt.AlignmentFlag.AlignCenter, _day(item["extracted_on"])
            )
            anomalies = item["anomalies"]
            painter.drawText(
                QRectF(x, bottom + 17, slot, 16),
                Qt.AlignmentFlag.AlignCenter,
                "non vérifiée" if anomalies is None else f"{anomalies} anomalies",
            )
        painter.drawText(
            QRectF(10, 0, self.width() - 20, 18),
            Qt.AlignmentFlag.AlignLeft,
            "Part des identités qualifiées (QUAL) par extraction",
        )
        painter.end()


def _day(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"
