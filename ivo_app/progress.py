"""The progress/cancel protocol every long operation takes.

Domain and service code receives two plain callables, so it stays free of Qt: the CLI passes
a text progress bar, the window wraps them in a worker whose signals reach the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable

from ivo_app.errors import OperationCancelled

ProgressFn = Callable[[int, int, str], None]
"""progress(done, total, message): total may be 0 when unknown."""

CancelFn = Callable[[], bool]
"""is_cancelled(): True once the user asked to stop."""


def no_progress(done: int, total: int, message: str) -> None:
    """Default progress callback: ignore."""


def never_cancelled() -> bool:
    return False


class Progress:
    """Bundles both callables and throttles reports so hot loops stay cheap."""

    def __init__(
        self,
        progress: ProgressFn | None = None,
        is_cancelled: CancelFn | None = None,
        every: int = 1,
    ) -> None:
        self._progress = progress or no_progress
        self._is_cancelled = is_cancelled or never_cancelled
        self._every = max(1, every)

    def report(self, done: int, total: int, message: str = "", force: bool = False) -> None:
        if force or done % self._every == 0 or done == total:
            self._progress(done, total, message)

    def check(self) -> None:
        """Raise OperationCancelled when the user asked to stop."""
        if self._is_cancelled():
            raise OperationCancelled()

    @property
    def cancelled(self) -> bool:
        return self._is_cancelled()
