"""The passphrase of an encrypted base, asked on the UI thread before the base is opened (opening
may then happen in a worker: the passphrase is remembered by this process, never written)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from ivo_app.errors import WrongPassphraseError
from ivo_app.store import encryption
from ivo_app.store.db import sqlite_file
from ivo_app.store.encryption import PassphraseFn


def ask_passphrase(path: Path, parent: QWidget | None = None) -> str | None:
    """Typed in a masked field; None when the user cancels."""
    text, ok = QInputDialog.getText(
        parent,
        "IVO — base chiffrée",
        f"La base {path.name} est chiffrée.\nPhrase secrète :",
        QLineEdit.EchoMode.Password,
    )
    return text if ok and text else None


def unlock(
    url: str | None, ask: PassphraseFn = ask_passphrase, tries: int = 3, parent: QWidget | None = None
) -> bool:
    """True when `url` can be opened without asking (not encrypted, or its passphrase known now);
    False when the user cancels; WrongPassphraseError after `tries` wrong passphrases."""
    path = sqlite_file(url)
    if path is None or not encryption.is_encrypted(path) or encryption.remembered(path):
        return True
    for attempt in range(1, tries + 1):
        secret = ask(path)
        if secret is None:
            return False
        try:
            encryption.check_passphrase(path, secret)
        except WrongPassphraseError as exc:
            if attempt == tries:
                raise
            QMessageBox.warning(parent, "IVO", f"{exc.message} Essai {attempt} sur {tries}.")
            continue
        encryption.remember(path, secret)
        return True
    return False
