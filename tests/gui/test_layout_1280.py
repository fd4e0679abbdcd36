"""Every page at 1280×720: no table with a cut header or a horizontal scrollbar, pictures saved."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QTableView

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
