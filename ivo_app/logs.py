"""The technical log: a file beside the base it concerns, private, without patient data.

Never log a patient's name or traits. The log is scrubbed for certain rather than trusted, so it
can stay in clear beside an encrypted base (`ScrubFilter`, on every record before any handler):
- an exception is written as its type and the code's frames (file, line, function, source line),
  never its message: a driver's, a parser's or a decoder's message may quote a value (a server's
  "DETAIL: Key (ipp)=(…)", a trigger's text, `int('DUPONT')`, the bytes a decoder failed on);
- the arguments of a message are written only when they are numbers, booleans or `Code` strings
  (names fixed by the program: a command, an action); any other value is written `[masqué]`;
- SQL parameters are hidden by the engines too (`hide_parameters`).
The log starts in the user's data folder and moves beside the embedded base once one is opened
(`--db` elsewhere: the log goes there too, so the data of a base stays in its folder).
"""

from __future__ import annotations

import logging
import os
import re
import traceback
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


MASKED = "[masqué]"


class Code(str):
    """A string fixed by the program (a command's name, an action), safe to write in the log."""


def _safe_arg(value: object) -> object:
    if isinstance(value, bool | int | float | Code) or value is None:
        return value
    return MASKED


def exception_text(exc: BaseException) -> str:
    """The traceback of `exc` and of the exceptions it was raised from, without their messages."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    parts: list[str] = []
    for error in reversed(chain):
        if parts:
            parts.append("Exception précédente, à l'origine de la suivante :\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(error.__traceback__))
        kind = type(error)
        parts.append(f"{kind.__module__}.{kind.__qualname__} (message masqué)\n")
    return "".join(parts).rstrip("\n")


class ScrubFilter(logging.Filter):
    """Rewrites the record once, scrubbed, so no handler sees a value from the data."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            args: object = {key: _safe_arg(value) for key, value in record.args.items()}
        else:
            args = tuple(_safe_arg(value) for value in record.args or ())
        try:
            message = str(record.msg) % args if record.args else str(record.msg)
        except (TypeError, ValueError, KeyError):
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = exception_text(record.exc_info[1])
        elif record.exc_text:
            record.exc_text = "(trace masquée)"
        record.exc_info = None  # the text above replaces it
        record.stack_info = None
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
