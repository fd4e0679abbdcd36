"""Bad input: rejected rows are reported, unreadable files and cancellations change nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ivo_app.errors import IvoError, MappingError, OperationCancelled, UnreadableFileError
from ivo_app.services.extractions import list_extractions, rejections
from ivo_app.services.imports import import_file
from ivo_app.store.models import Extraction, Facility, Identity, ImportRejection
from ivo_app.store.models.journal import JournalEntry
from ivo_app.store.uow import UnitOfWork

HEADER = "ipp;nom_naissance;premier_prenom;date_naissance;sexe"


def counts(db) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    with UnitOfWork(db) as uow:
        return tuple(
            uow.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Facility, Extraction, Identity, ImportRejection, JournalEntry)
        )


# Large files are read in a second process (services.read_ahead): both paths must behave the same.
both_readers = pytest.mark.parametrize("read_ahead", [False, True], ids=["en-processus", "lecteur-separe"])


@both_readers
def test_bad_rows_are_rejected_with_line_numbers(db, tmp_path: Path, read_ahead: bool) -> None:
    text = (
        "\n".join(
            [
                HEADER,
                "1;DUPONT;JEAN;01/01/1980;M",
                '2;"MARTIN\nSUR DEUX LIGNES";ANNE;02/02/1980;F',  # quoted newline: still one record
                ";SANSIPP;X;01/01/1990;M",
                "1;DOUBLON;Y;01/01/1991;F",
                "3;TROP;DE;COLONNES;ICI;ENCORE",
                "4;COURT",
                "",
                "5;FIN;Z;03/03/1993;F;;",  # trailing empty fields are tolerated
                '6;"DEUX\r\nFINS\rDE LIGNE";B;04/04/1994;M',  # line breaks of every kind inside quotes
                "6;APRES;C;05/05/1995;F",
            ]
        )
        + "\n"
    )
    path = tmp_path / "bad.csv"
    path.write_bytes(text.encode("utf-8"))
    result = import_file(db, path, "CH Test", read_ahead=read_ahead)
    assert result.rows == 4
    got = [(r.line_no, r.reason) for r in result.rejections]
    assert got == [
        (5, "ipp_manquant"),
        (6, "ipp_double"),
        (7, "colonnes"),
        (8, "colonnes"),
        (14, "ipp_double"),
    ]
    stored = rejections(db, result.extraction_id)
    assert [n for n, _, _ in stored] == [5, 6, 7, 8, 14]
    assert stored[2][1] == "nombre de colonnes incorrect" and "6 colonnes au lieu de 5" in stored[2][2]
    assert list_extractions(db)[0].rejected == 5


@both_readers
def test_encoding_broken_far_into_the_file_is_reported_and_nothing_kept(
    db, tmp_path: Path, read_ahead: bool
) -> None:
    # A UTF-16 export corrupted far from its start (a lone surrogate): the damage is met mid-import.
    path = tmp_path / "casse.csv"
    good = "".join(f"{i};NOM{i};PRENOM;01/01/1980;M\r\n" for i in range(30_000))
    path.write_bytes(b"\xff\xfe" + (HEADER + "\r\n" + good).encode("utf-16-le") + b"\x00\xd8A\x00")
    before = counts(db)
    with pytest.raises(UnreadableFileError, match="illisible"):
        import_file(db, path, "CH Test", read_ahead=read_ahead)
    assert counts(db) == before


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        (b"", UnreadableFileError, "vide"),
        (b"%PDF-1.4\x00\x01\x02binary", UnreadableFileError, "pas un fichier texte"),
        (b"PK\x03\x04 not really a workbook", UnreadableFileError, "Classeur illisible"),
        (b"juste une phrase sans colonnes\n", UnreadableFileError, "en-tête"),
        (b"a;b;c\n1;2;3\n", MappingError, "Colonnes obligatoires"),
        (HEADER.encode() + b"\n", IvoError, "Aucune identité"),
    ],
)
def test_unreadable_files_leave_the_database_unchanged(
    db, tmp_path: Path, content: bytes, error: type[Exception], message: str
) -> None:
    path = tmp_path / ("f.xlsx" if content.startswith(b"PK") else "f.csv")
    path.write_bytes(content)
    before = counts(db)
    with pytest.raises(error, match=message):
        import_file(db, path, "CH Test")
    assert counts(db) == before


def test_missing_file(db, tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="introuvable"):
        import_file(db, tmp_path / "absent.csv", "CH Test")


@both_readers
def test_cancelled_import_leaves_the_database_exactly_as_before(db, tmp_path: Path, read_ahead: bool) -> None:
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(HEADER + "\n")
        for i in range(25_000):
            fh.write(f"{i};NOM{i % 97};PRENOM;01/01/1980;M\n")
    import_file(db, path, "CH Existant")  # something already there must survive intact
    before = counts(db)
    reports: list[int] = []

    def cancel_after_first_batch() -> bool:
        return len(reports) >= 1

    with pytest.raises(OperationCancelled):
        import_file(
            db,
            path,
            "CH Test",
            progress=lambda d, t, m: reports.append(d),
            is_cancelled=cancel_after_first_batch,
            read_ahead=read_ahead,
        )
    assert reports, "the import should have reported progress before being cancelled"
    assert counts(db) == before


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ivo_app", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_exit_status_and_one_line_french_message(db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x01\x02\x03")
    result = run_cli("import", str(bad), "--facility", "CH", "--db", db_url)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "illisible" in result.stderr
    assert "Traceback" not in result.stderr
    good = tmp_path / "ok.csv"
    good.write_text(HEADER + "\n1;DUPONT;JEAN;01/01/1980;M\n", encoding="utf-8")
    assert run_cli("import", str(good), "--facility", "CH", "--db", db_url).returncode == 0
    listed = run_cli("extractions", "--format", "json", "--db", db_url)
    assert listed.returncode == 0 and '"rows": 1' in listed.stdout
    missing = run_cli("export", "--extraction", "99", "--out", str(tmp_path / "x.csv"), "--db", db_url)
    assert missing.returncode == 2 and "Extraction introuvable" in missing.stderr


def test_export_round_trip_is_formula_safe(db, tmp_path: Path) -> None:
    src = tmp_path / "src.csv"
    src.write_text(HEADER + ";nom_utilise\n1;=CMD();@X;12/03/1980;M;-1+2\n", encoding="utf-8")
    import_file(db, src, "CH Test")
    from ivo_app.services.extractions import export_extraction

    out = tmp_path / "out.csv"
    assert export_extraction(db, None, out) == 1
    text = out.read_text(encoding="utf-8-sig")
    assert "'=CMD()" in text and "'@X" in text and "'-1+2" in text
