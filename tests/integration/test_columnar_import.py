"""The columnar import (services.columnar) stores exactly what the general reader stores.

The same identities are written twice: unquoted (a plain file: the columnar path) and with every
field quoted (the general reader, io.delimited, which removes the quotes), then every stored column
of every row and every rejection are compared. The values are the awkward ones real exports have.
"""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from ivo_app.errors import OperationCancelled
from ivo_app.io.mapping import ColumnMapping
from ivo_app.io.sources import open_source
from ivo_app.services import columnar
from ivo_app.services.imports import import_file
from ivo_app.store.models import Identity, ImportRejection
from ivo_app.store.uow import UnitOfWork

HEADER = [
    "ipp", "nom_naissance", "prenoms_naissance", "premier_prenom", "nom_utilise", "prenom_utilise",
    "date_naissance", "sexe", "lieu_naissance", "matricule_ins", "oid_ins", "statut", "attributs",
    "justificatif", "date_derniere_venue",
]  # fmt: skip
NAMES = [
    "DUPONT", "Le Gall-Dupont", " MARTIN ", "D'ARTAGNAN", "ÉLODIE", "Œuvray", "JEAN--PIERRE", "-",
    "O'NEIL ", "MÜLLER", "X" * 255, "\u00a0BERNARD", "\x1cPETIT", "DE  LA FONTAINE", "", "ng", "A B",
]  # fmt: skip
FIRST_LISTS = ["JEAN PIERRE", "Marie-Claire  Anne", "", "LOUIS", "\tANNE", "Zoé Renée", "PAUL-ÉMILE JEAN"]
FIRSTS = ["JEAN", "", "Marie", " LUC", "ÉLISE", "JEAN-LOUIS"]
DATES = ["01/01/1980", "1980-02-29", "31/02/1980", "00/00/1950", "", " 03/04/1975 ", "1/2/1960", "12/03/80"]
SEXES = ["M", "F", "H", "1", "2", "X", "", "masculin", "i"]
PLACES = ["75056", " 2A004 ", "", "99100", "ABC", "123456789012345678901234"]
MATRICULES = ["180017505612345", "1 80 01 75 056 123 45", "2a0012A00412345", "", "1.80.01-75", "18001"]
STATUSES = ["QUAL", "Qualifiée", "", "VIDE", "bidule", "prov", "RECUP"]
ATTRIBUTES = ["", "DOUTEUSE,FICTIVE", "homonyme|douteuse", "", "inconnu"]
DOCUMENTS = ["CN", "", "passeport", "PA"]
VISITS = ["2024-01-15", "", "15/01/2024", "2024-13-01"]


def rows(count: int) -> list[list[str]]:
    """`count` data rows cycling through the awkward values (lengths are primes: many combinations),
    with missing, repeated, padded and overlong IPPs."""
    columns = [NAMES, FIRST_LISTS, FIRSTS, NAMES[::-1], FIRSTS[::-1], DATES, SEXES, PLACES, MATRICULES]
    cycles = [itertools.cycle(c) for c in columns]
    out = []
    for i in range(count):
        ipp = f"{100000 + i}"
        if i % 997 == 5:
            ipp = ""
        elif i % 1009 == 7:
            ipp = f"{100000 + i - 3}"  # already seen: rejected
        elif i % 211 == 0:
            ipp = f" {ipp} "
        elif i % 4001 == 9:
            ipp = "9" * 70
        values = [next(c) for c in cycles]
        out.append(
            [
                ipp,
                *values,
                "1.2.250.1.213.1.4.8" if i % 2 else "",
                STATUSES[i % 7],
                ATTRIBUTES[i % 5],
                DOCUMENTS[i % 4],
                VISITS[i % 3],
            ]
        )
    return out


def write(path: Path, data: list[list[str]], quoted: bool, bom: bool = False, crlf: bool = False) -> Path:
    end = "\r\n" if crlf else "\n"
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        for cells in [HEADER, *data]:
            fh.write(";".join(f'"{c}"' if quoted else c for c in cells) + end)
    return path


def stored(db, extraction_id: int) -> tuple[list[tuple], list[tuple]]:  # type: ignore[no-untyped-def]
    """Every column of the extraction's identities (id made relative) in line order, and its rejections."""
    columns = [c for c in Identity.__table__.columns if c.name not in ("id", "extraction_id")]
    with UnitOfWork(db) as uow:
        identities = uow.session.execute(
            select(Identity.id, *columns)
            .where(Identity.extraction_id == extraction_id)
            .order_by(Identity.line_no)
        ).all()
        rejected = uow.session.execute(
            select(ImportRejection.line_no, ImportRejection.reason, ImportRejection.detail)
            .where(ImportRejection.extraction_id == extraction_id)
            .order_by(ImportRejection.line_no)
        ).all()
    first = identities[0][0]
    return [(row[0] - first, *row[1:]) for row in identities], [tuple(r) for r in rejected]


@pytest.mark.parametrize("layout", ["lf", "bom-crlf"])
def test_columnar_path_stores_what_the_general_reader_stores(db, tmp_path: Path, layout: str) -> None:
    data = rows(25_000)  # more than one batch of the columnar reader
    bom = crlf = layout == "bom-crlf"
    plain = write(tmp_path / "plain.csv", data, quoted=False, bom=bom, crlf=crlf)
    quoted = write(tmp_path / "quoted.csv", data, quoted=True, bom=bom, crlf=crlf)
    assert columnar.eligible(open_source(plain)) and not columnar.eligible(open_source(quoted))

    fast = import_file(db, plain, "CH Colonnes")
    general = import_file(db, quoted, "CH Colonnes")

    assert fast.rows == general.rows > 24_000
    fast_rows, fast_rejected = stored(db, fast.extraction_id)
    general_rows, general_rejected = stored(db, general.extraction_id)
    assert fast_rejected == general_rejected
    assert {r[1] for r in fast_rejected} == {"ipp_manquant", "ipp_double"}
    assert [r[0] for r in fast_rows] == list(range(len(fast_rows)))  # ids follow the lines
    for mine, theirs in zip(fast_rows, general_rows, strict=True):
        assert mine == theirs
    # a few values checked against what the rules expect, not only against the other path
    by_line = {r[1]: r for r in fast_rows}
    names = {
        c.name: i + 1
        for i, c in enumerate(c for c in Identity.__table__.columns if c.name not in ("id", "extraction_id"))
    }
    row = by_line[3]  # the second data row: "Le Gall-Dupont", first names "Marie-Claire  Anne"
    assert row[names["birth_name"]] == "Le Gall-Dupont"
    assert row[names["birth_name_norm"]] == "LE GALL DUPONT"
    assert row[names["first_names_norm"]] == "MARIE CLAIRE ANNE"
    assert row[names["ins_matricule"]] == "180017505612345"
    assert row[names["first_first_name"]] == "Marie-Claire"  # none given: the list's first
    assert row[names["first_first_name_norm"]] == "MARIE CLAIRE"
    assert by_line[39][names["first_first_name"]] is None  # neither a first name nor a list
    assert by_line[12][names["birth_name"]] == "X" * 255  # the longest name stored whole (longer: rejected)
    assert by_line[13][names["birth_name"]] == "BERNARD"  # a no-break space is trimmed too
    assert by_line[13][names["birth_name_norm"]] is None  # its own normal form: not stored twice


def test_a_line_with_another_column_count_late_in_the_file_restarts_on_the_general_reader(
    db, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = rows(25_000)
    data[23_000] = data[23_000][:5]  # line 23 002: five columns instead of fifteen
    plain = write(tmp_path / "plain.csv", data, quoted=False)
    quoted = write(tmp_path / "quoted.csv", data, quoted=True)
    with caplog.at_level(logging.INFO, logger="ivo_app.services.imports"):
        fast = import_file(db, plain, "CH Colonnes")
    assert "columnar path stopped" in caplog.text  # it did start on the columnar path
    general = import_file(db, quoted, "CH Colonnes")
    fast_rows, fast_rejected = stored(db, fast.extraction_id)
    assert (23_002, "colonnes", "5 colonnes au lieu de 15") in fast_rejected
    assert (fast_rows, fast_rejected) == stored(db, general.extraction_id)
    assert fast.rows == len(fast_rows)  # nothing the columnar path wrote before is left twice


def test_a_batch_whose_every_line_is_rejected(db, tmp_path: Path) -> None:
    data = rows(30_000)
    for cells in data[:25_000]:
        cells[0] = "42"  # the same IPP: the second batch is rejected as a whole
    fast = import_file(db, write(tmp_path / "same.csv", data, quoted=False), "CH Colonnes")
    general = import_file(db, write(tmp_path / "same-quoted.csv", data, quoted=True), "CH Colonnes")
    assert 4_900 < fast.rows == general.rows <= 5_001
    assert sum(r.reason == "ipp_double" for r in fast.rejections) >= 24_999
    assert stored(db, fast.extraction_id) == stored(db, general.extraction_id)


def test_cancelling_the_columnar_import_leaves_nothing(db, tmp_path: Path) -> None:
    plain = write(tmp_path / "plain.csv", rows(25_000), quoted=False)
    reports: list[int] = []
    with pytest.raises(OperationCancelled):
        import_file(
            db,
            plain,
            "CH Colonnes",
            progress=lambda d, t, m: reports.append(d),
            is_cancelled=lambda: bool(reports),
        )
    assert reports
    with UnitOfWork(db) as uow:
        assert uow.session.scalar(select(Identity.id).limit(1)) is None


def test_files_the_columnar_path_does_not_take(tmp_path: Path) -> None:
    data = rows(10)
    extra = tmp_path / "extra.csv"
    extra.write_text(
        ";".join([*HEADER, "service"]) + "\n" + ";".join([*data[0], "URG"]) + "\n", encoding="utf-8"
    )
    latin = tmp_path / "latin.csv"
    latin.write_bytes((";".join(HEADER) + "\n" + ";".join(data[4]) + "\n").encode("cp1252", "replace"))
    lone_cr = write(tmp_path / "cr.csv", data, quoted=False)
    lone_cr.write_bytes(lone_cr.read_bytes().replace(b"\n", b"\r"))
    for path in (extra, latin, lone_cr):
        assert not columnar.eligible(open_source(path)), path.name
    # one column read as two fields (a mapping file may say so): the general reader fills both
    twice = write(tmp_path / "twice.csv", data, quoted=False)
    mapping = ColumnMapping(columns={**{h: h for h in HEADER}, "date_completee": "justificatif"})
    assert columnar.eligible(open_source(twice))
    assert not columnar.eligible(open_source(twice, mapping))


def test_the_columnar_path_in_the_reader_process_stores_what_it_stores_in_the_import(
    db, tmp_path: Path
) -> None:
    plain = write(tmp_path / "plain.csv", rows(25_000), quoted=False)
    here = import_file(db, plain, "CH Colonnes", read_ahead=False)
    there = import_file(db, plain, "CH Colonnes", read_ahead=True)  # a second process prepares the batches
    assert here.rows == there.rows > 24_000
    assert stored(db, here.extraction_id) == stored(db, there.extraction_id)


@pytest.mark.parametrize("quoted", [False, True], ids=["colonnes", "lecteur-general"])
def test_the_date_order_note_survives_the_reader_process(db, tmp_path: Path, quoted: bool) -> None:
    """The reader process decides the column's date order: its note reaches the import report."""
    data = rows(50)
    for i, cells in enumerate(data):
        cells[6] = f"{1 + i % 28:02d}{1 + i % 12:02d}19{50 + i % 40}"  # JJMMAAAA, eight digits
    path = write(tmp_path / "compact.csv", data, quoted=quoted)
    result = import_file(db, path, "CH Colonnes", read_ahead=True)
    notes = result.report["remarques"]
    assert any("8 chiffres sont lues en JJMMAAAA" in note for note in notes), notes
