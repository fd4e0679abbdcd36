"""Prepared batches of a source, read in the import's own process or, for a large file, in a
second process while the import writes the previous batch to the database.

Parsing text into rows is Python work and writing them is SQLite or PostgreSQL work: in one process
they take turns, in two they overlap (the machines IVO runs on have at least two cores). Threads
cannot do it: the GIL is taken back after every row SQLite writes. The reader process pickles each
batch of rows to a pipe; the pipe's small buffer is the back-pressure that keeps memory bounded.
Cancelling or failing the import terminates the reader; nothing it read is kept. The reader runs the
general reader or, for a plain canonical file, the columnar one (services.columnar): there pyarrow
parses in C, but the names' rules and the Python lists the driver binds are still as long as the
insert itself. What the reader's builder decided (the date orders' notes) comes back at the end.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import pickle
from collections.abc import Iterable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ivo_app.errors import IvoError, UnreadableFileError
from ivo_app.io.sources import RawRecord, RecordSource, SourceRejection, batches
from ivo_app.io.tabular import TabularSource
from ivo_app.services.records import BatchPreparer, Columns, Rejection, RowBuilder

# Below this size the second process's start-up (about half a second) costs more than it saves.
READ_AHEAD_MIN_BYTES = 16 * 1024 * 1024

Prepared = tuple[Columns, list[Rejection], tuple[int, int] | None]  # columns, rejections, bytes read


def prepared_batches(
    source: RecordSource | Iterable[RawRecord | SourceRejection],
    builder: RowBuilder,
    size: int,
    read_ahead: bool | None = None,
    columnar: bool = False,
) -> Iterator[Prepared]:
    """Built columns (`RowBuilder.build`) and rejections, batch by batch. `read_ahead` None decides
    by the file's size. `columnar` reads a plain canonical file with `services.columnar`; it may
    raise ColumnarUnavailable. The columnar reader runs in the reader process only when asked
    (read_ahead=True): on the realistic million-line file, on a loaded two-core machine, it took
    39 s and 18.4 s of CPU there against 32 s and 15.6 s here (pickling the prepared columns
    costs more than the overlap saves), and 555 MB for both processes against 464 MB."""
    path: Path | None = getattr(source, "path", None)
    if read_ahead is None:  # the columnar path stays in this process unless asked (see below)
        read_ahead = (
            not columnar
            and path is not None
            and path.is_file()
            and path.stat().st_size >= READ_AHEAD_MIN_BYTES
        )
    if read_ahead and (columnar or isinstance(source, TabularSource)):
        yield from _in_reader_process(source, builder, size, columnar)  # type: ignore[arg-type]
    elif columnar:
        yield from _columnar(source, builder)
    else:
        yield from _prepared(source, builder, size)


def _columnar(source: Any, builder: RowBuilder) -> Iterator[Prepared]:
    from ivo_app.services.columnar import ColumnarReader  # noqa: PLC0415  loads pyarrow (0.5 s): only on the columnar path

    yield from ColumnarReader(source, builder).batches()


def _prepared(
    source: RecordSource | Iterable[RawRecord | SourceRejection], builder: RowBuilder, size: int
) -> Iterator[Prepared]:
    """The one preparing loop, in this process or in the reader."""
    preparer = BatchPreparer(builder)
    position = getattr(source, "position", None)
    for batch in _read(batches(source, size)):
        columns, rejections = preparer.prepare(batch)
        yield columns, rejections, position() if position else None


def _read(items: Iterator[Any]) -> Iterator[Any]:
    """Errors of the file system or of decoding met while reading, as the user's message."""
    try:
        yield from items
    except (UnicodeDecodeError, OSError) as exc:
        raise UnreadableFileError(f"Fichier illisible en cours de lecture ({exc}).") from exc


def _in_reader_process(
    source: TabularSource, builder: RowBuilder, size: int, columnar: bool = False
) -> Iterator[Prepared]:
    context = multiprocessing.get_context("spawn")  # never fork: the window's threads hold locks
    receiver, sender = context.Pipe(duplex=False)
    # The source travels as it is: encoding, separator and mapping already found, nothing read twice.
    args = (sender, source, builder.settings(), size, columnar)
    reader = context.Process(target=_reader_main, args=args, name="ivo-lecture", daemon=True)
    reader.start()
    sender.close()  # only the reader writes; its end closing tells us it is gone
    try:
        while True:
            try:
                message = pickle.loads(receiver.recv_bytes())
            except EOFError:
                raise IvoError(
                    "Lecture du fichier interrompue : le processus de lecture s'est arrêté."
                ) from None
            if message[0] == "done":
                builder.date_notes.extend(message[1])  # the reader's builder decided the date orders
                return
            if message[0] == "error":
                raise message[1]
            yield message[1], message[2], message[3]
    finally:
        receiver.close()
        if reader.is_alive():
            reader.terminate()
        reader.join()


def _reader_main(
    sender: Connection, source: TabularSource, settings: dict[str, Any], size: int, columnar: bool
) -> None:
    """Entry point of the reader process: the same reader and preparer as in-process imports."""
    gc.disable()  # a million short-lived rows hold no cycles (see ivo_app.collector)
    try:
        builder = RowBuilder(**settings)
        if columnar:
            from ivo_app.services.columnar import ColumnarReader  # noqa: PLC0415  loads pyarrow: only on the columnar path

            # Kept to the end: the import terminates this process once it has the last message.
            reader = ColumnarReader(source, builder, free_gradually=False)
            items: Iterator[Prepared] = reader.batches()
        else:
            items = _prepared(source, builder, size)
        for prepared in items:
            sender.send_bytes(pickle.dumps(("batch", *prepared), 5))
        sender.send_bytes(pickle.dumps(("done", builder.date_notes)))
    except BaseException as exc:
        try:
            payload = pickle.dumps(("error", exc))
        except Exception:  # an exception that does not pickle: its text is enough to report it
            payload = pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        with contextlib.suppress(OSError):  # the import stopped listening (cancelled)
            sender.send_bytes(payload)
    finally:
        sender.close()
