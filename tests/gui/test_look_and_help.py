"""Icons, the application icon, the user guide and the about box, reached as a user reaches them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTextBrowser

from ivo_app.ui.charts import HistoryChart
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


def target_drawn(chart: HistoryChart, target: float) -> bool:
    image = chart.grab().toImage()
    bottom, top = chart.height() - 38.0, 34.0
    y = round(bottom - (bottom - top) * target / 100)  # the 2-pixel pen covers one whole row near y
    rows = (y - 1, y, y + 1)
    return HistoryChart.TARGET.name() in {
        image.pixelColor(x, r).name() for x in range(300, 560, 3) for r in rows
    }


def test_the_history_chart_draws_the_target_line(qtbot) -> None:  # type: ignore[no-untyped-def]
    chart = HistoryChart()
    qtbot.addWidget(chart)
    chart.resize(600, 220)
    chart.set_history([{"extracted_on": "2026-06-01", "qual_share": 40.0, "qualification_rate": 45.0,
                        "anomalies": 3}], 80.0)  # fmt: skip
    assert target_drawn(chart, 80.0) and not target_drawn(chart, 60.0)  # the dashed line, across the chart


def test_the_dashboard_and_the_audit_share_one_qualification_target(
    window, demo_db, qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The grid's `qualification_rate` target: the dashboard's line, its sentence and the audit's
    proposed finding all use it; a facility audited with a grid of its own follows that grid."""
    from html import unescape

    import yaml

    from ivo_app.audit.grid import DEFAULT_TARGETS
    from ivo_app.paths import resource
    from ivo_app.services import audit
    from ivo_app.services.extractions import list_extractions
    from ivo_app.ui.pages.dashboard import DashboardPage

    def shown() -> str:  # the sentence as read on screen
        return unescape(dashboard.figures.text()).replace("\xa0", " ")

    dashboard = next(p for p in window.pages if isinstance(p, DashboardPage))
    window.nav.setCurrentRow(window.pages.index(dashboard))
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: "objectif" in shown(), timeout=60_000)
    assert DEFAULT_TARGETS["qualification_rate"] == 80.0
    assert "(objectif 80 %, grille d'audit par défaut)" in shown()
    assert dashboard.history.target == 80.0 and target_drawn(dashboard.history, 80.0)

    grid = yaml.safe_load(resource("grids", "ivo3-rniv-defaut.yaml").read_text(encoding="utf-8"))
    grid["targets"]["qualification_rate"] = 70.0  # a regional cell's own grid
    path = tmp_path / "grille-region.yaml"
    path.write_text(yaml.safe_dump(grid, allow_unicode=True), encoding="utf-8")
    facility = list_extractions(demo_db)[-1].facility
    audit_id = audit.create_audit(demo_db, facility, grid=path)
    window.state.data_changed.emit()
    qtbot.waitUntil(lambda: f"grille de l'audit n° {audit_id}" in shown(), timeout=60_000)
    assert "(objectif 70 %, " in shown()
    assert dashboard.history.target == 70.0 and target_drawn(dashboard.history, 70.0)
    audit.propose(demo_db, audit_id)
    proposed = audit.get_audit(demo_db, audit_id).of("finding")
    qualification = [f for f in proposed.values() if "qualification de l'INS" in str(f.get("text"))]
    assert qualification, proposed
    assert "objectif 70" in str(qualification[0])  # the audit compares the rate with the same target


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
