"""Reading for a page off the UI thread: the latest request wins.

A page that summarises a million identities (the dashboard's indicators) must not block the window
while it reads. `LatestOnly.request()` runs the read in a worker; when several requests overlap (an
import emits data_changed then extraction_changed), only the newest result is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer

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
