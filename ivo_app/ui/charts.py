"""Charts drawn with QPainter (Qt Essentials has no QtCharts): the identities by status, and the
qualification rate of the active file across the facility's extractions with the facility's
qualification target (services.audit.qualification_target: the audit grid's, one definition)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ivo_app.labels import format_date, format_int, format_percent, plural, status_label
from ivo_app.services.indicators import HistoryPoint

STATUS_COLOURS = {"PROV": "#c62828", "RECUP": "#ef6c00", "VALI": "#1565c0", "QUAL": "#2e7d32"}


class StatusChart(QWidget):
    """One horizontal bar per status, its count and share written beside it."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: dict[str, int] = {}
        self.setMinimumHeight(140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_statuses(self, statuses: dict[str, int]) -> None:
        self.statuses = dict(statuses)
        self.setMinimumHeight(28 * max(1, len(self.statuses)) + 30)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.drawText(QRectF(0, 0, self.width(), 20), Qt.AlignmentFlag.AlignLeft, "Identités par statut")
        if not self.statuses:
            painter.end()
            return
        total = max(1, sum(self.statuses.values()))
        label_width, value_width = 110.0, 150.0
        bar_width = max(40.0, self.width() - label_width - value_width - 20)
        for row, (status, count) in enumerate(self.statuses.items()):
            y = 26.0 + row * 28
            painter.setPen(self.palette().text().color())
            painter.drawText(
                QRectF(0, y, label_width - 8, 22), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                "Autre valeur" if status == "autre" else status_label(status) or "(sans statut)",
            )  # fmt: skip
            painter.fillRect(QRectF(label_width, y + 3, bar_width, 16), QColor("#eeeeee"))
            painter.fillRect(
                QRectF(label_width, y + 3, bar_width * count / total, 16),
                QColor(STATUS_COLOURS.get(status, "#757575")),
            )
            painter.drawText(
                QRectF(label_width + bar_width + 8, y, value_width, 22), Qt.AlignmentFlag.AlignVCenter,
                f"{format_int(count)} ({format_percent(100 * count / total)})",
            )  # fmt: skip
        painter.end()


class HistoryChart(QWidget):
    """One bar per extraction of the facility: the qualification rate of its active file, with the
    extraction's date below, its anomaly count, and the qualification target as a dashed line."""

    BAR = QColor("#2e7d32")
    CURRENT = QColor("#1565c0")
    TARGET = QColor("#8a4b00")

    def __init__(self) -> None:
        super().__init__()
        self.history: list[HistoryPoint] = []
        self.target: float | None = None  # the facility's, from services.audit.qualification_target
        self.setMinimumHeight(200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_history(self, history: list[HistoryPoint], target: float | None = None) -> None:
        self.history = history
        self.target = target
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().text().color()
        painter.setPen(text)
        painter.drawText(
            QRectF(10, 0, self.width() - 20, 18), Qt.AlignmentFlag.AlignLeft,
            "Taux de qualification de la file active par extraction",
        )  # fmt: skip
        top, bottom = 34.0, self.height() - 38.0
        left, right = 44.0, self.width() - 10.0
        for tick in (0, 50, 100):  # the scale: 0, 50 and 100 %
            y = bottom - (bottom - top) * tick / 100
            painter.setPen(QColor("#bdbdbd"))
            painter.drawLine(QPointF(left, y), QPointF(right, y))
            painter.setPen(text)
            painter.drawText(QRectF(0, y - 8, left - 4, 16), Qt.AlignmentFlag.AlignRight, f"{tick} %")
        if self.history:
            slot = min(120.0, (right - left) / len(self.history))
            for i, item in enumerate(self.history):
                x = left + i * slot
                share = float(item.get("qualification_rate", item["qual_share"]))
                height = (bottom - top) * share / 100
                painter.fillRect(
                    QRectF(x + slot * 0.2, bottom - height, slot * 0.6, height),
                    self.CURRENT if i == len(self.history) - 1 else self.BAR,
                )
                painter.setPen(text)
                painter.drawText(
                    QRectF(x, bottom - height - 18, slot, 16),
                    Qt.AlignmentFlag.AlignCenter,
                    format_percent(share),
                )
                painter.drawText(
                    QRectF(x, bottom + 2, slot, 16),
                    Qt.AlignmentFlag.AlignCenter,
                    format_date(item["extracted_on"]),
                )
                anomalies = item["anomalies"]
                painter.drawText(
                    QRectF(x, bottom + 18, slot, 16), Qt.AlignmentFlag.AlignCenter,
                    "non vérifiée" if anomalies is None else plural(anomalies, "anomalie"),
                )  # fmt: skip
        if self.target is None:
            painter.end()
            return
        y = bottom - (bottom - top) * self.target / 100
        pen = QPen(self.TARGET, 2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(QPointF(left, y), QPointF(right, y))
        painter.drawText(
            QRectF(right - 180, y - 18, 178, 16), Qt.AlignmentFlag.AlignRight,
            f"objectif {format_percent(self.target, 0)}",
        )  # fmt: skip
        painter.end()
