from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QThreadPool

from ivo_app.services.checks import run_checks
from ivo_app.services.demo import create_demo


@pytest.fixture
def demo_db(db):  # type: ignore[no-untyped-def]
    """A database with a small checked demo facility."""
    result = create_demo(db, size=400, seed=2, extracted_on=date(2026, 6, 1))
    run_checks(db, result.extraction_id)
    return db


@pytest.fixture
def window(qtbot, demo_db):  # type: ignore[no-untyped-def]
    from ivo_app.ui.app import application, build_window

    application()
    win = build_window(demo_db.url)
    qtbot.addWidget(win)
    win.show()
    yield win
    QThreadPool.globalInstance().waitForDone(60_000)  # pages reading in workers finish before the base closes
