"""Indicators across a facility's extractions: the trend and the history the dashboard charts."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from ivo_app.services.checks import run_checks
from ivo_app.services.imports import import_file
from ivo_app.services.indicators import compute_indicators

HEADER = "ipp;nom_naissance;premier_prenom;date_naissance;sexe;statut"


def write(path: Path, statuses: list[str]) -> Path:
    rows = [f"{i};NOM{i};PRENOM;01/02/1980;F;{status}" for i, status in enumerate(statuses, 1)]
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_history_follows_the_facility_from_one_extraction_to_the_next(
    db, db_url: str, tmp_path: Path
) -> None:
    first = import_file(db, write(tmp_path / "a.csv", ["PROV", "PROV", "QUAL", "VALI"]), "CH Suivi",
                        extracted_on=date(2025, 3, 1))  # fmt: skip
    run_checks(db, first.extraction_id)
    import_file(db, write(tmp_path / "autre.csv", ["QUAL"]), "CH Autre", extracted_on=date(2025, 6, 1))
    second = import_file(db, write(tmp_path / "b.csv", ["QUAL", "QUAL", "QUAL", "PROV", "QUAL"]), "CH Suivi",
                         extracted_on=date(2025, 9, 1))  # fmt: skip
    data = compute_indicators(db, second.extraction_id)
    history = data["history"]
    assert [h["id"] for h in history] == [first.extraction_id, second.extraction_id]  # not the other facility
    assert [h["qual_share"] for h in history] == [25.0, 80.0]
    assert [h["qualification_rate"] for h in history] == [25.0, 80.0]  # no last visit: all active
    assert [h["identities"] for h in history] == [4, 5]
    assert history[0]["anomalies"] is not None and history[1]["anomalies"] is None  # the second is unchecked
    assert data["trend"]["identities"] == {"before": 4, "now": 5, "delta": 1}
    assert compute_indicators(db, first.extraction_id)["history"] == history[:1]

    shown = subprocess.run(
        [sys.executable, "-m", "ivo_app", "indicators", "--db", db_url, "--extraction", str(second.extraction_id)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "Évolution" in shown.stdout and "QUAL  80.0 %" in shown.stdout and "QUAL  25.0 %" in shown.stdout
