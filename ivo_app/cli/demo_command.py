"""ivo demo: a synthetic facility with its ground truth."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from ivo_app.cli.common import open_db, stderr_progress
from ivo_app.errors import IvoError
from ivo_app.services import demo


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("demo", parents=[common], help="créer un établissement de démonstration")
    p.add_argument("--size", type=int, default=2_000, help="nombre d'identités (défaut 2000)")
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        help="graine : la même graine donne les mêmes identités (défaut : graine secrète, que personne ne "
        "peut rejouer pour retrouver la vérité terrain)",
    )
    p.add_argument("--facility", default=demo.DEFAULT_FACILITY, metavar="NOM")
    p.add_argument(
        "--date",
        dest="extracted_on",
        metavar="AAAA-MM-JJ",
        help="date de l'extraction (défaut : aujourd'hui) ; âges et venues en dépendent : une graine et une "
        "date redonnent le même établissement, quel que soit le jour",
    )
    p.add_argument(
        "--csv", type=Path, metavar="FICHIER", help="écrire un CSV canonique au lieu de charger la base"
    )
    p.add_argument(
        "--truth",
        type=Path,
        metavar="FICHIER",
        help="écrire aussi la vérité terrain (JSON, ou CSV avec --csv)",
    )
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    if args.csv:
        count = demo.write_demo_csv(args.csv, args.size, 1 if args.seed is None else args.seed, args.truth)
        print(f"{count} identités écrites dans {args.csv}.")
        return 0
    extracted_on = None
    if args.extracted_on:
        try:
            extracted_on = date.fromisoformat(args.extracted_on)
        except ValueError as exc:
            raise IvoError(f"Date d'extraction invalide : {args.extracted_on} (AAAA-MM-JJ).") from exc
    db = open_db(args)
    result = demo.create_demo(
        db, args.size, args.seed, args.facility, extracted_on=extracted_on, progress=stderr_progress()
    )
    if args.truth:
        args.truth.write_text(demo.truth_json(db, result.extraction_id), encoding="utf-8")
    print(
        f"Extraction {result.extraction_id} ({result.facility}) : {result.rows} identités de démonstration."
    )
    return 0
