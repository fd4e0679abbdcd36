"""Icons, the application icon, the user guide and the about box, reached as a user reaches them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTextBrowser

from ivo_app.ui.charts import QUALIFICATION_TARGET, HistoryChart
from tests.gui.dialogs import Answerer


def test_pages_and_window_have_icons(window) -> None:  # type: ignore[no-untyped-def]
    assert not window.windowIcon().isNull() and not QApplication.windowIcon().isNull()
    assert all(not window.nav.item(row).icon().isNull() for row in range(window.nav.count()))


def test_f1_opens_the_guide_for_the_three_audiences(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: getattr(window, "guide", None) is not None and window.guide.isVisible())
    text = window.guide.findChild(QTextBrowser).toPlainText()
    assert "cellule d'identitovigilance" in text and "auditeurs" in text and "formateurs" in text


def test_about_names_the_version_and_the_licences(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]

    answers = Answerer(tmp_path)
    try:
        window.help_actions["about"].trigger()
    finally:
        answers.stop()
    assert answers.titles == ["À propos d'IVO"]


def test_the_history_chart_draws_the_target_line(qtbot) -> None:  # type: ignore[no-untyped-def]
    chart = HistoryChart()
    qtbot.addWidget(chart)
    chart.resize(600, 220)
    chart.set_history([{"extracted_on": "2026-06-01", "qual_share": 40.0, "anomalies": 3}])
    image = chart.grab().toImage()
    bottom, top = chart.height() - 38.0, 34.0
    y = round(bottom - (bottom - top) * QUALIFICATION_TARGET / 100)
    colours = {image.pixelColor(x, y).name() for x in range(300, 560, 3)}
    assert HistoryChart.TARGET.name() in colours  # the dashed 70 % line, across the chart


def test_qt_file_dialogs_speak_french(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFileDialog, QLabel

    from ivo_app.ui.pages.report import ReportPage

    report = next(p for p in window.pages if isinstance(p, ReportPage))
    window.nav.setCurrentRow(window.pages.index(report))
    seen: list[str] = []
    answers = Answerer(tmp_path)

    def read_labels(widget) -> bool:  # type: ignore[no-untyped-def]
        if isinstance(widget, QFileDialog):
            seen.extend(label.text() for label in widget.findChildren(QLabel))
            widget.reject()
            return True
        return False

    answers.custom = read_labels
    try:
        qtbot.mouseClick(report.generate_button, Qt.MouseButton.LeftButton)
    finally:
        answers.stop()
    shown = " | ".join(seen).replace("&", "")
    assert "Look in" not in shown and "Files of type" not in shown and "File name" not in shown, shown
    assert "Regarder dans" in shown and "Type de fichier" in shown, shown
