"""Starting the window on an encrypted base: the passphrase is typed in a masked dialog; a wrong one
is said and asked again; the data then shows as usual."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox

from ivo_app.errors import WrongPassphraseError
from ivo_app.services.demo import create_demo
from ivo_app.services.protection import encrypt_database
from ivo_app.store import encryption
from ivo_app.store.db import open_database

SECRET = "phrase secrète de la fenêtre"


@pytest.fixture
def encrypted(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "chiffree.sqlite"
    db = open_database(f"sqlite:///{path}")
    create_demo(db, size=200, seed=5, extracted_on=date(2026, 6, 1))
    encrypt_database(db, SECRET)
    encryption.forget(path)
    yield path
    encryption.forget(path)


def answer_dialogs(answers: list[str], seen: list[str]) -> None:
    """Answer the modal dialogs as a user would: type into the passphrase field, close warnings."""

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QInputDialog):
            assert box.textEchoMode() == QLineEdit.EchoMode.Password  # never shown in clear
            seen.append(box.labelText())
            box.setTextValue(answers.pop(0))
            box.accept()
        elif isinstance(box, QMessageBox):
            seen.append(box.text())
            box.accept()
        if answers or isinstance(box, QMessageBox):
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def start(path: Path) -> Callable[[], object]:
    from ivo_app.ui.app import application, build_window

    application()
    return lambda: build_window(f"sqlite:///{path}")


def test_window_opens_an_encrypted_base_after_a_wrong_then_right_passphrase(qtbot, encrypted: Path) -> None:
    seen: list[str] = []
    answer_dialogs(["pas la bonne phrase", SECRET], seen)
    window = start(encrypted)()
    qtbot.addWidget(window)
    assert any("chiffrée" in text for text in seen)
    assert any("incorrecte" in text and "Essai 1 sur 3" in text for text in seen)
    assert window.state.extraction_id is not None  # type: ignore[attr-defined]


def test_three_wrong_passphrases_refuse_to_open(qtbot, encrypted: Path) -> None:
    seen: list[str] = []
    answer_dialogs(["faux un", "faux deux", "faux trois"], seen)
    with pytest.raises(WrongPassphraseError):
        start(encrypted)()


def test_settings_page_opens_an_encrypted_base_after_its_passphrase(window, qtbot, encrypted: Path) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.ui.pages.settings import SettingsPage

    page = next(p for p in window.pages if isinstance(p, SettingsPage))
    seen: list[str] = []
    answer_dialogs([SECRET], seen)
    with qtbot.waitSignal(window.state.database_changed, timeout=30_000):
        page.open_database_url(f"sqlite:///{encrypted}")
    assert any("chiffrée" in text for text in seen)
    assert window.state.db.engine.url.drivername == "sqlite+pysqlcipher"
    assert window.state.extraction_id is not None
