"""The `ivo` command line: `--db` honoured wherever it is written, argparse in French, one language
for command names (old names kept as aliases)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivo_app import paths
from ivo_app.cli import build_parser, main
from ivo_app.cli.common import COMMAND_NAMES, FrenchSubParsersAction


def _subparsers(parser: argparse.ArgumentParser) -> FrenchSubParsersAction | None:
    return next((a for a in parser._actions if isinstance(a, FrenchSubParsersAction)), None)


def _leaves(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every (command path, parser) of the tree, groups included; each parser once (not its aliases)."""
    action = _subparsers(parser)
    if action is None:
        return
    seen: set[int] = set()
    for name, sub in action.choices.items():
        if id(sub) in seen:
            continue
        seen.add(id(sub))
        yield (*path, name), sub
        yield from _leaves(sub, (*path, name))


def _required_args(parser: argparse.ArgumentParser) -> list[str]:
    """The least a parser needs to parse: a value for each required positional and option."""
    values: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) or action.help == argparse.SUPPRESS:
            continue
        value = str(next(iter(action.choices))) if action.choices else "1"
        if not action.option_strings and action.nargs not in ("*", "?"):
            values += [value] * (action.nargs if isinstance(action.nargs, int) else 1)
        elif action.option_strings and action.required:
            values += [action.option_strings[0], value]
    return values


def test_every_command_takes_db_before_and_after_its_subcommand(tmp_path: Path) -> None:
    parser = build_parser([])
    target = str(tmp_path / "chosen.sqlite")
    checked = 0
    for path, sub in _leaves(parser):
        if _subparsers(sub) is not None and _subparsers(sub).required:  # type: ignore[union-attr]
            continue  # a group alone does not parse; its subcommands are checked below
        rest = _required_args(sub)
        # --db on the command line before the command, right after each word of its path, and at the end
        positions = [["--db", target, *path, *rest]]
        positions += [[*path[:i], "--db", target, *path[i:], *rest] for i in range(1, len(path) + 1)]
        positions.append([*path, *rest, "--db", target])
        for argv in positions:
            args = parser.parse_args(argv)
            assert args.db == target, argv
            checked += 1
        assert parser.parse_args([*path, *rest]).db is None  # nothing given: the default base
    assert checked > 80  # every leaf of every group, not a handful


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's data directory in a temporary folder: the default base must never appear there."""
    data = tmp_path / "home"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    assert str(paths.data_dir()).startswith(str(data))
    return paths.data_dir() / "ivo.sqlite"


def test_each_group_runs_on_the_base_given_not_on_the_default_one(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "formation.sqlite"
    url = f"sqlite:///{base}"
    assert main(["demo", "--db", url, "--taille", "300", "--graine", "3"]) == 0
    assert base.exists() and not home.exists()
    ex = tmp_path / "ex.json"
    commands = [
        ["extractions"],
        ["verifier"],
        ["check"],
        ["indicateurs"],
        ["regles"],
        ["regles", "regler", "TRAIT-DATE", "--severite", "alerte"],
        ["audit", "liste"],
        ["audit", "list"],
        ["sauvegardes", "liste"],
        ["reglages", "afficher"],
        ["reglages", "statuts"],
        ["journal"],
        ["doublons"],
        ["fusions", "--sortie", str(tmp_path / "fusions.csv")],
        ["formation", "exercice", "--taille", "6", "--sortie", str(ex)],
    ]
    for command in commands:
        for argv in (
            [command[0], "--db", url, *command[1:]],  # the group's --db
            [*command, "--db", url],  # the subcommand's --db
            ["--db", url, *command],  # ivo's own --db
        ):
            code = main(argv)
            captured = capsys.readouterr()
            assert code == 0, (argv, captured.err)
            assert not home.exists(), argv  # the user's default base was never created
    assert ex.exists()


def test_argparse_speaks_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("utilisation : ivo")
    assert "options :" in out and "afficher ce message d'aide et quitter" in out and "--aide" in out
    assert "usage:" not in out and "show this help" not in out
    assert "verifier (check)" in out  # the French name, the old one as its alias

    # every help page of every command, in French
    for path, _sub in _leaves(build_parser([])):
        with pytest.raises(SystemExit):
            main([*path, "--help"])
        text = capsys.readouterr().out
        assert text.startswith("utilisation : ivo "), path
        for english in ("usage:", "show this help", "positional arguments", "optional arguments"):
            assert english not in text, (path, english)

    with pytest.raises(SystemExit) as exit_info:
        main(["formation", "exercice"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("utilisation : ivo formation exercice")
    assert "arguments obligatoires manquants : --sortie" in err
    assert "required" not in err

    with pytest.raises(SystemExit) as exit_info:
        main(["verifier", "--extraction", "douze"])
    assert exit_info.value.code == 2
    assert "valeur invalide : 'douze'" in capsys.readouterr().err


def test_command_names_are_french_with_the_old_names_as_aliases(tmp_path: Path) -> None:
    parser = build_parser([])
    action = _subparsers(parser)
    assert action is not None
    english = {"check", "duplicates", "merge-list", "report", "settings", "backup", "search", "import"}
    assert english <= set(action.choices)  # still accepted
    shown = [choice.dest for choice in action._choices_actions]  # the names the help lists
    assert not set(shown) & set(COMMAND_NAMES), shown
    # the module reading its subcommand's name sees the name it registered, whatever was typed
    for typed in ("statuts", "statuses", "Statuts"):
        assert parser.parse_args(["reglages", typed]).settings_command == "statuses"
    assert parser.parse_args(["Vérifier"]).command == "check"
    # options too: the French spelling first, the English one kept
    args = parser.parse_args(["demo", "--taille", "5", "--graine", "2", "--etablissement", "X"])
    assert (args.size, args.seed, args.facility) == (5, 2, "X")
    args = parser.parse_args(["demo", "--size", "5", "--seed", "2", "--facility", "X"])
    assert (args.size, args.seed, args.facility) == (5, 2, "X")


def test_export_help_names_every_output_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["exporter", "--help"])
    out = capsys.readouterr().out
    assert ".csv" in out and ".xlsx" in out and ".json" in out


def test_bash_completion_knows_the_french_names_and_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil
    import subprocess

    assert main(["completion", "bash"]) == 0
    script = tmp_path / "ivo.bash"
    script.write_text(capsys.readouterr().out, encoding="utf-8")
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash absent")

    def complete(*words: str) -> list[str]:
        quoted = " ".join(f"'{w}'" for w in words)
        line = f'source {script}; COMP_WORDS=(ivo {quoted}); COMP_CWORD={len(words)}; _ivo; echo "${{COMPREPLY[@]}}"'
        return subprocess.run([bash, "-c", line], capture_output=True, text=True, check=True).stdout.split()

    assert complete("form") == ["formation"]
    assert complete("formation", "ses") == ["session", "sessions"]
    assert complete("--db", "x.sqlite", "veri") == ["verifier"]  # the value of --db is not a command
    assert complete("demo", "--gr") == ["--graine"]
    assert "--sortie" in complete("formation", "exercice", "--")
