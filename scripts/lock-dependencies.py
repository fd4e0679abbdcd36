"""Write packaging/requirements-lock.txt: the exact versions, with their SHA-256, of everything the
bundle ships (the runtime dependencies of pyproject.toml and theirs), as installed in the venv.

    python scripts/lock-dependencies.py        # after changing a dependency; commit the result

pip resolves the pinned set without installing it (`--dry-run --report`) and the report gives each
file's hash. `pip install --require-hashes -r packaging/requirements-lock.txt` then refuses any file
that differs. The hashes are those of this platform's wheels (Linux x86-64, CPython 3.11): the
Windows bundle is locked by running the same script on the Windows build machine.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "packaging" / "requirements-lock.txt"


def runtime_requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [re.split(r"[<>=!\[ ;]", dep, maxsplit=1)[0] for dep in project["dependencies"]]
    pinned = []
    for name in names:
        pinned.append(f"{name}=={metadata.version(name)}")
        if name.startswith("psycopg"):
            pinned.append(f"psycopg-binary=={metadata.version('psycopg-binary')}")
    return pinned


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "pinned.txt"
        requirements.write_text("\n".join(runtime_requirements()) + "\n", encoding="utf-8")
        constraints = Path(tmp) / "constraints.txt"
        frozen = subprocess.run(
            [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        constraints.write_text(frozen, encoding="utf-8")
        report = Path(tmp) / "report.json"
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
             "--report", str(report), "-r", str(requirements), "-c", str(constraints)],
            check=True,
        )  # fmt: skip
        installs = json.loads(report.read_text(encoding="utf-8"))["install"]
    lines = [
        "# Exact versions and SHA-256 of what the bundle ships (scripts/lock-dependencies.py; do not edit).",
        f"# Platform of these hashes: {sys.platform}, CPython {sys.version_info.major}.{sys.version_info.minor}.",
        "# pip install --require-hashes -r packaging/requirements-lock.txt",
    ]
    for item in sorted(installs, key=lambda i: i["metadata"]["name"].lower()):
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        digest = item["download_info"]["archive_info"]["hashes"]["sha256"]
        lines.append(f"{name}=={version} \\\n    --hash=sha256:{digest}")
    LOCK.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{LOCK.relative_to(ROOT)} : {len(installs)} paquets verrouillés.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
