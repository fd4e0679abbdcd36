"""Running a service in a worker behind a modal progress dialog with a cancel button."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from ivo_app.ui import dialogs
from ivo_app.ui.worker import Worker, start

# The workers started from each widget, referenced while it lives so that a running worker is never
# collected (the widget's own attribute did this before, which no type describes).
_WORKERS: weakref.WeakKeyDictionary[QWidget, list[Worker]] = weakref.WeakKeyDictionary()


def run_task(
    parent: QWidget,
    title: str,
    fn: Callable[..., Any],
    *args: Any,
    on_done: Callable[[Any], object] | None = None,
    **kwargs: Any,
) -> Worker:
    dialog = QProgressDialog(title, "Annuler", 0, 0, parent)
    dialog.setWindowTitle("IVO")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    worker = Worker(fn, *args, **kwargs)

    def progressed(done: int, total: int, message: str) -> None:
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total else 0)
        dialog.setLabelText(f"{title}\n{message}")

    def finished(result: Any) -> None:
        dialog.reset()
        if on_done:
            on_done(result)

    def failed(message: str) -> None:
        dialog.reset()
        dialogs.warn(parent, message)  # plain text: a refusal may quote the file

    def cancelled() -> None:
        dialog.reset()
        dialogs.inform(parent, "Opération annulée : la base n'a pas été modifiée.")

    worker.signals.progressed.connect(progressed)
    worker.signals.finished.connect(finished)
    worker.signals.failed.connect(failed)
    worker.signals.cancelled.connect(cancelled)
    dialog.canceled.connect(worker.cancel)
    _WORKERS.setdefault(parent, []).append(worker)  # keep a reference while it runs
    return start(worker)
