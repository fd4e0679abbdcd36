"""Opening a database: URL resolution, engine set-up, migrations, session factory."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import URL, create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from ivo_app import paths
from ivo_app.errors import IvoError
from ivo_app.store import encryption, migrate
from ivo_app.store.dialect import configure_engine


def normalise_url(url: str | None) -> str:
    """`None` → embedded default; a bare file path → SQLite file; otherwise an SQLAlchemy URL."""
    if not url:
        return paths.default_db_url()
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


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


@dataclass
class Database:
    """An open, migrated database: the engine and a session factory (one session per thread)."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session] = field(repr=False)
    backup: Path | None = None

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
        path.parent.mkdir(parents=True, exist_ok=True)
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
        engine = create_engine(parsed, future=True, **options)
    except Exception as exc:
        raise IvoError(f"Impossible d'ouvrir la base de données : {exc}") from exc
    configure_engine(engine)
    backup = migrate.upgrade(engine) if run_migrations else None
    return Database(
        url=resolved,
        engine=engine,
        sessions=sessionmaker(engine, expire_on_commit=False),
        backup=backup,
    )
