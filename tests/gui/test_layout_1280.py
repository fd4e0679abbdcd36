"""Every page at 1280×720: no table with a cut header or a horizontal scrollbar, pictures saved."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QTableView, QTabWidget

from ivo_app.services import audit
from ivo_app.services.duplicates import find_duplicates
from ivo_app.services.extractions import list_extractions
from ivo_app.ui.app import save_screenshots


def problems(window) -> list[str]:  # type: ignore[no-untyped-def]
    found = []
    for row, page in enumerate(window.pages):
        window.nav.setCurrentRow(row)
        QApplication.processEvents()
        for view in page.findChildren(QTableView):
            if not view.isVisible() or view.model() is None or view.model().columnCount() == 0:
                continue
            if view.horizontalScrollBar().isVisible():
                found.append(
                    f"{page.title}: horizontal scrollbar on {view.objectName() or type(view.model()).__name__}"
                )
            header = view.horizontalHeader()
            metrics = header.fontMetrics()
            for column in range(header.count()):
                text = str(view.model().headerData(column, header.orientation()) or "")
                widest = max(map(metrics.horizontalAdvance, text.split("\n")))  # a header may take two lines
                if text and header.sectionSize(column) < widest + 8:
                    found.append(f"{page.title}: header « {text} » cut")
        for tabs in page.findChildren(QTabWidget):
            outer = tabs.parentWidget()
            while outer is not None and outer is not page:
                if isinstance(outer, QTabWidget):
                    found.append(f"{page.title}: tabs inside tabs ({tabs.tabText(0)} in {outer.tabText(0)})")
                outer = outer.parentWidget()
            bar = tabs.tabBar()
            if bar.isVisible() and bar.tabRect(bar.count() - 1).right() > bar.width():
                found.append(f"{page.title}: tab « {bar.tabText(bar.count() - 1)} » behind scroll arrows")
    return found


def test_pages_fit_1280_by_720(window, demo_db, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    find_duplicates(demo_db, window.state.extraction_id)
    # An audit whose every question is answered: its score line names the themes critical questions
    # cap, the longest text the audit page shows (it once made the window 2,100 pixels wide).
    facility = list_extractions(demo_db)[0].facility
    audit_id = audit.create_audit(demo_db, facility)
    for question in audit.get_audit(demo_db, audit_id).grid.questions:
        audit.set_answer(demo_db, audit_id, question.id, "non_conforme")
    window.state.audits_changed.emit()
    window.state.data_changed.emit()
    shots = save_screenshots(window, tmp_path)  # at 1280×720
    assert window.minimumSizeHint().width() <= 1280 and window.minimumSizeHint().height() <= 720
    assert all(QImage(str(p)).width() == 1280 for p in shots)
    assert len(shots) == len(window.pages)
    found = problems(window)
    assert found == [], "\n".join(found)


def test_the_15_digit_ins_is_never_cut(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.services.browse import COLUMNS
    from ivo_app.ui.pages.identities import IdentitiesPage

    window.resize(1280, 720)
    identities = next(p for p in window.pages if isinstance(p, IdentitiesPage))
    window.nav.setCurrentRow(window.pages.index(identities))
    QApplication.processEvents()
    view = identities.table
    column = [key for key, _ in COLUMNS].index("ins_matricule")
    assert view.horizontalHeader().sectionSize(column) >= view.fontMetrics().horizontalAdvance("0" * 15) + 6


def test_an_elided_name_is_read_whole_in_its_tooltip(window) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    from ivo_app.ui.pages.identities import IdentitiesPage

    identities = next(p for p in window.pages if isinstance(p, IdentitiesPage))
    model = identities.model
    column = 2  # Prénoms
    longest = max(range(model.rowCount()), key=lambda r: len(str(model.index(r, column).data())))
    text = model.index(longest, column).data()
    assert len(text) >= 12 and model.index(longest, column).data(Qt.ItemDataRole.ToolTipRole) == text


def test_the_audit_steps_are_one_row_of_tabs_each_part_reached_by_a_click(window, demo_db, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    from ivo_app.ui.pages.audit import AuditPage

    facility = list_extractions(demo_db)[0].facility
    audit.create_audit(demo_db, facility)
    window.state.audits_changed.emit()
    window.state.data_changed.emit()
    window.resize(1280, 720)
    page = next(p for p in window.pages if isinstance(p, AuditPage))
    window.nav.setCurrentRow(window.pages.index(page))
    QApplication.processEvents()
    bar = page.tabs.tabBar()
    labels = [bar.tabText(i) for i in range(bar.count())]
    assert labels == ["En-tête", "1. Questionnaire", "2. Documents", "3. Accueils", "Bracelets", "Entretiens",
                      "Échantillon", "4. Constats", "Recommandations", "Plan d'action"]  # fmt: skip
    for index in range(bar.count()):
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
        assert page.tabs.currentIndex() == index and page.tabs.currentWidget().isVisible()
        assert not page.tabs.currentWidget().findChildren(QTabWidget)  # the part itself: no inner tabs
    assert bar.tabToolTip(4) == "Étape 3 : bracelets d'identification"
    assert problems(window) == []
