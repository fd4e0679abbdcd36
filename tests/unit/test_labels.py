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


def test_every_journal_action_the_application_records_has_a_french_label() -> None:
    """Read from the source: each `journal.record(…, "action", …)` literal, and each audit item kind
    (`audit_{kind}`), has its own label, not the fallback that only replaces underscores."""
    import re
    from pathlib import Path

    from ivo_app.services.audit import ITEM_STEPS

    root = Path(labels.__file__).parent
    actions: set[str] = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        actions |= set(re.findall(r'journal\.record\(\s*[^,()]+,\s*"([a-z_]+)"', text))
        # the actions passed down to a helper that records them (settings' _replace, report's _render)
        actions |= set(re.findall(r'"(parametre_[a-z_]+|livrable_[a-z_]+)"', text))
    actions |= {f"audit_{kind}" for kind in ITEM_STEPS} | {f"audit_{kind}_suppression" for kind in ITEM_STEPS}
    assert {"import", "check", "audit_creation", "parametre_statuts", "livrable_audit_annexe"} <= actions
    fallback = [a for a in sorted(actions) if a not in labels.JOURNAL_ACTIONS and not a.startswith("audit_")]
    assert fallback == []
    untranslated = [a for a in sorted(actions) if a.startswith("audit_")
                    and a.removeprefix("audit_").removesuffix("_suppression") not in labels.AUDIT_ITEMS]  # fmt: skip
    assert untranslated == []


def test_the_import_summary_reads_in_french_in_the_journal() -> None:
    details = {"rows": 1500, "report": {"domaines": [{"domaine": "IPP", "lus": 1500, "gardes": 1498}],
                                        "evenements": 0, "remarques": 2}}  # fmt: skip
    text = labels.journal_details_label(details)
    assert text == (f"lignes : 1{NBSP}500 ; rapport d'import : (domaines (domaine IPP, lus 1{NBSP}500, "
                    f"gardés 1{NBSP}498), événements 0, remarques 2)")  # fmt: skip
    assert "{" not in text and "': " not in text  # never a Python dict
