"""One way to run long work off the UI thread, with progress and cancel.

Services take `progress(done, total, message)` and `is_cancelled()`; `Worker` gives them callables
bridged to Qt signals (queued to the UI thread), so no widget is ever touched from the worker thread.
Each service call opens its own database session in the worker thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ivo_app.errors import IvoError, OperationCancelled

log = logging.getLogger(__name__)


class WorkerSignals(QObject):
    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()


class Worker(QRunnable):
    """Runs `fn(*args, progress=..., is_cancelled=..., **kwargs)` in the thread pool."""

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.signals = WorkerSignals()
        self._cancel = threading.Event()
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            result = self.fn(
                *self.args,
                progress=self._emit_progress,
                is_cancelled=self._cancel.is_set,
                **self.kwargs,
            )
        except OperationCancelled:
            self._emit(self.signals.cancelled)
        except IvoError as exc:
            self._emit(self.signals.failed, exc.message)
        except Exception:  # a bug: the details go to the log, the user gets a French sentence
            log.exception("worker failed")
            self._emit(
                self.signals.failed, "Erreur interne inattendue ; les détails sont dans le journal technique."
            )
        else:
            self._emit(self.signals.finished, result)

    def _emit_progress(self, done: int, total: int, message: str) -> None:
        self._emit(self.signals.progressed, done, total, message)

    def _emit(self, signal: Any, *args: Any) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the window closed while the work ran: nobody is left to tell
            self._cancel.set()


def start(worker: Worker) -> Worker:
    QThreadPool.globalInstance().start(worker)
    return worker
