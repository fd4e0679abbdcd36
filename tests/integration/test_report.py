"""The data-quality PDF, read back: sections, the same figures as `ivo indicators`, bookmarks, metadata,
escaping of hostile names, and no patient name unless asked."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from ivo_app.services.checks import run_checks
from ivo_app.services.demo import create_demo
from ivo_app.services.duplicates import find_duplicates
from ivo_app.services.indicators import compute_indicators
from ivo_app.services.report import generate_quality_report

FACILITY = 'CH <b>Saint-Łukasz</b> & Ğül "ß" 🏥'


@pytest.fixture
def checked(db):  # type: ignore[no-untyped-def]
    extraction = create_demo(
        db, size=600, seed=5, facility=FACILITY, extracted_on=date(2026, 6, 1)
    ).extraction_id
    run_checks(db, extraction)
    find_duplicates(db, extraction)
    return db, extraction


def text_of(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_report_sections_figures_bookmarks_and_metadata(checked, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, extraction = checked
    out = tmp_path / "rapport.pdf"
    generate_quality_report(db, extraction, out)
    reader = PdfReader(out)
    text = text_of(out)
    for section in (
        "Sommaire",
        "Synthèse",
        "Méthode et périmètre",
        "Indicateurs de la table d'identités",
        "Anomalies par règle et par sévérité",
        "Doublons et collisions",
        "catalogue des règles",
    ):
        assert section in text
    data = compute_indicators(db, extraction)
    assert f"{data['qualification_rate']:.1f} %".replace(".", ",") in text
    assert f"Anomalies : {data['anomalies']['total']}" in text
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Synthèse" in outline and "Annexe — catalogue des règles" in outline
    assert (
        reader.metadata is not None and reader.metadata.title == "Rapport de qualité de la table d'identités"
    )
    assert f"page 2 / {len(reader.pages)}" in text
    assert "Saint-Łukasz" in text and "<b>" in text and "Ğül" in text  # escaped, printed as typed


def test_no_patient_name_unless_asked(checked, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, extraction = checked
    from ivo_app.services.checks import list_findings
    from ivo_app.store.models import Identity
    from ivo_app.store.uow import UnitOfWork

    ipp = next(f.ipp for f in list_findings(db, extraction, severity="critique") if f.ipp)
    with UnitOfWork(db) as uow:
        name = uow.session.query(Identity).filter_by(extraction_id=extraction, ipp=ipp).one().birth_name
    default, named = tmp_path / "ipp.pdf", tmp_path / "nominatif.pdf"
    generate_quality_report(db, extraction, default)
    generate_quality_report(db, extraction, named, include_personal_data=True)
    assert ipp in text_of(default) and name not in text_of(default)
    assert name in text_of(named)
    # The footers say which: IPP only, or nominative data (defect: « IPP uniquement » on a named report).
    named_pages = [p.extract_text() or "" for p in PdfReader(named).pages][1:]
    assert all("contient des données nominatives" in p and "IPP uniquement" not in p for p in named_pages)
    assert all("IPP uniquement" in (p.extract_text() or "") for p in PdfReader(default).pages[1:])


def test_report_command(db_url: str, tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ivo_app", *args, "--db", db_url],
            capture_output=True,
            text=True,
            timeout=300,
        )

    assert run("demo", "--size", "300").returncode == 0
    assert run("check").returncode == 0
    out = tmp_path / "r.pdf"
    result = run("report", "--out", str(out))
    assert result.returncode == 0, result.stderr
    indicators = json.loads(run("indicators", "--format", "json").stdout)
    assert str(indicators["identities"]) in text_of(out)
