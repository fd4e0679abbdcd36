"""Decisions reviewed in a spreadsheet: recorded together, or not at all when a line is wrong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from ivo_app.errors import IvoError
from ivo_app.services.decision_files import decide_from_file
from ivo_app.services.demo import create_demo
from ivo_app.store.models import Identity
from ivo_app.store.models.duplicates import PairDecision


@pytest.fixture
def ipps(db) -> list[str]:  # type: ignore[no-untyped-def]
    create_demo(db, 200, 3)
    with db.engine.connect() as conn:
        return [ipp for (ipp,) in conn.execute(select(Identity.ipp).order_by(Identity.id).limit(8))]


def decisions(db) -> dict[tuple[str, str], tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(PairDecision.ipp_a, PairDecision.ipp_b, PairDecision.decision, PairDecision.comment)
        )
        return {(a, b): (d, c) for a, b, d, c in rows}


def test_queue_export_with_a_decision_column_typed_in_excel(db, ipps: list[str], tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["IPP A", "IPP B", "Score", "Niveau", "Décision", "Commentaire"])
    sheet.append([ipps[1], ipps[0], 18.2, "probable", "Doublon avéré", "même pièce d'identité"])
    sheet.append([ipps[2], ipps[3], 11.0, "a_examiner", "non-doublon", None])
    sheet.append([ipps[4], ipps[5], 10.5, "a_examiner", None, None])  # not reviewed yet: skipped
    sheet.append([ipps[6], ipps[7], 10.1, "a_examiner", "à revoir", "appeler le service"])
    path = tmp_path / "revue.xlsx"
    book.save(path)
    assert decide_from_file(db, None, path) == 3
    got = decisions(db)
    assert got[tuple(sorted(ipps[:2]))] == ("doublon", "même pièce d'identité")  # type: ignore[index]
    assert got[tuple(sorted(ipps[2:4]))] == ("non_doublon", None)  # type: ignore[index]
    assert got[tuple(sorted(ipps[6:8]))] == ("a_revoir", "appeler le service")  # type: ignore[index]
    assert len(got) == 3


def test_one_wrong_line_records_nothing(db, ipps: list[str], tmp_path: Path) -> None:
    path = tmp_path / "revue.csv"
    path.write_text(
        f"ipp_a;ipp_b;decision\n{ipps[0]};{ipps[1]};doublon\n{ipps[2]};{ipps[3]};peut-être\n",
        encoding="cp1252",
    )
    with pytest.raises(IvoError, match="Ligne 3 : décision « peut_etre » inconnue"):
        decide_from_file(db, None, path)
    path.write_text(f"ipp_a;ipp_b;decision\n{ipps[0]};{ipps[1]};doublon\n{ipps[2]};INCONNU;doublon\n")
    with pytest.raises(IvoError, match="INCONNU"):
        decide_from_file(db, None, path)
    assert decisions(db) == {}


def test_cli_decide_batch(db, db_url: str, ipps: list[str], tmp_path: Path) -> None:
    path = tmp_path / "revue.csv"
    path.write_text(f"ipp_a;ipp_b;decision;commentaire\n{ipps[0]};{ipps[1]};oui;vu\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "ivo_app", "decide-batch", str(path), "--db", db_url],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 décision enregistrée" in done.stdout
    with db.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(PairDecision)) == 1
