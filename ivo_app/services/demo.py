"""Demo facility use case: generate, load through the real import path, keep the ground truth.

Demo matricules carry the OID of the demonstration patients (1.2.250.1.213.1.4.11): they can never be
taken for a real person's INS (INSi and production tables refuse that OID). The demo facility
therefore disables INS-OID-TEST, the rule that would report each of them (a rule setting of the demo
facility, shown with the others by `ivo regles` and the settings page);
a demo identity imported into a real facility is reported critical there, as it should be.
The extraction's name does not give the seed away: a trainee must not rebuild the truth with
`ivo demo --graine N --verite` (services/training.py seals the answer keys of its sessions).
"""

from __future__ import annotations

import csv
import itertools
import json
import secrets
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from ivo_app.demo.generator import DemoConfig, DemoRecord, generate
from ivo_app.errors import IvoError
from ivo_app.io.cog import load_reference
from ivo_app.io.mapping import CANONICAL_FIELDS
from ivo_app.io.sources import RawRecord
from ivo_app.progress import CancelFn, Progress, ProgressFn
from ivo_app.services.imports import ImportResult, load_records
from ivo_app.store.db import Database
from ivo_app.store.dialect import bulk_insert
from ivo_app.store.models import DemoTruth
from ivo_app.store.queries import demo as demo_queries
from ivo_app.store.uow import UnitOfWork

DEFAULT_FACILITY = "Démo — CH de la Garonne"
TRUTH_COLUMNS = ("extraction_id", "ipp", "person_key", "anomalies", "error_kind")
# Rules that a demo facility disables, and why.
DEMO_DISABLED_RULES = {
    "INS-OID-TEST": "matricules de démonstration (OID 1.2.250.1.213.1.4.11) : aucun ne peut être "
    "l'INS d'une personne réelle",
}


def truth_of(record: DemoRecord) -> tuple[str, str, str | None, str | None]:
    return (record.ipp, record.person_key, ",".join(sorted(record.anomalies)) or None, record.kind)


def create_demo(
    db: Database,
    size: int = 2_000,
    seed: int | None = 1,
    facility: str = DEFAULT_FACILITY,
    *,
    extracted_on: date | None = None,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
) -> ImportResult:
    """A new demo extraction of `size` identities with its ground truth (in one transaction).
    `seed` None: a secret seed, recorded nowhere, so nobody can rebuild the truth with `ivo demo`."""
    if seed is None:
        seed = secrets.randbits(63)
    today = extracted_on or date.today()
    _refuse_a_real_facility(db, facility)
    config = DemoConfig(size=size, seed=seed, reference_date=today)
    truth: list[tuple[str, str, str | None, str | None]] = []
    tracker = Progress(progress, is_cancelled)

    def records() -> Iterator[RawRecord]:
        for n, record in enumerate(generate(config, load_reference()), start=1):
            truth.append(truth_of(record))
            if n % 5_000 == 0:
                tracker.report(n, size, f"{n} identités générées")
            yield RawRecord(n + 1, {"ipp": record.ipp, **record.fields})

    def store_truth(conn: Connection, extraction_id: int) -> None:
        rows = [(extraction_id, *t) for t in truth]
        for start in range(0, len(rows), 50_000):
            bulk_insert(conn, DemoTruth.__table__, TRUTH_COLUMNS, rows[start : start + 50_000])
        demo_queries.disable_rules(conn, extraction_id, DEMO_DISABLED_RULES)

    return load_records(
        db,
        records(),
        facility,
        source_file=f"démonstration ({size} identités)",
        source_format="demo",
        extracted_on=today,
        is_demo=True,
        progress=progress,
        is_cancelled=is_cancelled,
        on_loaded=store_truth,
    )


def _refuse_a_real_facility(db: Database, facility: str) -> None:
    """A demo disables rules for its facility: never for a facility that holds real extractions."""
    with UnitOfWork(db) as uow:
        real = demo_queries.has_real_extraction(uow.session, facility)
    if real:
        raise IvoError(
            f"L'établissement « {facility} » contient des extractions réelles : une démonstration doit "
            "avoir son propre établissement (option --etablissement)."
        )


def ensure_demo(
    db: Database, size: int = 2_000, progress: ProgressFn | None = None, is_cancelled: CancelFn | None = None
) -> ImportResult | None:
    """Create the default demo facility when the database holds no extraction yet (first start)."""
    with UnitOfWork(db) as uow:
        if uow.extractions.list():
            return None
    return create_demo(db, size=size, progress=progress, is_cancelled=is_cancelled)


def write_demo_csv(
    path: Path, size: int, seed: int = 1, truth_path: Path | None = None, reference_date: date | None = None
) -> int:
    """The demo facility as a canonical CSV (streamed: millions of rows in flat memory)."""
    config = DemoConfig(size=size, seed=seed, reference_date=reference_date or date.today())
    columns = list(CANONICAL_FIELDS)
    count = 0
    truth_file = open(truth_path, "w", encoding="utf-8", newline="") if truth_path else None  # noqa: SIM115
    try:
        truth_writer = csv.writer(truth_file, delimiter=";") if truth_file else None
        if truth_writer:
            truth_writer.writerow(["ipp", "person_key", "anomalies", "kind"])
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter=";")
            writer.writerow(columns)
            for record in generate(config, load_reference()):
                values = {"ipp": record.ipp, **record.fields}
                writer.writerow([values.get(c, "") for c in columns])
                if truth_writer:
                    truth_writer.writerow([t or "" for t in truth_of(record)])
                count += 1
    finally:
        if truth_file:
            truth_file.close()
    return count


def load_truth(db: Database, extraction_id: int) -> dict[str, dict[str, Any]]:
    """IPP → {"person_key", "anomalies" (set of rule IDs), "kind"} of a demo extraction."""
    with UnitOfWork(db) as uow:
        return truth_of_rows(demo_queries.truth_rows(uow.session, extraction_id))


def truth_of_rows(rows: list[demo_queries.TruthRow]) -> dict[str, dict[str, Any]]:
    return {
        ipp: {"person_key": key, "anomalies": set((anoms or "").split(",")) - {""}, "kind": kind}
        for ipp, key, anoms, kind in rows
    }


def true_pairs(truth: dict[str, dict[str, Any]]) -> set[frozenset[str]]:
    """The pairs of IPPs that are one person, from load_truth (what duplicate detection should find)."""
    persons: dict[str, list[str]] = {}
    for ipp, t in truth.items():
        persons.setdefault(t["person_key"], []).append(ipp)
    return {frozenset(p) for members in persons.values() for p in itertools.combinations(members, 2)}


def truth_json(db: Database, extraction_id: int) -> str:
    data = {
        ipp: {**t, "anomalies": sorted(t["anomalies"])} for ipp, t in load_truth(db, extraction_id).items()
    }
    return json.dumps(data, ensure_ascii=False, indent=1)
