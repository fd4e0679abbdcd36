"""ivo formation exercice | corriger: trainer mode on a demo facility."""

from __future__ import annotations

import argparse
from pathlib import Path

from ivo_app.cli.common import add_extraction_arg, emit, emit_json, open_db
from ivo_app.services import training


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("formation", parents=[common], help="exercices de formation sur une démonstration")
    a = p.add_subparsers(dest="formation_command", metavar="ACTION", required=True)
    s = a.add_parser(
        "exercice", parents=[common], help="tirer un exercice (identités et paires) d'une démonstration"
    )
    add_extraction_arg(s)
    s.add_argument("--taille", type=int, default=20, metavar="N", help="nombre de questions (défaut 20)")
    s.add_argument("--seed", type=int, default=1, help="graine : la même graine donne le même exercice")
    s.add_argument("--out", type=Path, required=True, metavar="FICHIER.json", help="exercice à remettre")
    s.add_argument(
        "--reponses",
        type=Path,
        metavar="FICHIER.json",
        help="écrire aussi une feuille de réponses vierge à remplir",
    )
    s.set_defaults(func=cmd_exercise)
    s = a.add_parser("corriger", parents=[common], help="noter les réponses d'un exercice")
    s.add_argument("exercise", type=Path, metavar="EXERCICE.json")
    s.add_argument("answers", type=Path, metavar="REPONSES.json")
    s.add_argument("--format", choices=("table", "json"), default="table")
    s.add_argument("--out", type=Path, default=None, help="fichier de sortie (défaut : écran)")
    s.set_defaults(func=cmd_correct)


def cmd_exercise(args: argparse.Namespace) -> int:
    exercise = training.create_exercise(open_db(args), args.extraction, args.taille, args.seed)
    training.write_exercise(args.out, exercise)
    if args.reponses:
        training.write_answers_template(args.reponses, exercise)
    print(
        f"Exercice de {exercise.size} questions ({len(exercise.identities)} identités, "
        f"{len(exercise.pairs)} paires) tiré de l'extraction {exercise.extraction_id} "
        f"(graine {exercise.seed}) : {args.out}."
    )
    print(
        "Réponses : identité → conforme, anomalie ou identifiant de règle (ivo rules) ; "
        "paire → doublon ou non_doublon."
    )
    return 0


def cmd_correct(args: argparse.Namespace) -> int:
    exercise, _ = training.read_exercise(args.exercise)
    answers = training.read_answers(args.answers)
    correction = training.correct_exercise(open_db(args), exercise, answers)
    if args.format == "json":
        emit_json(correction.to_json(), args.out)
        return 0
    lines = [correction.summary(), ""]
    for r in correction.results:
        lines.append(f"{r.item_id} [{training.VERDICTS[r.verdict].lower()}] réponse : {r.answer_label}")
        lines.append(f"    attendu : {r.expected_label}")
        lines.append(f"    {r.explanation}")
    emit("\n".join(lines), args.out)
    return 0
