"""Start-up of the `ivo` command: a command imports only what it needs (issue: start-up < 0.5 s)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime

import pytest

from ivo_app.errors import IvoError
from ivo_app.services.demo import create_demo
from ivo_app.services.extractions import delete_extraction, list_extractions
from ivo_app.store import migrate
from ivo_app.store.uow import UnitOfWork

HEAVY = ("sqlalchemy", "alembic", "PySide6", "reportlab", "numpy", "rapidfuzz", "openpyxl", "pyarrow")


# What a read through Core does without: the ORM, IVO's models (their declarative classes and the
# mapper configuration at the first query) and what only the other commands read or write with.
NOT_FOR_A_CORE_READ = (
    "sqlalchemy.orm",
    "ivo_app.store.models",
    "ivo_app.store.repositories",
    "ivo_app.store.journal",
    "ivo_app.services.imports",
    "ivo_app.io.sources",
    "ivo_app.io.writers",
)


def loaded_after(db_url: str | None, *args: str) -> tuple[str, list[str]]:
    """Output of `ivo ARGS` run in a fresh interpreter, and the heavy libraries it had imported."""
    output, modules = modules_after(*args)
    return output, sorted({m.split(".")[0] for m in modules} & set(HEAVY))


def modules_after(*args: str) -> tuple[str, list[str]]:
    """Output of `ivo ARGS` run in a fresh interpreter, and every module it had imported."""
    code = (
        "import json, sys\n"
        "from ivo_app.cli import main\n"
        f"code = main({list(args)!r})\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    *output, modules = result.stdout.strip().splitlines()
    return "\n".join(output), json.loads(modules)


def loaded(modules: list[str], packages: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in packages)]


def test_version_imports_no_library(db_url: str) -> None:
    output, modules = loaded_after(None, "--version")
    assert output.startswith("ivo ") and modules == []


def test_extractions_opens_the_base_without_the_other_areas_libraries(db, db_url: str) -> None:  # type: ignore[no-untyped-def]
    _output, modules = loaded_after(db_url, "extractions", "--db", db_url)  # `db`: migrated already
    assert "alembic" not in modules  # the base is at head: no migration to run
    assert set(modules) <= {"sqlalchemy", "psycopg"}, modules


def test_extractions_reads_through_core_without_orm_nor_models(db, db_url: str) -> None:  # type: ignore[no-untyped-def]
    output, modules = modules_after("extractions", "--db", db_url)
    assert output.startswith("Aucune extraction") or "établissement" in output
    assert loaded(modules, NOT_FOR_A_CORE_READ) == []
    if db.dialect == "sqlite":  # models.base's JSONB variant would load the PostgreSQL dialect
        assert loaded(modules, ("sqlalchemy.dialects.postgresql", "psycopg")) == []


def test_the_head_read_from_the_revision_files_is_alembics() -> None:
    assert migrate._single_head_from_files() == migrate.head_revision()


def test_the_core_listing_gives_what_the_orm_objects_hold(db) -> None:  # type: ignore[no-untyped-def]
    """The listing's statement names the model's columns itself: each field, its type included
    (SQLite gives dates back as text unless typed), must be the ORM's value."""
    create_demo(db, size=30, facility="CH Un")
    create_demo(db, size=20, facility="CH Deux", extracted_on=date(2025, 3, 1))
    with UnitOfWork(db) as uow:
        expected = [
            (e.id, e.facility.name, e.facility_id, e.extracted_on, e.imported_at, e.source_file,
             e.source_format, e.row_count, e.rejected_count, e.source_sha256, e.is_demo)
            for e in uow.extractions.list()
        ]  # fmt: skip
    infos = list_extractions(db)
    assert [tuple(vars(i).values()) for i in infos] == expected and len(expected) == 2
    assert isinstance(infos[1].extracted_on, date) and isinstance(infos[0].imported_at, datetime)
    assert infos[0].is_demo is True
    second = infos[1].facility_id
    assert [i.id for i in list_extractions(db, second)] == [infos[1].id]
    assert delete_extraction(db, infos[0].id) == infos[0]
    assert [i.id for i in list_extractions(db)] == [infos[1].id]
    with pytest.raises(IvoError, match="introuvable"):
        delete_extraction(db, infos[0].id)
