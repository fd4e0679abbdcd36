"""The bundle's lock file and the dependency audit (issue 19, last point of "Deliver")."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LOCK = REPO / "packaging" / "requirements-lock.txt"


def locked() -> dict[str, tuple[str, list[str]]]:
    text = LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    entries = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        requirement, *hashes = line.split()
        name, version = requirement.split("==")
        entries[re.sub(r"[-_.]+", "-", name).lower()] = (
            version,
            [h.split(":", 1)[1] for h in hashes if h.startswith("--hash=")],
        )
    return entries


def test_every_runtime_dependency_is_locked_with_its_installed_version_and_a_hash() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    entries = locked()
    for dependency in project["dependencies"]:
        name = re.split(r"[<>=!\\[ ;]", dependency, maxsplit=1)[0]
        key = re.sub(r"[-_.]+", "-", name).lower()
        assert key in entries, name
        version, hashes = entries[key]
        assert version == metadata.version(name), name  # the lock is what the tests ran with
        assert hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name


def test_dependency_audit_says_when_it_cannot_run_and_does_not_fail(tmp_path: Path) -> None:
    # A Python without pip-audit, as on an offline CI machine.
    result = subprocess.run(
        ["bash", str(REPO / "scripts" / "audit-dependencies.sh")],
        capture_output=True,
        text=True,
        env={**os.environ, "PY": sys.executable},
        timeout=120,
    )
    if "pip-audit n'est pas installé" not in result.stdout and "injoignable" not in result.stdout:
        assert "Audit des dépendances" in result.stdout  # it ran: then its verdict is the exit code
        return
    assert result.returncode == 0
    assert "NON exécuté" in result.stdout
