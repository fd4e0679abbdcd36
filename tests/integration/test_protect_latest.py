""" "The most recent extraction" is per facility (issue 19, item 15).

Two facilities whose extractions interleave (A, then B, then A again): with no extraction given,
a command takes the most recent one of the facility named, and refuses to guess when none is named.
SQLite and PostgreSQL (the `db` fixture).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ivo_app.errors import IvoError
from ivo_app.services.extractions import resolve_extraction_id
from ivo_app.services.imports import import_file

HEADER = "ipp;nom_naissance;premier_prenom;date_naissance;sexe\n"


def load(db, tmp_path: Path, facility: str, ipps: range) -> int:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{facility}-{ipps.start}.csv"
    path.write_text(HEADER + "".join(f"{i};NOM{i};PRENOM;01/01/1980;M\n" for i in ipps), encoding="utf-8")
    return import_file(db, path, facility).extraction_id


@pytest.fixture
def interleaved(db, tmp_path: Path) -> dict[str, int]:  # type: ignore[no-untyped-def]
    a1 = load(db, tmp_path, "CH Alpha", range(100, 103))
    b1 = load(db, tmp_path, "CH Beta", range(200, 204))
    a2 = load(db, tmp_path, "CH Alpha", range(300, 305))
    assert a1 < b1 < a2
    return {"a1": a1, "b1": b1, "a2": a2}


def test_the_most_recent_extraction_is_that_of_the_facility(db, interleaved: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    assert resolve_extraction_id(db, None, "CH Beta") == interleaved["b1"]  # not A's, imported after
    assert resolve_extraction_id(db, None, "CH Alpha") == interleaved["a2"]
    assert resolve_extraction_id(db, interleaved["a1"], "CH Alpha") == interleaved["a1"]
    with pytest.raises(IvoError, match="2 établissements \\(CH Alpha, CH Beta\\)"):
        resolve_extraction_id(db, None)
    with pytest.raises(IvoError, match="n'appartient pas à l'établissement CH Alpha"):
        resolve_extraction_id(db, interleaved["b1"], "CH Alpha")
    with pytest.raises(IvoError, match="Établissement inconnu"):
        resolve_extraction_id(db, None, "CH Gamma")


def ivo(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ivo_app", *args, "--db", db_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_cli_takes_the_facility_s_most_recent_extraction(
    db, db_url: str, interleaved: dict[str, int], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "beta.csv"
    done = ivo(db_url, "exporter", "--etablissement", "CH Beta", "--out", str(out))
    assert done.returncode == 0, done.stderr
    ipps = sorted(line.split(";")[0] for line in out.read_text(encoding="utf-8-sig").splitlines()[1:])
    assert ipps == ["200", "201", "202", "203"]  # B's extraction, though A's was imported after it
    done = ivo(db_url, "verifier")
    assert done.returncode == 2
    assert "2 établissements (CH Alpha, CH Beta)" in done.stderr and "--etablissement" in done.stderr
    done = ivo(db_url, "indicateurs", "--etablissement", "CH Alpha", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["extraction"]["id"] == interleaved["a2"] and data["identities"] == 5
