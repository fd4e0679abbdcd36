"""The window driven with real widgets (pytest-qt, offscreen) on a real database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from ivo_app.rules.catalogue import RULES
from ivo_app.services import rule_settings
from ivo_app.services.browse import IdentityFilter
from ivo_app.ui.app import save_screenshots
from ivo_app.ui.models import IdentityTableModel, ListTableModel
from ivo_app.ui.pages.anomalies import AnomaliesPage
from ivo_app.ui.pages.dashboard import DashboardPage
from ivo_app.ui.pages.identities import IdentitiesPage
from ivo_app.ui.pages.settings import SettingsPage


def page(window, cls):  # type: ignore[no-untyped-def]
    return next(p for p in window.pages if isinstance(p, cls))


def test_window_opens_on_the_dashboard_of_the_last_extraction(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    assert window.stack.currentWidget() is page(window, DashboardPage)
    dashboard = page(window, DashboardPage)
    qtbot.waitUntil(lambda: not dashboard.loader.busy, timeout=30_000)  # indicators are read in a worker
    text = dashboard.figures.text()
    assert "Taux de qualification" in text and "400" in text


def test_navigation_by_keyboard(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is page(window, IdentitiesPage)


def test_identity_table_model_is_lazy_and_valid(qtmodeltester, demo_db) -> None:  # type: ignore[no-untyped-def]
    model = IdentityTableModel(demo_db)
    model.PAGE = 50
    from ivo_app.services.extractions import list_extractions

    model.load(list_extractions(demo_db)[-1].id)
    assert model.rowCount() == 50 and model.total >= 400
    assert model.canFetchMore(model.index(-1, -1).parent())
    model.fetchMore(model.index(-1, -1).parent())
    assert model.rowCount() == 100
    qtmodeltester.check(model)
    model.load(model.extraction_id, IdentityFilter(status="QUAL"))
    assert 0 < model.total < 400


def test_list_model_is_valid(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(ListTableModel(["a", "b"], [[1, "x"], [2, None]]))


def test_filter_identities(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    identities = page(window, IdentitiesPage)
    all_count = identities.model.total
    identities.status.setCurrentIndex(identities.status.findData("PROV"))
    assert 0 < identities.model.total < all_count
    ipp = identities.model.rows[0]["ipp"]
    identities.status.setCurrentIndex(0)
    identities.search.setText(ipp)
    qtbot.keyClick(identities.search, Qt.Key.Key_Return)
    assert identities.model.total == 1 and identities.model.rows[0]["ipp"] == ipp
    identities.search.clear()
    identities.rule.setCurrentIndex(identities.rule.findData("ATTR-HOMONYME"))
    qtbot.keyClick(identities.search, Qt.Key.Key_Return)
    assert identities.model.total >= 2


def test_anomalies_drill_down_with_the_rule_explanation(window) -> None:  # type: ignore[no-untyped-def]
    anomalies = page(window, AnomaliesPage)
    assert anomalies.rules.rowCount() > 10
    anomalies.rule_table.selectRow(0)
    rule_id = anomalies.rule_ids[0]
    assert RULES[rule_id].fix in anomalies.help.text().replace("&#x27;", "'")
    assert anomalies.findings.rowCount() >= 1


def test_settings_change_a_rule_severity(window, demo_db) -> None:  # type: ignore[no-untyped-def]
    settings = page(window, SettingsPage)
    settings.combos["TRAIT-LIEU-COG"].setCurrentText("info")
    settings.combos["TRAIT-DATE-COMPLETEE"].setCurrentText("désactivée")
    effective = rule_settings.effective_settings(demo_db)
    assert effective.severity("TRAIT-LIEU-COG", "alerte") == "info"
    assert "TRAIT-DATE-COMPLETEE" in effective.disabled


def test_screenshot_of_every_page(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shots = save_screenshots(window, tmp_path)
    assert len(shots) == len(window.pages)
    assert all(p.stat().st_size > 5_000 for p in shots)


def test_review_a_duplicate_pair_with_the_keyboard(window, demo_db, qtbot) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.services.duplicates import find_duplicates, list_pairs
    from ivo_app.ui.pages.duplicates import DuplicatesPage

    find_duplicates(demo_db, window.state.extraction_id)
    dups = page(window, DuplicatesPage)
    window.nav.setCurrentRow(window.pages.index(dups))
    dups.filter.setCurrentIndex(1)  # undecided pairs only
    before = len(dups.pairs)
    assert before > 0
    first = dups.pairs[0]
    # Exactly the traits whose two values differ are highlighted (the IPP row always differs).
    table = dups.compare
    assert table.columnCount() == 2 and table.rowCount() > 5
    for r in range(1, table.rowCount()):
        a, b = table.item(r, 0), table.item(r, 1)
        highlighted = a.background().color().name() == "#ffe0b2"
        assert highlighted == (a.text() != b.text()), (r, a.text(), b.text())
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # shortcuts act in the active window
    dups.list.setFocus()
    qtbot.keyClick(dups.list, Qt.Key.Key_D)
    decided = {(p.ipp_a, p.ipp_b): p.decision for p in list_pairs(demo_db, window.state.extraction_id)}
    assert decided[(first.ipp_a, first.ipp_b)] == "doublon"
    assert len(dups.pairs) == before - 1  # the next pair is shown
    dups.undo()
    assert len(dups.pairs) == before


def test_fill_a_questionnaire_answer_and_check_the_sample(window, demo_db) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.services import audit
    from ivo_app.ui.pages.audit import AuditPage

    page_ = page(window, AuditPage)
    facility = (
        window.state.db
        and __import__("ivo_app.services.extractions", fromlist=["x"]).list_extractions(demo_db)[0].facility
    )
    audit_id = audit.create_audit(demo_db, facility)
    page_.refresh_list()
    assert page_.audit_id == audit_id
    combo = page_.combos["T2.3"]
    combo.setCurrentIndex(combo.findData("non_conforme"))
    view = audit.get_audit(demo_db, audit_id)
    assert view.answers == {"T2.3": "non_conforme"}
    assert "insuffisant" in page_.score.text()  # a critical question fails its theme
    audit.draw_sample(demo_db, audit_id, 5, seed=1)
    page_.load(audit_id)
    assert page_.sample.rowCount() == 5
    page_.sample.item(0, 2).setCheckState(Qt.CheckState.Unchecked)  # name differs from the document
    ipp = page_.sample.item(0, 0).text()
    assert audit.get_audit(demo_db, audit_id).of("sample")[ipp]["traits"] == {"nom_naissance": False}


def test_generate_a_report_from_the_window(window, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.ui.pages.report import ReportPage

    report = page(window, ReportPage)
    assert report.kind.count() >= 1
    target = tmp_path / "qualite.pdf"
    report.generate(target)
    qtbot.waitUntil(lambda: report.open_button.isEnabled(), timeout=10_000)
    assert target.read_bytes().startswith(b"%PDF")


def test_dashboard_charts_the_facility_across_extractions(qtbot, demo_db) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from ivo_app.services.demo import create_demo
    from ivo_app.ui.app import application, build_window

    create_demo(demo_db, size=300, seed=3, extracted_on=date(2026, 9, 1))  # the same facility, later
    application()
    win = build_window(demo_db.url)
    qtbot.addWidget(win)
    dashboard = page(win, DashboardPage)
    qtbot.waitUntil(lambda: not dashboard.loader.busy and bool(dashboard.history.history), timeout=30_000)
    assert [h["extracted_on"] for h in dashboard.history.history] == ["2026-06-01", "2026-09-01"]
    assert "Depuis l'extraction du 01/06/2026" in dashboard.figures.text()
    assert (
        "2026-" not in dashboard.figures.text() and "objectif 80\u00a0%" in dashboard.figures.text()
    )  # the default grid
    assert not dashboard.history.grab().isNull()
