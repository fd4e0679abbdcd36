"""The identities page's search by the start of a birth or used name (store.queries.identities) finds
the same identities whether the import stored a name's normal form or only the name (a name that is
its own normal form: `services.records.stored_norm` leaves its `*_norm` column NULL), on both import
paths and on a base whose normal forms were all stored (as imports did before)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from ivo_app.services.browse import count_identities, identity_page
from ivo_app.services.imports import import_file
from ivo_app.store.models import Identity
from ivo_app.store.queries.identities import IdentityFilter
from ivo_app.store.uow import UnitOfWork

HEADER = "ipp;nom_naissance;prenoms_naissance;premier_prenom;nom_utilise;date_naissance;sexe"
ROWS = [
    ("1001", "DUPONT", "JEAN PIERRE", "JEAN", "", "01/02/1980", "M"),
    ("1002", "Le Gall-Dupont", "Marie", "Marie", "MARTIN", "03/04/1975", "F"),
    ("1003", "DURAND", "Zoé", "Zoé", "Martin-Durand", "05/06/1990", "F"),
    ("1004", "BERNARD", "LUC", "LUC", "", "07/08/1960", "M"),
]


def _file(tmp_path: Path, quoted: bool) -> Path:
    quote = '"' if quoted else ""  # quoted fields: the general reader; plain: the columnar path
    lines = [HEADER] + [";".join(f"{quote}{v}{quote}" for v in row) for row in ROWS]
    path = tmp_path / ("quoted.csv" if quoted else "plain.csv")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _found(db, extraction: int, text: str) -> set[str]:  # type: ignore[no-untyped-def]
    flt = IdentityFilter(text=text)
    page = identity_page(db, extraction, flt=flt)
    assert count_identities(db, extraction, flt) == len(page)
    return {row["ipp"] for row in page}


@pytest.mark.parametrize("quoted", [False, True])
def test_search_by_name_start_and_used_name(db, tmp_path: Path, quoted: bool) -> None:  # type: ignore[no-untyped-def]
    extraction = import_file(db, _file(tmp_path, quoted), "CH Recherche").extraction_id
    with UnitOfWork(db) as uow:  # the names that are their own normal form are stored once
        stored = {
            i.ipp: i.birth_name_norm for i in uow.session.query(Identity).filter_by(extraction_id=extraction)
        }
    assert stored == {"1001": None, "1002": "LE GALL DUPONT", "1003": None, "1004": None}

    assert _found(db, extraction, "dup") == {"1001"}  # a birth name stored once
    assert _found(db, extraction, "le gall") == {"1002"}  # through its normal form
    assert _found(db, extraction, "LE GALL-DU") == {"1002"}  # the query normalised too
    assert _found(db, extraction, "martin") == {"1002", "1003"}  # used names, with and without a form
    assert _found(db, extraction, "durand") == {"1003"}
    assert _found(db, extraction, "1004") == {"1004"}  # the IPP
    assert _found(db, extraction, "zz") == set()

    # A base imported before: every normal form stored, the search the same.
    with UnitOfWork(db) as uow:
        uow.session.execute(
            update(Identity)
            .where(Identity.extraction_id == extraction, Identity.birth_name_norm.is_(None))
            .values(birth_name_norm=Identity.birth_name)
        )
        uow.commit()
    assert _found(db, extraction, "dup") == {"1001"}
    assert _found(db, extraction, "martin") == {"1002", "1003"}
