"""The rule corpus straight through the engine (no database), and the engine's promise of no text:
findings carry rule IDs, trait columns, data and reason codes; the catalogue words them."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ivo_app.io.cog import read_embedded
from ivo_app.io.values import (
    compact_matricule,
    parse_attributes,
    parse_bool,
    parse_date,
    parse_document,
    parse_sex,
    parse_status,
)
from ivo_app.rules.catalogue import CASES, FIELD_LABELS, RULES, message, severity_of, unknown_codes
from ivo_app.rules.engine import CheckContext, Finding, RuleSettings, check_all, check_record
from ivo_app.rules.evolution import CASE, RULE, Change, explain
from ivo_app.rules.record import IdentityRecord
from ivo_app.services.records import clean_text  # the import's own cleaning

CORPUS = Path(__file__).resolve().parent.parent / "data" / "rules" / "corpus.csv"
EXTRACTED_ON = date(2026, 1, 15)
PER_EXTRACTION = {"STATUT-RECUP-PART"}
COG = read_embedded()


def corpus_rows() -> list[dict[str, str]]:
    with open(CORPUS, encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def to_record(n: int, row: dict[str, str]) -> IdentityRecord:
    """A corpus line as the import stores it (the same value parsers, without a database)."""

    def text(column: str, limit: int = 255) -> str | None:
        return clean_text(row.get(column) or None, limit)

    birth_text = text("date_naissance", 40)
    birth = parse_date(birth_text)
    first_names = text("prenoms_naissance")
    status_source = text("statut", 40)
    return IdentityRecord(
        id=n,
        ipp=row["ipp"],
        birth_name=text("nom_naissance"),
        first_names=first_names,
        first_first_name=text("premier_prenom") or (first_names.split()[0] if first_names else None),
        birth_date=birth,
        birth_date_raw=None if birth else birth_text,
        sex=parse_sex(text("sexe", 40)),
        birthplace=text("lieu_naissance", 20),
        used_name=text("nom_utilise"),
        used_first_name=text("prenom_utilise"),
        ins_matricule=compact_matricule(row.get("matricule_ins") or None),
        ins_oid=text("oid_ins", 64),
        status=parse_status(status_source),
        status_source=status_source,
        attributes=parse_attributes(text("attributs", 100)),
        document_type=parse_document(text("justificatif", 60)),
        last_visit=parse_date(text("date_derniere_venue", 40)),
        birth_date_completed=parse_bool(row["date_completee"]) if row.get("date_completee") else None,
        line_no=n + 1,
    )


RECORDS = [to_record(n, row) for n, row in enumerate(corpus_rows(), start=1)]
BY_ID = {r.id: r for r in RECORDS}


def corpus_findings() -> list[tuple[int | None, Finding]]:
    return list(check_all(RECORDS, CheckContext(today=EXTRACTED_ON, cog=COG)))


@pytest.fixture(scope="module")
def found() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for identity_id, f in corpus_findings():
        if identity_id is not None:
            out.setdefault(BY_ID[identity_id].ipp, set()).add(f.rule_id)
    return out


@pytest.mark.parametrize("row", corpus_rows(), ids=lambda r: r["ipp"])
def test_corpus_case_through_the_engine(found: dict[str, set[str]], row: dict[str, str]) -> None:
    assert found.get(row["ipp"], set()) == set(row["attendu"].split()), f"{row['cas']} ({row['source']})"


def test_the_extraction_rule_fires_once() -> None:
    whole = [f.rule_id for identity_id, f in corpus_findings() if identity_id is None]
    assert whole == ["STATUT-RECUP-PART"]


# --- The engine promises no text --------------------------------------------------------------

# Records that reach the findings the corpus has no column for: the optional dates (INSi call,
# document expiry), every INS-LIEU-PLAGE / COH-ETRANGER / TRAIT-LIEU-COG reason.
EXTRA = [
    IdentityRecord(
        1001, "X1", "MARTIN", "ANNE", "ANNE", date(1980, 3, 12), None, "F", "31555",
        status="QUAL", ins_matricule=None, document_type="CN",
        extra={"columns": ["insi_call", "document_expiry"], "insi_call": "32/13/2020", "document_expiry": date(2020, 1, 1)},
    ),
    IdentityRecord(
        1002, "X2", "MARTIN", "ANNE", "ANNE", date(1980, 3, 12), None, "F", "31555",
        status="VALI", document_type="PA",
        extra={"columns": ["insi_call"], "insi_call": date(2027, 1, 1), "document_expiry": "demain"},
    ),
    IdentityRecord(
        1003, "X3", "MARTIN", "ANNE", "ANNE", date(1980, 3, 12), None, "F", "31555",
        status="PROV", extra={"columns": ["insi_call"], "insi_call": date(2020, 1, 1)},
    ),
    IdentityRecord(
        1004, "X4", "MARTIN", "ANNE", "ANNE", date(1980, 3, 12), None, "F", "31555",
        "1.2.250.1.213.1.4.8", status="QUAL", document_type="CN", extra={"columns": ["insi_call"]},
        ins_matricule="280037510000045",
    ),
    IdentityRecord(1005, "X5", "ben ali", "ALI", "ALI", date(1960, 3, 1), None, "M", "99352",
                   ins_matricule="160039100100154", ins_oid="1.2.250.1.213.1.4.8", status="PROV"),
    IdentityRecord(1006, "X6", "DUPONT", "JEAN", "JEAN", date(1990, 3, 1), None, "M", "99100",
                   ins_matricule="190039910000133", ins_oid="1.2.250.1.213.1.4.8", status="PROV"),
    IdentityRecord(1007, "X7", "DUPONT", "JEAN", "JEAN", date(1990, 3, 1), None, "M", "20004",
                   ins_matricule="190032000400010", ins_oid="1.2.250.1.213.1.4.11", status="QUAL"),
    IdentityRecord(1008, "X8", "O'", "JEAN  PAUL", "JEAN", date(1770, 3, 1), None, "M", "98000",
                   ins_matricule="1900398000000", ins_oid="1.2.250.1.213.1.4.13", status="RECUP",
                   attributes="FICTIVE"),
]  # fmt: skip
_CODE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


def _data_of(r: IdentityRecord) -> set[str]:
    """What a finding may quote of a record: its values, its dates as JJ/MM/AAAA, its extra cells."""
    values: set[str] = set()
    for v in (*(getattr(r, name) for name in r.__dataclass_fields__), *(r.extra or {}).values()):
        if isinstance(v, date):
            values.add(f"{v:%d/%m/%Y}")
        elif v is not None:
            values.add(str(v))
    return values


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def _free_text(rule_id: str, key: str, value: str, quoted: set[str]) -> bool:
    """A French word the engine wrote itself: a lower-case string that is none of the rule's codes,
    no trait column and no value of the records."""
    if key in RULES[rule_id].texts:
        return False  # a code: unknown_codes checks it has a template
    if not any(ch.islower() for ch in value) or value in FIELD_LABELS:
        return False  # numbers, dates, statuses, codes, IPPs, matricules, OIDs, trait columns
    return not any(value in q for q in quoted)


def all_findings() -> list[tuple[int | None, Finding]]:
    today = EXTRACTED_ON
    out = corpus_findings()
    out += [(r.id, f) for r in EXTRA for f in check_record(r, CheckContext(today=today, cog=COG))]
    before = IdentityRecord(
        1, "H1", "DURAND", "LEA", "LEA", date(1990, 1, 2), None, "F", "75056", status="QUAL"
    )
    now = IdentityRecord(1, "H1", "DUPONT", "LEA", "LEA", date(1990, 1, 2), None, "M", "75056", status="QUAL")
    change = Change(1, "H1", "QUAL", "QUAL", sex_changed=True, traits_changed=True)
    out.append((1, Finding(RULE, ("status",), explain(change, before, now), CASE)))
    return out


def test_no_finding_carries_free_french_text() -> None:
    quoted = set().union(*map(_data_of, [*RECORDS, *EXTRA])) | {"DUPONT", "DURAND"}
    findings = all_findings()
    assert len({f.rule_id for _, f in findings}) >= len(RULES) - 2  # all but the pair rules' own sources
    offending = [
        (f.rule_id, key, s)
        for _, f in findings
        for key, value in f.params.items()
        for s in _strings(value)
        if _free_text(f.rule_id, key, s, quoted)
    ]
    assert offending == []


def test_every_reason_code_used_has_a_template() -> None:
    used: set[tuple[str, str, str]] = set()
    for _, f in all_findings():
        assert unknown_codes(f.rule_id, f.params) == {}, (f.rule_id, f.params)
        assert RULES[f.rule_id].texts.keys() <= f.params.keys(), (f.rule_id, f.params)
        for key in RULES[f.rule_id].texts:
            assert _CODE.match(f.params[key]), (f.rule_id, key, f.params[key])
            used.add((f.rule_id, key, f.params[key]))
        text = message(f.rule_id, f.params)
        assert "?" not in text.replace("(qualification manquée ?)", ""), (f.rule_id, text)
        assert "{" not in text and not text[0].islower(), text
    # Every case of the families is reached above, bar the few only the database path makes.
    assert {("INS-NSS", "reason", "nss"), ("INS-NSS", "reason", "ouvrant-droit")} <= used
    assert {
        ("STATUT-INS", "reason", c) for c in ("appel-illisible", "appel-futur", "appel-sans-matricule")
    } <= used
    assert ("COLLISION-SUSPECTE", "reason", "historique") in used


def test_every_template_is_written_over_its_rule_s_data() -> None:
    for rule_id, info in RULES.items():
        for key, templates in info.texts.items():
            for code, template in templates.items():
                assert _CODE.match(code), (rule_id, code)
                assert template.strip() and "{" + key + "}" not in template, (rule_id, code)


def test_severity_comes_from_the_catalogue_case_and_the_facility() -> None:
    qual = IdentityRecord(1, "A", "DUPONT", "JEAN", "JEAN", date(1980, 3, 12), None, "M", "31555", status="QUAL",
                          ins_matricule="180033155510025", ins_oid="1.2.250.1.213.1.4.8", document_type="CN")  # fmt: skip
    prov = IdentityRecord(2, "B", "DUPONT", "JEAN", "JEAN", date(1980, 3, 12), None, "F", "31555", status="PROV",
                          ins_matricule="180033155510025", ins_oid="1.2.250.1.213.1.4.13")  # fmt: skip
    ctx = CheckContext(today=EXTRACTED_ON, cog=COG)
    # COH-SEXE: erreur for RECUP/QUAL, its "hors-insi" case (alerte) otherwise; an NSS number is not compared.
    qual_f = IdentityRecord(**{**{k: getattr(qual, k) for k in qual.__dataclass_fields__}, "sex": "F"})
    assert [(f.rule_id, f.severity) for f in check_record(qual_f, ctx)] == [
        ("COH-SEXE", severity_of("COH-SEXE"))
    ]
    assert severity_of("COH-SEXE") == "erreur" and severity_of("COH-SEXE", "hors-insi") == "alerte"
    assert [f.rule_id for f in check_record(prov, ctx)] == ["INS-NSS"]
    overridden = CheckContext(
        today=EXTRACTED_ON, cog=COG, settings=RuleSettings(severities={"COH-SEXE": "info"})
    )
    assert [f.severity for f in check_record(qual_f, overridden)] == ["info"]


def test_each_catalogue_entry_says_what_its_rule_rests_on() -> None:
    # A rule is one entry: title, severities, texts it rests on, templates (no second table to fill).
    assert all(info.sources and info.title and info.fix for info in RULES.values())
    # Each named case is worded in the catalogue too (docs/rules.md reads it there).
    assert {case for info in RULES.values() for case, _ in info.variants} <= CASES.keys()
