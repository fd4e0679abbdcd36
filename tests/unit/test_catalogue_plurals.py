"""Finding messages agree in number with their counts, as French is written (no « autre(s) »)."""

from __future__ import annotations

import pytest

from ivo_app.rules.catalogue import RULES, message, template_text


@pytest.mark.parametrize(
    ("rule", "params", "expected"),
    [
        ("INS-UNIQUE", {"count": 1, "others": ["42"]}, "Matricule partagé avec 1 autre identité (IPP 42)."),
        (
            "INS-UNIQUE",
            {"count": 2, "others": ["42", "43"]},
            "Matricule partagé avec 2 autres identités (IPP 42, 43).",
        ),
    ],
)
def test_counts_agree_with_their_nouns(rule: str, params: dict[str, object], expected: str) -> None:
    assert message(rule, params) == expected


def test_homonym_message_in_the_plural() -> None:
    text = message("ATTR-HOMONYME", {"count": 3, "others": ["1", "2", "3"]})
    assert "3 autres identités" in text


def test_changed_fields_agree_with_their_number() -> None:
    rule = next(r for r, info in RULES.items() if "historique" in info.texts.get("reason", {}))
    one = message(
        rule, {"reason": "historique", "fields": ["birth_name"], "before": "VALI", "status": "QUAL"}
    )
    two = message(
        rule,
        {"reason": "historique", "fields": ["birth_name", "birth_date"], "before": "VALI", "status": "QUAL"},
    )
    assert "modifié," in one and "modifiés," in two


def test_no_template_hedges_its_plural() -> None:
    texts = [info.message for info in RULES.values()]
    texts += [t for info in RULES.values() for codes in info.texts.values() for t in codes.values()]
    assert not [t for t in texts if "(s)" in t]


def test_the_rules_document_shows_the_plural_form() -> None:
    rule = RULES["INS-UNIQUE"]
    assert template_text(rule.message) == "Matricule partagé avec {count} autres identités (IPP {others})."
