"""Views of nominative data are journaled, one entry per view action, never the names (issue 19, item 11).

Through the real widgets: opening a record, clicking a pair of the queue, filtering the identity list,
selecting a rule whose identities are listed by name.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from sqlalchemy import select

from ivo_app.services.duplicates import find_duplicates
from ivo_app.store.models.journal import JournalEntry
from ivo_app.ui.pages.anomalies import AnomaliesPage
from ivo_app.ui.pages.duplicates import DuplicatesPage
from ivo_app.ui.pages.identities import IdentitiesPage

from .test_identity_panel import cell_point, page, panel_of


def views(db) -> list[JournalEntry]:  # type: ignore[no-untyped-def]
    with db.sessions() as session:
        return list(
            session.scalars(
                select(JournalEntry).where(JournalEntry.action == "consultation").order_by(JournalEntry.id)
            )
        )


def names_in(db) -> set[str]:  # type: ignore[no-untyped-def]
    from ivo_app.store.models import Identity

    with db.sessions() as session:
        return {n for (n,) in session.execute(select(Identity.birth_name)) if n and len(n) > 4}


def assert_no_name(db, entries: list[JournalEntry]) -> None:  # type: ignore[no-untyped-def]
    text = json.dumps([[e.target, e.details] for e in entries], ensure_ascii=False)
    assert not [n for n in names_in(db) if n in text]


def test_opening_a_record_and_filtering_the_list_are_journaled_once_each(window, demo_db, qtbot) -> None:  # type: ignore[no-untyped-def]
    identities = page(window, IdentitiesPage)
    window.nav.setCurrentRow(window.pages.index(identities))
    before = len(views(demo_db))
    ipp = identities.model.rows[0]["ipp"]
    identities.search.clear()
    qtbot.keyClicks(identities.search, ipp)
    qtbot.keyClick(identities.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(views(demo_db)) > before)
    listed = views(demo_db)[before:]
    assert [(e.details or {}).get("vue") for e in listed] == ["liste"]
    assert listed[0].details["identites"] == identities.model.total >= 1  # type: ignore[index]
    assert listed[0].target == f"extraction:{window.state.extraction_id}"

    view = identities.table
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell_point(view, 0, 0))
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell_point(view, 0, 0))
    panel = panel_of(window)
    entries = views(demo_db)[before + 1 :]
    assert [(e.details["vue"], e.details["identites"]) for e in entries] == [("fiche", 1)]  # type: ignore[index]
    assert entries[0].user and entries[0].workstation
    panel.close()
    assert_no_name(demo_db, views(demo_db))


def test_each_pair_shown_in_the_queue_is_one_entry(window, demo_db, qtbot) -> None:  # type: ignore[no-untyped-def]
    find_duplicates(demo_db, window.state.extraction_id)
    window.state.data_changed.emit()
    dups = page(window, DuplicatesPage)
    window.nav.setCurrentRow(window.pages.index(dups))
    assert len(dups.pairs) >= 3
    before = len(views(demo_db))
    view = dups.list
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell_point(view, 2, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell_point(view, 1, 0))
    shown = views(demo_db)[before:]
    assert [(e.details["vue"], e.details["identites"]) for e in shown] == [("paire", 2)] * 2  # type: ignore[index]
    assert_no_name(demo_db, shown)


def test_the_identities_of_a_rule_are_one_entry(window, demo_db, qtbot) -> None:  # type: ignore[no-untyped-def]
    anomalies = page(window, AnomaliesPage)
    window.nav.setCurrentRow(window.pages.index(anomalies))
    rules = anomalies.rule_table
    for row in reversed(range(1, rules.model().rowCount())):  # row 0 is selected when the page opens
        before = len(views(demo_db))
        qtbot.mouseClick(rules.viewport(), Qt.MouseButton.LeftButton, pos=cell_point(rules, row, 0))
        if anomalies.findings.keys and anomalies.findings.keys[0] is not None:
            break
    shown = views(demo_db)[before:]
    people = len({k for k in anomalies.findings.keys if k is not None})
    assert [(e.details["vue"], e.details["identites"]) for e in shown] == [("anomalies", people)]  # type: ignore[index]


def test_a_hidden_page_s_refresh_is_journaled_only_when_the_page_is_shown(window, demo_db, qtbot) -> None:  # type: ignore[no-untyped-def]
    """A refresh nobody sees (data changed while another page is on screen) is no view; showing the
    page then is one."""
    identities = page(window, IdentitiesPage)
    anomalies = page(window, AnomaliesPage)
    window.nav.setCurrentRow(window.pages.index(anomalies))
    assert not identities.isVisible()
    before = len(views(demo_db))
    window.state.data_changed.emit()  # every page refreshes, the identity list included
    seen = [(e.details or {}).get("vue") for e in views(demo_db)[before:]]
    assert "liste" not in seen
    window.nav.setCurrentRow(window.pages.index(identities))
    seen = [(e.details or {}).get("vue") for e in views(demo_db)[before:]]
    assert seen.count("liste") == 1
    window.nav.setCurrentRow(window.pages.index(anomalies))
    window.nav.setCurrentRow(window.pages.index(identities))  # shown again, nothing reloaded: no new view
    assert [(e.details or {}).get("vue") for e in views(demo_db)[before:]].count("liste") == 1


def test_a_search_in_the_window_is_one_entry_without_the_typed_identity(window, demo_db, qtbot) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.store.models import Identity
    from ivo_app.ui.search_dialog import SearchDialog

    with demo_db.engine.connect() as conn:
        name, first, born = conn.execute(
            select(Identity.birth_name, Identity.first_first_name, Identity.birth_date)
            .where(Identity.birth_date.is_not(None), Identity.birth_name.is_not(None),
                   Identity.first_first_name.is_not(None))
            .limit(1)
        ).one()  # fmt: skip
    dialog = SearchDialog(window.state, window)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.name, name)
    qtbot.keyClicks(dialog.first, first)
    qtbot.keyClicks(dialog.born, born.strftime("%d/%m/%Y"))
    with demo_db.sessions() as session:
        before = (
            session.scalars(select(JournalEntry.id).order_by(JournalEntry.id.desc()).limit(1)).first() or 0
        )
    qtbot.mouseClick(dialog.search_button, Qt.MouseButton.LeftButton)
    assert dialog.model.rowCount() >= 1
    with demo_db.sessions() as session:
        entries = list(session.scalars(select(JournalEntry).where(JournalEntry.id > before)))
    assert [e.action for e in entries] == ["recherche"]
    assert entries[0].target == f"extraction:{window.state.extraction_id}"
    text = json.dumps(entries[0].details, ensure_ascii=False)
    assert name not in text and first not in text and born.strftime("%d/%m/%Y") not in text
