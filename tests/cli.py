"""The `ivo` command run as a person runs it: a real process on a given base, its exit code checked."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

Runner = Callable[..., subprocess.CompletedProcess[str]]


def ivo_runner(db_url: str) -> Runner:
    """`ivo = ivo_runner(url)`, then `ivo("verifier")` (exit 0 expected) or `ivo(..., code=2)`."""

    def ivo(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([sys.executable, "-m", "ivo_app", *args, "--db", db_url], capture_output=True,
                                text=True, timeout=600, env=os.environ.copy())  # fmt: skip
        assert result.returncode == code, result.stderr
        return result

    return ivo
