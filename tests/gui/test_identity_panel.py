"""The identity's detail panel opened the ways a CIV member opens it, and the tables they read."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from ivo_app.services.duplicates import find_duplicates
from ivo_app.ui.identity_panel import IdentityPanel
from ivo_app.ui.pages.anomalies import AnomaliesPage
from ivo_app.ui.pages.duplicates import DuplicatesPage
from ivo_app.ui.pages.identities import IdentitiesPage


def page(window, cls):  # type: ignore[no-untyped-def]
    return next(p for p in window.pages if isinstance(p, cls))


def cell_point(view, row: int, column: int) -> QPoint:  # type: ignore[no-untyped-def]
    return view.visualRect(view.model().index(row, column)).center()


def double_click(qtbot, view, row: int, column: int) -> None:  # type: ignore[no-untyped-def]
    """Press then double-click, as a mouse does (a view acts on a double-click where it was pressed)."""
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell_point(view, row, column))
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell_point(view, row, column))


def panel_of(window) -> IdentityPanel:  # type: ignore[no-untyped-def]
    panel = window.findChild(IdentityPanel)
    assert panel is not None and panel.isVisible()
    return panel


def test_double_click_an_identity_opens_its_detail(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    identities = page(window, IdentitiesPage)
    window.nav.setCurrentRow(window.pages.index(identities))
    view = identities.table
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell_point(view, 2, 3))
    assert [i.row() for i in view.selectionModel().selectedRows()] == [2]  # the row, not one cell
    ipp = identities.model.rows[2]["ipp"]
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell_point(view, 2, 3))
    panel = panel_of(window)
    assert panel.detail is not None and panel.detail.ipp == ipp
    traits = dict(panel.detail.traits)
    assert traits["IPP"] == ipp and traits["Statut"] in {"Provisoire", "Récupérée", "Validée", "Qualifiée"}
    assert panel.detail.history and panel.detail.history[0].current
    panel.close()

    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell_point(view, 4, 0))
    qtbot.keyClick(view, Qt.Key.Key_Return)  # Enter on a row opens it too
    assert panel_of(window).detail.ipp == identities.model.rows[4]["ipp"]  # type: ignore[union-attr]


def test_the_rule_filter_lists_titles_and_a_header_click_sorts(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    identities = page(window, IdentitiesPage)
    window.nav.setCurrentRow(window.pages.index(identities))
    texts = [identities.rule.itemText(i) for i in range(identities.rule.count())]
    assert "INS-FORMAT" not in texts and any("matricule INS" in t for t in texts)
    statuses = [identities.status.itemText(i) for i in range(identities.status.count())]
    assert "Qualifiée" in statuses and "QUAL" not in statuses
    header = identities.table.horizontalHeader()
    column = 1  # Nom de naissance
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(column) + 5, 5),
    )
    names = [r["birth_name"] for r in identities.model.rows]
    assert names == sorted(names) and len(names) == identities.model.rowCount()
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(column) + 5, 5),
    )
    names = [r["birth_name"] for r in identities.model.rows]
    assert names == sorted(names, reverse=True)


def test_an_anomaly_opens_the_identity_with_the_fix(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    anomalies = page(window, AnomaliesPage)
    window.nav.setCurrentRow(window.pages.index(anomalies))
    rules = anomalies.rule_table
    findings = anomalies.finding_table
    for row in range(rules.model().rowCount()):  # a rule on identities (not on the whole extraction)
        qtbot.mouseClick(rules.viewport(), Qt.MouseButton.LeftButton, pos=cell_point(rules, row, 0))
        if anomalies.findings.keys and anomalies.findings.keys[0] is not None:
            break
    assert findings.model().rowCount() >= 1
    assert findings.model().index(0, 1).data()  # the birth name beside the IPP
    double_click(qtbot, findings, 0, 0)
    panel = panel_of(window)
    assert panel.detail is not None and panel.detail.findings
    assert all(f.fix for f in panel.detail.findings)


def test_doublons_opens_both_records_and_shows_the_queue_whole(window, demo_db, qtbot) -> None:  # type: ignore[no-untyped-def]
    find_duplicates(demo_db, window.state.extraction_id)
    window.state.data_changed.emit()
    window.resize(1280, 720)
    dups = page(window, DuplicatesPage)
    window.nav.setCurrentRow(window.pages.index(dups))
    qtbot.waitUntil(lambda: dups.list.isVisible())
    assert dups.pairs
    assert not dups.list.horizontalScrollBar().isVisible()
    header = dups.list.horizontalHeader()
    assert header.length() <= dups.list.viewport().width()  # IPP A, IPP B and the decision in sight
    pair = dups.current()[1]  # type: ignore[index]
    qtbot.mouseClick(dups.record_buttons[1], Qt.MouseButton.LeftButton)
    panel = panel_of(window)
    assert panel.detail is not None and panel.detail.ipp == pair.ipp_b
    assert any(p.other_ipp == pair.ipp_a for p in panel.detail.pairs)


def test_decision_buttons_wait_for_a_pair(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    dups = page(window, DuplicatesPage)  # no detection run: an empty queue
    assert not dups.pairs
    assert not any(b.isEnabled() for b in dups.decision_buttons.values())


def test_undo_keeps_the_pair_selected_and_the_comment_is_saved(window, demo_db, qtbot) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.services.identity_detail import identity_detail

    find_duplicates(demo_db, window.state.extraction_id)
    window.state.data_changed.emit()
    dups = page(window, DuplicatesPage)
    window.nav.setCurrentRow(window.pages.index(dups))
    assert len(dups.pairs) >= 3
    view = dups.list
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell_point(view, 2, 0))
    pair = dups.current()[1]  # type: ignore[index]
    qtbot.keyClicks(dups.comment, "jumeaux, meme mere")
    qtbot.mouseClick(dups.decision_buttons["non_doublon"], Qt.MouseButton.LeftButton)
    assert "non-doublon" in window.statusBar().currentMessage()
    detail = identity_detail(demo_db, pair.identity_a)
    line = next(p for p in detail.pairs if p.other_ipp == pair.ipp_b)
    assert line.comment == "jumeaux, meme mere" and line.decision.startswith("Non-doublon")
    qtbot.mouseClick(dups.undo_button, Qt.MouseButton.LeftButton)
    selected = dups.current()[1]  # type: ignore[index]
    assert (selected.ipp_a, selected.ipp_b) == (pair.ipp_a, pair.ipp_b)  # not back at the top
