"""Test database URLs: a temporary SQLite file, or a throw-away PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def make_test_database_url(tmp_path: Path) -> Iterator[str]:
    backend = os.environ.get("IVO_TEST_DB", "sqlite")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'ivo-test.sqlite'}"
        return
    if backend != "postgresql":
        raise RuntimeError(f"IVO_TEST_DB inconnu : {backend}")
    import psycopg

    admin = os.environ.get("IVO_TEST_PG_ADMIN", "postgresql://postgres@localhost:5432/postgres")
    name = f"ivo_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0].split("://", 1)[1]
    try:
        yield f"postgresql+psycopg://{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
