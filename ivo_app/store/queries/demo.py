"""A demo extraction's ground truth (`demo_truth`) and the facility a demo runs in."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import NamedTuple

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.orm import Session

from ivo_app.store.models import DemoTruth, Extraction, Facility
from ivo_app.store.models.rules import RuleSetting

_CHUNK = 500  # IPPs per IN list


class TruthRow(NamedTuple):
    ipp: str
    person_key: str
    anomalies: str | None  # rule IDs, comma-separated
    error_kind: str | None


def truth_rows(session: Session, extraction_id: int, ipps: Sequence[str] | None = None) -> list[TruthRow]:
    """The truth of the extraction's records (of those `ipps` only, when given)."""
    columns = (DemoTruth.ipp, DemoTruth.person_key, DemoTruth.anomalies, DemoTruth.error_kind)
    mine = DemoTruth.extraction_id == extraction_id
    if ipps is None:
        return [TruthRow(*r) for r in session.execute(select(*columns).where(mine)).tuples()]
    rows: list[TruthRow] = []
    for start in range(0, len(ipps), _CHUNK):
        chunk = DemoTruth.ipp.in_(ipps[start : start + _CHUNK])
        rows += [TruthRow(*r) for r in session.execute(select(*columns).where(mine, chunk)).tuples()]
    return rows


def has_truth(session: Session, extraction_id: int) -> bool:
    found = session.scalar(select(DemoTruth.ipp).where(DemoTruth.extraction_id == extraction_id).limit(1))
    return found is not None


class PoolRows(NamedTuple):
    """The candidates of a training exercise, as stored in the truth."""

    faulty: list[tuple[str, str]]  # (ipp, anomalies) of single-record persons with anomalies
    clean: list[str]  # ipps of single-record persons without any
    duplicates: list[tuple[str, str, str | None]]  # (person_key, ipp, error_kind) of two-record persons
    lookalikes: list[tuple[str, str, str]]  # (ipp, person_key, error_kind) of those `kinds`


def pool_rows(session: Session, extraction_id: int, lookalike_kinds: Collection[str]) -> PoolRows:
    t = DemoTruth
    mine = t.extraction_id == extraction_id
    persons = select(t.person_key).where(mine).group_by(t.person_key)
    # A record asked about alone must be its person's only record: a duplicate is not "clean".
    alone = t.person_key.in_(persons.having(func.count() == 1))
    faulty = session.execute(
        select(t.ipp, t.anomalies).where(mine, alone, t.error_kind.is_(None), t.anomalies.is_not(None))
    ).tuples()
    clean = session.scalars(select(t.ipp).where(mine, alone, t.error_kind.is_(None), t.anomalies.is_(None)))
    duplicates = session.execute(
        select(t.person_key, t.ipp, t.error_kind).where(
            mine, t.person_key.in_(persons.having(func.count() == 2))
        )
    ).tuples()
    lookalikes = session.execute(
        select(t.ipp, t.person_key, t.error_kind).where(mine, t.error_kind.in_(list(lookalike_kinds)))
    ).tuples()
    return PoolRows(
        [(ipp, anomalies or "") for ipp, anomalies in faulty],
        list(clean),
        list(duplicates),
        [(ipp, person, kind or "") for ipp, person, kind in lookalikes],  # never NULL: one of `kinds`
    )


def disable_rules(conn: Connection, extraction_id: int, rule_ids: Collection[str]) -> None:
    """Disable the rules for the extraction's facility, unless the facility already set them (inside
    the import's bulk transaction)."""
    facility_id = conn.scalar(select(Extraction.facility_id).where(Extraction.id == extraction_id))
    for rule_id in rule_ids:
        exists = conn.scalar(
            select(RuleSetting.id).where(
                RuleSetting.facility_id == facility_id, RuleSetting.rule_id == rule_id
            )
        )
        if exists is None:
            conn.execute(insert(RuleSetting).values(facility_id=facility_id, rule_id=rule_id, enabled=False))


def has_real_extraction(session: Session, facility: str) -> bool:
    """Whether the facility of that name holds an extraction that is not a demo."""
    found = session.scalar(
        select(Extraction.id)
        .join(Facility, Facility.id == Extraction.facility_id)
        .where(Facility.name == facility, Extraction.is_demo.is_(False))
        .limit(1)
    )
    return found is not None
