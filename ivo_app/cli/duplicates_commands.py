"""ivo duplicates [model] | decide | merge-list | search."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from ivo_app.cli.common import add_extraction_arg, emit, emit_json, open_db, stderr_progress
from ivo_app.errors import IvoError
from ivo_app.io.values import parse_date
from ivo_app.io.writers import write_csv_stream
from ivo_app.services import duplicates
from ivo_app.services.exports import PAIR_COLUMNS, export_pairs


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("duplicates", parents=[common], help="détecter doublons potentiels et collisions")
    p.add_argument(
        "action",
        nargs="?",
        choices=("model",),
        help="model : afficher le modèle de la dernière détection (m, u et poids par niveau) sans la relancer",
    )
    add_extraction_arg(p)
    p.add_argument("--min-level", choices=duplicates.LEVELS, default="a_examiner")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--out", type=Path, help="fichier de sortie (.csv ou .xlsx avec --format csv)")
    p.set_defaults(func=cmd_duplicates)

    p = sub.add_parser(
        "decide", parents=[common], help="décider d'une paire (doublon, non_doublon, a_revoir)"
    )
    add_extraction_arg(p)
    p.add_argument("ipp_a")
    p.add_argument("ipp_b")
    p.add_argument("--decision", required=True, choices=tuple(duplicates.DECISIONS))
    p.add_argument("--comment")
    p.set_defaults(func=cmd_decide)

    p = sub.add_parser("merge-list", parents=[common], help="liste des fusions (doublons avérés)")
    add_extraction_arg(p)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=cmd_merge_list)

    p = sub.add_parser("search", parents=[common], help="rechercher une identité avant de la créer")
    add_extraction_arg(p)
    p.add_argument("--nom", required=True)
    p.add_argument("--prenom", required=True)
    p.add_argument("--naissance", required=True, metavar="JJ/MM/AAAA")
    p.add_argument("--sexe", choices=("M", "F", "I"))
    p.add_argument("--lieu", metavar="CODE_INSEE")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_search)


def cmd_duplicates(args: argparse.Namespace) -> int:
    if args.action == "model":
        return cmd_model(args)
    db = open_db(args)
    run = duplicates.find_duplicates(db, args.extraction, progress=stderr_progress())
    pairs = duplicates.list_pairs(db, run.extraction_id, min_level=args.min_level)
    if args.format == "json":
        emit_json({"extraction": run.extraction_id, "pairs": [p.to_json() for p in pairs]}, args.out)
    elif args.format == "csv":
        rows = ([p.ipp_a, p.ipp_b, p.score, p.level, " ; ".join(p.reasons)] for p in pairs)
        if args.out is None:
            write_csv_stream(sys.stdout, PAIR_COLUMNS, rows)  # guarded against formulas like the files
        else:
            export_pairs(db, run.extraction_id, args.out, args.min_level)
    else:
        lines = [
            f"Extraction {run.extraction_id} : {run.probable} doublons probables, {run.to_review} paires à "
            f"examiner, {run.collisions} collisions suspectées ({run.persons} personnes en double)."
        ]
        lines += [
            f"{p.kind:<9} {p.level:<10} {p.score:>6.1f}  {p.ipp_a} ~ {p.ipp_b}  {p.decision or ''}"
            for p in pairs[:200]
        ]
        emit("\n".join(lines), args.out)
    return 0


def cmd_model(args: argparse.Namespace) -> int:
    params = duplicates.model_parameters(open_db(args), args.extraction)
    if args.format == "json":
        emit_json(params, args.out)
        return 0
    if args.format == "csv":
        raise IvoError("Le modèle s'affiche en table ou en JSON (--format table ou json).")
    emit("\n".join(model_lines(params)), args.out)
    return 0


def model_lines(params: dict[str, Any]) -> list[str]:
    em = params["em"]
    if em is None:
        lines = ["Détection non lancée sur cette extraction : modèle configuré, u a priori."]
    else:
        lines = [
            f"Modèle de la détection sur l'extraction {params['extraction_id']} ({params['identities']} identités).",
            f"m estimé par EM sur {em['pairs']} paires candidates ({em['labelled']} décisions de la cellule "
            f"reprises, {em['iterations']} itérations{'' if em['converged'] else ', sans convergence'}) ; "
            f"part estimée de doublons parmi elles : {100 * em['match_share']:.1f} %.",
        ]
    th = params["thresholds"]
    lines.append(
        f"Seuils : probable ≥ {th['probable_effective']:.1f} (configuré {th['probable']:.1f}, relevé selon la "
        f"taille du fichier), à examiner ≥ {th['a_examiner']:.1f}, paires montrant deux personnes examinées "
        f"≥ {th['two_persons_review']:.1f}."
    )
    lines.append(
        "Poids = log2(m / u), m estimé par EM quand la détection a tourné (le m configuré est son point de "
        "départ) ; celui de « même nom de naissance » suit la fréquence du nom (MARTIN pèse moins)."
    )
    lines.append(f"{'niveau':<52}{'m':>8}{'m (EM)':>9}{'u':>11}{'poids':>8}")
    for trait, levels in params["traits"].items():
        lines.append(params["trait_labels"][trait].capitalize())
        for row in levels:
            m_em = "" if row["m_em"] is None else f"{row['m_em']:.4f}"
            lines.append(
                f"  {row['label']:<50}{row['m']:>8.4f}{m_em:>9}{row['u']:>11.2e}{row['weight']:>+8.1f}"
            )
    return lines


def cmd_decide(args: argparse.Namespace) -> int:
    duplicates.decide(open_db(args), args.extraction, args.ipp_a, args.ipp_b, args.decision, args.comment)
    print(f"Décision enregistrée : {args.ipp_a} / {args.ipp_b} → {duplicates.DECISIONS[args.decision]}.")
    return 0


def cmd_merge_list(args: argparse.Namespace) -> int:
    count = duplicates.merge_list(open_db(args), args.extraction, args.out)
    print(f"{count} fusions à réaliser écrites dans {args.out}.")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    born = parse_date(args.naissance)
    if not isinstance(born, date):
        raise IvoError(f"Date de naissance invalide : {args.naissance} (JJ/MM/AAAA).")
    found = duplicates.search_identity(
        open_db(args),
        args.extraction,
        nom=args.nom,
        prenom=args.prenom,
        naissance=born,
        sexe=args.sexe,
        lieu=args.lieu,
    )
    if args.format == "json":
        emit_json([c.__dict__ for c in found], None)
    else:
        emit(
            "\n".join(f"{c.ipp:<12} {c.score:>6.1f} {c.level:<10} {', '.join(c.reasons[:4])}" for c in found)
            or "Aucune identité approchante.",
            None,
        )
    return 0
