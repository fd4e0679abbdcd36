"""ivo formation: exercises for practice, and sessions for a group (sealed key, one submission each,
batch correction, results per trainee / question / theme, PDF sheets)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ivo_app.cli.common import add_extraction_arg, emit, emit_json, open_db
from ivo_app.errors import IvoError
from ivo_app.services import training

ANSWER_HINT = (
    "Réponses : identité → conforme, anomalie ou identifiant de règle (ivo regles) ; "
    "paire → doublon, non_doublon ou collision ; scénario → statut et attributs (QUAL+HOMONYME) ; "
    "majuscules et accents indifférents."
)


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "formation", parents=[common], help="exercices et sessions de formation sur une démonstration"
    )
    a = p.add_subparsers(dest="formation_command", metavar="ACTION", required=True)

    s = a.add_parser(
        "exercice", parents=[common], help="tirer un exercice (identités et paires) d'une démonstration"
    )
    add_extraction_arg(s)
    _size_level(s)
    s.add_argument(
        "--graine",
        "--seed",
        dest="seed",
        type=int,
        default=None,
        metavar="N",
        help="graine : la même graine redonne le même exercice (défaut : tirage secret)",
    )
    s.add_argument(
        "--sortie",
        "--out",
        dest="out",
        type=Path,
        required=True,
        metavar="FICHIER.json",
        help="exercice à remettre",
    )
    s.add_argument(
        "--reponses",
        type=Path,
        metavar="FICHIER.json",
        help="écrire aussi une feuille de réponses vierge à remplir",
    )
    s.add_argument("--pdf", type=Path, metavar="FICHIER.pdf", help="écrire aussi la fiche d'exercice en PDF")
    s.set_defaults(func=cmd_exercise)

    s = a.add_parser("corriger", parents=[common], help="noter les réponses d'un exercice")
    s.add_argument("exercise", type=Path, metavar="EXERCICE.json")
    s.add_argument("answers", type=Path, metavar="REPONSES.json")
    _output(s)
    s.add_argument(
        "--pdf", type=Path, metavar="FICHIER.pdf", help="écrire aussi la correction commentée en PDF"
    )
    s.set_defaults(func=cmd_correct)

    s = a.add_parser("session", parents=[common], help="ouvrir une session pour un groupe de stagiaires")
    add_extraction_arg(s)
    _size_level(s)
    s.add_argument("--titre", default="", metavar="TITRE", help="titre de la session")
    s.add_argument(
        "--stagiaires",
        required=True,
        metavar="NOMS",
        help="noms des stagiaires séparés par « ; » (ou un fichier texte, un nom par ligne)",
    )
    s.add_argument(
        "--dossier",
        type=Path,
        required=True,
        metavar="DOSSIER",
        help="où écrire l'exercice, les feuilles de réponses et les fiches PDF",
    )
    s.set_defaults(func=cmd_session)

    s = a.add_parser(
        "remettre", parents=[common], help="remettre les réponses d'un stagiaire (une seule fois)"
    )
    s.add_argument("session", metavar="SESSION", help="numéro de la session")
    s.add_argument("answers", type=Path, nargs="+", metavar="REPONSES.json")
    s.add_argument(
        "--stagiaire", default=None, metavar="NOM", help="stagiaire (défaut : celui de la feuille)"
    )
    s.set_defaults(func=cmd_submit)

    s = a.add_parser(
        "corriger-session", parents=[common], help="corriger toutes les remises d'une session et la clore"
    )
    s.add_argument("session", metavar="SESSION")
    _output(s)
    s.add_argument(
        "--pdf", type=Path, metavar="FICHIER.pdf", help="correction commentée de tous les stagiaires"
    )
    s.set_defaults(func=cmd_correct_session)

    s = a.add_parser("resultats", parents=[common], help="résultats d'une session corrigée")
    s.add_argument("session", metavar="SESSION")
    _output(s)
    s.set_defaults(func=cmd_results)

    s = a.add_parser(
        "importer",
        parents=[common],
        help="charger une extraction pseudonymisée (ivo pseudonymiser) pour en tirer des exercices",
    )
    s.add_argument("path", type=Path, metavar="FICHIER")
    s.add_argument("--etablissement", required=True, metavar="NOM", help="établissement de formation à créer")
    s.set_defaults(func=cmd_import)

    s = a.add_parser("sessions", parents=[common], help="historique des sessions")
    s.set_defaults(func=cmd_sessions)

    s = a.add_parser("historique", parents=[common], help="scores d'un stagiaire d'une session à l'autre")
    s.add_argument("name", metavar="NOM")
    s.set_defaults(func=cmd_history)


def _size_level(s: argparse.ArgumentParser) -> None:
    s.add_argument("--taille", type=int, default=20, metavar="N", help="nombre de questions (défaut 20)")
    s.add_argument(
        "--niveau",
        choices=tuple(training.LEVELS),
        default=training.DEFAULT_LEVEL,
        help="accueil (agent d'accueil), referent, civ (défaut : civ, tous les thèmes)",
    )
    s.add_argument(
        "--scenarios",
        type=int,
        default=0,
        metavar="N",
        help="en plus, N scénarios d'accueil (un patient, un justificatif, une réponse INSi : quel statut ?)",
    )


def _output(s: argparse.ArgumentParser) -> None:
    s.add_argument("--format", choices=("table", "json"), default="table", help="format de sortie")
    s.add_argument(
        "--sortie", "--out", dest="out", type=Path, default=None, help="fichier de sortie (défaut : écran)"
    )


def cmd_exercise(args: argparse.Namespace) -> int:
    exercise = training.create_exercise(
        open_db(args), args.extraction, args.taille, args.seed, level=args.niveau, scenarios=args.scenarios
    )
    training.write_exercise(args.out, exercise)
    if args.reponses:
        training.write_answers_template(args.reponses, exercise)
    if args.pdf:
        training.write_pdf(args.pdf, training.exercise_pdf(exercise))
    print(
        f"Exercice de {exercise.size} questions ({len(exercise.identities)} identités, "
        f"{len(exercise.pairs)} paires, {len(exercise.scenarios)} scénarios) tiré de l'extraction {exercise.extraction_id} : {args.out}."
    )
    print(ANSWER_HINT)
    return 0


def _correction_lines(correction: training.Correction) -> list[str]:
    lines = [correction.summary(), ""]
    for r in correction.results:
        lines.append(f"{r.item_id} [{training.VERDICTS[r.verdict].lower()}] réponse : {r.answer_label}")
        lines.append(f"    attendu : {r.expected_label}")
        lines.append(f"    {r.explanation}")
    return lines


def cmd_correct(args: argparse.Namespace) -> int:
    exercise, _ = training.read_exercise(args.exercise)
    answers = training.read_answers(args.answers)
    correction = training.correct_exercise(open_db(args), exercise, answers)
    if args.pdf:
        training.write_pdf(args.pdf, training.correction_pdf(exercise, [("", correction)]))
    if args.format == "json":
        emit_json(correction.to_json(), args.out)
        return 0
    emit("\n".join(_correction_lines(correction)), args.out)
    return 0


def _trainees(text: str) -> list[str]:
    path = Path(text)
    if "\n" not in text and ";" not in text and path.suffix and path.is_file():
        return path.read_text(encoding="utf-8").splitlines()
    return text.split(";")


def cmd_session(args: argparse.Namespace) -> int:
    db = open_db(args)
    info, exercise = training.create_session(
        db,
        args.titre,
        _trainees(args.stagiaires),
        args.extraction,
        args.taille,
        args.niveau,
        scenarios=args.scenarios,
    )
    folder: Path = args.dossier
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IvoError(f"Dossier impossible à créer : {folder} ({exc.strerror}).") from exc
    training.write_exercise(folder / "exercice.json", exercise)
    for n, name in enumerate(info.trainees, 1):
        training.write_answers_template(folder / f"reponses-{n:02d}.json", exercise, name)
    training.write_pdf(folder / "exercice.pdf", training.exercise_pdf(exercise, info.title))
    training.write_pdf(folder / "grilles.pdf", training.answer_grid_pdf(exercise, info.trainees))
    print(
        f"Session n° {info.id} « {info.title} » : {len(info.trainees)} stagiaires, {info.size} questions "
        f"(clé scellée dans la base). Fichiers dans {folder} : exercice.json, exercice.pdf, grilles.pdf, "
        f"reponses-01.json … reponses-{len(info.trainees):02d}.json."
    )
    print(ANSWER_HINT)
    return 0


def cmd_submit(args: argparse.Namespace) -> int:
    db = open_db(args)
    if args.stagiaire and len(args.answers) > 1:
        raise IvoError("--stagiaire ne vaut que pour une seule feuille de réponses.")
    for path in args.answers:
        answers, written = training.read_answers_file(path)
        name = args.stagiaire or written
        if not name:
            raise IvoError(f"{path.name} ne dit pas de quel stagiaire il s'agit : précisez --stagiaire.")
        count = training.submit_answers(db, args.session, name, answers)
        print(f"{name} : {count} réponses remises.")
    return 0


def _results_json(results: training.SessionResults) -> dict[str, object]:
    return {
        "session": results.session.id,
        "titre": results.session.title,
        "stagiaires": [
            {"nom": t.name, "remis": t.submitted, **(t.correction.to_json() if t.correction else {})}
            for t in results.trainees
        ],
        "themes": [
            {"theme": label, "pourcentage": round(pct, 1), "reponses": n}
            for label, pct, n in results.per_theme
        ],
        "questions": [
            {"question": i, "attendu": label, "pourcentage": round(pct, 1), "reponses": n}
            for i, label, pct, n in results.per_question
        ],
    }


def cmd_correct_session(args: argparse.Namespace) -> int:
    db = open_db(args)
    results = training.correct_session(db, args.session)
    if args.pdf:
        training.write_pdf(
            args.pdf, training.correction_pdf(results.exercise, results.corrections(), results)
        )
    return _show_results(results, args)


def cmd_results(args: argparse.Namespace) -> int:
    return _show_results(training.session_results(open_db(args), args.session), args)


def _show_results(results: training.SessionResults, args: argparse.Namespace) -> int:
    if args.format == "json":
        emit_json(_results_json(results), args.out)
    else:
        emit(training.results_text(results), args.out)
    return 0


def cmd_sessions(args: argparse.Namespace) -> int:
    sessions = training.list_sessions(open_db(args))
    if not sessions:
        print("Aucune session de formation.")
        return 0
    for s in sessions:
        state = f"corrigée le {training.french_date(s.corrected_at)}" if s.corrected_at else "ouverte"
        mean = f", moyenne {training._percent(s.mean_percent)}" if s.mean_percent is not None else ""
        print(
            f"{s.id:>4}  {training.french_date(s.created_at)}  {s.title} — {len(s.submitted)}/{len(s.trainees)} "
            f"remises, {s.size} questions, {state}{mean}"
        )
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    history = training.trainee_history(open_db(args), args.name)
    if not history:
        print(f"Aucune session pour {args.name}.")
        return 0
    for info, pct in history:
        score = training._percent(pct) if pct is not None else "non corrigé"
        print(f"{training.french_date(info.created_at)}  session n° {info.id} « {info.title} » : {score}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    extraction_id = training.import_pseudonymised(open_db(args), args.path, args.etablissement)
    print(
        f"Extraction pseudonymisée n° {extraction_id} prête pour la formation : ses anomalies (règles du RNIV) "
        "font la clé des questions ; « ivo formation exercice --extraction "
        f"{extraction_id} » ou « ivo formation session »."
    )
    return 0
