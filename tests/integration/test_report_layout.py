"""The example deliverable's layout, read back from the PDF: no word cut inside a table cell, no page
less than a third full except where a chapter ends, chart axes that cover their bars."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from ivo_app import paths
from ivo_app.audit.report.document import Table
from ivo_app.audit.report.renderer import FONT, FONT_BOLD, PAD, _nice_max, register_fonts, table_layout
from ivo_app.services import audit
from ivo_app.services.checks import run_checks
from ivo_app.services.demo import create_demo
from ivo_app.services.duplicates import find_duplicates
from ivo_app.services.report import build_audit_document, generate_audit_report, generate_quality_report

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "docs" / "examples" / "audit-ch-garonne.yaml"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, int, Path]]:
    import ivo_app.io.cog as cog
    from ivo_app.store.db import open_database

    folder = tmp_path_factory.mktemp("layout")
    db = open_database(f"sqlite:///{folder / 'ivo.sqlite'}")
    with pytest.MonkeyPatch.context() as patch:
        # The example names IPP of the demo generated with the embedded COG only (see test_audit.py).
        patch.setattr(cog, "history_dir", lambda: folder / "cog-absent")
        cog.load_reference.cache_clear()
        extraction = create_demo(
            db, size=1500, seed=7, facility="CH de la Garonne", extracted_on=date(2026, 10, 1)
        ).extraction_id  # the example's demo: `ivo demo --date 2026-10-01`
        run_checks(db, extraction)
        find_duplicates(db, extraction)
        audit_id = audit.create_audit(db, "CH de la Garonne")
        audit.apply_answers_file(db, audit_id, EXAMPLE)
        out = folder / "livrable.pdf"
        generate_audit_report(db, audit_id, out)
        yield db, audit_id, out
    cog.load_reference.cache_clear()
    db.dispose()


def tables(document) -> list[Table]:  # type: ignore[no-untyped-def]
    return [b for s in document.sections for b in s.blocks if isinstance(b, Table)]


def test_every_word_of_every_cell_fits_its_column(example) -> None:  # type: ignore[no-untyped-def]
    """Defect: headers and values cut mid-word (« Prés/ent », « Conformi/té », « COLLISION-SUSPEC/TE »)."""
    db, audit_id, _ = example
    register_fonts(paths.resource("fonts"))
    document = build_audit_document(db, audit_id)[3]
    checked = 0
    for table in tables(document):
        widths, size = table_layout(table)
        for col, width in enumerate(widths):
            words = [(w, FONT_BOLD) for w in table.headers[col].split()]
            words += [(w, FONT) for row in table.rows for w in str(row[col]).split()]
            for word, font in words:
                assert pdfmetrics.stringWidth(word, font, size) <= width - 2 * PAD, (word, table.headers)
                checked += 1
    assert checked > 3000


def test_long_words_read_back_whole_from_the_pdf(example) -> None:  # type: ignore[no-untyped-def]
    db, audit_id, out = example
    document = build_audit_document(db, audit_id)[3]
    text = subprocess.run(
        ["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    tokens = {t.strip(".,;:()«»") for t in text.split()}
    long_words = {w.strip(".,;:()«»") for t in tables(document) for row in [t.headers, *t.rows] for c in row
                  for w in str(c).split() if len(w.strip(".,;:()«»")) >= 9}  # fmt: skip
    assert {"Conformité", "identitovigilance", "COLLISION-SUSPECTE"} <= long_words
    missing = sorted(w for w in long_words if w not in tokens)
    assert not missing, missing[:20]


def page_fill(path: Path) -> list[float]:
    """Share of each page's frame (between header and footer) that holds text, from pdftotext's boxes."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    fills = []
    for page in html.split("<page ")[1:]:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))  # type: ignore[union-attr]
        top, bottom = 2 * 28.35, height - 2 * 28.35  # the body frame: 2 cm margins
        ys = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page)]
        body = [y for y in ys if top < y < bottom]
        fills.append((max(body) - top) / (bottom - top) if body else 0.0)
    return fills


def test_no_page_less_than_a_third_full_except_where_a_chapter_ends(example) -> None:  # type: ignore[no-untyped-def]
    """Defect: near-empty pages."""
    _, _, out = example
    reader = PdfReader(out)
    chapter_starts = {
        reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list)
    }
    for index, fill in enumerate(page_fill(out)):
        if index:
            assert fill > 0.05, f"page {index + 1} vide"
        if index < 2 or index == len(reader.pages) - 1:
            continue  # cover, contents, last page
        assert fill >= 1 / 3 or (index + 1) in chapter_starts, f"page {index + 1} remplie à {fill:.0%}"


def test_chart_axes_cover_every_bar_and_an_all_zero_chart_has_a_readable_axis() -> None:
    """Defects: an all-zero chart with a 0–0.01 axis, an axis stopping below a bar."""
    assert _nice_max([0.0, 0.0], "nombre") == (1.0, 1.0)
    top, step = _nice_max([451.0, 789.0, 6.0], "nombre")
    assert top >= 789 and step >= 1 and float(top / step).is_integer()
    assert _nice_max([62.5, 83.3], "%") == (100.0, 20.0)
    top, _ = _nice_max([7.0, 102.0, 206.0, 27.0], "nombre")
    assert top >= 206


def test_quality_report_of_an_imported_file_names_its_fingerprint_and_labels(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    from ivo_app.services.imports import import_file

    source = tmp_path / "admissions.csv"
    source.write_text("ipp;nom_naissance;premier_prenom;date_naissance;sexe;statut\n1;MARTIN;JEANNE;01/01/1990;F;PROV\n"
                      "2;DURAND;PAUL;2/3/1985;M;VALI\n", encoding="utf-8")  # fmt: skip
    result = import_file(db, source, "CH Fichier")
    run_checks(db, result.extraction_id)
    out = tmp_path / "q.pdf"
    generate_quality_report(db, result.extraction_id, out)
    text = " ".join("\n".join(p.extract_text() or "" for p in PdfReader(out).pages).split()).replace(
        "\u00a0", " "
    )
    assert hashlib.sha256(source.read_bytes()).hexdigest() in text
    assert "Qualifiée" in text or "Provisoire" in text
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text.split("Annexe — catalogue des règles")[0])
