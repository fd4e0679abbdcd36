"""The package imports its dependencies plainly: a missing one fails at start-up, never silently."""

from __future__ import annotations

import ast
from pathlib import Path

import ivo_app

PACKAGE = Path(ivo_app.__file__).parent


def _import_error_handlers(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            names = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            if any(isinstance(n, ast.Name) and n.id in ("ImportError", "ModuleNotFoundError") for n in names):
                lines.append(node.lineno)
    return lines


def test_no_module_catches_an_import_error() -> None:
    found = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := _import_error_handlers(path))
    }
    assert found == {}
