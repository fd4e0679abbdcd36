"""Opening a database: URL resolution, engine set-up, migrations, session factory."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import URL, create_engine, event
from sqlalchemy.engine import Engine, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import QueuePool, StaticPool

from ivo_app import logs, paths
from ivo_app.errors import IvoError
from ivo_app.store import encryption, migrate
from ivo_app.store.dialect import configure_engine

if TYPE_CHECKING:  # the ORM is imported at the first session (see Database.sessions)
    from sqlalchemy.orm import Session, sessionmaker


def normalise_url(url: str | None) -> str:
    """`None` → embedded default; a bare file path → SQLite file; otherwise an SQLAlchemy URL."""
    if not url:
        return paths.default_db_url()
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def display_url(url: str | None) -> str:
    """The URL to show (status bar, messages, screenshots): never the password."""
    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except ArgumentError:
        return "adresse de base invalide"


class DatabaseUnavailableError(IvoError):
    """The database refused the operation for a reason the user can act on (locked, full, login)."""


def describe_database_error(exc: BaseException) -> str | None:
    """A French line for the driver errors a user meets and can act on; None for a bug."""
    text = str(exc).lower()
    if "database is locked" in text or "database table is locked" in text:
        return (
            "Base occupée : un autre programme IVO y écrit depuis plus de 10 secondes ; réessayez quand "
            "il aura fini. Rien n'a été modifié."
        )
    if "database or disk is full" in text or "no space left" in text or "disk i/o error" in text:
        return (
            "Disque plein (ou illisible) : l'opération a été annulée et la base est restée telle qu'elle "
            "était ; libérez de la place puis recommencez."
        )
    if "readonly database" in text or "read-only" in text:
        return "Base en lecture seule : vérifiez les droits sur son fichier et son dossier."
    if "password authentication failed" in text or "authentification par mot de passe" in text:
        return "Connexion refusée par le serveur PostgreSQL : identifiant ou mot de passe incorrect."
    if "does not exist" in text and "database" in text and "connection" in text:
        return "La base demandée n'existe pas sur le serveur PostgreSQL."
    if "connection refused" in text or "could not translate host" in text or "timeout expired" in text:
        return "Serveur PostgreSQL injoignable : vérifiez son adresse et le réseau."
    if "permission denied" in text:
        return "Action refusée par la base : votre rôle n'a pas ce droit (voir l'administrateur)."
    return None


def _translate_error(context: ExceptionContext) -> None:
    """Raise the user's French line instead of the driver's error (the transaction is rolled back
    by whoever opened it, as for any error)."""
    message = describe_database_error(context.original_exception)
    if message is not None:
        raise DatabaseUnavailableError(message) from context.original_exception


def sqlite_file(url: str | None) -> Path | None:
    """The file behind an SQLite URL (None for another database or an in-memory one)."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        return None
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "")


def embedded_file(url: str, refusal: str) -> Path:
    """The SQLite file behind `url`, for what only the embedded base has (backups, encryption);
    IvoError(refusal) for a shared server."""
    path = sqlite_file(url)
    if path is None:
        raise IvoError(refusal)
    return path


def _create_private(path: Path) -> None:
    """The base file is created 0600 before SQLite opens it (its -wal and -shm take its mode);
    a base of ours left 0644 by an older version is brought to 0600."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, paths.FILE_MODE)
        os.close(fd)
        if os.name == "posix" and path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            path.chmod(paths.FILE_MODE)
    except OSError:
        pass  # SQLite says why it cannot open the file, in the error raised below


@dataclass
class Database:
    """An open, migrated database: the engine and a session factory (one session per thread)."""

    url: str
    engine: Engine
    backup: Path | None = None
    _sessions: sessionmaker[Session] | None = field(default=None, init=False, repr=False)

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The session factory, made at the first unit of work that needs the ORM: a command that
        only reads through Core (`ivo extractions`, `store.uow.ReadWork`) never imports the ORM nor
        the models, a third of its start-up. Two threads racing here make two equivalent factories."""
        if self._sessions is None:
            from sqlalchemy.orm import sessionmaker  # noqa: PLC0415  start-up: see above

            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        return self._sessions

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(
    url: str | None = None,
    *,
    run_migrations: bool = True,
    passphrase: str | None = None,
    ask_passphrase: encryption.PassphraseFn | None = None,
) -> Database:
    """Open (creating and migrating if needed) the database at `url`.

    An encrypted SQLite file needs its passphrase: given, already given to this process, or asked
    through `ask_passphrase(path)` (the CLI's prompt, the window's dialog).
    """
    resolved = normalise_url(url)
    try:
        parsed = make_url(resolved)
    except ArgumentError as exc:
        raise IvoError(f"Adresse de base de données invalide : {url}") from exc
    options: dict[str, object] = {}
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database or "")
        paths.private_dir(path.parent)
        _create_private(path)
        logs.log_beside(path)
        if encryption.is_encrypted(path):
            secret = (
                passphrase
                or encryption.remembered(path)
                or (ask_passphrase(path) if ask_passphrase else None)
            )
            if not secret:
                raise IvoError(
                    f"La base {path.name} est chiffrée : sa phrase secrète est nécessaire pour l'ouvrir."
                )
            encryption.check_passphrase(path, secret)
            encryption.remember(path, secret)
            # Same file, same SQLite: only the driver differs (it applies the key on each connection).
            parsed = URL.create("sqlite+pysqlcipher", password=secret, database=str(path))
            options = {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}
    try:
        # hide_parameters: an error's text (logged) never carries the values bound to the statement,
        # which are names, dates of birth, reviewers' comments.
        engine = create_engine(parsed, future=True, hide_parameters=True, **options)
    except Exception as exc:
        raise IvoError(f"Impossible d'ouvrir la base de données : {exc.__class__.__name__}") from exc
    event.listen(engine, "handle_error", _translate_error)
    configure_engine(engine)
    backup = migrate.upgrade(engine) if run_migrations else None
    return Database(url=resolved, engine=engine, backup=backup)


def memory_database() -> Database:
    """A migrated SQLite base in memory, gone when disposed: what a service test gives a use case (its
    unit of work opens on it) when no file is needed. One connection shared by every thread
    (StaticPool), so a worker thread sees the same base."""
    engine = create_engine(
        "sqlite://",
        future=True,
        hide_parameters=True,
        poolclass=StaticPool,
        connect_args={"check_same_thread": False},
    )
    event.listen(engine, "handle_error", _translate_error)
    configure_engine(engine)
    migrate.upgrade(engine)
    return Database(url="sqlite://", engine=engine)
