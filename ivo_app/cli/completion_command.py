"""ivo completion bash: shell completion of command names and options, built from the parser itself
(French names and their aliases), so it never lags behind the commands."""

from __future__ import annotations

import argparse

from ivo_app.cli import build_parser

SCRIPT = """# Complétion de la commande ivo pour bash : source <(ivo completion bash)
declare -gA _ivo_tree=(
{entries}
)
_ivo() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" path="ivo" w
    for w in "${{COMP_WORDS[@]:1:COMP_CWORD-1}}"; do
        case "$w" in
            -*) ;;
            *) if [[ -n "${{_ivo_tree["$path $w"]+x}}" ]]; then path="$path $w"; fi ;;
        esac
    done
    COMPREPLY=( $(compgen -W "${{_ivo_tree["$path"]}}" -- "$cur") )
}}
complete -o default -F _ivo ivo
"""


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("completion", parents=[common], help="script de complétion pour le shell (bash)")
    p.add_argument("shell", choices=("bash",), help="shell visé")
    p.set_defaults(func=cmd_completion)


def _walk(parser: argparse.ArgumentParser, path: str, out: dict[str, list[str]]) -> None:
    words: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                words.append(name)
                _walk(child, f"{path} {name}", out)
        else:
            words += [o for o in action.option_strings if o.startswith("--")]
    out[path] = words


def bash_script(parser: argparse.ArgumentParser) -> str:
    tree: dict[str, list[str]] = {}
    _walk(parser, "ivo", tree)
    entries = "\n".join(f'    ["{path}"]="{" ".join(words)}"' for path, words in sorted(tree.items()))
    return SCRIPT.format(entries=entries)


def cmd_completion(args: argparse.Namespace) -> int:
    print(bash_script(build_parser([])), end="")
    return 0
