"""The one French label table and the French formats the window, the PDF and the CLI share."""

from __future__ import annotations

from datetime import date, datetime

from ivo_app import labels
from ivo_app.rules.catalogue import SEVERITIES
from ivo_app.rules.record import ATTRIBUTES, STATUSES

NBSP = "\u00a0"


def test_every_code_has_a_french_label() -> None:
    assert set(labels.STATUSES) == set(STATUSES)
    assert set(labels.ATTRIBUTES) == set(ATTRIBUTES)
    assert set(labels.SEVERITIES) == set(SEVERITIES)
    assert labels.label(labels.LEVELS, "a_examiner") == "À examiner"
    assert labels.label(labels.DECISIONS, None, "non décidée") == "non décidée"
    assert labels.label(labels.STATUSES, "INCONNU") == "INCONNU"  # shown, never hidden


def test_numbers_percentages_and_dates_in_french() -> None:
    assert labels.format_int(300000) == f"300{NBSP}000"
    assert labels.format_int(5) == "5"
    assert labels.format_percent(53.66) == f"53,7{NBSP}%"
    assert labels.format_percent(53.0) == f"53,0{NBSP}%"
    assert labels.format_percent(None) == "—"
    assert labels.format_decimal(1234.56) == f"1{NBSP}234,6"
    assert labels.format_share(1, 3) == f"33,3{NBSP}%"
    assert labels.format_date(date(2026, 6, 1)) == "01/06/2026"
    assert labels.format_date("2026-06-01") == "01/06/2026"
    assert labels.format_date(datetime(2026, 6, 1, 8, 30)) == "01/06/2026"
    assert labels.format_date(None) == ""


def test_french_plurals() -> None:
    assert labels.plural(0, "réponse") == "0 réponse"
    assert labels.plural(1, "réponse") == "1 réponse"
    assert labels.plural(2, "réponse") == "2 réponses"
    assert labels.plural(2000, "identité") == f"2{NBSP}000 identités"


def test_journal_lines_read_as_sentences() -> None:
    assert labels.journal_action_label("check") == "Vérification des règles"
    assert labels.journal_action_label("audit_finding") == "Audit : constat"
    assert labels.journal_action_label("audit_finding_suppression") == "Audit : constat supprimé(e)"
    assert labels.journal_target_label("extraction:3") == "extraction n° 3"
    assert labels.journal_target_label("facility:toutes") == "tous les établissements"
    details = labels.journal_details_label({"sha256": "", "rows": 2000, "personal_data": False})
    assert details == f"lignes : 2{NBSP}000 ; données nominatives : non"  # no "sha256 : ,"
    assert labels.attributes_label("DOUTEUSE,HOMONYME") == "Identité douteuse, Homonyme"
