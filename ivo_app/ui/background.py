"""Reading for a page off the UI thread: the latest request wins.

A page that summarises a million identities (the dashboard's indicators) must not block the window
while it reads. `LatestOnly.request()` runs the read in a worker; when several requests overlap (an
import emits data_changed then extraction_changed), only the newest result is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from ivo_app.ui.worker import Worker, start


class LatestOnly:
    def __init__(
        self, read: Callable[[], Any], show: Callable[[Any], None], failed: Callable[[str], None]
    ) -> None:
        self.read, self.show, self.failed = read, show, failed
        self.generation = 0
        self.scheduled = False
        self.running: list[Worker] = []  # kept referenced while they run

    @property
    def busy(self) -> bool:
        return self.scheduled or bool(self.running)

    def request(self) -> None:
        """Read on the next turn of the event loop: requests made in the same turn read once."""
        self.generation += 1
        if not self.scheduled:
            self.scheduled = True
            QTimer.singleShot(0, self._start)

    def _start(self) -> None:
        self.scheduled = False
        generation = self.generation
        read = self.read
        worker = Worker(lambda progress=None, is_cancelled=None: read())
        worker.signals.finished.connect(lambda result: self._done(worker, generation, result, None))
        worker.signals.failed.connect(lambda message: self._done(worker, generation, None, message))
        self.running.append(worker)
        start(worker)

    def _done(self, worker: Worker, generation: int, result: Any, error: str | None) -> None:
        self.running.remove(worker)
        if generation != self.generation:
            return  # a newer request is on its way
        if error is not None:
            self.failed(error)
        else:
            self.show(result)


@dataclass
class Outcome:
    value: Any = None
    error: str | None = None
    cancelled: bool = False


def read_off_the_gui_thread(parent: QWidget, title: str, fn: Callable[..., Any], *args: Any) -> Outcome:
    """Run `fn(*args)` (a file read: a preview, a hash) in a worker and wait for it in a local event
    loop: the window keeps painting and answering while a large file is read, and a progress dialog
    with a cancel button appears when the read lasts. Cancelling stops the wait (the result, when it
    comes, is dropped)."""
    outcome = Outcome()
    loop = QEventLoop()
    worker = Worker(lambda *a, progress=None, is_cancelled=None: fn(*a), *args)

    def finished(value: Any) -> None:
        outcome.value = value
        loop.quit()

    def failed(message: str) -> None:
        outcome.error = message
        loop.quit()

    def cancelled() -> None:
        outcome.cancelled = True
        loop.quit()

    dialog = QProgressDialog(title, "Annuler", 0, 0, parent)
    dialog.setWindowTitle("IVO")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)  # no second click while it reads
    dialog.setMinimumDuration(400)
    dialog.canceled.connect(cancelled)
    worker.signals.finished.connect(finished)
    worker.signals.failed.connect(failed)
    worker.signals.cancelled.connect(cancelled)
    _waiting.append(worker)  # referenced until it ends, even when the wait was cancelled
    worker.signals.finished.connect(lambda _value: _forget(worker))
    worker.signals.failed.connect(lambda _message: _forget(worker))
    start(worker)
    loop.exec()
    dialog.reset()
    dialog.deleteLater()
    return outcome


_waiting: list[Worker] = []


def _forget(worker: Worker) -> None:
    if worker in _waiting:
        _waiting.remove(worker)
