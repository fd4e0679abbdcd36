"""Files from a page: ask where (the system's file dialog), then run the service in a worker and say
what was written. Tests answer the dialog by setting `ask_save_path` / `ask_open_path`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ivo_app.ui.tasks import run_task

TABLES = "Classeur CSV (*.csv);;Classeur Excel (*.xlsx)"


def _save_dialog(parent: QWidget, title: str, filters: str, suggested: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return Path(name) if name else None


def _open_dialog(parent: QWidget, title: str, filters: str) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
    return Path(name) if name else None


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
