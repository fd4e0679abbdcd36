"""Report use cases: the data-quality report of an extraction (PDF), from the same services as the
window and `ivo indicators` (the figures printed are those of compute_indicators, never recomputed).

The audit deliverable (issue: four-step IVO3 audit) will add its sections to the same document model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ivo_app import paths
from ivo_app.audit.report.document import BarChart, Paragraph, ReportDocument, Section, Table
from ivo_app.audit.report.renderer import render_pdf
from ivo_app.errors import IvoError
from ivo_app.progress import CancelFn, Progress, ProgressFn
from ivo_app.rules.catalogue import RULES, SEVERITIES
from ivo_app.services.checks import list_findings
from ivo_app.services.indicators import compute_indicators
from ivo_app.store import journal
from ivo_app.store.db import Database
from ivo_app.store.uow import UnitOfWork


def generate_quality_report(
    db: Database,
    extraction_id: int | None,
    out: Path,
    *,
    include_personal_data: bool = False,
    active_years: int = 3,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
) -> int:
    """Write the PDF; returns its number of bytes. Patients appear by IPP only unless asked otherwise."""
    tracker = Progress(progress, is_cancelled)
    tracker.report(0, 3, "indicateurs", force=True)
    data = compute_indicators(db, extraction_id, active_years=active_years)
    extraction_id = data["extraction"]["id"]
    tracker.check()
    critical = [f for f in list_findings(db, extraction_id, severity="critique", limit=500) if f.ipp]
    people = _people(db, extraction_id, {f.ipp for f in critical if f.ipp}) if include_personal_data else {}
    tracker.report(1, 3, "mise en page", force=True)
    pdf = render_pdf(quality_document(data, critical, people), paths.resource("fonts"))
    tracker.check()
    try:
        out.write_bytes(pdf)
    except OSError as exc:
        raise IvoError(f"Écriture impossible : {out} ({exc.strerror}).") from exc
    with UnitOfWork(db) as uow:
        journal.record(
            uow.session,
            "rapport",
            f"extraction:{extraction_id}",
            {"pages_bytes": len(pdf), "personal_data": include_personal_data},
        )
        uow.commit()
    tracker.report(3, 3, "rapport écrit", force=True)
    return len(pdf)


def _people(db: Database, extraction_id: int, ipps: set[str]) -> dict[str, str]:
    from sqlalchemy import select

    from ivo_app.store.models import Identity

    with UnitOfWork(db) as uow:
        rows = uow.session.execute(
            select(Identity.ipp, Identity.birth_name, Identity.first_first_name, Identity.birth_date).where(
                Identity.extraction_id == extraction_id, Identity.ipp.in_(ipps)
            )
        ).all()
    return {
        ipp: f"{name or ''} {first or ''} {born.strftime('%d/%m/%Y') if born else ''}".strip()
        for ipp, name, first, born in rows
    }


def _pct(value: float) -> str:
    return f"{value:.1f} %".replace(".", ",")


def quality_document(data: dict[str, Any], critical: list[Any], people: dict[str, str]) -> ReportDocument:
    ext, an, dup = data["extraction"], data["anomalies"], data.get("duplicates")
    sev = an["by_severity"]
    synth = [
        Paragraph(
            f"L'extraction du {ext['extracted_on']} compte {data['identities']} identités, dont "
            f"{data['active_identities']} dans la file active (dernière venue depuis le {data['active_since']})."
        ),
        Paragraph(
            f"Taux de qualification de la file active : {_pct(data['qualification_rate'])} ; identités "
            f"récupérées : {_pct(data['recup_share'])}.",
            "emphasis",
        ),
        Paragraph(
            f"Anomalies : {an['total']} (critiques {sev['critique']}, erreurs {sev['erreur']}, alertes "
            f"{sev['alerte']}, informations {sev['info']}) sur {an['identities_with_findings']} identités."
            if an["checked"]
            else "La vérification des règles n'a pas été lancée sur cette extraction."
        ),
    ]
    if dup:
        synth.append(
            Paragraph(
                f"Doublons probables : {dup['probable']} ; paires à examiner : {dup['a_examiner']} ; "
                f"collisions suspectées : {dup['collisions']} ; taux de doublons : {_pct(dup['duplicate_rate'])}."
            )
        )
    top = sorted(an["by_rule"].items(), key=lambda kv: (-_rank(kv[0]), -kv[1]))[:5]
    if top:
        synth.append(
            Paragraph("Principaux risques : " + " ; ".join(f"{RULES[r].title} ({n})" for r, n in top) + ".")
        )
    statuses = data["statuses"]
    sections = [
        Section("Synthèse", synth),
        Section(
            "Méthode et périmètre",
            [
                Paragraph(
                    f"Fichier source : {ext['source_file']}. Les {len(RULES)} règles du catalogue IVO (RNIV, guide "
                    "d'implémentation de l'INS, COG de l'INSEE) ont été appliquées à chaque identité ; les "
                    "doublons sont recherchés par un modèle probabiliste explicable."
                ),
                Paragraph(
                    f"File active : identités venues dans les {data['active_period_years']} ans précédant "
                    "l'extraction (sans date de dernière venue : comptées actives)."
                ),
                Paragraph(
                    "Protection des données : ce rapport ne cite les patients que par leur IPP"
                    + (", sauf l'annexe nominative demandée par l'auditeur." if people else "."),
                    "note",
                ),
            ],
        ),
        Section(
            "Indicateurs de la table d'identités",
            [
                Table(
                    ["Indicateur", "Valeur"],
                    [
                        ["Identités", str(data["identities"])],
                        ["File active", str(data["active_identities"])],
                        ["Taux de qualification (file active)", _pct(data["qualification_rate"])],
                        ["Identités récupérées (file active)", _pct(data["recup_share"])],
                        ["Identités avec matricule INS", str(data["with_ins"])],
                        ["Lieu de naissance inconnu (99999)", str(data["unknown_birthplace"])],
                        ["Dates de naissance complétées", str(data["completed_dates"])],
                        *[[f"Attribut {a}", str(n)] for a, n in data["attributes"].items()],
                    ],
                    [3, 1],
                ),
                BarChart(
                    "Identités par statut", list(statuses), [float(v) for v in statuses.values()], "nombre"
                ),
            ],
        ),
    ]
    trend = data.get("trend")
    if trend:
        sections.append(
            Section(
                "Évolution depuis l'extraction précédente",
                [
                    Table(
                        [
                            "Indicateur",
                            f"Extraction du {trend['previous_extracted_on']}",
                            "Cette extraction",
                            "Écart",
                        ],
                        [
                            [
                                label,
                                str(trend[key]["before"]),
                                str(trend[key]["now"]),
                                str(trend[key]["delta"]),
                            ]
                            for key, label in (
                                ("identities", "Identités"),
                                ("qualification_rate", "Taux de qualification (%)"),
                                ("recup_share", "Part récupérées (%)"),
                                ("with_ins", "Avec matricule INS"),
                                ("anomalies_total", "Anomalies"),
                            )
                        ],
                        [3, 2, 2, 1],
                    )
                ],
                level=1,
            )
        )
    sections.append(
        Section(
            "Anomalies par règle et par sévérité",
            [
                BarChart(
                    "Anomalies par sévérité", list(SEVERITIES), [float(sev[s]) for s in SEVERITIES], "nombre"
                ),
                Table(
                    ["Règle", "Intitulé", "Sévérité", "Nombre"],
                    [[r, RULES[r].title, RULES[r].severity, str(n)] for r, n in an["by_rule"].items()],
                    [2, 4, 1.2, 1],
                ),
            ],
        )
    )
    if dup:
        sections.append(
            Section(
                "Doublons et collisions",
                [
                    Table(
                        ["Mesure", "Valeur"],
                        [
                            ["Paires probables", str(dup["probable"])],
                            ["Paires à examiner", str(dup["a_examiner"])],
                            ["Collisions suspectées", str(dup["collisions"])],
                            ["Taux de doublons probables", _pct(dup["duplicate_rate"])],
                            *[[f"Décisions « {k} »", str(v)] for k, v in dup["decided"].items()],
                        ],
                        [3, 1],
                    )
                ],
            )
        )
    sections.append(
        Section(
            "Annexe — anomalies critiques (par IPP)",
            [
                Table(
                    ["IPP", *(["Identité"] if people else []), "Règle", "Message"],
                    [
                        [f.ipp, *([people.get(f.ipp, "")] if people else []), f.rule, f.message]
                        for f in critical[:500]
                    ],
                    [1.2, *([2.5] if people else []), 1.6, 5],
                )
            ],
        )
    )
    sections.append(
        Section(
            "Annexe — catalogue des règles",
            [
                Table(
                    ["Règle", "Intitulé", "Sévérité", "Référence"],
                    [[r.id, r.title, r.severity_note or r.severity, r.reference] for r in RULES.values()],
                    [2, 3.5, 1.6, 3],
                )
            ],
        )
    )
    return ReportDocument(
        title="Rapport de qualité de la table d'identités",
        subtitle="Identitovigilance — RNIV",
        facility=ext["facility"],
        author="IVO",
        cover_lines=[
            ext["facility"],
            f"Extraction n° {ext['id']} du {ext['extracted_on']}",
            "Document généré par IVO",
        ],
        sections=sections,
    )


def _rank(rule: str) -> int:
    return {"critique": 3, "erreur": 2, "alerte": 1}.get(RULES[rule].severity, 0)
