"""CLI commands that print nominative data journal the view: one entry, never the names (item 11)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from ivo_app.store.models.journal import JournalEntry

HEADER = "ipp;nom_naissance;premier_prenom;date_naissance;sexe\n"


def ivo(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ivo_app", *args, "--db", db_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def views(db) -> list[JournalEntry]:  # type: ignore[no-untyped-def]
    with db.sessions() as session:
        query = select(JournalEntry).where(JournalEntry.action == "consultation").order_by(JournalEntry.id)
        return list(session.scalars(query))


def test_printing_findings_and_rejected_lines_is_journaled_once(db, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "ids.csv"
    rows = [f"{i};DUPONTEL{i};MARIE;01/02/1980;F" for i in range(1, 6)]
    rows += [
        "7;GRANDVAL7;PAUL;31/02/1980;M",
        "8;\x00NULLIER;PAUL;01/02/1980;M",
        "9;MARTINEZ9;LEA;99/99/1999;X",
    ]
    data.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    assert ivo(db_url, "importer", str(data), "--etablissement", "CH").returncode == 0
    assert views(db) == []

    done = ivo(db_url, "verifier", "--format", "json")
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)["findings"]
    entries = views(db)
    assert len(entries) == 1
    assert entries[0].details == {
        "vue": "anomalies",
        "identites": len({f["ipp"] for f in printed if f["ipp"]}),
    }
    assert ivo(db_url, "verifier").returncode == 0  # counts only: no view
    assert len(views(db)) == 1

    done = ivo(db_url, "rejets")
    assert done.returncode == 0 and "ligne" in done.stdout, done.stderr
    entries = views(db)
    assert len(entries) == 2 and entries[1].details["vue"] == "rejets"  # type: ignore[index]
    text = json.dumps([[e.target, e.details] for e in entries])
    assert not any(name in text for name in ("DUPONTEL", "GRANDVAL", "NULLIER", "MARTINEZ"))
