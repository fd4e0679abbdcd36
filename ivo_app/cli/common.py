"""What every subcommand shares: --db, --extraction, output, progress on stderr."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ivo_app.io import atomic
from ivo_app.store.db import Database, open_database

EXIT_OK, EXIT_INTERNAL, EXIT_USER = 0, 1, 2


def common_parser() -> argparse.ArgumentParser:
    """Parent parser giving each subcommand `--db`."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="base de données (URL SQLAlchemy ou chemin de fichier SQLite ; "
        "défaut : base embarquée de l'utilisateur)",
    )
    return common


def add_extraction_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--extraction",
        type=int,
        metavar="ID",
        default=None,
        help="extraction à traiter (défaut : la plus récente)",
    )


def add_output_args(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    parser.add_argument("--format", choices=formats, default=formats[0], help="format de sortie")
    parser.add_argument("--out", type=Path, default=None, help="fichier de sortie (défaut : écran)")


PASSPHRASE_ENV = "IVO_PHRASE_SECRETE"


def ask_passphrase(path: Path, prompt: str | None = None) -> str | None:
    """The passphrase of an encrypted base: typed at the terminal (not echoed), or, for scripts
    without a terminal, taken from the environment variable IVO_PHRASE_SECRETE."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt or f"Phrase secrète de la base {path.name} : ")
    return os.environ.get(PASSPHRASE_ENV) or None


def open_db(args: argparse.Namespace) -> Database:
    return open_database(args.db, ask_passphrase=ask_passphrase)


def emit(text: str, out: Path | None) -> None:
    """Write to a file (UTF-8) or to stdout."""
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        atomic.write_text(out, text)  # whole or not at all


def emit_json(data: Any, out: Path | None) -> None:
    emit(json.dumps(data, ensure_ascii=False, indent=2, default=str), out)


def stderr_progress() -> Callable[[int, int, str], None]:
    """A one-line progress display on stderr when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        return lambda done, total, message: None

    def show(done: int, total: int, message: str) -> None:
        pct = f"{100 * done / total:5.1f} %" if total else ""
        sys.stderr.write(f"\r{pct} {message}".ljust(70)[:79])
        if total and done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show
