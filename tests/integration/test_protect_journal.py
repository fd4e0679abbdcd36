"""Someone answerable for every change (issue 19, item 11): who, the hash chain, the roles."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from ivo_app.services import journal
from ivo_app.services.demo import create_demo
from ivo_app.store import journal as store_journal
from ivo_app.store.db import DatabaseUnavailableError, open_database

REPO = Path(__file__).resolve().parents[2]
ROLES_SQL = REPO / "scripts" / "postgresql-roles.sql"


def run_ivo(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ivo_app", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        timeout=120,
    )


def test_the_journal_chain_verifies_and_catches_a_change(tmp_path: Path) -> None:
    base = tmp_path / "ivo.sqlite"
    db = open_database(f"sqlite:///{base}")
    create_demo(db, size=100, seed=1, extracted_on=date(2026, 6, 1))
    for n in range(3):
        with db.engine.begin() as conn:
            store_journal.record(conn, "reglage", f"facility:{n}", {"n": n})
    check = journal.verify_journal(db)
    assert check.ok and check.entries == 4
    db.dispose()
    ok = run_ivo("journal", "verify", "--db", str(base))
    assert ok.returncode == 0 and "Journal intègre : 4 entrées" in ok.stdout

    with contextlib.closing(sqlite3.connect(base)) as conn:  # someone rewrites history by hand
        conn.execute("UPDATE journal_entry SET user = 'quelquun' WHERE id = 3")
        conn.commit()
    altered = run_ivo("journal", "verify", "--db", str(base))
    assert altered.returncode == 2
    assert "l'entrée n° 3" in altered.stderr and "modifié" in altered.stderr


def test_a_deleted_entry_breaks_the_chain(tmp_path: Path) -> None:
    base = tmp_path / "ivo.sqlite"
    db = open_database(f"sqlite:///{base}")
    for n in range(4):
        with db.engine.begin() as conn:
            store_journal.record(conn, "reglage", f"facility:{n}")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM journal_entry WHERE id = 2")
    check = journal.verify_journal(db)
    assert not check.ok and check.broken_at == 3 and "supprimée" in (check.reason or "")
    db.dispose()


def test_on_sqlite_the_user_is_the_os_account_whatever_ivo_user_says(tmp_path: Path) -> None:
    import pwd

    base = tmp_path / "ivo.sqlite"
    data = tmp_path / "d.csv"
    data.write_text(
        "ipp;nom_naissance;premier_prenom;date_naissance;sexe\n1;A;B;01/01/1990;M\n", encoding="utf-8"
    )
    done = run_ivo(
        "import",
        str(data),
        "--facility",
        "CH",
        "--db",
        str(base),
        IVO_USER="le-directeur",
        USER="x",
        LOGNAME="x",
    )
    assert done.returncode == 0, done.stderr
    db = open_database(f"sqlite:///{base}")
    assert [line.user for line in journal.read_journal(db)] == [pwd.getpwuid(os.getuid()).pw_name]
    db.dispose()


def test_older_entries_are_chained_by_the_migration(tmp_path: Path) -> None:
    from alembic import command

    from ivo_app.store.migrate import alembic_config

    base = tmp_path / "ivo.sqlite"
    db = open_database(f"sqlite:///{base}", run_migrations=False)
    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")
    with db.engine.begin() as conn:  # entries written by a version without the chain
        for n in range(3):
            conn.execute(
                text(
                    "INSERT INTO journal_entry (at, user, workstation, action, target, details) "
                    "VALUES (:at, 'ancien', 'poste', 'import', :target, '{\"rows\": 3}')"
                ),
                {"at": f"2026-01-0{n + 1} 10:00:00", "target": f"extraction:{n}"},
            )
    db.dispose()
    db = open_database(f"sqlite:///{base}")
    with db.engine.begin() as conn:
        store_journal.record(conn, "reglage", "facility:1")
    check = journal.verify_journal(db)
    assert check.ok and check.entries == 4
    db.dispose()


postgresql_only = pytest.mark.skipif(
    os.environ.get("IVO_TEST_DB") != "postgresql", reason="needs the PostgreSQL test server"
)


@postgresql_only
def test_postgresql_roles_user_is_the_login_and_the_journal_is_append_only(db, db_url: str) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.engine import make_url

    script = "\n".join(
        line for line in ROLES_SQL.read_text(encoding="utf-8").splitlines() if not line.startswith("\\")
    )
    with db.engine.begin() as conn:
        store_journal.record(conn, "reglage", "facility:1")
        conn.connection.driver_connection.execute(script)  # as psql would: no placeholders
    login = f"ivo_test_{uuid.uuid4().hex[:8]}"
    password = uuid.uuid4().hex
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {login} LOGIN PASSWORD '{password}' IN ROLE ivo_relecteur")
    try:
        url = make_url(db_url).set(username=login, password=password).render_as_string(hide_password=False)
        reviewer = open_database(url)
        try:
            with reviewer.engine.begin() as conn:
                store_journal.record(conn, "decision", "pair:1/2", user="Quelqu'un d'autre")
            lines = journal.read_journal(reviewer)
            assert lines[-1].user == login  # the server's login, not a typed name
            assert lines[-1].details == {"auteur_saisi": "Quelqu'un d'autre"}
            for statement in ("UPDATE journal_entry SET \"user\" = 'x'", "DELETE FROM journal_entry"):
                with (
                    pytest.raises(DatabaseUnavailableError, match="refusée"),
                    reviewer.engine.begin() as conn,
                ):
                    conn.exec_driver_sql(statement)
            with pytest.raises(DatabaseUnavailableError), reviewer.engine.begin() as conn:
                conn.exec_driver_sql("DELETE FROM extraction")  # a reviewer is no administrator
            assert journal.verify_journal(reviewer).ok
        finally:
            reviewer.dispose()
        with pytest.raises(DatabaseUnavailableError), db.engine.begin() as conn:  # even the owner
            conn.exec_driver_sql("DELETE FROM journal_entry")
    finally:
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {login}")
            conn.exec_driver_sql(f"DROP ROLE {login}")


def test_a_search_before_creation_is_journaled_without_the_typed_identity(db) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.services.duplicates import search_identity

    create_demo(db, size=200, seed=3, extracted_on=date(2026, 6, 1))
    search_identity(db, nom="ZORGLUBINSKI", prenom="HERMENEGILDE", naissance=date(1971, 4, 2))
    last = journal.read_journal(db)[-1]
    assert last.action == "recherche" and last.target and last.target.startswith("extraction:")
    assert "ZORGLUB" not in str(last.details) and "HERMENEGILDE" not in str(last.details)
    assert journal.verify_journal(db).ok


def test_two_processes_journaling_at_once_keep_one_chain(db_url: str) -> None:
    writer = """
import sys
from ivo_app.store import journal
from ivo_app.store.db import open_database
db = open_database(sys.argv[1])
for n in range(40):
    with db.engine.begin() as conn:
        journal.record(conn, "reglage", f"{sys.argv[2]}:{n}")
"""
    open_database(db_url).dispose()  # migrated once, before the writers race
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", writer, db_url, name], env=env, stderr=subprocess.PIPE, text=True
        )
        for name in ("a", "b")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    db = open_database(db_url)
    check = journal.verify_journal(db)
    assert check.ok and check.entries == 80, check
    db.dispose()
