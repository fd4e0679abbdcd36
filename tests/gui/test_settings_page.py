"""Paramètres driven with real widgets on a real database: the status mapping applied at import, the
active-file period, the duplicate thresholds, switching database, backups created and restored."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QPushButton

from ivo_app.services import settings
from ivo_app.services.extractions import list_extractions
from ivo_app.services.imports import import_file
from ivo_app.services.indicators import compute_indicators
from ivo_app.store.uow import UnitOfWork
from ivo_app.ui.pages.settings import SettingsPage
from ivo_app.ui.state import AppState

FACILITY = "CH Paramètres"
CSV = (
    "IPP;NOM;PRENOM;DDN;SEXE;STATUT;DERNIERE VENUE\n"
    "1;DUPONT;JEAN;01/02/1980;M;VALI;01/01/2026\n"
    "2;MARTIN;ANNE;03/04/1990;F;VIDE;01/06/2024\n"
    "3;DURAND;LUC;05/06/1970;M;ANCIEN;01/06/2021\n"
)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


@pytest.fixture
def page(qtbot, db, export: Path):  # type: ignore[no-untyped-def]
    import_file(db, export, FACILITY)
    state = AppState(db)
    state.extraction_id = list_extractions(db)[-1].id
    widget = SettingsPage(state)
    widget.warnings = []  # type: ignore[attr-defined]
    widget.warn = widget.warnings.append  # type: ignore[attr-defined,method-assign]
    qtbot.addWidget(widget)
    widget.show()
    return widget


def statuses(db, extraction_id: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from ivo_app.store.models import Identity

    with UnitOfWork(db) as uow:
        rows = uow.session.execute(
            select(Identity.ipp, Identity.status).where(Identity.extraction_id == extraction_id)
        )
        return dict(rows.all())


def choose_facility(page: SettingsPage, name: str | None) -> None:
    page.facility.setCurrentIndex(page.facility.findData(name))


def test_status_mapping_is_applied_at_import_unless_a_mapping_file_says_otherwise(
    page: SettingsPage, qtbot, db, export: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    first = list_extractions(db)[-1].id
    assert statuses(db, first) == {"1": "VALI", "2": "PROV", "3": "ANCIEN"}
    choose_facility(page, FACILITY)
    page.add_status_row("Vali", "QUAL")
    page.add_status_row("ancien", "RECUP")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "Réglages enregistrés" in page.message.text()
    assert settings.facility_settings(db, FACILITY).statuses == {"VALI": "QUAL", "ANCIEN": "RECUP"}
    assert settings.facility_settings(db, None).statuses == {}  # the facility's own, not everybody's
    assert page.statuses.rowCount() == 2  # reloaded from the database

    second = import_file(db, export, FACILITY).extraction_id
    assert statuses(db, second) == {"1": "QUAL", "2": "PROV", "3": "RECUP"}

    mapping = tmp_path / "correspondance.json"
    mapping.write_text(json.dumps({"columns": {}, "status": {"VALI": "VALI"}}), encoding="utf-8")
    from ivo_app.io.mapping import ColumnMapping

    third = import_file(db, export, FACILITY, mapping=ColumnMapping.load(mapping)).extraction_id
    assert statuses(db, third) == {"1": "VALI", "2": "PROV", "3": "RECUP"}  # the file wins for VALI
    other = import_file(db, export, "Autre établissement").extraction_id
    assert statuses(db, other)["1"] == "VALI"


def test_a_wrong_status_target_is_refused_in_french(page: SettingsPage, db) -> None:  # type: ignore[no-untyped-def]
    choose_facility(page, FACILITY)
    page.add_status_row("X", "PROV")
    page.statuses.item(0, 0).setText("")  # an empty source value
    page.add_status_row("Y", "QUAL")
    page.save_button.click()
    assert settings.facility_settings(db, FACILITY).statuses == {"Y": "QUAL"}  # empty rows are skipped
    with pytest.raises(Exception, match="Statut cible inconnu"):
        settings.set_status_mapping(db, {"Z": "VALIDE"}, FACILITY)
    assert settings.facility_settings(db, FACILITY).statuses == {"Y": "QUAL"}


def test_active_file_period_changes_the_indicators(page: SettingsPage, qtbot, db) -> None:  # type: ignore[no-untyped-def]
    extraction_id = list_extractions(db)[-1].id
    assert compute_indicators(db, extraction_id)["active_period_years"] == 3
    choose_facility(page, FACILITY)
    page.active_years.setValue(1)
    with qtbot.waitSignal(page.state.data_changed):
        page.save_button.click()
    data = compute_indicators(db, extraction_id)
    assert data["active_period_years"] == 1
    choose_facility(page, None)
    assert page.active_years.value() == 3  # the default scope keeps its own value
    choose_facility(page, FACILITY)
    assert page.active_years.value() == 1


def test_duplicate_thresholds_override_per_facility(page: SettingsPage, db) -> None:  # type: ignore[no-untyped-def]
    model = settings.model_thresholds()
    choose_facility(page, FACILITY)
    assert page.probable.value() == pytest.approx(model["probable"])
    page.probable.setValue(18.5)
    page.review.setValue(11)
    page.save_button.click()
    assert settings.facility_settings(db, FACILITY).thresholds == {"probable": 18.5, "a_examiner": 11.0}
    assert settings.facility_settings(db, None).thresholds == model
    page.probable.setValue(5)  # below « à examiner »: refused, nothing changes
    page.save_button.click()
    assert "dépasser" in page.warnings[-1]  # type: ignore[attr-defined]
    assert settings.facility_settings(db, FACILITY).thresholds["probable"] == 18.5
    page.reset_thresholds()
    page.save_button.click()
    assert settings.facility_settings(db, FACILITY).thresholds == model
    assert page.probable.value() == pytest.approx(model["probable"])


def type_number(qtbot, box, text: str) -> None:  # type: ignore[no-untyped-def]
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)


def test_one_save_button_writes_what_was_typed_all_or_nothing(page: SettingsPage, qtbot, db) -> None:  # type: ignore[no-untyped-def]
    from tests.gui.dialogs import Script, click

    choose_facility(page, FACILITY)
    save = page.save_button
    assert [b.text() for b in page.findChildren(QPushButton) if b.text().startswith("Enregistrer")] == [
        "Enregistrer"
    ]  # one save on the page
    assert not save.isEnabled() and page.unsaved.text() == "Tout est enregistré."
    add = next(b for b in page.findChildren(QPushButton) if b.text() == "Ajouter une valeur")
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    cell = page.statuses.visualItemRect(page.statuses.item(0, 0)).center()
    qtbot.mouseClick(page.statuses.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.keyClick(page.statuses, Qt.Key.Key_F2)  # edit the cell, as a user does
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit))
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "Vali")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    combo = page.statuses.cellWidget(0, 1)
    combo.setCurrentText("QUAL")
    type_number(qtbot, page.active_years, "2")
    type_number(qtbot, page.probable, "18")
    type_number(qtbot, page.review, "11")
    assert save.isEnabled()
    assert (
        page.unsaved.text()
        == "Modifications non enregistrées : correspondance des statuts, file active, seuils."
    )
    assert settings.facility_settings(db, FACILITY).active_years == 3  # nothing written before the click

    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert settings.facility_settings(db, FACILITY).statuses == {"VALI": "QUAL"}
    assert settings.facility_settings(db, FACILITY).active_years == 2
    assert settings.facility_settings(db, FACILITY).thresholds == {"probable": 18.0, "a_examiner": 11.0}
    assert settings.facility_settings(db, None).active_years == 3  # the facility's own settings only
    assert not save.isEnabled() and page.unsaved.text() == "Tout est enregistré."

    type_number(qtbot, page.active_years, "4")
    type_number(qtbot, page.probable, "5")  # below « à examiner »: the whole save is refused
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert "dépasser" in page.warnings[-1]  # type: ignore[attr-defined]
    assert (
        settings.facility_settings(db, FACILITY).active_years == 2
    )  # all or nothing: the period was not written
    assert "non enregistrées" in page.unsaved.text()

    script = Script(click(QMessageBox.StandardButton.No))  # leave the facility: drop the changes
    choose_facility(page, None)
    script.stop()
    assert script.messages == [f"Enregistrer les modifications des réglages de « {FACILITY} » ?"]
    assert (
        settings.facility_settings(db, FACILITY).active_years == 2
        and page.unsaved.text() == "Tout est enregistré."
    )


def test_open_another_database_then_come_back(page: SettingsPage, qtbot, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "autre" / "ivo-autre.sqlite"
    page.choose_database_file = lambda: other  # type: ignore[method-assign]
    with qtbot.waitSignal(page.state.database_changed, timeout=20_000):
        page.choose_and_open_database()
    assert page.state.db.url.endswith("ivo-autre.sqlite") and other.exists()
    assert page.state.extraction_id is None and list_extractions(page.state.db) == []
    assert "ivo-autre.sqlite" in page.database_label.text()
    assert page.facility.count() == 1  # no facility in the new base
    with qtbot.waitSignal(page.state.database_changed, timeout=20_000):
        page.open_database_url(db.url)
    assert page.state.extraction_id == list_extractions(db)[-1].id
    assert page.facility.findData(FACILITY) > 0


def close_next_message_box(found: list[str]) -> None:
    """Reads and closes the next modal message box (the worker's failure report)."""

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            found.append(box.text())
            box.close()
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def test_an_unusable_database_address_keeps_the_current_one(page: SettingsPage, qtbot, db) -> None:  # type: ignore[no-untyped-def]
    found: list[str] = []
    close_next_message_box(found)
    page.open_database_url("nimporte://serveur/base")
    qtbot.waitUntil(lambda: bool(found), timeout=20_000)
    assert "base de données" in found[0]
    assert page.state.db is db and page.state.db.url == db.url


sqlite_only = pytest.mark.skipif(
    os.environ.get("IVO_TEST_DB") == "postgresql",
    reason="backups are files of the embedded SQLite base; a PostgreSQL base is saved with pg_dump",
)


@sqlite_only
def test_backup_then_restore_from_the_window(
    page: SettingsPage, qtbot, db, export: Path, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    assert page.backups_model.rowCount() == 0
    qtbot.mouseClick(page.create_backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.backups_model.rowCount() == 1, timeout=20_000)
    qtmodeltester.check(page.backups_model)
    import_file(db, export, "Ajouté après la sauvegarde")
    page.state.data_changed.emit()
    assert len(list_extractions(page.state.db)) == 2

    page.backups_view.selectRow(0)
    page.confirm = lambda question: False  # type: ignore[method-assign]
    page.restore_selected()
    assert len(list_extractions(page.state.db)) == 2  # declined: nothing happens

    questions: list[str] = []
    page.confirm = lambda question: questions.append(question) or True  # type: ignore[method-assign]
    with qtbot.waitSignal(page.state.database_changed, timeout=30_000):
        page.restore_selected()
    assert "Remplacer toute la base" in questions[0]
    assert [e.facility for e in list_extractions(page.state.db)] == [FACILITY]  # the data is back
    assert "restaurée" in page.message.text()
    assert page.facility.findData("Ajouté après la sauvegarde") == -1
    names = [page.backups_model.index(r, 2).data() for r in range(page.backups_model.rowCount())]
    assert any("avant-restauration" in n for n in names)  # the replaced state is kept

    # ... and the safety copy brings the second extraction back: a restore can be undone.
    page.backups_view.selectRow(names.index(next(n for n in names if "avant-restauration" in n)))
    with qtbot.waitSignal(page.state.database_changed, timeout=30_000):
        page.restore_selected()
    assert len(list_extractions(page.state.db)) == 2


@sqlite_only
def test_restoring_a_file_that_is_not_a_backup_changes_nothing(
    page: SettingsPage, qtbot, db, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    fake = tmp_path / "pas-une-base.sqlite"
    fake.write_text("bonjour", encoding="utf-8")
    page.choose_backup_file = lambda: fake  # type: ignore[method-assign]
    page.confirm = lambda question: True  # type: ignore[method-assign]
    found: list[str] = []
    close_next_message_box(found)
    page.restore_from_file()
    qtbot.waitUntil(lambda: bool(found), timeout=20_000)
    assert "n'est pas une sauvegarde IVO" in found[0]
    assert [e.facility for e in list_extractions(page.state.db)] == [FACILITY]
    assert page.state.db is db


@pytest.mark.skipif(os.environ.get("IVO_TEST_DB") != "postgresql", reason="the PostgreSQL side of backups")
def test_backups_on_a_shared_server_point_to_pg_dump(page: SettingsPage) -> None:
    assert "pg_dump" in page.backups_state.text()
    assert not page.create_backup_button.isEnabled() and not page.restore_button.isEnabled()
