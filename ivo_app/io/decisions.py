"""A reviewed list of pairs, in a CSV or a spreadsheet → (line, IPP A, IPP B, decision, comment).

The natural way to fill one is the queue exported by `ivo duplicates --format csv` (or the window),
with a `decision` column typed in a spreadsheet; the other columns are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from unidecode import unidecode

from ivo_app.errors import UnreadableFileError
from ivo_app.io.sources import open_source
from ivo_app.io.tabular import TabularSource
from ivo_app.io.writers import unguard_cell

_COLUMNS = {
    "ipp_a": ("ipp_a", "ipp a", "ipp1", "ipp 1"),
    "ipp_b": ("ipp_b", "ipp b", "ipp2", "ipp 2"),
    "decision": ("decision", "decisions", "avis"),
    "comment": ("comment", "commentaire", "commentaires", "remarque"),
}


@dataclass(frozen=True)
class DecisionRow:
    line_no: int
    ipp_a: str
    ipp_b: str
    decision: str  # as typed, normalised: lowercase ASCII, spaces and hyphens as "_"
    comment: str | None


def _key(text: str) -> str:
    return "_".join(unidecode(text).strip().lower().replace("-", " ").split())


def read_decisions(path: Path) -> list[DecisionRow]:
    """Rows with a decision typed; rows left blank are skipped (not reviewed yet)."""
    source = open_source(Path(path))
    if not isinstance(source, TabularSource):
        raise UnreadableFileError(f"{Path(path).name} : attendu un fichier CSV ou un classeur.")
    headers = {_key(h).replace("_", " "): i for i, h in enumerate(source.headers)}
    index: dict[str, int] = {}
    for field, synonyms in _COLUMNS.items():
        found = next((headers[s] for s in synonyms if s in headers), None)
        if found is not None:
            index[field] = found
    missing = [f for f in ("ipp_a", "ipp_b", "decision") if f not in index]
    if missing:
        raise UnreadableFileError(
            f"{Path(path).name} : colonnes manquantes ({', '.join(missing)}) ; attendu ipp_a;ipp_b;decision;commentaire."
        )
    result = []
    for line_no, cells in source.rows():

        def cell(field: str, cells: list[str] = cells) -> str:
            i = index.get(field)
            # Our own export guarded formula-like IPPs with an apostrophe: read them back as they were.
            return unguard_cell(cells[i].strip()) if i is not None and i < len(cells) else ""

        decision = _key(cell("decision"))
        if not decision:
            continue
        result.append(DecisionRow(line_no, cell("ipp_a"), cell("ipp_b"), decision, cell("comment") or None))
    return result
