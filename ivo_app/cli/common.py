"""What every subcommand shares: the French parser, --db, --extraction, output, progress on stderr.

The parser speaks French through one mechanism rather than in each module: `FrenchArgumentParser`
translates argparse's own strings ("usage:", "options:", its error messages) while it builds,
formats and parses, and renames the commands and options the area modules register (English names
kept as aliases, see COMMAND_NAMES / OPTION_NAMES), so a module written with `sub.add_parser("check")`
gets `ivo verifier` with `ivo check` still accepted.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from ivo_app.io import atomic
from ivo_app.services.extractions import resolve_extraction_id
from ivo_app.store.db import Database, open_database

EXIT_OK, EXIT_INTERNAL, EXIT_USER = 0, 1, 2


# argparse's own strings, in French (argparse looks them up through its module-level gettext `_`).
ARGPARSE_FR: dict[str, str] = {
    "usage: ": "utilisation : ",
    "options": "options",
    "positional arguments": "arguments positionnels",
    "show this help message and exit": "afficher ce message d'aide et quitter",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (choisir parmi %(choices)s)",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "expected one argument": "une valeur attendue",
    "expected at most one argument": "au plus une valeur attendue",
    "expected at least one argument": "au moins une valeur attendue",
    "invalid %(type)s value: %(value)r": "valeur invalide : %(value)r",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner %(matches)s",
    "ignored explicit argument %r": "valeur explicite ignorée : %r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "commande inconnue %(parser_name)r (choix : %(choices)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir « %(filename)s » : %(error)s",
    "subcommands": "commandes",
    "expected %s argument": "%s valeur attendue",
    "expected %s arguments": "%s valeurs attendues",
    "conflicting option string: %s": "option en conflit : %s",
    "conflicting option strings: %s": "options en conflit : %s",
}

# One language for command names: French. The name a module registers stays an alias for a release
# (and is what the module finds in its `dest`, so `args.settings_command == "statuses"` still holds).
COMMAND_NAMES: dict[str, str] = {
    "import": "importer",
    "export": "exporter",
    "check": "verifier",
    "indicators": "indicateurs",
    "rules": "regles",
    "set": "regler",
    "duplicates": "doublons",
    "decide": "decider",
    "merge-list": "fusions",
    "search": "rechercher",
    "decide-batch": "decider-lot",
    "report": "rapport",
    "new": "nouveau",
    "list": "liste",
    "answers": "reponses",
    "status": "etat",
    "backup": "sauvegardes",
    "create": "creer",
    "restore": "restaurer",
    "settings": "reglages",
    "show": "afficher",
    "statuses": "statuts",
    "active-years": "annees-actives",
    "thresholds": "seuils",
    "pseudonymise": "pseudonymiser",
    "gui": "fenetre",
    "encrypt": "chiffrer",
}

# Options too: the French name first (shown in help), the English one kept as an alias.
OPTION_NAMES: dict[str, str] = {
    "--facility": "--etablissement",
    "--mapping": "--correspondance",
    "--out": "--sortie",
    "--size": "--taille",
    "--seed": "--graine",
    "--truth": "--verite",
    "--active-years": "--annees-actives",
    "--severity": "--severite",
    "--enable": "--activer",
    "--disable": "--desactiver",
    "--min-level": "--niveau-min",
    "--comment": "--commentaire",
    "--personal-data": "--donnees-personnelles",
    "--auditor": "--auditeur",
    "--scope": "--perimetre",
    "--grid": "--grille",
    "--import": "--relire",
    "--key-file": "--fichier-cle",
    "--screenshot": "--capture",
    "--demo-if-empty": "--demo-si-vide",
    "--reset": "--reinitialiser",
}


def _plain(text: str) -> str:
    """Lower case without accents: `Vérifier` and `verifier` name the same command."""
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))


def _french(message: str) -> str:
    return ARGPARSE_FR.get(message, message)


def _french_n(singular: str, plural: str, n: int) -> str:
    return _french(singular if n == 1 else plural)


@contextmanager
def french_argparse() -> Iterator[None]:
    """argparse's strings in French while the block runs, restored after (other users of argparse in
    the process, pytest for one, keep theirs). Re-entrant: subparsers parse inside their parent."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _french, _french_n  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class _FrenchOptions:
    """add_argument with French option names first, the registered names kept as aliases."""

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        if args and all(isinstance(a, str) and a.startswith("-") for a in args):
            if "dest" not in kwargs:  # keep the dest the module expects (argparse's own derivation)
                long = next((a for a in args if a.startswith("--")), args[0])
                kwargs["dest"] = long.lstrip("-").replace("-", "_")
            renamed = [OPTION_NAMES[a] for a in args if a in OPTION_NAMES and OPTION_NAMES[a] not in args]
            args = (*renamed, *args)
        with french_argparse():
            return super().add_argument(*args, **kwargs)  # type: ignore[misc]

    def add_argument_group(self, *args: Any, **kwargs: Any) -> argparse._ArgumentGroup:
        group = _FrenchGroup(self, *args, **kwargs)  # type: ignore[call-overload]
        self._action_groups.append(group)  # type: ignore[attr-defined]
        return group

    def add_mutually_exclusive_group(self, **kwargs: Any) -> argparse._MutuallyExclusiveGroup:
        group = _FrenchMutex(self, **kwargs)  # type: ignore[arg-type]
        self._mutually_exclusive_groups.append(group)  # type: ignore[attr-defined]
        return group


class _FrenchGroup(_FrenchOptions, argparse._ArgumentGroup):
    pass


class _FrenchMutex(_FrenchOptions, argparse._MutuallyExclusiveGroup):
    pass


class FrenchSubParsersAction(argparse._SubParsersAction):
    """Subcommands under their French name, the registered name as an alias; matched without
    regard to case or accents. The namespace gets the registered name, whichever was typed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._registered: dict[str, str] = {}  # every accepted name (plain) → name the module gave

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        french = COMMAND_NAMES.get(name, name)
        aliases = list(kwargs.pop("aliases", ()))
        if french != name:
            aliases.insert(0, name)
        with french_argparse():
            parser = super().add_parser(french, aliases=aliases, **kwargs)
        for alias in (french, *aliases):
            self._registered[_plain(alias)] = name
        return parser

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        typed = values[0]
        if typed not in self._name_parser_map and _plain(typed) in self._registered:
            typed = next(n for n in self._name_parser_map if _plain(n) == _plain(typed))
            values = [typed, *values[1:]]
        super().__call__(parser, namespace, values, option_string)
        registered = self._registered.get(_plain(typed))
        if self.dest is not argparse.SUPPRESS and registered:
            setattr(namespace, self.dest, registered)


class FrenchHelpFormatter(argparse.HelpFormatter):
    """Section headings with the French space before the colon ("options :")."""

    def start_section(self, heading: str | None) -> None:
        super().start_section(f"{heading} " if heading else heading)


class FrenchArgumentParser(_FrenchOptions, argparse.ArgumentParser):
    """An ArgumentParser whose texts are French and whose errors exit 2 with one French line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        add_help = kwargs.pop("add_help", True)
        parents = kwargs.pop("parents", [])
        kwargs["add_help"] = False  # the French -h/--aide is added below
        with french_argparse():
            super().__init__(*args, **kwargs)
            if add_help:  # --aide, the French name; --help kept
                self.add_argument(
                    "-h", "--aide", "--help", action="help", default=argparse.SUPPRESS,
                    help=_french("show this help message and exit"),
                )  # fmt: skip
            for parent in parents:  # after the help, as argparse itself orders them
                self._add_container_actions(parent)
                self._defaults.update(getattr(parent, "_defaults", {}))
        self.register("action", "parsers", FrenchSubParsersAction)

    def add_subparsers(self, **kwargs: Any) -> argparse._SubParsersAction:
        kwargs.setdefault("parser_class", FrenchArgumentParser)
        with french_argparse():
            return super().add_subparsers(**kwargs)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        with french_argparse():
            return super().parse_known_args(args, namespace)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if isinstance(action, FrenchSubParsersAction) and _plain(str(value)) in action._registered:
            return  # "Vérifier", "VERIFIER": the command verifier
        super()._check_value(action, value)

    def format_usage(self) -> str:
        with french_argparse():
            return super().format_usage()

    def format_help(self) -> str:
        with french_argparse():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{self.prog} : erreur d'utilisation : {message}", file=sys.stderr)
        raise SystemExit(EXIT_USER)


DB_HELP = (
    "base de données (URL SQLAlchemy ou chemin de fichier SQLite ; défaut : base embarquée de "
    "l'utilisateur) ; acceptée avant ou après la commande"
)


def add_db_arg(parser: argparse.ArgumentParser) -> None:
    """`--db` at any level. Its default is SUPPRESS: a subcommand that was not given `--db` adds
    nothing to the namespace, so it never overwrites the value given to its group (argparse copies a
    subparser's namespace over its parent's, defaults included)."""
    parser.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=DB_HELP)


def common_parser() -> argparse.ArgumentParser:
    """Parent parser giving each command and subcommand `--db`."""
    common = FrenchArgumentParser(add_help=False)
    add_db_arg(common)
    return common


def add_extraction_arg(parser: argparse.ArgumentParser, *, with_facility: bool = True) -> None:
    """--extraction, and --facility to take that facility's most recent one (`open_db` resolves it:
    "most recent" is per facility, a base of several facilities needs one of the two)."""
    parser.add_argument(
        "--extraction",
        type=int,
        metavar="ID",
        default=None,
        help="extraction à traiter (défaut : la plus récente de l'établissement)",
    )
    if with_facility:
        parser.add_argument(
            "--facility",
            metavar="NOM",
            default=None,
            help="établissement dont prendre la dernière extraction (obligatoire si la base en a plusieurs)",
        )
    parser.set_defaults(resolve_extraction=with_facility)  # audit new: its own --facility decides


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
    """The base of the command; for a command on one extraction, `args.extraction` resolved to an id
    (the given one checked against --facility, or that facility's most recent one)."""
    db = open_database(getattr(args, "db", None), ask_passphrase=ask_passphrase)
    if getattr(args, "resolve_extraction", False):
        args.extraction = resolve_extraction_id(db, args.extraction, getattr(args, "facility", None))
    return db


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
