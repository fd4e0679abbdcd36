"""Shared fixtures. Tests never touch the user's real data directory.

`db` is an empty, migrated database: SQLite in a temporary file by default; with
IVO_TEST_DB=postgresql the same tests run on a fresh PostgreSQL database (see .ci/run).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_DATA_HOME = tempfile.mkdtemp(prefix="ivo-test-home-")
os.environ["XDG_DATA_HOME"] = _DATA_HOME
os.environ["XDG_CONFIG_HOME"] = _DATA_HOME  # QSettings (window geometry) too
os.environ["IVO_LOG_FILE"] = str(Path(_DATA_HOME) / "ivo-test.log")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
SHARED_REFERENCE = REPO.parent / "shared" / "reference"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    from tests.dbs import make_test_database_url

    with make_test_database_url(tmp_path) as url:
        yield url


@pytest.fixture
def db(db_url: str):  # type: ignore[no-untyped-def]
    from ivo_app.store.db import open_database

    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def shared_reference() -> Path:
    if not SHARED_REFERENCE.exists():
        pytest.skip("../shared/reference absent")
    return SHARED_REFERENCE
