"""Start-up of the `ivo` command: a command imports only what it needs (issue: start-up < 0.5 s)."""

from __future__ import annotations

import json
import subprocess
import sys

from ivo_app.store import migrate

HEAVY = ("sqlalchemy", "alembic", "PySide6", "reportlab", "numpy", "rapidfuzz", "openpyxl", "pyarrow")


def loaded_after(db_url: str | None, *args: str) -> tuple[str, list[str]]:
    """Output of `ivo ARGS` run in a fresh interpreter, and the heavy libraries it had imported."""
    code = (
        "import json, sys\n"
        "from ivo_app.cli import main\n"
        f"code = main({list(args)!r})\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    *output, modules = result.stdout.strip().splitlines()
    return "\n".join(output), json.loads(modules)


def test_version_imports_no_library(db_url: str) -> None:
    output, modules = loaded_after(None, "--version")
    assert output.startswith("ivo ") and modules == []


def test_extractions_opens_the_base_without_the_other_areas_libraries(db, db_url: str) -> None:  # type: ignore[no-untyped-def]
    _output, modules = loaded_after(db_url, "extractions", "--db", db_url)  # `db`: migrated already
    assert "alembic" not in modules  # the base is at head: no migration to run
    assert set(modules) <= {"sqlalchemy", "psycopg"}, modules


def test_the_head_read_from_the_revision_files_is_alembics() -> None:
    assert migrate._single_head_from_files() == migrate.head_revision()
