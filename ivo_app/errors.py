"""Typed errors shared by every layer.

`IvoError` carries a one-line French message meant for the user; the CLI prints it and exits
with status 2, the window shows it in a dialog. Anything else is a bug (logged, not shown raw).
"""

from __future__ import annotations


class IvoError(Exception):
    """A user or data error with a French message fit to show as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnreadableFileError(IvoError):
    """The input file cannot be read or decoded."""


class MappingError(IvoError):
    """The columns of a file cannot be mapped to identity traits."""


class WrongPassphraseError(IvoError):
    """The passphrase given does not open the encrypted database."""


class NotFoundError(IvoError):
    """A facility, extraction, audit... asked for by the user does not exist."""


class MigrationError(IvoError):
    """The database schema could not be brought up to date."""


class ConcurrentUpdateError(IvoError):
    """Someone else changed the same object first (shared database)."""


class OperationCancelled(IvoError):
    """The user cancelled a long operation; nothing was written."""

    def __init__(self, message: str = "Opération annulée : la base n'a pas été modifiée.") -> None:
        super().__init__(message)
