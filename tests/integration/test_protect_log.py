"""The technical log holds no value from the data, whatever fails (issue 19, item 7).

Errors are provoked in real `ivo` processes with a distinctive patient name in the data, and the log
file is searched for it. SQLite triggers stand for what a server or driver quotes back in an error
(the name is in the error's text, as PostgreSQL quotes a key or a failing row).
"""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
from pathlib import Path

from ivo_app.logs import Code, ScrubFilter

from .test_protect_runtime import clean_env

NAME = "ZORGLUBNOM"
COMMENT = "ZORGLUBCOMMENTAIRE"


def ivo(base: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(XDG_DATA_HOME=str(base.parent / "home"))
    return subprocess.run(
        [sys.executable, "-m", "ivo_app", *args, "--db", str(base)],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )


def add_trigger(base: Path, table: str, message: str) -> None:
    with sqlite3.connect(base) as conn:
        conn.execute(
            f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


def the_log(base: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in base.parent.glob("ivo.log*"))


def test_an_import_refused_by_the_database_leaves_no_name_in_the_log(tmp_path: Path) -> None:
    base = tmp_path / "ivo.sqlite"
    first = tmp_path / "a.csv"
    first.write_text("ipp;nom_naissance;premier_prenom;date_naissance;sexe\n1;MARTIN;LEA;01/02/1980;F\n")
    assert ivo(base, "import", str(first), "--facility", "CH").returncode == 0
    add_trigger(base, "identity", f"ligne refusée : {NAME}")
    data = tmp_path / "b.csv"
    data.write_text(f"ipp;nom_naissance;premier_prenom;date_naissance;sexe\n2;{NAME};PAUL;03/04/1970;M\n")
    done = ivo(base, "import", str(data), "--facility", "CH")
    assert done.returncode == 1 and "erreur interne" in done.stderr
    log = the_log(base)
    assert "IntegrityError (message masqué)" in log and "imports.py" in log  # the developer's trace
    assert NAME not in log and NAME not in done.stderr


def test_a_decision_comment_refused_by_the_database_leaves_no_comment_in_the_log(tmp_path: Path) -> None:
    base = tmp_path / "ivo.sqlite"
    assert ivo(base, "demo", "--size", "200", "--date", "2026-10-01").returncode == 0
    with sqlite3.connect(base) as conn:
        ipps = [ipp for (ipp,) in conn.execute("SELECT ipp FROM identity ORDER BY id LIMIT 2")]
    add_trigger(base, "pair_decision", f"commentaire refusé : {COMMENT}")
    review = tmp_path / "revue.csv"
    review.write_text(f"ipp_a;ipp_b;decision;commentaire\n{ipps[0]};{ipps[1]};doublon;{COMMENT}\n")
    done = ivo(base, "decide-batch", str(review))
    assert done.returncode == 1, done.stderr
    log = the_log(base)
    assert "(message masqué)" in log
    assert COMMENT not in log and COMMENT not in done.stderr


def test_a_locked_base_and_a_bad_file_leave_no_name_in_the_log(tmp_path: Path) -> None:
    base = tmp_path / "ivo.sqlite"
    data = tmp_path / "a.csv"
    data.write_text(f'ipp;nom_naissance;premier_prenom;date_naissance;sexe\n1;"{NAME};LEA;01/02/1980;F\n')
    assert ivo(base, "import", str(data), "--facility", "CH").returncode == 2  # unclosed quote
    data.write_bytes(f"ipp;nom_naissance\n1;{NAME}\n".encode() + b"\xff\xfe\x00" * 10)
    ivo(base, "import", str(data), "--facility", "CH")
    assert NAME not in the_log(base)


def test_exception_messages_and_message_values_never_reach_the_log(tmp_path: Path) -> None:
    """Whatever a future call writes: `int('ZORGLUBNOM')` chained into another error, a name passed as
    an argument of a message, a decoder's error quoting the bytes."""
    path = tmp_path / "ivo.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.addFilter(ScrubFilter())
    logger = logging.getLogger("ivo_app.test_scrub")
    logger.addHandler(handler)
    try:
        try:
            try:
                int(NAME)
            except ValueError as exc:
                raise RuntimeError(f"champ illisible : {NAME}") from exc
        except RuntimeError:
            logger.exception("lecture de %s par %s : %d lignes", NAME, Code("import"), 12)
        try:
            (b"\xe9" + NAME.encode()).decode("utf-8")
        except UnicodeDecodeError:
            logger.exception("décodage")
        logger.error("valeurs %(nom)s %(n)s", {"nom": NAME, "n": 3})
    finally:
        logger.removeHandler(handler)
        handler.close()
    log = path.read_text(encoding="utf-8")
    assert "ZORGLUB" not in log
    assert "lecture de [masqué] par import : 12 lignes" in log
    assert "builtins.ValueError (message masqué)" in log and "builtins.RuntimeError (message masqué)" in log
    assert "builtins.UnicodeDecodeError (message masqué)" in log
    assert "valeurs [masqué] 3" in log
    assert "test_protect_log.py" in log  # the frames stay, for the developer
