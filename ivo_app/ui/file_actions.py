"""Files from a page: ask where (Qt's own file dialog, in French), then run the service in a worker
and say what was written.

The dialogs are `QFileDialog` instances that never use the platform's native dialog: Qt's French
translation applies to them ("Regarder dans", "Fichiers de type"), they look the same on every
workstation, and tests answer them through their real widgets (the file name box, then Enter)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ivo_app.ui.tasks import run_task

TABLES = "Classeur CSV (*.csv);;Classeur Excel (*.xlsx)"


FILE_DIALOG = "ivo-file-dialog"  # object name of every file dialog the window opens


def file_dialog(
    parent: QWidget | None,
    title: str,
    filters: str,
    suggested: str = "",
    *,
    save: bool,
    overwrite: bool = True,
) -> Path | None:
    """Ask for one file (to write when `save`, to read otherwise); None when cancelled."""
    dialog = QFileDialog(parent, title, suggested, filters)
    dialog.setObjectName(FILE_DIALOG)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    # Qt's French catalogue leaves these labels of its file dialog in English ("Look in:").
    labels = QFileDialog.DialogLabel
    dialog.setLabelText(labels.LookIn, "Regarder dans :")
    dialog.setLabelText(labels.FileName, "Nom du fichier :")
    dialog.setLabelText(labels.FileType, "Type de fichier :")
    dialog.setLabelText(labels.Accept, "Enregistrer" if save else "Ouvrir")
    dialog.setLabelText(labels.Reject, "Annuler")
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        if not overwrite:
            dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, True)
        suffix = _suffix(filters)
        if suffix:
            dialog.setDefaultSuffix(suffix)
    else:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    if suggested:
        dialog.selectFile(suggested)
    return _chosen_path(dialog)


def ask_directory(parent: QWidget | None, title: str) -> Path | None:
    """Ask for a folder (Qt's own dialog, in French, as `file_dialog`); None when cancelled."""
    dialog = QFileDialog(parent, title)
    dialog.setObjectName(FILE_DIALOG)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    labels = QFileDialog.DialogLabel
    dialog.setLabelText(labels.LookIn, "Regarder dans :")
    dialog.setLabelText(labels.FileName, "Dossier :")
    dialog.setLabelText(labels.Accept, "Choisir")
    dialog.setLabelText(labels.Reject, "Annuler")
    return _chosen_path(dialog)


def _suffix(filters: str) -> str:
    """The first filter's extension ("PDF (*.pdf)" → "pdf"): a name typed without one gets it."""
    start = filters.find("*.")
    if start < 0:
        return ""
    end = start + 2
    while end < len(filters) and filters[end].isalnum():
        end += 1
    return filters[start + 2 : end]


def _save_dialog(parent: QWidget, title: str, filters: str, suggested: str) -> Path | None:
    return file_dialog(parent, title, filters, suggested, save=True)


def _open_dialog(parent: QWidget, title: str, filters: str) -> Path | None:
    return file_dialog(parent, title, filters, save=False)


ask_save_path: Callable[[QWidget, str, str, str], Path | None] = _save_dialog
ask_open_path: Callable[[QWidget, str, str], Path | None] = _open_dialog


def without_progress(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A short service (an export) in a worker: it takes no progress nor cancel callables."""

    def call(*args: Any, progress: Any = None, is_cancelled: Any = None, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return call


def save_with(
    parent: QWidget,
    title: str,
    suggested: str,
    fn: Callable[..., Any],
    *args: Any,
    describe: Callable[[Any, Path], str],
    filters: str = TABLES,
    on_done: Callable[[Any], None] | None = None,
) -> None:
    """Ask for a file, then `fn(*args, path)` in a worker, then tell the user (`describe`)."""
    path = ask_save_path(parent, title, filters, suggested)
    if path is None:
        return

    def done(result: Any) -> None:
        QMessageBox.information(parent, "IVO", describe(result, path))
        if on_done:
            on_done(result)

    run_task(parent, title, without_progress(fn), *args, path, on_done=done)


def _chosen_path(dialog: QFileDialog) -> Path | None:
    """Run the dialog once; the path chosen, or None when cancelled (the dialog is freed either way)."""
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        return Path(dialog.selectedFiles()[0])
    finally:
        dialog.deleteLater()
