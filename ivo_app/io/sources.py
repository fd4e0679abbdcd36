"""Record sources: what an import reads, whatever the file format.

A source yields `RawRecord`s (canonical field → raw text, plus the columns it could not map)
or `SourceRejection`s (a line that cannot be a record). Tabular sources (CSV, XLSX) map their
columns through a ColumnMapping; message sources (HL7 v2, FHIR) produce canonical fields
themselves. `open_source` picks the reader from the file's content, not only its name.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ivo_app.errors import UnreadableFileError
from ivo_app.io.mapping import ColumnMapping


@dataclass(slots=True)
class RawRecord:
    line_no: int
    fields: dict[str, str]
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class SourceRejection:
    line_no: int
    reason: str  # code, see REJECTION_REASONS
    detail: str = ""


@dataclass(slots=True)
class RecordBatch:
    """Consecutive records column by column: what the import writes, a batch at a time.

    Tabular readers produce batches directly (a transposition done in C); message readers
    produce RawRecords, gathered by `batches()`.
    """

    line_nos: list[int]
    columns: dict[str, Sequence[str | None]]  # canonical field → one value per record
    extras: list[dict[str, str] | None]
    rejections: list[SourceRejection] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.line_nos)


def records_to_batch(records: list[RawRecord], rejections: list[SourceRejection]) -> RecordBatch:
    names = {name for r in records for name in r.fields}
    return RecordBatch(
        line_nos=[r.line_no for r in records],
        columns={name: [r.fields.get(name) for r in records] for name in names},
        extras=[r.extra or None for r in records],
        rejections=rejections,
    )


def batches(source: Iterable[RawRecord | SourceRejection], size: int) -> Iterator[RecordBatch]:
    """Any source as batches of about `size` records (rejections travel with their batch)."""
    native = getattr(source, "batches", None)
    if native is not None:
        yield from native(size)
        return
    records: list[RawRecord] = []
    rejections: list[SourceRejection] = []
    for item in source:
        if isinstance(item, SourceRejection):
            rejections.append(item)
            continue
        records.append(item)
        if len(records) >= size:
            yield records_to_batch(records, rejections)
            records, rejections = [], []
    if records or rejections:
        yield records_to_batch(records, rejections)


REJECTION_REASONS = {
    "colonnes": "nombre de colonnes incorrect",
    "ipp_manquant": "IPP absent",
    "ipp_double": "IPP déjà présent dans le fichier",
    "ligne_illisible": "ligne illisible",
    "message_invalide": "message invalide",
    "ressource_invalide": "ressource invalide",
    "trait_trop_long": "nom ou prénom plus long que la colonne (jamais tronqué)",
    "ins_sans_ipp": "INS sans IPP",
    "message_sans_patient": "message sans patient",
}


class RecordSource(Protocol):
    """What the import service consumes."""

    format: str  # "csv", "xlsx", "hl7v2", "fhir"
    encoding: str | None

    @property
    def mapping(self) -> ColumnMapping | None:
        """None for message formats; read-only (tabular readers resolve it on first use)."""
        ...

    def __iter__(self) -> Iterator[RawRecord | SourceRejection]: ...

    def position(self) -> tuple[int, int]:
        """(done, total) in any unit (bytes, rows), for the progress bar."""
        ...


@dataclass
class FileFacts:
    """Facts read in one pass over the bytes: hash, size, encoding guess inputs."""

    sha256: str
    size: int
    head: bytes


# Limits every reader applies before allocating (the format readers check their own structures):
# a reader that holds a whole file or message in memory refuses one larger than this.
MAX_WHOLE_FILE_BYTES = 256 << 20
MAX_NESTING = 32  # JSON/XML depth of one resource: FHIR Patient resources are 4 or 5 deep


def check_whole_file_size(path: Path, size: int) -> None:
    if size > MAX_WHOLE_FILE_BYTES:
        raise UnreadableFileError(
            f"Fichier refusé : {path.name} pèse {size // (1 << 20)} Mo, au-delà des "
            f"{MAX_WHOLE_FILE_BYTES // (1 << 20)} Mo qu'IVO lit d'un bloc pour ce format ; découpez-le."
        )


def file_facts(path: Path) -> FileFacts:
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                if not head:
                    head = chunk[: 1 << 16]
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise UnreadableFileError(f"Fichier illisible : {path.name} ({exc.strerror}).") from exc
    return FileFacts(sha256=digest.hexdigest(), size=size, head=head)


# Readers register here: (detector, opener). Detectors see the path and the first 64 KiB.
Detector = Callable[[Path, bytes], bool]
Opener = Callable[[Path, ColumnMapping | None, FileFacts], RecordSource]
_READERS: dict[str, tuple[int, Detector, Opener]] = {}


def register_reader(name: str, detector: Detector, opener: Opener, priority: int = 50) -> None:
    """Lower priority is tried first; the delimited-text reader is the fallback (99)."""
    _READERS[name] = (priority, detector, opener)


def open_source(
    path: Path, mapping: ColumnMapping | None = None, facts: FileFacts | None = None
) -> RecordSource:
    """Open the right reader for `path` (a file, or a folder of messages)."""
    _load_readers()
    path = Path(path)
    if not path.exists():
        raise UnreadableFileError(f"Fichier introuvable : {path}")
    if path.is_dir():
        facts = facts or FileFacts(sha256=_folder_hash(path), size=0, head=b"")
    elif not path.is_file():
        # /dev/zero, a pipe, a socket: reading it to its end would never end.
        raise UnreadableFileError(f"Fichier illisible : {path} n'est pas un fichier ordinaire.")
    else:
        facts = facts or file_facts(path)
        if facts.size == 0:
            raise UnreadableFileError(f"Fichier vide : {path.name}")
    for _priority, detector, opener in sorted(_READERS.values(), key=lambda r: r[0]):
        if detector(path, facts.head):
            return opener(path, mapping, facts)
    raise UnreadableFileError(
        f"Format de fichier non reconnu : {path.name} "
        "(attendu : CSV/texte délimité, XLSX/XLS/ODS, HL7 v2 ou FHIR JSON)."
    )


def _folder_hash(path: Path) -> str:
    digest = hashlib.sha256()
    for child in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(child.relative_to(path).as_posix().encode())
        digest.update(file_facts(child).sha256.encode())
    return digest.hexdigest()


READER_MODULES = ("ivo_app.io.hl7v2", "ivo_app.io.fhir", "ivo_app.io.xlsx", "ivo_app.io.delimited")


def _load_readers() -> None:
    """Import the reader modules (cached by Python); each registers itself on import."""
    for module in READER_MODULES:
        importlib.import_module(module)
