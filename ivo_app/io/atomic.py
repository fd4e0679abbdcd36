"""Files written whole or not at all: an export that fails (full disk, cancel, bug) leaves neither a
0-byte nor a truncated file under the name the user asked for, and never clobbers the previous one."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

PARTIAL = ".partiel"
FILE_MODE = 0o600  # exports hold identities: readable by their owner only


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; when the block succeeds it is flushed to disk and
    renamed to `path`, otherwise removed."""
    path = Path(path)
    temp = path.with_name(f".{path.name}{PARTIAL}")
    try:
        yield temp
        os.chmod(temp, FILE_MODE)
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def write_bytes(path: Path, data: bytes) -> None:
    """`path.write_bytes(data)`, whole or not at all."""
    with atomic_path(path) as temp:
        temp.write_bytes(data)


def write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """`path.write_text(text)`, whole or not at all."""
    write_bytes(path, text.encode(encoding))
