"""The columnar evaluation (`rules.columnar`: each rule once per distinct value, fanned out) against
the per-record engine (`engine.check_record`, the reference), finding by finding and in order, on a
table that breaks every per-record rule of the catalogue: the rule corpus, its records under every
status, matricules one character away from a faultless one, and a demo facility."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import numpy as np
import pytest

from ivo_app.demo.generator import DemoConfig, generate
from ivo_app.rules import nir
from ivo_app.rules.catalogue import RULES
from ivo_app.rules.columnar import ColumnarRules, columns_of
from ivo_app.rules.cross import CrossRecordRules, _year_months
from ivo_app.rules.engine import CheckContext, Finding, RuleSettings, check_all, check_record
from ivo_app.rules.record import (
    OID_INS_NIA,
    OID_INS_NIR,
    OID_INS_NIR_DEMO,
    OID_INS_NIR_TEST,
    OID_NSS_NIR,
    IdentityRecord,
)
from tests.unit.test_rules_engine_corpus import COG, EXTRA, EXTRACTED_ON, RECORDS, to_record

# Rules no per-record family raises: the cross-record ones, the duplicate engine's, the history's.
NOT_PER_RECORD = {
    "INS-UNIQUE",
    "ATTR-HOMONYME",
    "TRAIT-UTILISE-COPIE",
    "STATUT-RECUP-PART",
    "DOUBLON-POTENTIEL",
    "COLLISION-SUSPECTE",
}


def _copy(r: IdentityRecord, identity_id: int, **changes: Any) -> IdentityRecord:
    return dataclasses.replace(r, id=identity_id, ipp=f"V{identity_id}", **changes)


def _statuses(records: Iterable[IdentityRecord], start: int) -> list[IdentityRecord]:
    """Each record under every status (the findings' cases and several rules read it)."""
    out = []
    for r in records:
        for status in (None, "PROV", "RECUP", "VALI", "QUAL", "AUTRE"):
            out.append(_copy(r, start + len(out), status=status, status_source=status))
    return out


def _matricules(start: int) -> list[IdentityRecord]:
    """A faultless NIR and OID on a plain record (the columnar fast path), then each part of it
    changed: sex digit, year, month, department (Corsica, North Africa, overseas, abroad), commune,
    order 000, key, characters; every OID kind; the record's traits changed instead."""
    base = IdentityRecord(
        0, "", "MARTIN", "ANNE", "ANNE", date(1980, 3, 12), None, "F", "31555", status="QUAL"
    )
    body = "2800331555123"

    def nir_of(first13: str) -> str:
        try:
            return first13 + nir.compute_key(first13)
        except ValueError:
            return first13 + "00"

    numbers = [nir_of(body)]
    for pos, chars in (
        (0, "13"),
        (1, "9"),
        (3, "01234"),
        (4, "05"),
        (5, "09"),
        (10, "0"),
    ):
        for c in chars:
            numbers.append(nir_of(body[:pos] + c + body[pos + 1 :]))
    for dep in ("2A", "2B", "20", "91", "96", "97", "98", "99", "00"):
        numbers.append(nir_of(body[:5] + dep + body[7:]))
    numbers += [nir_of("2800331555000"), body + "00", body + "9", body.replace("5", "Z", 1) + "00"]
    numbers += [nir_of("2800399352123"), nir_of("2800397105123"), nir_of("2800398705123")]
    # Longer than 15, non-ASCII digits (the vectorised fast path reads code points)
    numbers += [nir_of(body) + "7", "\u0662" + nir_of(body)[1:], nir_of(body)[:14] + "\uff17"]
    out = []
    for number in numbers:
        for oid in (OID_INS_NIR, OID_INS_NIA, OID_INS_NIR_TEST, OID_INS_NIR_DEMO, OID_NSS_NIR, None, "1.2.3"):
            for traits in (
                {},
                {"sex": "M"},
                {"sex": None},
                {"birth_date": date(1981, 3, 12)},
                {"birth_date": date(1980, 1, 12)},
                {"birth_date": None, "birth_date_raw": "31/02/1980"},
                {"birth_date_completed": True, "birth_date": date(1980, 1, 1)},
                {"birthplace": "31556"},
                {"birthplace": "315555"},
                {"birthplace": "3155"},
                {"birthplace": "2A004", "birth_date": date(1970, 3, 12)},
                {"birthplace": "99352"},
                {"birthplace": None},
                {"status": "PROV"},
            ):
                out.append(_copy(base, start + len(out), ins_matricule=number, ins_oid=oid, **traits))
    return out


def _demo(start: int) -> list[IdentityRecord]:
    config = DemoConfig(size=600, seed=3, reference_date=EXTRACTED_ON, anomaly_rate=0.05)
    return [to_record(start + n, {**d.fields, "ipp": d.ipp}) for n, d in enumerate(generate(config, COG))]


TABLE = [
    *RECORDS,
    *EXTRA,
    *_statuses([*RECORDS, *EXTRA], 10_000),
    *_matricules(50_000),
    *_demo(100_000),
    # Empty texts rather than none (the columnar pass takes an empty name for a clean one)
    *_statuses(
        [
            _copy(
                RECORDS[0],
                0,
                birth_name="",
                first_names="",
                first_first_name="",
                used_name="",
                used_first_name="",
            )
        ],
        200_000,
    ),
]


def _reference(records: Sequence[IdentityRecord], ctx: CheckContext) -> list[tuple[int, Finding]]:
    return [(r.id, f) for r in records for f in check_record(r, ctx)]


def _columnar(
    records: Sequence[IdentityRecord], ctx: CheckContext, page_size: int
) -> list[tuple[int, Finding]]:
    rules: ColumnarRules[Finding] = ColumnarRules(ctx)
    out = []
    for start in range(0, len(records), page_size):
        page = records[start : start + page_size]
        extras = {i: r.extra for i, r in enumerate(page) if r.extra}
        for i, found in rules.check(columns_of(page), extras):
            out += [(page[i].id, f) for f in found]
    return out


SETTINGS = {
    "catalogue": RuleSettings(),
    "facility": RuleSettings(
        disabled=frozenset({"TRAIT-NOM-CARS", "INS-CLE", "STATUT-JUSTIF"}),
        severities={"TRAIT-PRENOM-CARS": "info", "COH-SEXE": "alerte"},
        max_age_years=100,
    ),
}


def test_the_table_breaks_every_per_record_rule() -> None:
    found = {f.rule_id for _, f in _reference(TABLE, CheckContext(today=EXTRACTED_ON, cog=COG))}
    assert found == set(RULES) - NOT_PER_RECORD


@pytest.mark.parametrize("settings", SETTINGS.values(), ids=SETTINGS.keys())
@pytest.mark.parametrize("page_size", [1, 97, 100_000])
@pytest.mark.parametrize("with_cog", [True, False], ids=["cog", "sans-cog"])
def test_columnar_findings_are_the_per_record_engine_s(
    settings: RuleSettings, page_size: int, with_cog: bool
) -> None:
    ctx = CheckContext(today=EXTRACTED_ON, cog=COG if with_cog else None, settings=settings)
    expected = _reference(TABLE, ctx)
    got = _columnar(TABLE, ctx, page_size)
    assert len(got) == len(expected)
    for (gid, g), (eid, e) in zip(got, expected, strict=True):
        assert (gid, g.rule_id, g.severity, g.fields, g.params, g.case) == (
            eid,
            e.rule_id,
            e.severity,
            e.fields,
            e.params,
            e.case,
        )


def _cross_reference(
    records: Sequence[IdentityRecord], ctx: CheckContext
) -> list[tuple[int | None, str, dict[str, Any]]]:
    """The cross-record rules written as their definitions, pair by pair (quadratic: small tables)."""
    from ivo_app.rules.findings import NSS_OIDS
    from ivo_app.rules.normalize import normalize_name

    out: list[tuple[int | None, str, dict[str, Any]]] = []
    numbered = [r for r in records if r.ins_matricule and r.ins_oid not in NSS_OIDS]
    seen: set[str] = set()
    for r in numbered:
        if r.ins_matricule in seen:
            continue
        seen.add(r.ins_matricule or "")
        group = [o for o in numbered if o.ins_matricule == r.ins_matricule]
        if len(group) > 1:
            for m in group:
                others = [o.ipp for o in group if o is not m]
                out.append((m.id, "INS-UNIQUE", {"count": len(others), "others": others[:5]}))
                if len({o.birth_date for o in group}) > 1:
                    out.append((m.id, "INS-NSS", {"reason": "ouvrant-droit", "others": others[:5]}))

    def homonym(r: IdentityRecord) -> tuple[Any, ...] | None:
        bn, ff = normalize_name(r.birth_name), normalize_name(r.first_first_name)
        return (bn, ff, r.birth_date, r.sex) if bn and ff and r.birth_date and r.sex else None

    done: set[tuple[Any, ...]] = set()
    for r in records:
        key = homonym(r)
        if key is None or key in done:
            continue
        done.add(key)
        group = [o for o in records if homonym(o) == key]
        if len(group) > 1 and not any("HOMONYME" in o.attribute_set for o in group):
            for m in group:
                others = [o.ipp for o in group if o is not m]
                out.append((m.id, "ATTR-HOMONYME", {"count": len(others), "others": others[:5]}))
    copies = [
        r
        for r in records
        if (r.used_name and r.used_name == r.birth_name)
        or (r.used_first_name and r.used_first_name == r.first_first_name)
    ]
    if len(copies) >= max(ctx.settings.copy_min_records, ctx.settings.copy_min_share * len(records)):
        out += [(r.id, "TRAIT-UTILISE-COPIE", {"count": len(copies)}) for r in copies]

    def traits(r: IdentityRecord) -> tuple[Any, ...]:
        sex = {"M": "1", "F": "2"}.get(r.sex or "", "?")
        return (sex, r.birth_date.year % 100, r.birth_date.month, r.birthplace or "") if r.birth_date else ()

    for r in numbered:
        parts = nir.parts(r.ins_matricule or "")
        if parts is None or r.birth_date is None:
            continue
        fit = (parts.sex, parts.year, parts.month, parts.place)
        if sum(a != b for a, b in zip(traits(r), fit, strict=True)) < 2:
            continue
        fits = [
            o for o in records if o is not r and o.sex in ("M", "F") and o.birthplace and traits(o) == fit
        ]
        if fits:
            out.append((r.id, "COLLISION-SUSPECTE", {"reason": "traits-autre-ipp", "other": fits[0].ipp}))
    recup = sum(r.status == "RECUP" for r in records)
    if recup:
        out.append(
            (None, "STATUT-RECUP-PART", {"share": round(100 * recup / len(records), 1), "count": recup})
        )
    return out


def test_cross_record_rules_by_page_are_their_definitions() -> None:
    # The corpus's shared matricules, homonyms and collisions, plus copied used names.
    records = [*RECORDS, *_matricules(50_000)[:300]]
    records += [_copy(r, 90_000 + n, used_name=r.birth_name) for n, r in enumerate(RECORDS[:12])]
    # Shared matricules that are not 15 digits (Corsica, too short, a letter): grouped as texts,
    # and a number never groups with a text of the same digits.
    for n, number in enumerate(("180032A00412345", "18003", "18003", "1800320004123X5", "180032A00412345")):
        records.append(_copy(RECORDS[0], 95_000 + n, ins_matricule=number, ins_oid=OID_INS_NIR))
    records.append(_copy(RECORDS[0], 95_010, ins_matricule="018003", ins_oid=OID_INS_NIR))
    ctx = CheckContext(today=EXTRACTED_ON, cog=COG)
    cross = CrossRecordRules(ctx)
    for start in range(0, len(records), 50):
        cross.add_page(columns_of(records[start : start + 50]))
    got = [(i, f.rule_id, f.params) for i, f in cross.findings()]
    assert sorted(got, key=repr) == sorted(_cross_reference(records, ctx), key=repr)
    assert {rule for _, rule, _ in got} >= NOT_PER_RECORD - {"DOUBLON-POTENTIEL"}
    # One record at a time (`add`, as `check_all` feeds it): the same findings in the same order.
    one_by_one = CrossRecordRules(ctx)
    for r in records:
        one_by_one.add(r)
    assert [(i, f.rule_id, f.params) for i, f in one_by_one.findings()] == got
    assert [f for _, f in check_all(records, ctx)][-len(got) :] == [f for _, f in one_by_one.findings()]


def test_nir_year_and_month_of_dates_on_either_side_of_numpy_s_epoch() -> None:
    dates = [date(1, 1, 1), date(1899, 12, 31), date(1969, 12, 31), date(1970, 1, 1), date(2000, 2, 29)]
    ordinals = np.array([0, *(d.toordinal() for d in dates)], dtype=np.int64)
    assert _year_months(ordinals).tolist() == [-1, *(((d.year % 100) << 7) | d.month for d in dates)]
