"""What the command line writes and reads as files, done from the window: exports of the extraction,
the anomalies, the review queue and the merge list, decisions typed in a spreadsheet, the journal,
the pseudonymised export, the search before creation, and encryption of the base."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox
from sqlalchemy import func, select

from ivo_app.services import duplicates
from ivo_app.services.checks import list_findings
from ivo_app.store import encryption
from ivo_app.store.models import Identity
from ivo_app.store.models.duplicates import PairDecision
from ivo_app.ui import file_actions
from ivo_app.ui.pages.anomalies import AnomaliesPage
from ivo_app.ui.pages.duplicates import DuplicatesPage
from ivo_app.ui.pages.extractions import ExtractionsPage
from ivo_app.ui.pages.journal import JournalPage
from ivo_app.ui.search_dialog import SearchDialog


@pytest.fixture
def messages() -> Iterator[list[str]]:
    """Close every message box the window shows, keeping its text (as a user reads then clicks OK)."""
    seen: list[str] = []
    running = [True]

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.accept()
        if running[0]:
            QTimer.singleShot(30, poll)

    QTimer.singleShot(30, poll)
    yield seen
    running[0] = False


def page_of(window, kind: type):  # type: ignore[no-untyped-def]
    return next(p for p in window.pages if isinstance(p, kind))


def rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh, delimiter=";"))


def answer_save(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(file_actions, "ask_save_path", lambda *args: path)


def test_exports_of_the_extraction_and_its_anomalies(window, qtbot, monkeypatch, tmp_path, messages) -> None:  # type: ignore[no-untyped-def]
    extraction = window.state.extraction_id
    out = tmp_path / "extraction.csv"
    answer_save(monkeypatch, out)
    page_of(window, ExtractionsPage).export_button.click()
    qtbot.waitUntil(lambda: any("identités exportées" in m for m in messages), timeout=20_000)
    with window.state.db.engine.connect() as conn:
        identities = conn.scalar(
            select(func.count()).select_from(Identity).where(Identity.extraction_id == extraction)
        )
    assert len(rows(out)) == identities + 1

    out = tmp_path / "anomalies.csv"
    answer_save(monkeypatch, out)
    page_of(window, AnomaliesPage).export_button.click()
    qtbot.waitUntil(lambda: any("anomalies écrites" in m for m in messages), timeout=20_000)
    assert rows(out)[0] == ["ipp", "regle", "severite", "message", "champs"]
    assert len(rows(out)) == len(list_findings(window.state.db, extraction)) + 1


def test_review_queue_round_trip_through_a_spreadsheet(
    window, qtbot, monkeypatch, tmp_path, messages
) -> None:  # type: ignore[no-untyped-def]
    db, extraction = window.state.db, window.state.extraction_id
    duplicates.find_duplicates(db, extraction)
    page = page_of(window, DuplicatesPage)
    page.refresh()
    queue = tmp_path / "file.csv"
    answer_save(monkeypatch, queue)
    page.file_buttons["export"].click()
    qtbot.waitUntil(lambda: any("paires écrites" in m for m in messages), timeout=20_000)
    exported = rows(queue)
    assert exported[0] == ["ipp_a", "ipp_b", "score", "level", "reasons"] and len(exported) > 2

    # The reviewer adds a decision column in the spreadsheet, decides two pairs, leaves the rest.
    reviewed = tmp_path / "revue.csv"
    with open(reviewed, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow([*exported[0], "decision"])
        writer.writerow([*exported[1], "doublon"])
        writer.writerow([*exported[2], "non doublon"])
        writer.writerows([*r, ""] for r in exported[3:])
    monkeypatch.setattr(file_actions, "ask_open_path", lambda *args: reviewed)
    page.file_buttons["decisions"].click()
    qtbot.waitUntil(lambda: any("2 décisions enregistrées" in m for m in messages), timeout=20_000)
    with db.engine.connect() as conn:
        decided = dict(conn.execute(select(PairDecision.ipp_a, PairDecision.decision)).all())
    assert decided == {exported[1][0]: "doublon", exported[2][0]: "non_doublon"}

    merge = tmp_path / "fusions.csv"
    answer_save(monkeypatch, merge)
    page.file_buttons["merge"].click()
    qtbot.waitUntil(lambda: any("fusions à réaliser" in m for m in messages), timeout=20_000)
    assert {exported[1][0], exported[1][1]} <= {cell for row in rows(merge)[1:] for cell in row}


def test_journal_page_lists_filters_and_exports(window, qtbot, monkeypatch, tmp_path, messages) -> None:  # type: ignore[no-untyped-def]
    page = page_of(window, JournalPage)
    page.refresh()
    actions = [page.model.rows[r][3] for r in range(len(page.model.rows))]
    assert "Import d'une extraction" in actions and "Vérification des règles" in actions  # labels, not codes
    assert page.action.itemText(page.action.findData("import")) == "Import d'une extraction"
    page.action.setCurrentIndex(page.action.findData("import"))
    assert {row[3] for row in page.model.rows} == {"Import d'une extraction"}
    shown = [page.model.index(r, c).data() for r in range(page.model.rowCount()) for c in range(6)]
    assert not any("sha256 : ," in text or "extraction:" in text for text in shown)
    out = tmp_path / "journal.csv"
    answer_save(monkeypatch, out)
    page.export_button.click()
    qtbot.waitUntil(lambda: any("entrées du journal" in m for m in messages), timeout=20_000)
    assert rows(out)[0][:4] == ["horodatage", "utilisateur", "poste", "action"]


def test_search_before_creating_finds_the_existing_record(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    with window.state.db.engine.connect() as conn:
        ipp, name, first, born = conn.execute(
            select(Identity.ipp, Identity.birth_name, Identity.first_first_name, Identity.birth_date)
            .where(Identity.extraction_id == window.state.extraction_id, Identity.birth_date.is_not(None),
                   Identity.birth_name.is_not(None), Identity.first_first_name.is_not(None))
            .limit(1)
        ).one()  # fmt: skip
    dialog = SearchDialog(window.state, window)
    qtbot.addWidget(dialog)
    dialog.name.setText(name.lower())  # typed as it comes: the search normalises
    dialog.first.setText(first)
    qtbot.keyClicks(dialog.born, f"{born.day}/{born.month}/{born.year}")  # 1/2/1980 is read as 01/02/1980
    qtbot.mouseClick(dialog.search_button, Qt.MouseButton.LeftButton)
    assert ipp in [row[0] for row in dialog.model.rows]
    assert "à vérifier avant toute création" in dialog.summary.text()
    row = [r[0] for r in dialog.model.rows].index(ipp)
    assert dialog.model.rows[row][1] == name  # the name beside the IPP
    shown = [dialog.model.index(r, c).data() for r in range(dialog.model.rowCount()) for c in (4, 5)]
    assert not any(text.startswith("-") for text in shown) and "a_examiner" not in shown
    view = dialog.table
    point = view.visualRect(view.model().index(row, 0)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    from ivo_app.ui.identity_panel import IdentityPanel

    panel = window.findChild(IdentityPanel)
    assert panel is not None and panel.detail is not None and panel.detail.ipp == ipp


def test_the_search_date_starts_empty_and_refuses_a_wrong_date(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = SearchDialog(window.state, window)
    qtbot.addWidget(dialog)
    assert dialog.born.text() == "" and dialog.born.value() is None  # no 01/01/1980 by default
    qtbot.keyClicks(dialog.name, "MARTIN")
    qtbot.keyClicks(dialog.first, "ANNE")
    qtbot.keyClicks(dialog.born, "31/02/1980")
    qtbot.mouseClick(dialog.search_button, Qt.MouseButton.LeftButton)
    assert "n'est pas une date" in dialog.summary.text() and dialog.model.rowCount() == 0
    dialog.born.clear()
    qtbot.keyClicks(dialog.born, "03041990")
    assert dialog.born.value() == __import__("datetime").date(1990, 4, 3)


def test_encrypt_the_base_from_the_tools_menu(window, qtbot, tmp_path, messages) -> None:  # type: ignore[no-untyped-def]
    if window.state.db.dialect != "sqlite":  # a shared server is protected on the server, and says so
        window.tools.actions["encrypt"].trigger()
        qtbot.waitUntil(lambda: any("PostgreSQL" in m for m in messages), timeout=20_000)
        return
    path = Path(window.state.db.engine.url.database)
    secret = "phrase secrète de la fenêtre d'outils"
    answers = [secret, secret]

    def type_passphrase() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QInputDialog):
            box.setTextValue(answers.pop(0))
            box.accept()
        if answers:
            QTimer.singleShot(30, type_passphrase)

    QTimer.singleShot(30, type_passphrase)
    try:
        window.tools.actions["encrypt"].trigger()
        qtbot.waitUntil(lambda: any("Base chiffrée" in m for m in messages), timeout=30_000)
        assert encryption.is_encrypted(path)
        assert window.state.extraction_id is not None  # the pages work on the reopened, encrypted base
        page_of(window, JournalPage).refresh()
        assert "Chiffrement de la base" in {row[3] for row in page_of(window, JournalPage).model.rows}
    finally:
        encryption.forget(path)
