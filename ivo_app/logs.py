"""The technical log: a file beside the base it concerns, private, without patient data.

Never log a patient's name or traits. What could still carry them is scrubbed on the way out:
SQL parameters are hidden by the engines (`hide_parameters`), and the values a database server
quotes back in its errors (PostgreSQL's "DETAIL: Key (ipp)=(…)") are removed by `ScrubFilter`.
The log starts in the user's data folder and moves beside the embedded base once one is opened
(`--db` elsewhere: the log goes there too, so the data of a base stays in its folder).
"""

from __future__ import annotations

import logging
import os
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

from ivo_app import paths

_configured = False
_handler: logging.Handler | None = None
LOG_NAME = "ivo.log"

# Values a server or driver quotes back from the statement's data.
_SCRUB = (
    (re.compile(r"DETAIL:.*", re.IGNORECASE), "DETAIL: [masqué]"),
    (re.compile(r"(Key|Clé) \((.*?)\)=\(.*?\)", re.IGNORECASE), r"\1 (\2)=([masqué])"),
    (re.compile(r"\[parameters: .*?\]", re.DOTALL), "[parameters: masqués]"),
    (re.compile(r"Failing row contains \(.*?\)", re.IGNORECASE), "Failing row contains ([masqué])"),
)


def scrub(text: str) -> str:
    for pattern, replacement in _SCRUB:
        text = pattern.sub(replacement, text)
    return text


class ScrubFilter(logging.Filter):
    """Formats the record (with its traceback) once, scrubbed, so no handler sees the raw text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = scrub(message), None
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        record.exc_info = None  # the scrubbed text above replaces it
        return True


def log_file() -> Path:
    explicit = os.environ.get("IVO_LOG_FILE")
    if explicit:
        return Path(explicit)
    if isinstance(_handler, RotatingFileHandler):
        return Path(_handler.baseFilename)
    return paths.data_dir() / LOG_NAME


def _file_handler(path: Path) -> logging.Handler:
    try:
        paths.private_dir(path.parent)
        handler: logging.Handler = RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
        os.chmod(path, paths.FILE_MODE)  # an older log created 0644 by a previous version
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(ScrubFilter())
    return handler


def setup_logging(level: int = logging.INFO) -> None:
    """At start-up: private files from now on (umask), and the log in the user's data folder."""
    global _configured, _handler
    if _configured:
        return
    _configured = True
    paths.restrict_umask()
    _handler = _file_handler(log_file())
    root = logging.getLogger("ivo_app")
    root.setLevel(level)
    root.addHandler(_handler)


def log_beside(database: Path) -> None:
    """Move the log beside the embedded base just opened (unless IVO_LOG_FILE fixes its place)."""
    global _handler
    if not _configured or os.environ.get("IVO_LOG_FILE"):
        return
    target = database.parent / LOG_NAME
    if isinstance(_handler, RotatingFileHandler) and Path(_handler.baseFilename) == target:
        return
    root = logging.getLogger("ivo_app")
    new = _file_handler(target)
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    _handler = new
    root.addHandler(new)
