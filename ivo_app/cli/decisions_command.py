"""ivo decide-batch: decisions reviewed in a spreadsheet, recorded together."""

from __future__ import annotations

import argparse
from pathlib import Path

from ivo_app.cli.common import add_extraction_arg, open_db
from ivo_app.labels import plural
from ivo_app.services.decision_files import decide_from_file


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "decide-batch",
        parents=[common],
        help="enregistrer en une fois les décisions d'un fichier (ipp_a;ipp_b;decision;commentaire)",
    )
    add_extraction_arg(p)
    p.add_argument("file", type=Path, metavar="FICHIER", help="CSV ou classeur, une paire par ligne")
    p.set_defaults(func=cmd_decide_batch)


def cmd_decide_batch(args: argparse.Namespace) -> int:
    count = decide_from_file(open_db(args), args.extraction, args.file)
    print(f"{plural(count, 'décision enregistrée', 'décisions enregistrées')} en une seule fois.")
    return 0
