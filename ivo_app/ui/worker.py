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
                progress=self.signals.progressed.emit,
                is_cancelled=self._cancel.is_set,
                **self.kwargs,
            )
        except OperationCancelled:
            self.signals.cancelled.emit()
        except IvoError as exc:
            self.signals.failed.emit(exc.message)
        except Exception:  # a bug: the details go to the log, the user gets a French sentence
            log.exception("worker failed")
            self.signals.failed.emit(
                "Erreur interne inattendue ; les détails sont dans le journal technique."
            )
        else:
            self.signals.finished.emit(result)


def start(worker: Worker) -> Worker:
    QThreadPool.globalInstance().start(worker)
    return worker
