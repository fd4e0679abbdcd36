"""The `ivo` command: a thin face over ivo_app.services (the window is the other face).

Each area registers its subcommands from its own module (see COMMAND_MODULES). Exit status:
0 success, 2 user or data error (one French line on stderr), 1 unexpected error (logged).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from ivo_app import __version__
from ivo_app.errors import IvoError
from ivo_app.logs import Code, log_file, setup_logging

# ivo_app.cli.common opens databases (SQLAlchemy, Alembic): imported when a command needs it, so
# `ivo --version` starts in a few tens of milliseconds.

COMMAND_MODULES = (
    "ivo_app.cli.store_commands",
    "ivo_app.cli.demo_command",
    "ivo_app.cli.rules_commands",
    "ivo_app.cli.duplicates_commands",
    "ivo_app.cli.decisions_command",
    "ivo_app.cli.audit_commands",
    "ivo_app.cli.admin_commands",
    "ivo_app.cli.training_commands",
    "ivo_app.cli.gui_command",
    "ivo_app.cli.completion_command",
)

# The module registering each command: `ivo COMMAND` imports only its area, so the heavy libraries
# of the others (reportlab, numpy, rapidfuzz, Qt) are not loaded at start-up. A command missing
# here (a new area) still works: every module is then imported, as for `ivo --help`.
COMMAND_OWNERS = {
    "import": "ivo_app.cli.store_commands",
    "extractions": "ivo_app.cli.store_commands",
    "export": "ivo_app.cli.store_commands",
    "rejets": "ivo_app.cli.store_commands",
    "demo": "ivo_app.cli.demo_command",
    "check": "ivo_app.cli.rules_commands",
    "indicators": "ivo_app.cli.rules_commands",
    "rules": "ivo_app.cli.rules_commands",
    "cog": "ivo_app.cli.rules_commands",
    "duplicates": "ivo_app.cli.duplicates_commands",
    "merge-list": "ivo_app.cli.duplicates_commands",
    "search": "ivo_app.cli.duplicates_commands",
    "audit": "ivo_app.cli.audit_commands",
    "journal": "ivo_app.cli.admin_commands",
    "backup": "ivo_app.cli.admin_commands",
    "pseudonymise": "ivo_app.cli.admin_commands",
    "formation": "ivo_app.cli.training_commands",
    "gui": "ivo_app.cli.gui_command",
}

log = logging.getLogger("ivo_app.cli")


def _command_of(args: Sequence[str]) -> str | None:
    """The command word of a command line (`ivo --db F verifier` → verifier), its English name if
    it was given in French, so that COMMAND_OWNERS finds its module."""
    from ivo_app.cli.common import COMMAND_NAMES  # noqa: PLC0415  cli.common loads SQLAlchemy and Alembic: not for `ivo --version`

    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--db":
            skip = True
        elif not arg.startswith("-"):
            english = {french: name for name, french in COMMAND_NAMES.items()}
            return english.get(arg, arg)
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The `ivo` parser; given the command line, only with the module of its command (if known)."""
    from ivo_app.cli.common import FrenchArgumentParser, add_db_arg, common_parser  # noqa: PLC0415  start-up: see COMMAND_OWNERS

    class IvoParser(FrenchArgumentParser):
        """The top-level parser: after parsing, `args.db` exists (None = the user's default base)."""

        def parse_known_args(  # type: ignore[override]
            self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
        ) -> tuple[argparse.Namespace, list[str]]:
            parsed, rest = super().parse_known_args(args, namespace)
            if not hasattr(parsed, "db"):
                parsed.db = None
            return parsed, rest

    parser = IvoParser(
        prog="ivo",
        description="IVO : identitovigilance (RNIV, INS, audit IVO3). Commandes et options en français ; "
        "les anciens noms anglais restent acceptés.",
    )
    parser.add_argument(
        "--version", action="version", version=f"ivo {__version__}", help="afficher la version et quitter"
    )
    add_db_arg(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", parser_class=FrenchArgumentParser)
    common = common_parser()
    owner = COMMAND_OWNERS.get(_command_of(list(sys.argv[1:] if argv is None else argv)) or "")
    for name in (owner,) if owner else COMMAND_MODULES:
        importlib.import_module(name).register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:
        print(f"ivo {__version__}")  # what argparse's version action prints, without the imports
        return 0
    from ivo_app.cli.common import EXIT_INTERNAL, EXIT_USER  # noqa: PLC0415  after the --version shortcut

    setup_logging()
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USER
    try:
        return int(args.func(args) or 0)
    except IvoError as exc:
        print(f"ivo : {exc.message}", file=sys.stderr)
        return EXIT_USER
    except KeyboardInterrupt:
        print("ivo : interrompu, la base n'a pas été modifiée.", file=sys.stderr)
        return EXIT_USER
    except Exception:
        log.exception("unexpected error in ivo %s", Code(args.command))
        print(
            f"ivo : erreur interne inattendue, détails dans {log_file()}.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
