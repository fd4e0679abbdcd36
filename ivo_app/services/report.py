"""Report use cases: the data-quality report of an extraction and the IVO3 audit deliverable (PDF),
from the same services as the window and `ivo indicators` (figures are those of compute_indicators,
never recomputed).

The deliverable follows the form regional identity-vigilance cells publish: executive summary with key
figures and a radar of theme scores, context and method, synthesis per theme, numbered findings each
with its source and evidence, recommendations, action plan, follow-up against the previous complete
audit, signatures, the facility's response, distribution list, annexes last. It names no patient:
nominative annexes go to a separate file, written only on request. Until every step is complete it
is a draft ("PROJET" and completeness on every page) and states no maturity level.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ivo_app import paths
from ivo_app.audit.consistency import assessment_gaps
from ivo_app.audit.followup import follow_up
from ivo_app.audit.grid import ANSWER_LABELS
from ivo_app.audit.items import ACTION_STATUSES, PRIORITIES, SOURCES, STATE_LABELS
from ivo_app.audit.report.document import (
    BarChart,
    Block,
    KeyFigures,
    Paragraph,
    RadarChart,
    ReportDocument,
    Section,
    Table,
)
from ivo_app.audit.report.french import (
    SEVERITY_LABELS,
    STATUS_LABELS,
    day,
    number,
    pct,
    plural,
    status_label,
    yes_no,
)
from ivo_app.audit.report.renderer import render_pdf
from ivo_app.audit.results import OBSERVATION_ITEMS, SAMPLE_TRAITS, WRISTBAND_ITEMS, rates_by
from ivo_app.audit.scoring import METHOD_TEXT
from ivo_app.errors import IvoError
from ivo_app.io import atomic
from ivo_app.progress import CancelFn, Progress, ProgressFn
from ivo_app.rules.catalogue import RULES, SEVERITIES
from ivo_app.services.audit import CONTEXT_FIELDS, get_audit, list_audits, observation_rates
from ivo_app.services.checks import list_findings
from ivo_app.services.indicators import Indicators, compute_indicators
from ivo_app.store import journal
from ivo_app.store.db import Database
from ivo_app.store.queries import identities as identity_queries
from ivo_app.store.uow import UnitOfWork

SIGN = "\u00a0\n\u00a0\n\u00a0"  # room to sign by hand
ANNEX_LIMIT = 500  # critical anomalies listed in an annex; the rest is counted, never dropped silently
FOOTER_IPP = "Document confidentiel — données de santé (patients cités par IPP uniquement)"
FOOTER_NAMED = "Document confidentiel — contient des données nominatives de patients"
ATTRIBUTE_LABELS = {"DOUTEUSE": "Identité douteuse", "FICTIVE": "Identité fictive", "HOMONYME": "Homonymie"}


def _pct(value: float) -> str:
    """A percentage already in % (53.7 → « 53,7 % »)."""
    return pct(value, ratio=False)


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
    data = _with_sha(db, compute_indicators(db, extraction_id, active_years=active_years))
    assert data is not None
    extraction_id = data["extraction"]["id"]
    tracker.check()
    critical = [f for f in list_findings(db, extraction_id, severity="critique", limit=ANNEX_LIMIT) if f.ipp]
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

    with UnitOfWork(db) as uow:
        rows = identity_queries.names_by_ipp(uow.session, extraction_id, sorted(ipps))
    return {
        ipp: f"{name or ''} {first or ''} {born.strftime('%d/%m/%Y') if born else ''}".strip()
        for ipp, name, first, born in rows
    }


def quality_document(data: Indicators, critical: list[Any], people: dict[str, str]) -> ReportDocument:
    ext, an, dup = data["extraction"], data["anomalies"], data.get("duplicates")
    sev = an["by_severity"]
    synth: list[Block] = [
        Paragraph(
            f"L'extraction du {day(ext['extracted_on'])} compte {number(data['identities'])} identités, dont "
            f"{number(data['active_identities'])} dans la file active (dernière venue depuis le "
            f"{day(data['active_since'])})."
        ),
        Paragraph(
            f"Taux de qualification de la file active : {_pct(data['qualification_rate'])} ; identités "
            f"récupérées : {_pct(data['recup_share'])}.",
            "emphasis",
        ),
        Paragraph(
            f"Anomalies : {number(an['total'])} (critiques {number(sev['critique'])}, erreurs "
            f"{number(sev['erreur'])}, alertes {number(sev['alerte'])}, informations {number(sev['info'])}) sur "
            f"{number(an['identities_with_findings'])} identités."
            if an["checked"]
            else "La vérification des règles n'a pas été lancée sur cette extraction."
        ),
    ]
    if dup:
        synth.append(
            Paragraph(
                f"Doublons probables : {number(dup['probable'])} ; paires à examiner : {number(dup['a_examiner'])} ; "
                f"collisions suspectées : {number(dup['collisions'])} ; taux de doublons : "
                f"{_pct(dup['duplicate_rate'])}."
            )
        )
    top = sorted(an["by_rule"].items(), key=lambda kv: (-_rank(kv[0]), -kv[1]))[:5]
    if top:
        synth.append(
            Paragraph(
                "Principaux risques : " + " ; ".join(f"{RULES[r].title} ({number(n)})" for r, n in top) + "."
            )
        )
    sections = [
        Section("Synthèse", synth),
        Section("Méthode et périmètre", source_paragraphs(data, people)),
        *table_sections(data),
        *anomaly_annex(data, critical, people),
        catalogue_section(),
    ]
    return ReportDocument(
        title="Rapport de qualité de la table d'identités",
        subtitle="Identitovigilance — RNIV",
        facility=ext["facility"],
        author="IVO",
        cover_lines=[
            ext["facility"],
            f"Extraction n° {ext['id']} du {day(ext['extracted_on'])}",
            "Document généré par IVO",
        ],
        sections=sections,
        footer=FOOTER_NAMED if people else FOOTER_IPP,
    )


def source_paragraphs(data: Indicators, people: dict[str, str] | None = None) -> list[Block]:
    """Which extraction the figures come from and how the active file is defined."""
    ext = data["extraction"]
    sha = ext.get("source_sha256")
    return [
        Paragraph(
            f"Les indicateurs proviennent de l'extraction n° {ext['id']} du {day(ext['extracted_on'])}, "
            f"fichier source « {ext['source_file']} »"
            + (
                f", empreinte SHA-256 {sha}"
                if sha
                else ", sans empreinte SHA-256 (extraction générée, non importée)"
            )
            + f". Les {len(RULES)} règles du catalogue IVO (RNIV, guide d'implémentation de l'INS, COG de "
            "l'INSEE) ont été appliquées à chaque identité ; les doublons sont recherchés par un modèle "
            "probabiliste explicable."
        ),
        Paragraph(
            f"File active : identités dont la dernière venue date des {data['active_period_years']} ans précédant "
            f"l'extraction, soit depuis le {day(data['active_since'])} (une identité sans date de dernière venue "
            "est comptée active)."
        ),
        Paragraph(
            "Protection des données : ce document ne cite les patients que par leur IPP"
            + (", sauf l'annexe nominative demandée." if people else "."),
            "note",
        ),
    ]


def table_sections(data: Indicators, *, level: int = 0) -> list[Section]:
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
                        ["Identités", number(data["identities"])],
                        ["File active", number(data["active_identities"])],
                        ["Taux de qualification (file active)", _pct(data["qualification_rate"])],
                        ["Identités récupérées (file active)", _pct(data["recup_share"])],
                        ["Identités avec matricule INS", number(data["with_ins"])],
                        ["Lieu de naissance inconnu (99999)", number(data["unknown_birthplace"])],
                        ["Dates de naissance complétées", number(data["completed_dates"])],
                        *[
                            [ATTRIBUTE_LABELS.get(str(a).upper(), f"Attribut {a}"), number(n)]
                            for a, n in data["attributes"].items()
                        ],
                    ],
                    [3, 1],
                ),
                BarChart(
                    "Identités de la file active par statut",
                    [STATUS_LABELS.get(s, s.capitalize()) for s in statuses],
                    [float(v) for v in statuses.values()],
                    "nombre",
                ),
            ],
            level=level,
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
                            f"Extraction du {day(trend['previous_extracted_on'])}",
                            "Cette extraction",
                            "Écart",
                        ],
                        [
                            [
                                label,
                                fmt(change["before"]),
                                fmt(change["now"]),
                                fmt(change["delta"]),
                            ]
                            for change, label, fmt in (
                                (trend["identities"], "Identités", number),
                                (trend["qualification_rate"], "Taux de qualification", _pct),
                                (trend["recup_share"], "Part des identités récupérées", _pct),
                                (trend["with_ins"], "Avec matricule INS", number),
                                (trend["anomalies_total"], "Anomalies", number),
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
                    "Anomalies par sévérité",
                    [SEVERITY_LABELS[s] for s in SEVERITIES],
                    [float(sev[s]) for s in SEVERITIES],
                    "nombre",
                ),
                Table(
                    ["Règle", "Sévérité", "Nombre"],
                    [
                        [RULES[r].title, SEVERITY_LABELS.get(RULES[r].severity, RULES[r].severity), number(n)]
                        for r, n in an["by_rule"].items()
                    ],
                    [5, 1.2, 1],
                ),
            ],
            level=1 if level else 0,
            new_page=False,
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
                            ["Paires probables", number(dup["probable"])],
                            ["Paires à examiner", number(dup["a_examiner"])],
                            ["Collisions suspectées", number(dup["collisions"])],
                            ["Taux de doublons probables", _pct(dup["duplicate_rate"])],
                            *[
                                [f"Décisions « {k.replace('_', ' ')} »", number(v)]
                                for k, v in dup["decided"].items()
                            ],
                        ],
                        [3, 1],
                    )
                ],
                level=1 if level else 0,
                new_page=False,
            )
        )
    return sections


def anomaly_annex(data: Indicators, critical: list[Any], people: dict[str, str]) -> list[Section]:
    total = int(data["anomalies"]["by_severity"].get("critique", 0))
    shown = critical[:ANNEX_LIMIT]
    note = (
        f"{number(len(shown))} anomalies critiques listées sur {number(total)} : la liste s'arrête aux "
        f"{number(ANNEX_LIMIT)} premières ; la liste complète s'exporte depuis la page Anomalies (ou `ivo check "
        "--out`)."
        if total > len(shown)
        else f"{number(len(shown))} anomalies critiques, toutes listées."
    )
    return [
        Section(
            "Annexe — anomalies critiques" + (" (nominative)" if people else " (par IPP)"),
            [
                Paragraph(note, "note"),
                Table(
                    ["IPP", *(["Identité"] if people else []), "Règle", "Message"],
                    [
                        [f.ipp, *([people.get(f.ipp, "")] if people else []), RULES[f.rule].title, f.message]
                        for f in shown
                    ],
                    [1.2, *([2.5] if people else []), 2, 5],
                ),
            ],
        )
    ]


def catalogue_section() -> Section:
    return Section(
        "Annexe — catalogue des règles",
        [
            Table(
                ["Code", "Intitulé", "Sévérité", "Référence"],
                [
                    [
                        r.id,
                        r.title,
                        r.severity_note or SEVERITY_LABELS.get(r.severity, r.severity),
                        r.reference,
                    ]
                    for r in RULES.values()
                ],
                [2.2, 3.5, 1.6, 3],
            )
        ],
    )


def _rank(rule: str) -> int:
    return {"critique": 3, "erreur": 2, "alerte": 1}.get(RULES[rule].severity, 0)


def _with_sha(db: Database, data: Indicators | None) -> Indicators | None:
    if data is None:
        return None
    with UnitOfWork(db) as uow:
        extraction = uow.extractions.get(data["extraction"]["id"])
        data["extraction"]["source_sha256"] = extraction.source_sha256
        data["extraction"]["row_count"] = extraction.row_count
    return data


def nominative_annex_path(out: Path) -> Path:
    """Where `--personal-data` writes the nominative annexes, beside the deliverable."""
    return out.with_name(f"{out.stem}-annexe-nominative{out.suffix or '.pdf'}")


GLOSSARY = (
    ("CIV", "Cellule d'identitovigilance de l'établissement."),
    ("Collision", "Une même identité numérique partagée par deux patients différents."),
    ("Doublon", "Un même patient enregistré sous plusieurs identités numériques."),
    ("File active", "Identités venues dans la période de référence précédant l'extraction."),
    ("Identification primaire", "Recherche, création, modification d'une identité et attribution de son statut."),
    ("Identification secondaire", "Vérification de l'identité du patient avant chaque acte le concernant."),
    ("INS", "Identité nationale de santé : matricule INS et traits, récupérée par le téléservice INSi."),
    ("INSi", "Téléservice de l'Assurance maladie qui renvoie l'INS d'un patient."),
    ("IPP", "Identifiant permanent du patient dans l'établissement."),
    ("RNIV", "Référentiel national d'identitovigilance."),
    ("Statut de confiance", "Provisoire, récupérée, validée ou qualifiée (seule l'identité qualifiée permet "
                            "le partage du matricule INS)."),
    ("Traits stricts", "Nom de naissance, prénoms de naissance, date et lieu de naissance, sexe."),
)  # fmt: skip


def generate_audit_report(
    db: Database,
    audit_id: int,
    out: Path,
    *,
    include_personal_data: bool = False,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
) -> int:
    """The detailed IVO3 deliverable (PDF); returns its size in bytes.

    The deliverable (the director's copy) cites patients by IPP only. With `include_personal_data` the
    nominative annexes (sample, critical anomalies) are written to a separate file beside it
    (`nominative_annex_path`)."""
    tracker = Progress(progress, is_cancelled)
    tracker.report(0, 3, "données de l'audit", force=True)
    view, data, critical, document = build_audit_document(db, audit_id)
    tracker.check()
    tracker.report(1, 3, "mise en page", force=True)
    size = _render(db, document, out, tracker, "livrable_audit", f"audit:{audit_id}", False)
    if include_personal_data and view.extraction_id:
        people = _people(db, view.extraction_id, {f.ipp for f in critical if f.ipp} | set(view.of("sample")))
        annex = nominative_document(view, data, critical, people)
        _render(
            db, annex, nominative_annex_path(out), tracker, "livrable_audit_annexe", f"audit:{audit_id}", True
        )
    return size


def build_audit_document(
    db: Database, audit_id: int
) -> tuple[Any, Indicators | None, list[Any], ReportDocument]:
    """The audit, its extraction's indicators, its critical anomalies and the deliverable's content."""
    view = get_audit(db, audit_id)
    data = _with_sha(db, compute_indicators(db, view.extraction_id)) if view.extraction_id else None
    critical = ([f for f in list_findings(db, view.extraction_id, severity="critique", limit=ANNEX_LIMIT) if f.ipp]
                if view.extraction_id else [])  # fmt: skip
    followup, skipped = _previous_complete_audit(db, view, data)
    return view, data, critical, audit_document(view, data, critical, followup, skipped)


def _previous_complete_audit(db: Database, view: Any, data: Indicators | None) -> tuple[Any, list[int]]:
    """The follow-up against the facility's last earlier audit whose every step is complete, and the
    earlier audits left aside because they are not."""
    skipped: list[int] = []
    for audit_id, *_ in reversed([a for a in list_audits(db, view.facility) if a[0] < view.id]):
        before = get_audit(db, audit_id)
        if not before.completeness().complete:
            skipped.append(audit_id)
            continue
        before_data = compute_indicators(db, before.extraction_id) if before.extraction_id else None
        numbered = _numbered_actions(before)
        return follow_up(audit_id, day(before.ended_on or before.started_on), before.score(), view.score(),
                         before.of("finding"), view.of("finding"), numbered, before_data, data), skipped  # fmt: skip
    return None, skipped


def _order_findings(view: Any) -> list[tuple[str, str, dict[str, Any]]]:
    rank = {"critique": 0, "majeur": 1, "mineur": 2}
    items = sorted(view.of("finding").items(), key=lambda kv: rank.get(str(kv[1].get("severity")), 3))
    return [(f"C{n}", key, f) for n, (key, f) in enumerate(items, start=1)]


def _order_recommendations(
    view: Any, finding_numbers: dict[str, str]
) -> list[tuple[str, str, dict[str, Any]]]:
    def order(kv: tuple[str, dict[str, Any]]) -> tuple[int, int]:
        link = finding_numbers.get(str(kv[1].get("finding")), "C999")
        return (int(kv[1].get("priority") or 3), int(link[1:]))

    items = sorted(view.of("recommendation").items(), key=order)
    return [(f"R{n}", key, r) for n, (key, r) in enumerate(items, start=1)]


def _numbered_actions(view: Any) -> list[dict[str, Any]]:
    findings = {key: number_ for number_, key, _ in _order_findings(view)}
    recs = {key: number_ for number_, key, _ in _order_recommendations(view, findings)}
    return [{**a, "number": f"A{n}", "rec_number": recs.get(str(a.get("recommendation")), "—")}
            for n, a in enumerate(sorted(view.of("action").values(),
                                         key=lambda a: (recs.get(str(a.get("recommendation")), "R999")[1:].zfill(4),
                                                        str(a.get("due") or ""))), start=1)]  # fmt: skip


def _score_pct(score: float | None) -> str:
    return pct(score) if score is not None else "—"


def audit_document(
    view: Any,
    data: Indicators | None,
    critical: list[Any],
    followup: Any = None,
    skipped: list[int] | None = None,
) -> ReportDocument:
    score, own, auditor = view.score(), view.self_score(), view.auditor_score()
    done = view.completeness()
    draft = None if done.complete else done.line()
    ctx = view.context
    findings = _order_findings(view)
    f_numbers = {key: n for n, key, _ in findings}
    recommendations = _order_recommendations(view, f_numbers)
    r_numbers = {key: n for n, key, _ in recommendations}
    actions = _numbered_actions(view)
    admissions, wristbands = observation_rates(view)
    sample_rates = view.sample_rates()
    inconsistencies = view.inconsistencies()
    gaps = view.chain_gaps()
    severity_count = {
        s: sum(1 for _, _, f in findings if f.get("severity") == s) for s in ("critique", "majeur", "mineur")
    }
    level = score.level if done.complete else "non établi (audit incomplet)"

    # --- 1. executive summary -------------------------------------------------------------------
    figures = [
        (_score_pct(score.score), "Score global de maturité" + ("" if done.complete else " (provisoire)")),
        (level, "Niveau"),
        (f"{score.answered}/{score.total}", "Questions renseignées"),
        (f"{severity_count['critique']} / {severity_count['majeur']}", "Constats critiques / majeurs"),
    ]
    if data:
        dup = data["duplicates"]  # None when detection has not run: 0 pairs shown
        figures += [
            (_pct(data["qualification_rate"]), "Qualification de l'INS (file active)"),
            (number(data["anomalies"]["by_severity"].get("critique", 0)), "Anomalies critiques"),
            (number(dup["probable"] if dup else 0), "Doublons probables"),
            (number(dup["collisions"] if dup else 0), "Collisions suspectées"),
        ]
    synth: list[Block] = []
    if not done.complete:
        synth.append(Paragraph(
            "PROJET — l'audit n'est pas terminé ; les chiffres sont provisoires et aucun niveau de maturité n'est "
            "établi. " + " ; ".join(done.missing) + ".", "box"))  # fmt: skip
    synth.append(KeyFigures(figures))
    series: list[tuple[str, list[float]]] = [
        ("Retenu", [round(100 * (t.score or 0), 1) for t in score.themes])
    ]
    if view.auditor_answers:
        series.append(("Auto-évaluation", [round(100 * (t.score or 0), 1) for t in own.themes]))
    synth.append(RadarChart("Score par thème (%)", [t.title for t in score.themes], series))
    strengths = [t.title for t in score.themes if t.level == "maîtrisé"]
    if score.complete:
        synth.append(Paragraph("Points forts : " + (", ".join(strengths) if strengths else
                                                   "aucun thème n'atteint le niveau « maîtrisé »") + "."))  # fmt: skip
    else:
        synth.append(Paragraph("Points forts : établis quand toutes les questions auront reçu une réponse."))
    if score.capped_themes:
        synth.append(Paragraph("Thèmes plafonnés par une question critique : " + " ; ".join(
            f"{t.title} ({', '.join((*t.critical_failures, *t.critical_partials))})" for t in score.capped_themes) + "."))  # fmt: skip
    risks = [
        f"{n} {f.get('text', '')}".rstrip(".") for n, _, f in findings if f.get("severity") == "critique"
    ]
    synth.append(
        Paragraph(
            "Principaux risques : " + (" ; ".join(risks[:6]) if risks else "aucun constat critique") + "."
        )
    )
    top = [f"{n} {r.get('text', '')}".rstrip(".") for n, _, r in recommendations[:5]]
    synth.append(Paragraph("Recommandations prioritaires : " + (" ; ".join(top) if top else "aucune") + "."))
    if followup:
        before, now = followup.score
        compared = (f"{len(followup.closed)} constats levés, {len(followup.persisting)} persistants, "
                    f"{len(followup.new)} nouveaux" if done.complete else
                    "constats levés, persistants et nouveaux établis quand cet audit sera complet")  # fmt: skip
        synth.append(Paragraph(
            f"Suivi : score global {_score_pct(before)} à l'audit n° {followup.previous_id} ({followup.previous_date}), "
            f"{_score_pct(now)} aujourd'hui ; {compared}."))  # fmt: skip
    if data:
        synth.append(Paragraph(
            f"Table d'identités : {number(data['identities'])} identités, taux de qualification de la file active "
            f"{_pct(data['qualification_rate'])}, {number(data['anomalies']['total'])} anomalies."))  # fmt: skip

    # --- 2. context and method ------------------------------------------------------------------
    listed = lambda key: [str(v) for v in ctx.get(key) or []]  # noqa: E731
    context: list[Block] = [
        Paragraph(f"Établissement : {view.facility}" + (f" (FINESS {view.finess})" if view.finess else "") + "."),
        Paragraph("Mandat : " + (ctx.get("mandate") or "audit ciblé de l'identification des patients conduit par la "
                                 "cellule régionale d'identitovigilance à la demande de l'établissement.")),
        Paragraph("Objectifs : " + (" ; ".join(listed("objectives")) or "évaluer la maturité de l'identitovigilance, "
                                     "mesurer la qualité des identités et proposer un plan d'actions") + "."),
        Paragraph(f"Périmètre : {(view.scope or 'identification primaire et secondaire, ensemble des points d’accueil').rstrip('.')}."),
        Paragraph(f"Auditeurs : {', '.join(view.auditors) or '—'} ; période : du {day(view.started_on)} au {day(view.ended_on)}."),
    ]  # fmt: skip
    context.append(
        Table(["Personnes rencontrées"], [[p] for p in listed("people_met")] or [["Non renseigné."]])
    )
    context.append(
        Table(["Services visités"], [[s] for s in listed("services_visited")] or [["Non renseigné."]])
    )
    method: list[Block] = [
        Paragraph("L'audit suit les quatre étapes de la cellule régionale d'identitovigilance : questionnaire "
                  "d'évaluation, étude de documents, audit en présentiel, restitution d'un livrable détaillé."),
        Table(["Étape", "État", "Complétude"],
              [[s.label, STATE_LABELS.get(s.state, s.state), s.detail] for s in done.steps], [2.5, 1, 4]),
        Paragraph(f"Grille : {view.grid.title} (version {view.grid.version}, {len(view.grid.questions)} questions, "
                  f"{sum(q.critical for q in view.grid.questions)} critiques). {METHOD_TEXT}"),
        Paragraph("Auto-évaluation et évaluation de l'auditeur sont enregistrées séparément ; le score retenu "
                  "utilise l'évaluation de l'auditeur quand elle existe, l'auto-évaluation sinon."),
    ]  # fmt: skip
    if data:
        method += source_paragraphs(data)
    else:
        method.append(Paragraph("Aucune extraction de la table d'identités n'est rattachée à cet audit."))
    sample = view.of("sample")
    flagged = [ipp for ipp, s in sample.items() if s.get("flags")]
    to_verify = [ipp for ipp in flagged if len(sample[ipp].get("traits", {})) < len(SAMPLE_TRAITS)]
    method.append(Paragraph(
        f"Échantillon de fiches : {number(len(sample))} identités tirées au hasard, stratifiées par statut "
        f"(graine {view.sample_seed if view.sample_seed is not None else '—'}, tirage reproductible ; un nouveau tirage "
        f"remplace le précédent). {number(len(flagged))} fiches tirées sont signalées par les contrôles d'IVO : elles ne "
        f"sont jamais présumées conformes ({number(len(to_verify))} restent à vérifier). Intervalles de confiance à "
        "95 % (Wilson)."))  # fmt: skip
    limits = listed("limits") or ["Les observations portent sur les admissions et les unités visitées pendant la "
                                  "période de l'audit ; elles ne garantissent pas les pratiques des autres périodes.",
                                  "Le questionnaire est déclaratif tant que l'auditeur ne l'a pas évalué."]  # fmt: skip
    method.append(Table(["Limites de l'audit"], [[line] for line in limits]))
    references = [[r.title, r.version] for r in view.grid.references] or [
        ["Référentiel national d'identitovigilance (RNIV), forme consolidée", "2024"],
        ["ANS — Guide d'implémentation de l'identité INS", "v3.0"],
        ["HAS — certification, critère 2.3-01", "référentiel 2021"]]  # fmt: skip
    method.append(Table(["Référence", "Version"], references, [5, 1.5]))

    # --- 3. synthesis per theme -----------------------------------------------------------------
    by_theme: dict[str, list[str]] = {}
    for n, _, f in findings:
        by_theme.setdefault(str(f.get("theme", "")), []).append(n)
    theme_rows = []
    for t, o, a in zip(score.themes, own.themes, auditor.themes, strict=True):
        theme_rows.append([t.title, _score_pct(o.score), _score_pct(a.score), _score_pct(t.score), t.level,
                           ", ".join(by_theme.get(t.title, [])) or "—"])  # fmt: skip
    per_theme: list[Block] = [
        Table(["Thème", "Auto-évaluation", "Évaluation auditeur", "Score retenu", "Niveau", "Constats"],
              theme_rows, [2.6, 1.2, 1.2, 1.1, 1.1, 1.6]),
        Paragraph("Le tableau croise, pour chaque thème, le questionnaire (auto-évaluation et évaluation de "
                  "l'auditeur) et les constats issus des documents, des observations, de l'échantillon et des "
                  "données ; le détail des constats suit au chapitre « Constats ».", "note"),
    ]  # fmt: skip
    for t in score.themes:
        numbers = by_theme.get(t.title, [])
        sources = sorted(
            {SOURCES.get(str(f.get("source")), "Auditeur") for n, _, f in findings if n in numbers}
        )
        per_theme.append(Paragraph(
            f"{t.title} — {_score_pct(t.score)}, niveau {t.level} ; {t.answered} réponses sur {t.questions}"
            + (f" ; plafonné par {', '.join((*t.critical_failures, *t.critical_partials))}" if t.capped else "")
            + (f" ; constats {', '.join(numbers)} ({', '.join(sources).lower()})." if numbers else " ; aucun constat.")))  # fmt: skip

    # --- 4. detailed results ----------------------------------------------------------------------
    step1: list[Block] = [
        BarChart("Score retenu par thème", [t.title for t in score.themes],
                 [round(100 * (t.score or 0), 1) for t in score.themes], "%"),
    ]  # fmt: skip
    gaps_rows = [[q, ANSWER_LABELS[o], ANSWER_LABELS[a], "surévaluation" if g > 0 else "sous-évaluation"]
                 for q, o, a, g in assessment_gaps(view.grid, view.of("answer"))]  # fmt: skip
    step1.append(
        Paragraph(
            f"Écarts entre auto-évaluation et évaluation de l'auditeur : {plural(len(gaps_rows), 'question', 'questions')}.",
            "emphasis",
        )
    )
    if gaps_rows:
        step1.append(
            Table(["Question", "Auto-évaluation", "Évaluation auditeur", "Écart"], gaps_rows, [1, 2, 2, 1.5])
        )
    documents = Table(["Document", "Présent", "Version", "Date", "Conformité", "Commentaire", "Empreinte SHA-256"],
                      [[d["name"], yes_no(d.get("present")), str(d.get("version") or "—"), day(d.get("date")),
                        ANSWER_LABELS.get(str(d.get("conformity")), "—"), str(d.get("comment") or ""),
                        (str(d["sha256"])[:12] + "…") if d.get("sha256") else "—"]
                       for d in view.of("document").values()],
                      [3, 0.9, 0.9, 1.2, 1.4, 2.4, 1.4])  # fmt: skip
    coherence: list[Block] = [
        Paragraph(f"{plural(len(inconsistencies), 'incohérence', 'incohérences')} entre étapes." if inconsistencies else
                  "Aucune incohérence relevée entre le questionnaire, les documents et l'audit sur site."),
    ]  # fmt: skip
    if inconsistencies:
        coherence.append(
            Table(
                ["Question", "Incohérence", "Éléments"],
                [[i.question, i.text, i.evidence] for i in inconsistencies],
                [1, 5, 3],
            )
        )
    desks = rates_by(
        [dict(d.get("items", d)) for d in view.of("observation").values()], OBSERVATION_ITEMS, "poste"
    )
    units = rates_by(list(view.of("wristband").values()), WRISTBAND_ITEMS, "unite")
    on_site: list[Block] = [
        Paragraph(f"Observations aux accueils : {plural(len(view.of('observation')), 'admission observée', 'admissions observées')}.", "emphasis"),
        Table(["Point observé", "Observations", "Non conformes", "Taux de non-conformité [IC 95 %]"],
              [[r.label, number(r.checked), number(r.failures), _ci(r)] for r in admissions], [3, 1, 1, 2]),
        Table(["Point d'accueil", "Admissions", "Non-conformités relevées"],
              [[name, number(max((r.checked for r in rs), default=0)),
                "; ".join(f"{r.label} : {r.failures}" for r in rs if r.failures) or "aucune"]
               for name, rs in desks.items()], [2, 1, 5]),
        Paragraph(f"Bracelets vérifiés dans les unités : {plural(len(view.of('wristband')), 'patient', 'patients')}.", "emphasis"),
        Table(["Point vérifié", "Patients", "Non conformes", "Taux [IC 95 %]"],
              [[r.label, number(r.checked), number(r.failures), _ci(r)] for r in wristbands], [3, 1, 1, 2]),
        Table(["Unité", "Patients", "Non-conformités relevées"],
              [[name, number(max((r.checked for r in rs), default=0)),
                "; ".join(f"{r.label} : {r.failures}" for r in rs if r.failures) or "aucune"]
               for name, rs in units.items()], [2, 1, 5]),
        Paragraph(f"Échantillon de fiches comparées aux justificatifs : {number(len(sample))} identités.", "emphasis"),
        Table(["Trait", "Fiches vérifiées", "Erreurs", "Taux d'erreur [IC 95 %]"],
              [[r.label, number(r.checked), number(r.failures), _ci(r)] for r in sample_rates], [3, 1, 1, 2]),
    ]  # fmt: skip
    if sample_rates:
        on_site.append(BarChart("Taux d'erreur par trait (échantillon)", [r.label for r in sample_rates],
                                [round(100 * r.rate, 1) for r in sample_rates], "%"))  # fmt: skip
    interviews: list[Block] = [
        Paragraph(f"{i.get('theme', '')} — {i.get('note', '')}") for i in view.of("interview").values()
    ]

    # --- 5-7. findings, recommendations, action plan ------------------------------------------------
    recs_of: dict[str, list[str]] = {}
    for n, _, r in recommendations:
        recs_of.setdefault(str(r.get("finding")), []).append(n)
    finding_table = Table(
        ["N°", "Sévérité", "Source", "Constat", "Éléments de preuve", "Référence", "Suite"],
        [[n, SEVERITY_LABELS.get(str(f.get("severity")), "—"), SOURCES.get(str(f.get("source")), "Auditeur"),
          str(f.get("text", "")), str(f.get("evidence") or "—"), str(f.get("reference") or "—"),
          ", ".join(recs_of.get(key, [])) or "—"] for n, key, f in findings],
        [0.5, 0.9, 1.1, 4.8, 3.2, 1.5, 0.6])  # fmt: skip
    actions_of: dict[str, list[str]] = {}
    for a in actions:
        actions_of.setdefault(str(a.get("recommendation")), []).append(a["number"])
    rec_table = Table(
        ["N°", "Recommandation", "Constat", "Priorité", "Actions"],
        [[n, str(r.get("text", "")), f_numbers.get(str(r.get("finding")), "—"),
          PRIORITIES.get(int(r["priority"]), "—") if r.get("priority") else "—", ", ".join(actions_of.get(key, [])) or "—"]
         for n, key, r in recommendations],
        [0.6, 5, 1, 1.3, 1])  # fmt: skip
    plan_table = Table(
        ["N° (recom.)", "Action", "Pilote", "Échéance et point de suivi", "Indicateur de suivi", "Statut"],
        [[f"{a['number']}\n({r_numbers.get(str(a.get('recommendation')), '—')})", str(a.get("action", "")),
          str(a.get("owner") or "—"), f"{day(a.get('due'))}\nsuivi : {day(a.get('follow_up'))}",
          str(a.get("indicator") or "—"), ACTION_STATUSES.get(str(a.get("status")), "À lancer")] for a in actions],
        [0.7, 4, 1.6, 1.3, 2.8, 0.9])  # fmt: skip
    chain: list[Block] = [plan_table]
    chain.append(Paragraph("Chaîne constat → recommandation → action : " + (
        "complète (chaque constat critique ou majeur a une recommandation, chaque recommandation une action)."
        if not gaps else "incomplète — " + " ; ".join(gaps) + "."), "note" if not gaps else "box"))  # fmt: skip

    sections = [
        Section("Synthèse", synth),
        Section("Contexte", context),
        Section("Méthode", method, new_page=False),
        Section("Synthèse par thème", per_theme),
        Section("Résultats détaillés", [Paragraph("Résultats de chaque étape de l'audit et indicateurs de la table.", "note")]),
        Section("Étape 1 — Questionnaire d'évaluation", step1, level=1),
        Section("Étape 2 — Étude de documents", [documents], level=1),
        Section("Cohérence entre étapes", coherence, level=1),
        Section("Étape 3 — Audit en présentiel", on_site, level=1),
        Section("Entretiens", interviews or [Paragraph("Aucun entretien consigné.")], level=1),
    ]  # fmt: skip
    if data:
        sections += table_sections(data, level=1)
    sections += [
        Section("Constats", [finding_table]),
        Section("Recommandations", [rec_table], new_page=False),
        Section("Plan d'actions", chain),
    ]
    sections.append(_followup_section(followup, skipped or [], done.complete))
    signatures = [
        [str(s.get("name", "")), str(s.get("role", "")), day(s.get("date")), SIGN] if isinstance(s, dict)
        else [str(s), "", "", SIGN] for s in ctx.get("signatures") or []
    ] or [[a, "Auditeur", "", SIGN] for a in view.auditors]  # fmt: skip
    sections += [
        Section("Validation et diffusion", [
            Table(["Signataire", "Fonction", "Date", "Signature"], signatures, [2.5, 2.5, 1.2, 2]),
            Paragraph(f"{CONTEXT_FIELDS['version']} : {ctx.get('version') or '1.0'}"
                      + (" — PROJET" if draft else " — version définitive") + ".", "note"),
        ]),
        Section("Réponse de l'établissement", [Paragraph(
            ctx.get("response") or "La réponse de l'établissement (observations, engagements, calendrier) sera "
            "jointe à la version définitive du livrable.")], level=1),
        Section("Liste de diffusion", [Table(["Destinataire"], [[d] for d in listed("distribution")] or [
            ["Direction de l'établissement"], ["Référent en identitovigilance"],
            ["Cellule régionale d'identitovigilance"]])], level=1),
    ]  # fmt: skip
    sections.append(
        Section(
            "Glossaire",
            [Table(["Terme", "Définition"], [list(g) for g in GLOSSARY], [1.5, 5])],
            new_page=False,
        )
    )
    # Annexes last.
    answers = view.of("answer")
    sections.append(Section("Annexe — grille complète et réponses", [Table(
        ["Question", "Intitulé et référence", "Auto-évaluation", "Évaluation auditeur", "Commentaire et preuve"],
        [[q.id, f"{q.text}{' (critique)' if q.critical else ''} — {q.reference}",
          ANSWER_LABELS.get(answers.get(q.id, {}).get("answer", ""), "—"),
          ANSWER_LABELS.get(answers.get(q.id, {}).get("auditor", ""), "—"),
          " ; ".join(str(answers.get(q.id, {}).get(k)) for k in ("comment", "evidence", "auditor_comment")
                     if answers.get(q.id, {}).get(k)) or "—"]
         for q in view.grid.questions],
        [0.8, 4.5, 1.5, 1.5, 2.5])]))  # fmt: skip
    sections.append(catalogue_section())
    sections.append(Section("Annexe — échantillon (par IPP)", [
        Paragraph("Les fiches signalées par les contrôles d'IVO ne sont jamais présumées conformes : « à vérifier » "
                  "tant que l'auditeur ne les a pas comparées au justificatif.", "note"),
        Table(["IPP", "Statut", "Signalée par IVO", *SAMPLE_TRAITS.values()],
              [[ipp, status_label(s.get("stratum")),
                ", ".join(RULES[r].title if r in RULES else r for r in s.get("flags", [])) or "—",
                *[{True: "oui", False: "non"}.get(s.get("traits", {}).get(t), "à vérifier") for t in SAMPLE_TRAITS]]
               for ipp, s in sorted(sample.items())],
              [1.2, 1.1, 2.2, *([1] * len(SAMPLE_TRAITS))]),
    ]))  # fmt: skip
    if data:
        sections += anomaly_annex(data, critical, {})
    return ReportDocument(
        title="Audit d'identitovigilance — livrable détaillé",
        subtitle="Audit IVO3 en quatre étapes",
        facility=view.facility,
        author=", ".join(view.auditors) or "IVO",
        cover_lines=[
            view.facility + (f" — FINESS {view.finess}" if view.finess else ""),
            view.title,
            f"Audit n° {view.id} — du {day(view.started_on)} au {day(view.ended_on)}",
            f"Auditeurs : {', '.join(view.auditors) or '—'}",
            f"Grille {view.grid.title}, version {view.grid.version}",
            f"Version du livrable : {ctx.get('version') or '1.0'}"
            + (" — PROJET" if draft else " — définitive"),
        ],
        sections=sections,
        footer=FOOTER_IPP,
        draft=draft,
    )


def _followup_section(followup: Any, skipped: list[int], complete: bool = True) -> Section:
    note = (f"Audits antérieurs non retenus car incomplets : {', '.join(f'n° {n}' for n in skipped)}."
            if skipped else "")  # fmt: skip
    if followup is None:
        return Section("Suivi depuis l'audit précédent", [Paragraph(
            "Aucun audit antérieur complet de l'établissement : ce livrable sert de référence au prochain audit. "
            + note)], new_page=False)  # fmt: skip

    def fmt(value: Any) -> str:
        if value is None:
            return "—"
        return _pct(value) if isinstance(value, float) and not float(value).is_integer() else number(value)

    blocks: list[Block] = [
        Paragraph(f"Comparaison avec l'audit complet n° {followup.previous_id} ({followup.previous_date}). {note}"),
        Table(["Thème", "Audit précédent", "Cet audit", "Évolution"],
              [[t, _score_pct(b), _score_pct(n), _trend(b, n)] for t, b, n in followup.themes]
              + [["Score global", _score_pct(followup.score[0]), _score_pct(followup.score[1]),
                  _trend(*followup.score)]], [3, 1.3, 1.3, 1.2]),
        Paragraph("Cet audit n'est pas terminé : un constat de l'audit précédent compté « levé » peut "
                  "simplement ne pas avoir encore été examiné.", "box") if not complete else Paragraph(""),
        Table(["Constats", "Nombre", "Détail"],
              [["Levés", number(len(followup.closed)), "; ".join(followup.closed[:8]) or "—"],
               ["Persistants", number(len(followup.persisting)), "; ".join(followup.persisting[:8]) or "—"],
               ["Nouveaux", number(len(followup.new)), "; ".join(followup.new[:8]) or "—"]], [1.2, 0.8, 6]),
        Paragraph("État du plan d'actions précédent", "emphasis"),
        Table(["N°", "Action", "Pilote", "Échéance", "Statut"],
              [[a["number"], str(a.get("action", "")), str(a.get("owner") or "—"), day(a.get("due")),
                ACTION_STATUSES.get(str(a.get("status")), "À lancer")] for a in followup.previous_actions],
              [0.6, 4, 1.8, 1.2, 1]),
        Table(["Indicateur de la table", "Audit précédent", "Cet audit"],
              [[label, fmt(b), fmt(n)] for label, b, n in followup.trends], [3.5, 1.3, 1.3]),
    ]  # fmt: skip
    return Section("Suivi depuis l'audit précédent", blocks)


def _trend(before: float | None, now: float | None) -> str:
    if before is None or now is None:
        return "—"
    delta = 100 * (now - before)
    if abs(delta) < 0.05:
        return "stable"
    return ("+" if delta > 0 else "−") + pct(abs(delta), ratio=False).replace("\u00a0%", "\u00a0pt")


def _ci(rate: Any) -> str:
    low, high = rate.interval
    return f"{pct(rate.rate)} [{pct(low)} – {pct(high)}]"


def nominative_document(
    view: Any, data: Indicators | None, critical: list[Any], people: dict[str, str]
) -> ReportDocument:
    """The nominative annexes, apart from the deliverable: for the facility's identity-vigilance team."""
    sample = view.of("sample")
    sections = [Section("Annexe nominative — échantillon", [
        Paragraph("Annexe réservée à la cellule d'identitovigilance de l'établissement : elle nomme les patients. "
                  "Ne pas la joindre au livrable transmis à la direction.", "box"),
        Table(["IPP", "Identité", "Statut", *SAMPLE_TRAITS.values()],
              [[ipp, people.get(ipp, ""), status_label(s.get("stratum")),
                *[{True: "oui", False: "non"}.get(s.get("traits", {}).get(t), "à vérifier") for t in SAMPLE_TRAITS]]
               for ipp, s in sorted(sample.items())], [1.2, 2.6, 1.1, *([1] * len(SAMPLE_TRAITS))]),
    ])]  # fmt: skip
    if data:
        sections += anomaly_annex(data, critical, people)
    return ReportDocument(
        title="Audit d'identitovigilance — annexe nominative",
        subtitle="Données personnelles de patients",
        facility=view.facility,
        author=", ".join(view.auditors) or "IVO",
        cover_lines=[
            view.facility,
            view.title,
            f"Audit n° {view.id}",
            "Annexe nominative — diffusion restreinte",
        ],
        sections=sections,
        footer=FOOTER_NAMED,
    )
