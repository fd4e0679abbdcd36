"""Invisible characters are shown as U+XXXX in messages (zero-width, bidirectional, controls)."""

from __future__ import annotations

from datetime import date

from ivo_app.rules.catalogue import message, visible
from ivo_app.rules.engine import CheckContext, check_record
from ivo_app.rules.record import IdentityRecord


def test_zero_width_and_bidi_characters_are_named_in_messages() -> None:
    r = IdentityRecord(1, "1", birth_name="DU\u200bPONT\u202e", first_first_name="JEAN", first_names="JEAN",
                       birth_date=date(1980, 3, 12), sex="M", status="PROV")  # fmt: skip
    findings = [
        f for f in check_record(r, CheckContext(today=date(2026, 1, 1))) if f.rule_id == "TRAIT-NOM-CARS"
    ]
    assert len(findings) == 1
    text = message("TRAIT-NOM-CARS", findings[0].params)
    assert "U+200B" in text and "U+202E" in text and "\u200b" not in text and "\u202e" not in text
    assert visible("A\x07B") == "AU+0007B" and visible("ÉLODIE D'ARC") == "ÉLODIE D'ARC"


def test_document_labels_as_exports_write_them() -> None:
    from ivo_app.io.values import parse_document

    assert parse_document("CNI") == "CN" and parse_document("Carte nationale d'identité") == "CN"
    assert parse_document("PASSEPORT") == "PA" and parse_document("Titre de séjour") == "CS"
    assert parse_document("livret de famille") == "LE" and parse_document("Permis de conduire") == "PC"
    assert parse_document("CN") == "CN" and parse_document("xyz") == "XYZ" and parse_document("") is None
