"""The duplicate engine's reads (`services.duplicates`): the identities as matching reads them, its runs,
stored search keys and name counts, the review queue, the decisions and the counts, on a session or on
the connection of a bulk read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from ivo_app.store.models import Identity
from ivo_app.store.models.core import normal_form_where
from ivo_app.store.models.duplicates import (
    DetectionFrequency,
    DetectionRun,
    DuplicatePair,
    MatchKey,
    PairDecision,
)


def scan_identities(
    conn: Connection,
    extraction_id: int,
    names: Sequence[str],
    batch_size: int,
    consume: Callable[[list[Any]], None],
) -> None:
    """Hand the extraction's identities, columns `names`, in id order, to `consume` a batch of raw rows
    at a time: ONE SELECT over the primary key's range, fetched from the raw driver cursor.

    One statement over the primary key's range: pages ordered by id (keyset) made SQLite search the
    (extraction, ipp) index and sort the whole extraction again for every page — on a million
    identities, most of the detection's time. A callback rather than a generator: the cursor is closed
    as soon as `consume` raises (a cancelled detection), not when the generator is collected."""
    extraction_id = int(extraction_id)
    low, high = conn.execute(
        select(func.min(Identity.id), func.max(Identity.id)).where(Identity.extraction_id == extraction_id)
    ).one()
    if low is None:
        return
    # SQLite: the unary + keeps the planner on the primary key's range (id order, no sort); the
    # extraction's ids are one range, the test on extraction_id drops another's interleaved rows.
    scope = "+extraction_id" if conn.dialect.name == "sqlite" else "extraction_id"
    sql = (
        f"SELECT {', '.join(names)} FROM identity WHERE id BETWEEN {int(low)} AND {int(high)} "
        f"AND {scope} = {extraction_id} ORDER BY id"
    )  # only integers are inlined
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(batch_size):
            consume(rows)
    finally:
        cursor.close()


def reviewed_decisions(conn: Connection, facility_id: int) -> list[tuple[str, str, str]]:
    """(ipp_a, ipp_b, decision) of the facility's pairs decided duplicate or not (EM's labels)."""
    return list(
        conn.execute(
            select(PairDecision.ipp_a, PairDecision.ipp_b, PairDecision.decision).where(
                PairDecision.facility_id == facility_id, PairDecision.decision.in_(("doublon", "non_doublon"))
            )
        )
        .tuples()
        .all()
    )


def match_keys_in(session: Session, extraction_id: int, buckets: Sequence[int]) -> list[tuple[bytes, bytes]]:
    """(keys, identity ids) blobs of those buckets of the extraction's stored search keys."""
    return list(
        session.execute(
            select(MatchKey.keys, MatchKey.identity_ids).where(
                MatchKey.extraction_id == extraction_id, MatchKey.bucket.in_(buckets)
            )
        )
        .tuples()
        .all()
    )


def has_match_keys(session: Session, extraction_id: int) -> bool:
    """Whether detection stored search keys for the extraction."""
    keyed = session.scalar(select(MatchKey.bucket).where(MatchKey.extraction_id == extraction_id).limit(1))
    return keyed is not None


def name_counts(session: Session, run_id: int, name: str, first: str) -> dict[str, int]:
    """trait ("birth_name", "first_name") → how many identities the run counted bearing that name."""
    return dict(
        session.execute(
            select(DetectionFrequency.trait, DetectionFrequency.count).where(
                DetectionFrequency.run_id == run_id,
                ((DetectionFrequency.trait == "birth_name") & (DetectionFrequency.name == name))
                | ((DetectionFrequency.trait == "first_name") & (DetectionFrequency.name == first)),
            )
        )
        .tuples()
        .all()
    )


def last_run(session: Session, extraction_id: int) -> DetectionRun | None:
    return session.scalars(
        select(DetectionRun)
        .where(DetectionRun.extraction_id == extraction_id)
        .order_by(DetectionRun.id.desc())
        .limit(1)
    ).first()


def runs(session: Session, extraction_id: int) -> Sequence[DetectionRun]:
    """The extraction's detection runs, oldest first."""
    return session.scalars(
        select(DetectionRun).where(DetectionRun.extraction_id == extraction_id).order_by(DetectionRun.id)
    ).all()


def run_count(session: Session, extraction_id: int) -> int:
    found = session.scalar(
        select(func.count()).select_from(DetectionRun).where(DetectionRun.extraction_id == extraction_id)
    )
    return int(found or 0)


def pairs_page(
    session: Session,
    extraction_id: int,
    facility_id: int,
    *,
    probable_only: bool,
    kind: str | None,
    undecided_only: bool,
    offset: int,
    limit: int | None,
) -> list[tuple[DuplicatePair, str | None, int | None]]:
    """(pair, the facility's decision on it, its version) in review order (collisions after duplicates,
    highest score first), filtered, from `offset`, at most `limit`."""
    query = (
        select(DuplicatePair, PairDecision.decision, PairDecision.version)
        .outerjoin(
            PairDecision,
            (PairDecision.facility_id == facility_id)
            & (PairDecision.ipp_a == DuplicatePair.ipp_a)
            & (PairDecision.ipp_b == DuplicatePair.ipp_b),
        )
        .where(DuplicatePair.extraction_id == extraction_id)
        .order_by(DuplicatePair.kind.desc(), DuplicatePair.score.desc(), DuplicatePair.id)
        .offset(offset)
    )
    if probable_only:
        query = query.where(DuplicatePair.level == "probable")
    if kind:
        query = query.where(DuplicatePair.kind == kind)
    if undecided_only:
        query = query.where(PairDecision.decision.is_(None))
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query).tuples())


def decision_of(session: Session, facility_id: int, ipp_a: str, ipp_b: str) -> PairDecision | None:
    """The facility's decision on the pair (ipp_a < ipp_b), if any."""
    return session.scalar(
        select(PairDecision).where(
            PairDecision.facility_id == facility_id,
            PairDecision.ipp_a == ipp_a,
            PairDecision.ipp_b == ipp_b,
        )
    )


def last_decision(session: Session, facility_id: int) -> PairDecision | None:
    """The facility's most recent decision."""
    return session.scalar(
        select(PairDecision)
        .where(PairDecision.facility_id == facility_id)
        .order_by(PairDecision.decided_at.desc(), PairDecision.id.desc())
        .limit(1)
    )


def confirmed_pairs(session: Session, facility_id: int) -> list[tuple[str, str]]:
    """(ipp_a, ipp_b) of the facility's pairs decided duplicate."""
    return list(
        session.execute(
            select(PairDecision.ipp_a, PairDecision.ipp_b).where(
                PairDecision.facility_id == facility_id, PairDecision.decision == "doublon"
            )
        )
        .tuples()
        .all()
    )


def duplicate_counts(session: Session, extraction_id: int) -> dict[str, int]:
    """level → the extraction's duplicate pairs (collisions apart)."""
    return dict(
        session.execute(
            select(DuplicatePair.level, func.count())
            .where(DuplicatePair.extraction_id == extraction_id, DuplicatePair.kind == "doublon")
            .group_by(DuplicatePair.level)
        )
        .tuples()
        .all()
    )


def collision_count(session: Session, extraction_id: int) -> int:
    found = session.scalar(
        select(func.count()).where(
            DuplicatePair.extraction_id == extraction_id, DuplicatePair.kind == "collision"
        )
    )
    return int(found or 0)


def decision_counts(session: Session, facility_id: int) -> dict[str, int]:
    """decision → the facility's decided pairs."""
    return dict(
        session.execute(
            select(PairDecision.decision, func.count())
            .where(PairDecision.facility_id == facility_id)
            .group_by(PairDecision.decision)
        )
        .tuples()
        .all()
    )


def identities_by_ids(session: Session, ids: Sequence[int]) -> Sequence[Identity]:
    return session.scalars(select(Identity).where(Identity.id.in_(ids))).all()


def identities_near(
    session: Session, extraction_id: int, birth_date: date, name: str, limit: int
) -> Sequence[Identity]:
    """Up to `limit` identities born that day or bearing that normalised birth or used name (the desk
    search when detection stored no keys: a scan of the extraction)."""
    return session.scalars(
        select(Identity)
        .where(Identity.extraction_id == extraction_id)
        .where(
            (Identity.birth_date == birth_date)
            | normal_form_where("birth_name", lambda c: c == name)
            | normal_form_where("used_name", lambda c: c == name)
        )
        .limit(limit)
    ).all()
