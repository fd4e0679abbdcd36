"""ivo report (the data-quality report of an extraction). The four-step audit commands come next."""

from __future__ import annotations

import argparse
from pathlib import Path

from ivo_app.cli.common import add_extraction_arg, open_db, stderr_progress
from ivo_app.services.report import generate_quality_report


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", parents=[common], help="rapport PDF de qualité de la table d'identités")
    add_extraction_arg(p)
    p.add_argument("--out", type=Path, required=True, help="fichier PDF")
    p.add_argument(
        "--personal-data",
        action="store_true",
        help="nommer les patients dans l'annexe (par défaut : IPP seulement)",
    )
    p.add_argument("--active-years", type=int, default=3, metavar="N")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    size = generate_quality_report(
        open_db(args),
        args.extraction,
        args.out,
        include_personal_data=args.personal_data,
        active_years=args.active_years,
        progress=stderr_progress(),
    )
    print(f"Rapport écrit dans {args.out} ({size // 1024} Ko).")
    return 0
