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
from ivo_app.io import atomic
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
    active_years: int | None = None,
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
    document = quality_document(data, critical, people)
    return _render(
        db, document, out, tracker, "rapport", f"extraction:{extraction_id}", include_personal_data
    )


def _render(
    db: Database,
    document: ReportDocument,
    out: Path,
    tracker: Progress,
    action: str,
    target: str,
    personal_data: bool,
) -> int:
    """Lay the document out, write it, journal it (who, when, which report; never its content)."""
    pdf = render_pdf(document, paths.resource("fonts"))
    tracker.check()
    try:
        atomic.write_bytes(out, pdf)  # a failed write leaves no truncated PDF
    except OSError as exc:
        raise IvoError(f"Écriture impossible : {out} ({exc.strerror}).") from exc
    with UnitOfWork(db) as uow:
        journal.record(uow.session, action, target, {"bytes": len(pdf), "personal_data": personal_data})
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
        *table_sections(data, critical, people),
        catalogue_section(),
    ]
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


def table_sections(data: dict[str, Any], critical: list[Any], people: dict[str, str]) -> list[Section]:
    """The identity-table chapters the quality report and the audit deliverable share."""
    an, dup, statuses = data["anomalies"], data.get("duplicates"), data["statuses"]
    sev = an["by_severity"]
    sections = [
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
    return sections


def catalogue_section() -> Section:
    return Section(
        "Annexe — catalogue des règles",
        [
            Table(
                ["Règle", "Intitulé", "Sévérité", "Référence"],
                [[r.id, r.title, r.severity_note or r.severity, r.reference] for r in RULES.values()],
                [2, 3.5, 1.6, 3],
            )
        ],
    )


def _rank(rule: str) -> int:
    return {"critique": 3, "erreur": 2, "alerte": 1}.get(RULES[rule].severity, 0)


def _ci(rate: Any) -> str:
    low, high = rate.interval
    return f"{100 * rate.rate:.1f} % [{100 * low:.1f} – {100 * high:.1f}]".replace(".", ",")


def generate_audit_report(
    db: Database,
    audit_id: int,
    out: Path,
    *,
    include_personal_data: bool = False,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
) -> int:
    """The detailed IVO3 deliverable (PDF); returns its size in bytes."""
    from ivo_app.services.audit import get_audit

    tracker = Progress(progress, is_cancelled)
    tracker.report(0, 3, "données de l'audit", force=True)
    view = get_audit(db, audit_id)
    data = compute_indicators(db, view.extraction_id) if view.extraction_id else None
    critical = ([f for f in list_findings(db, view.extraction_id, severity="critique", limit=500) if f.ipp]
                if view.extraction_id else [])  # fmt: skip
    people = (_people(db, view.extraction_id, {f.ipp for f in critical if f.ipp} | set(view.of("sample")))
              if include_personal_data and view.extraction_id else {})  # fmt: skip
    previous = _previous_audit_score(db, view)
    tracker.check()
    tracker.report(1, 3, "mise en page", force=True)
    document = audit_document(view, data, critical, people, previous)
    return _render(db, document, out, tracker, "livrable_audit", f"audit:{audit_id}", include_personal_data)


def _previous_audit_score(db: Database, view: Any) -> tuple[int, float | None] | None:
    from ivo_app.services.audit import get_audit, list_audits

    earlier = [a for a in list_audits(db, view.facility) if a[0] < view.id]
    if not earlier:
        return None
    before = get_audit(db, earlier[-1][0]).score().score
    return earlier[-1][0], before


def audit_document(
    view: Any,
    data: dict[str, Any] | None,
    critical: list[Any],
    people: dict[str, str],
    previous: tuple[int, float | None] | None,
) -> ReportDocument:
    from ivo_app.audit.grid import ANSWER_LABELS
    from ivo_app.audit.results import SAMPLE_TRAITS
    from ivo_app.services.audit import STEP_LABELS, observation_rates

    score = view.score()
    scope = view.scope or "identification primaire, ensemble des points d'accueil"
    pct = lambda v: "—" if v is None else f"{100 * v:.1f} %".replace(".", ",")  # noqa: E731
    findings = list(view.of("finding").values())
    recommendations = list(view.of("recommendation").values())
    actions = list(view.of("action").values())
    strengths = [t.title for t in score.themes if t.level == "maîtrisé"]
    risks = [str(f["text"]).rstrip(".") for f in findings if f.get("severity") == "critique"][:6]
    synth = [
        Paragraph(f"Score global de maturité : {pct(score.score)} — niveau {score.level}.", "emphasis"),
        Paragraph(
            "Points forts : "
            + (", ".join(strengths) if strengths else "aucun thème au niveau « maîtrisé »")
            + "."
        ),
        Paragraph("Principaux risques : " + (" ; ".join(risks) if risks else "aucun constat critique") + "."),
        Paragraph(
            "Recommandations prioritaires : "
            + (
                " ; ".join(r.get("text", "") for r in recommendations[:5])
                if recommendations
                else "voir le plan d'actions."
            )
        ),
    ]
    if previous:
        synth.append(Paragraph(f"Audit précédent (n° {previous[0]}) : score global {pct(previous[1])}."))
    if data:
        synth.append(
            Paragraph(
                f"Table d'identités : {data['identities']} identités, taux de qualification de la file "
                f"active {_pct(data['qualification_rate'])}, {data['anomalies']['total']} anomalies."
            )
        )
    method = [
        Paragraph(
            "L'audit suit les quatre étapes de la cellule régionale d'identitovigilance : questionnaire "
            "d'évaluation, étude de documents, audit en présentiel, restitution d'un livrable détaillé."
        ),
        Table(
            ["Étape", "État"],
            [[STEP_LABELS[s], st.replace("_", " ")] for s, st in view.steps.items()],
            [3, 1],
        ),
        Paragraph(
            f"Grille : {view.grid.title} (version {view.grid.version}, {len(view.grid.questions)} questions). "
            "Score d'un thème : part pondérée de conformité sur les questions applicables (partiel = ½) ; une "
            "question critique non conforme plafonne le thème au niveau « insuffisant »."
        ),
        Paragraph(f"Périmètre : {scope.rstrip('.')}."),
        Paragraph(
            f"Auditeurs : {', '.join(view.auditors) or '—'} ; période : {view.started_on or '—'} au "
            f"{view.ended_on or '—'}."
        ),
        Paragraph(
            f"Échantillon de fiches : {len(view.of('sample'))} identités tirées au hasard, stratifiées par statut "
            f"(graine {view.sample_seed}, tirage reproductible). Intervalles de confiance à 95 % (Wilson)."
        ),
    ]
    themes = Table(["Thème", "Score", "Niveau", "Réponses", "Questions critiques non conformes"],
                   [[t.title, pct(t.score), t.level, f"{t.answered} ({t.applicable} applicables)",
                     ", ".join(t.critical_failures) or "—"] for t in score.themes], [3, 1, 1.3, 1.5, 2])  # fmt: skip
    chart = BarChart(
        "Score par thème",
        [t.title[:30] for t in score.themes],
        [round(100 * (t.score or 0), 1) for t in score.themes],
        "%",
    )
    documents = Table(["Document", "Présent", "Version", "Date", "Conformité", "Commentaire", "Empreinte"],
                      [[d["name"], "oui" if d.get("present") else ("non" if "present" in d else "—"),
                        str(d.get("version", "")), str(d.get("date", "")),
                        ANSWER_LABELS.get(str(d.get("conformity")), "—"), str(d.get("comment", "")),
                        str(d.get("sha256", ""))[:12]] for d in view.of("document").values()],
                      [3, 0.8, 0.8, 1.1, 1.3, 2.5, 1.2])  # fmt: skip
    admissions, wristbands = observation_rates(view)
    sample_rates = view.sample_rates()
    on_site: list[Any] = [
        Paragraph(
            f"Observations aux accueils : {len(view.of('observation'))} admissions observées.", "emphasis"
        ),
        Table(
            ["Point observé", "Observations", "Non conformes", "Taux de non-conformité [IC 95 %]"],
            [[r.label, str(r.checked), str(r.failures), _ci(r)] for r in admissions],
            [3, 1, 1, 2],
        ),
        Paragraph(f"Bracelets vérifiés dans les unités : {len(view.of('wristband'))} patients.", "emphasis"),
        Table(
            ["Point vérifié", "Patients", "Non conformes", "Taux [IC 95 %]"],
            [[r.label, str(r.checked), str(r.failures), _ci(r)] for r in wristbands],
            [3, 1, 1, 2],
        ),
        Paragraph(
            f"Échantillon de fiches comparées aux justificatifs : {len(view.of('sample'))} identités.",
            "emphasis",
        ),
        Table(
            ["Trait", "Fiches vérifiées", "Erreurs", "Taux d'erreur [IC 95 %]"],
            [[r.label, str(r.checked), str(r.failures), _ci(r)] for r in sample_rates],
            [3, 1, 1, 2],
        ),
        BarChart(
            "Taux d'erreur par trait (échantillon)",
            [r.label for r in sample_rates],
            [round(100 * r.rate, 1) for r in sample_rates],
            "%",
        ),
    ]
    interviews = [
        Paragraph(f"{i.get('theme', '')} — {i.get('note', '')}") for i in view.of("interview").values()
    ]
    sections = [
        Section("Synthèse", synth),
        Section("Méthode et périmètre", method),
        Section("Étape 1 — Questionnaire d'évaluation", [themes, chart]),
        Section("Étape 2 — Étude de documents", [documents]),
        Section("Étape 3 — Audit en présentiel", on_site),
        Section("Entretiens", interviews or [Paragraph("Aucun entretien consigné.")], level=1),
    ]
    if data:
        sections += table_sections(data, critical, people)
    sections += [
        Section(
            "Constats",
            [
                Table(
                    ["Sévérité", "Thème", "Constat", "Référence"],
                    [
                        [f.get("severity", ""), f.get("theme", ""), f.get("text", ""), f.get("reference", "")]
                        for f in sorted(findings, key=lambda f: _severity_rank(f.get("severity")))
                    ],
                    [1, 1.8, 5, 2],
                )
            ],
        ),
        Section(
            "Recommandations",
            [
                Table(
                    ["Recommandation", "Thème", "Priorité"],
                    [
                        [r.get("text", ""), r.get("theme", ""), str(r.get("priority", ""))]
                        for r in recommendations
                    ],
                    [5, 2, 1],
                )
            ],
        ),
        Section(
            "Plan d'actions",
            [
                Table(
                    ["Action", "Pilote", "Échéance", "Priorité"],
                    [
                        [
                            a.get("action", ""),
                            a.get("owner", ""),
                            str(a.get("due", "")),
                            str(a.get("priority", "")),
                        ]
                        for a in actions
                    ],
                    [5, 2, 1.2, 1],
                )
            ],
        ),
        Section(
            "Annexe — grille complète et réponses",
            [
                Table(
                    ["Question", "Intitulé", "Réponse", "Commentaire", "Preuve"],
                    [
                        [
                            q.id,
                            q.text + (" (critique)" if q.critical else ""),
                            ANSWER_LABELS.get(view.of("answer").get(q.id, {}).get("answer", ""), "—"),
                            str(view.of("answer").get(q.id, {}).get("comment") or ""),
                            str(view.of("answer").get(q.id, {}).get("evidence") or ""),
                        ]
                        for q in view.grid.questions
                    ],
                    [0.8, 4.5, 1.4, 2.5, 1.5],
                )
            ],
        ),
        catalogue_section(),
        Section(
            "Annexe — échantillon (par IPP)",
            [
                Table(
                    ["IPP", *(["Identité"] if people else []), "Statut", *SAMPLE_TRAITS.values()],
                    [
                        [
                            ipp,
                            *([people.get(ipp, "")] if people else []),
                            s.get("stratum", ""),
                            *[
                                {True: "oui", False: "non"}.get(s.get("traits", {}).get(t), "—")
                                for t in SAMPLE_TRAITS
                            ],
                        ]
                        for ipp, s in sorted(view.of("sample").items())
                    ],
                )
            ],
        ),
    ]
    return ReportDocument(
        title="Audit d'identitovigilance — livrable détaillé",
        subtitle="Audit IVO3 en quatre étapes",
        facility=view.facility,
        author=", ".join(view.auditors) or "IVO",
        cover_lines=[
            view.facility,
            view.title,
            f"Audit n° {view.id} — du {view.started_on or '—'} au {view.ended_on or '—'}",
            f"Auditeurs : {', '.join(view.auditors) or '—'}",
            f"Grille {view.grid.id} v{view.grid.version}",
            "Version du livrable : 1.0",
        ],
        sections=sections,
    )


def _severity_rank(severity: Any) -> int:
    return {"critique": 0, "majeur": 1, "mineur": 2}.get(str(severity), 3)
