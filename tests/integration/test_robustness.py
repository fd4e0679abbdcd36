"""Robustness: fuzzed imports never crash nor leave a partial extraction; a process killed in the middle
of an import leaves the database consistent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ivo_app.errors import IvoError
from ivo_app.services.imports import import_file
from ivo_app.store.db import open_database
from ivo_app.store.models import Extraction, Identity
from ivo_app.store.uow import UnitOfWork

HEADER = "ipp;nom_naissance;premier_prenom;date_naissance;sexe\n"
NASTY = st.sampled_from(["=CMD()", "+1", "@SUM(A1)", "<b>X</b>", "<script>", "&amp;", "Ł", "ğ", "ß", "😀",
                         "\x00", "'", '"', ";", "\r", "x" * 5000])  # fmt: skip


def counts(db) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with UnitOfWork(db) as uow:
        return (uow.session.scalar(select(func.count()).select_from(Extraction)) or 0,
                uow.session.scalar(select(func.count()).select_from(Identity)) or 0)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    payload=st.one_of(
        st.binary(max_size=3000),
        st.lists(st.lists(st.one_of(st.text(max_size=30), NASTY), min_size=1, max_size=7), max_size=20).map(
            lambda rows: (HEADER + "\n".join(";".join(r) for r in rows)).encode("utf-8", "surrogatepass")
        ),
        st.sampled_from([HEADER.encode("utf-16"), (HEADER + "1;É;A;01/01/2000;M\n").encode("cp1252")[:-7]]),
    )
)
def test_fuzzed_files_never_crash_and_never_leave_a_partial_extraction(
    db, tmp_path_factory, payload: bytes
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("fuzz") / "f.csv"
    path.write_bytes(payload)
    before = counts(db)
    try:
        result = import_file(db, path, "CH Fuzz")
    except IvoError:
        assert counts(db) == before  # refused whole: nothing written
        return
    after = counts(db)
    assert after[0] == before[0] + 1 and after[1] == before[1] + result.rows


KILLED_IMPORT = """
import sys
from pathlib import Path
from ivo_app.store.db import open_database
from ivo_app.services.imports import import_file
db = open_database(sys.argv[2])
print("start", flush=True)
import_file(db, Path(sys.argv[1]), "CH Tué")
"""


def test_kill_9_in_the_middle_of_an_import_leaves_the_database_consistent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ivo.sqlite'}"
    db = open_database(url)
    small = tmp_path / "small.csv"
    small.write_text(HEADER + "1;DUPONT;JEAN;01/01/1980;M\n", encoding="utf-8")
    import_file(db, small, "CH Existant")
    big = tmp_path / "big.csv"
    with open(big, "w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(400_000):
            fh.write(f"{i};NOM{i % 997};PRENOM;01/01/1980;M\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, str(big), url], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "start"
    time.sleep(1.5)  # in the middle of writing batches
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    db.dispose()
    db = open_database(url)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert counts(db) == (1, 1)  # the killed import left nothing behind
    result = import_file(db, small, "CH Existant")  # and the base works as before
    assert result.rows == 1


KILLED_DECISIONS = """
import sys
from pathlib import Path
from ivo_app.store.db import open_database
from ivo_app.services.decision_files import decide_from_file
db = open_database(sys.argv[2])
def progress(done, total, message):
    print(done, flush=True)
decide_from_file(db, None, Path(sys.argv[1]), progress=progress)
print("fini", flush=True)
"""


def test_kill_9_in_the_middle_of_a_decision_batch_records_none_of_it(tmp_path: Path) -> None:
    from ivo_app.services.decision_files import decide_from_file
    from ivo_app.services.demo import create_demo
    from ivo_app.store.models.duplicates import PairDecision
    from ivo_app.store.models.journal import JournalEntry

    url = f"sqlite:///{tmp_path / 'ivo.sqlite'}"
    db = open_database(url)
    create_demo(db, 3000, 9)
    with db.engine.connect() as conn:
        ipps = [ipp for (ipp,) in conn.execute(select(Identity.ipp).order_by(Identity.id))]
    batch = tmp_path / "decisions.csv"
    lines = [f"{a};{b};non doublon;revu en réunion" for a, b in zip(ipps[0::2], ipps[1::2], strict=False)]
    batch.write_text("ipp_a;ipp_b;decision;commentaire\n" + "\n".join(lines) + "\n", encoding="utf-8")

    def recorded() -> tuple[int, int]:
        with db.engine.connect() as conn:
            decisions = conn.scalar(select(func.count()).select_from(PairDecision)) or 0
            journaled = conn.scalar(
                select(func.count()).select_from(JournalEntry).where(JournalEntry.action == "decision")
            )
            return decisions, journaled or 0

    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_DECISIONS, str(batch), url], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    for line in proc.stdout:  # wait until a good part of the batch is written, not yet committed
        if line.strip().isdigit() and int(line) >= len(lines) // 3:
            break
    else:
        pytest.fail("the decision batch ended before it could be killed")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert recorded() == (0, 0)  # none of the batch, not even its journal lines
    assert decide_from_file(db, None, batch) == len(lines)  # and the same batch then goes through whole
    assert recorded() == (len(lines), len(lines))
    db.dispose()
