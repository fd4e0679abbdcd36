"""The log, file modes and database errors (issue 19: items 7, 9, 10, 13, 15)."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ivo_app.io.decisions import read_decisions
from ivo_app.io.writers import write_table
from ivo_app.store.db import display_url

REPO = Path(__file__).resolve().parents[2]
HEADER = "ipp;nom_naissance;premier_prenom;date_naissance;sexe"


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user's run: no log file imposed by the test suite, a loose umask."""
    env = {k: v for k, v in os.environ.items() if k not in ("IVO_LOG_FILE",)}
    return {**env, "PYTHONPATH": str(REPO), **extra}


def run_ivo(*args: str, env: dict[str, str] | None = None, **kwargs):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "ivo_app", *args],
        capture_output=True,
        text=True,
        env=env or clean_env(),
        timeout=120,
        **kwargs,
    )


def loose_umask() -> None:
    os.umask(0o022)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def write_identities(path: Path, n: int) -> None:
    path.write_text(
        HEADER + "\n" + "".join(f"{i};NOMPATIENT{i};PRENOM;01/01/1980;M\n" for i in range(n)),
        encoding="utf-8",
    )


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_files_are_private_and_the_log_is_beside_the_base(tmp_path: Path) -> None:
    home = tmp_path / "home"
    base = tmp_path / "nouveau" / "ivo.sqlite"
    data = tmp_path / "ids.csv"
    write_identities(data, 20)
    env = clean_env(XDG_DATA_HOME=str(home))
    assert (
        run_ivo(
            "import", str(data), "--facility", "CH", "--db", str(base), env=env, preexec_fn=loose_umask
        ).returncode
        == 0
    )
    assert run_ivo("backup", "create", "--db", str(base), env=env, preexec_fn=loose_umask).returncode == 0
    out = tmp_path / "export.csv"
    assert (
        run_ivo("export", "--out", str(out), "--db", str(base), env=env, preexec_fn=loose_umask).returncode
        == 0
    )
    pdf = tmp_path / "rapport.pdf"
    done = run_ivo("rapport", "--out", str(pdf), "--db", str(base), env=env, preexec_fn=loose_umask)
    assert done.returncode == 0, done.stderr
    assert mode(pdf) == 0o600
    assert mode(base.parent) == 0o700
    assert mode(base) == 0o600
    assert mode(base.parent / "sauvegardes") == 0o700
    assert all(mode(p) == 0o600 for p in (base.parent / "sauvegardes").iterdir())
    assert mode(out) == 0o600
    log = base.parent / "ivo.log"
    assert log.exists() and mode(log) == 0o600
    assert not (home / "IVO" / "ivo.log").exists() or "import" not in (home / "IVO" / "ivo.log").read_text()


def test_a_database_error_never_logs_the_values_of_the_statement(tmp_path: Path) -> None:
    base = tmp_path / "ivo.sqlite"
    script = f"""
import logging
from sqlalchemy import insert
from ivo_app.logs import setup_logging
from ivo_app.store.db import open_database
from ivo_app.store.models import Identity
setup_logging()
db = open_database({str(base)!r})
try:
    with db.engine.begin() as conn:  # no extraction 999: the foreign key fails
        conn.execute(insert(Identity).values(extraction_id=999, line_no=1, ipp="1", birth_name="ZORGLUBNOM"))
except Exception:
    logging.getLogger("ivo_app.test").exception("unexpected error")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], env=clean_env(XDG_DATA_HOME=str(tmp_path / "h")), timeout=60
    )
    assert done.returncode == 0
    log = (base.parent / "ivo.log").read_text(encoding="utf-8")
    assert "IntegrityError" in log  # the error is there, for the developer
    assert "ZORGLUBNOM" not in log


def test_scrub_removes_what_a_server_quotes_back() -> None:
    from ivo_app.logs import scrub

    text = "duplicate key value violates unique constraint\nDETAIL:  Key (extraction_id, ipp)=(1, 0042) already exists."
    assert "0042" not in scrub(text)
    assert "0042" not in scrub("Failing row contains (1, 0042, DUPONT).")


def test_the_postgresql_password_is_never_shown() -> None:
    shown = display_url("postgresql://ivo:s3cr3t-Motdepasse@serveur:5432/ivo")
    assert "s3cr3t" not in shown and "serveur" in shown and "ivo" in shown


def test_a_locked_base_is_a_french_line_and_exit_2(tmp_path: Path) -> None:
    base = tmp_path / "ivo.sqlite"
    data = tmp_path / "ids.csv"
    write_identities(data, 20)
    assert run_ivo("import", str(data), "--facility", "CH", "--db", str(base)).returncode == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3,sys,time\n"
            "c=sqlite3.connect(sys.argv[1],isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\nprint('ready',flush=True)\ntime.sleep(60)",
            str(base),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        result = run_ivo("import", str(data), "--facility", "CH 2", "--db", str(base))
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert result.returncode == 2, result.stderr
    assert "Base occupée" in result.stderr
    with contextlib.closing(sqlite3.connect(base)) as conn:
        assert conn.execute("SELECT count(*) FROM extraction").fetchone()[0] == 1


def test_a_full_disk_during_an_import_is_a_french_line_and_changes_nothing(tmp_path: Path) -> None:
    base = tmp_path / "ivo.sqlite"
    small = tmp_path / "petit.csv"
    write_identities(small, 10)
    assert run_ivo("import", str(small), "--facility", "CH", "--db", str(base)).returncode == 0
    big = tmp_path / "gros.csv"
    write_identities(big, 200_000)
    limit = base.stat().st_size + (2 << 20)

    def small_disk() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    start = time.monotonic()
    result = run_ivo("import", str(big), "--facility", "CH 2", "--db", str(base), preexec_fn=small_disk)
    assert result.returncode == 2, result.stderr
    assert "Disque plein" in result.stderr and "interne" not in result.stderr
    assert time.monotonic() - start < 120
    with contextlib.closing(sqlite3.connect(base)) as conn:
        assert conn.execute("SELECT count(*) FROM identity").fetchone()[0] == 10
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.skipif(os.environ.get("IVO_TEST_DB") != "postgresql", reason="needs the PostgreSQL test server")
def test_a_wrong_postgresql_password_is_a_french_line(db_url: str) -> None:
    from sqlalchemy.engine import make_url

    wrong = make_url(db_url).set(password="certainement-pas-le-bon").render_as_string(hide_password=False)
    result = run_ivo("extractions", "--db", wrong)
    assert result.returncode == 2
    assert "mot de passe incorrect" in result.stderr
    assert "OperationalError" not in result.stderr and "certainement" not in result.stderr


def test_a_reviewed_queue_with_formula_like_ipps_reads_back(tmp_path: Path) -> None:
    queue = tmp_path / "file.csv"
    write_table(
        queue,
        ["ipp_a", "ipp_b", "decision", "commentaire"],
        [["+1", "=A2", "doublon", ""], ["-12", "\uff1dX", "pas doublon", "=1+1"]],
    )
    text = queue.read_text(encoding="utf-8-sig")
    assert "+1;'=A2" in text and "-12;'\uff1dX" in text
    rows = read_decisions(queue)
    assert [(r.ipp_a, r.ipp_b) for r in rows] == [("+1", "=A2"), ("-12", "\uff1dX")]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_on_a_full_disk_leaves_no_truncated_file(tmp_path: Path, suffix: str) -> None:
    base = tmp_path / "ivo.sqlite"
    data = tmp_path / "ids.csv"
    write_identities(data, 30_000)
    assert run_ivo("import", str(data), "--facility", "CH", "--db", str(base)).returncode == 0
    out = tmp_path / "sortie" / f"export{suffix}"
    out.parent.mkdir()

    def small_disk() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    result = run_ivo("export", "--out", str(out), "--db", str(base), preexec_fn=small_disk)
    assert result.returncode == 2, result.stderr
    assert "interne" not in result.stderr
    assert list(out.parent.iterdir()) == []  # neither the file nor a temporary one
