"""The keyset pages the check and the matcher read: every identity of the extraction once, in id
order, none of another extraction's; on SQLite each page a range of the primary key (not the
(extraction_id, ipp) index and a sort of the rest of the extraction per page, quadratic in its size)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ivo_app.services.imports import import_file
from ivo_app.store.models import Identity
from ivo_app.store.queries.identities import raw_pages
from ivo_app.store.uow import BulkWork

HEADER = "ipp;nom_naissance;prenoms_naissance;premier_prenom;date_naissance;sexe;lieu_naissance;statut\n"


def _import(db, tmp_path: Path, ipps: list[str], name: str) -> int:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.csv"
    # IPPs out of id order, so that the (extraction_id, ipp) index's order is not the ids'.
    lines = [f"{ipp};MARTIN;ANNE;ANNE;01/02/1990;F;75112;PROV\n" for ipp in ipps]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return import_file(db, path, name, extracted_on=date(2026, 1, 15)).extraction_id


def test_pages_hold_the_extraction_in_id_order_and_only_it(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = _import(db, tmp_path, [f"{n:03d}" for n in range(25, 0, -1)], "CH A")
    second = _import(db, tmp_path, [f"{n:03d}" for n in range(40, 0, -1)], "CH B")
    with BulkWork(db) as uow:
        for extraction, count in ((first, 25), (second, 40)):
            pages = list(raw_pages(uow.connection, extraction, [Identity.id, Identity.ipp], 7))
            rows = [row for page in pages for row in page]
            assert [len(p) for p in pages] == [7] * (count // 7) + ([count % 7] if count % 7 else [])
            ids = [r[0] for r in rows]
            assert ids == sorted(ids) and len(set(ids)) == count
            assert [r[1] for r in rows] == [f"{n:03d}" for n in range(count, 0, -1)]
        assert list(raw_pages(uow.connection, second + 1, [Identity.id], 7)) == []


def test_a_sqlite_page_is_a_primary_key_range_without_a_sort(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if db.engine.dialect.name != "sqlite":
        pytest.skip("a query plan of SQLite's")
    extraction = _import(db, tmp_path, [f"{n:03d}" for n in range(10, 0, -1)], "CH A")
    with BulkWork(db) as uow:
        driver = uow.connection.connection.driver_connection
        statements: list[str] = []
        driver.set_trace_callback(statements.append)
        try:
            list(raw_pages(uow.connection, extraction, [Identity.id, Identity.birth_name], 4))
        finally:
            driver.set_trace_callback(None)
        pages = [s for s in statements if "LIMIT" in s.upper()]
        assert pages
        for statement in pages:
            plan = " ".join(str(row[-1]) for row in driver.execute("EXPLAIN QUERY PLAN " + statement))
            assert "INTEGER PRIMARY KEY" in plan, plan
            assert "TEMP B-TREE" not in plan, plan
