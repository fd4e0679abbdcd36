"""ivo gui: the window (and --screenshot to render every page to PNG)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("gui", parents=[common], help="ouvrir la fenêtre de l'application")
    p.add_argument(
        "--screenshot", type=Path, metavar="DOSSIER", help="enregistrer chaque page en PNG puis quitter"
    )
    p.add_argument(
        "--demo-if-empty",
        action="store_true",
        help="créer l'établissement de démonstration si la base est vide",
    )
    p.set_defaults(func=cmd_gui)


def cmd_gui(args: argparse.Namespace) -> int:
    from ivo_app.ui.app import run_gui  # noqa: PLC0415  Qt is loaded only for this command (`ivo --help` imports every command module)

    return run_gui(args.db, args.screenshot, args.demo_if_empty)
