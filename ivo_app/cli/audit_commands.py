"""ivo audit new | list | answers | status | questionnaire ; ivo report (audit deliverable or quality report)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ivo_app.audit.items import STATE_LABELS
from ivo_app.audit.report.french import day, pct
from ivo_app.cli.common import add_extraction_arg, emit_json, open_db, stderr_progress
from ivo_app.services import audit
from ivo_app.services.report import generate_audit_report, generate_quality_report, nominative_annex_path


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "report", parents=[common], help="livrable PDF d'un audit, ou rapport de qualité d'une extraction"
    )
    add_extraction_arg(p)
    p.add_argument("--audit", type=int, metavar="AUDIT", help="livrable détaillé de cet audit")
    p.add_argument("--out", type=Path, required=True, help="fichier PDF")
    p.add_argument(
        "--personal-data",
        action="store_true",
        help="nommer les patients dans les annexes (par défaut : IPP seulement)",
    )
    p.add_argument(
        "--active-years",
        type=int,
        default=None,
        metavar="N",
        help="file active en années (défaut : réglage de l'établissement, sinon 3)",
    )
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("audit", parents=[common], help="audit IVO3 en quatre étapes")
    a = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    s = a.add_parser("new", parents=[common], help="créer un audit")
    s.add_argument("--facility", required=True, metavar="NOM")
    add_extraction_arg(s, with_facility=False)
    s.add_argument("--auditor", action="append", default=[], metavar="NOM", help="auditeur (répétable)")
    s.add_argument("--scope", help="périmètre de l'audit")
    s.add_argument(
        "--grid", help="grille : fichier YAML/JSON de la cellule (défaut : grille IVO3 par défaut)"
    )
    s.set_defaults(func=cmd_new)
    s = a.add_parser("list", parents=[common], help="lister les audits")
    s.set_defaults(func=cmd_list)
    s = a.add_parser("answers", parents=[common], help="remplir un audit depuis un fichier JSON/YAML")
    s.add_argument("audit", type=int, metavar="AUDIT")
    s.add_argument("file", type=Path, metavar="FICHIER")
    s.set_defaults(func=cmd_answers)
    s = a.add_parser("status", parents=[common], help="état des quatre étapes et scores")
    s.add_argument("audit", type=int, metavar="AUDIT")
    s.add_argument("--format", choices=("table", "json"), default="table")
    s.set_defaults(func=cmd_status)
    s = a.add_parser("questionnaire", parents=[common], help="exporter (ou --import) le questionnaire XLSX")
    s.add_argument("audit", type=int, metavar="AUDIT")
    s.add_argument("file", type=Path, metavar="FICHIER.xlsx")
    s.add_argument("--import", dest="import_", action="store_true", help="relire le classeur rempli")
    s.set_defaults(func=cmd_questionnaire)


def cmd_report(args: argparse.Namespace) -> int:
    db = open_db(args)
    if args.audit is not None:
        size = generate_audit_report(
            db, args.audit, args.out, include_personal_data=args.personal_data, progress=stderr_progress()
        )
    else:
        size = generate_quality_report(
            db,
            args.extraction,
            args.out,
            include_personal_data=args.personal_data,
            active_years=args.active_years,
            progress=stderr_progress(),
        )
    print(f"Rapport écrit dans {args.out} ({max(1, size // 1024)} Ko).")
    if args.audit is not None and args.personal_data:
        print(
            f"Annexe nominative écrite à part dans {nominative_annex_path(args.out)} (diffusion restreinte)."
        )
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    audit_id = audit.create_audit(
        open_db(args), args.facility, args.extraction, tuple(args.auditor), args.scope, args.grid
    )
    print(f"Audit {audit_id} créé.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    audits = audit.list_audits(open_db(args))
    if not audits:
        print("Aucun audit.")
        return 0
    print(f"{'N°':>4}  {'Début':<10}  Établissement — titre")
    for audit_id, facility, title, started in audits:
        print(f"{audit_id:>4}  {day(started):<10}  {facility} — {title}")
    return 0


def cmd_answers(args: argparse.Namespace) -> int:
    counts = audit.apply_answers_file(open_db(args), args.audit, args.file)
    print("Audit mis à jour : " + ", ".join(f"{k} {v}" for k, v in counts.items()) + ".")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    status = audit.audit_status(open_db(args), args.audit)
    if args.format == "json":
        emit_json(status, None)
        return 0
    score = (
        "non calculé" if status["score"] is None else pct(status["score"], ratio=False).replace("\u00a0", " ")
    )
    if status["score"] is not None and not status["complete"]:
        score = f"provisoire {score}"
    print(f"Audit {status['audit']} — {status['facility']} : score {score}, niveau {status['level']} "
          f"({status['answered']} sur {status['questions']} questions renseignées)")  # fmt: skip
    for step, info in status["steps"].items():
        state = STATE_LABELS.get(info["state"], info["state"])
        print(f"  {step:<32} {state:<10} {info['detail']}")
    print(
        "  Audit complet."
        if status["complete"]
        else "  Audit incomplet : le livrable portera la mention PROJET."
    )
    for gap in status["chain_gaps"]:
        print(f"  Chaîne incomplète : {gap}")
    return 0


def cmd_questionnaire(args: argparse.Namespace) -> int:
    db = open_db(args)
    if args.import_:
        print(f"{audit.import_questionnaire_xlsx(db, args.audit, args.file)} réponses relues.")
    else:
        print(
            f"{audit.export_questionnaire_xlsx(db, args.audit, args.file)} questions exportées dans {args.file}."
        )
    return 0
