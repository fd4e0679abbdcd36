"""The identity detail service on a real database: traits, anomalies with the fix, pairs with their
decision and comment, history across the facility's extractions."""

from __future__ import annotations

from datetime import date

import pytest

from ivo_app.errors import IvoError
from ivo_app.services import duplicates
from ivo_app.services.checks import list_findings, run_checks
from ivo_app.services.demo import create_demo
from ivo_app.services.identity_detail import identity_detail, identity_id_by_ipp


def test_one_identity_seen_whole(db) -> None:  # type: ignore[no-untyped-def]
    first = create_demo(db, size=300, seed=7, extracted_on=date(2026, 3, 1))
    second = create_demo(db, size=300, seed=7, extracted_on=date(2026, 9, 1))
    run_checks(db, second.extraction_id)
    duplicates.find_duplicates(db, second.extraction_id)
    pair = duplicates.list_pairs(db, second.extraction_id)[0]
    duplicates.decide(db, second.extraction_id, pair.ipp_a, pair.ipp_b, "non_doublon", comment="jumeaux")

    detail = identity_detail(db, pair.identity_a)
    traits = dict(detail.traits)
    assert traits["IPP"] == pair.ipp_a == detail.ipp
    assert traits["Statut"] in {"Provisoire", "Récupérée", "Validée", "Qualifiée"}
    line = next(p for p in detail.pairs if p.other_ipp == pair.ipp_b)
    assert (
        line.decision == "Non-doublon (homonymes)"
        and line.comment == "jumeaux"
        and line.other_id == pair.identity_b
    )
    assert [h.extracted_on for h in detail.history] == [
        "01/03/2026",
        "01/09/2026",
    ]  # same IPP, both extractions
    assert [h.current for h in detail.history] == [False, True]
    assert identity_id_by_ipp(db, first.extraction_id, pair.ipp_a) != pair.identity_a

    with_finding = next(f for f in list_findings(db, second.extraction_id) if f.identity_id)
    found = identity_detail(db, with_finding.identity_id)
    assert any(
        f.rule == with_finding.rule and f.fix and f.message == with_finding.message for f in found.findings
    )


def test_an_unknown_identity_is_said_in_french(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IvoError, match="introuvable"):
        identity_detail(db, 999_999)
