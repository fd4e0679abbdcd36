"""Loading the COG reference: the embedded resources, completed by INSEE's historical file.

The embedded reference (resources/cog, built by scripts/build_cog.py) lists every code that exists
today plus former codes of merged communes, without dates. A user can load INSEE's historical commune
file (France*.txt with historiq*.txt, tab separated, Windows-1252: the format INSEE still publishes);
it is copied to the user's data directory and gives codes their validity dates.
"""

from __future__ import annotations

import csv
import gzip
import shutil
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from ivo_app import paths
from ivo_app.errors import IvoError
from ivo_app.rules.cog import CogReference, Commune, Country, embedded_events

_ACTUAL_KIND = {
    "1": "current",
    "2": "associated",
    "3": "former",
    "4": "former",
    "5": "arrondissement",
    "6": "delegated",
    "9": "former",
}


def _iso(text: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def history_dir() -> Path:
    return paths.data_dir() / "cog"


def read_embedded() -> CogReference:
    base = paths.resource("cog")
    with gzip.open(base / "communes.csv.gz", "rt", encoding="utf-8") as fh:
        communes = [
            Commune(
                code=r["code"],
                name=r["nom"],
                kind=r["type"],
                population=int(r["population"] or 0),
                successor=(r.get("parent") or None) if r["type"] == "former" else None,
            )
            for r in csv.DictReader(fh, delimiter=";")
        ]
    with open(base / "pays.csv", encoding="utf-8") as fh:
        countries = [
            Country(
                code=r["code"],
                name=r["libelle"],
                start=_iso(r["date_debut"]),
                end=_iso(r["date_fin"]),
                attached_to=r["code_rattachement"] or None,
            )
            for r in csv.DictReader(fh, delimiter=";")
        ]
    return CogReference(embedded_events(communes), countries)


def read_insee_history(france: Path, historiq: Path | None = None) -> CogReference:
    """Parse INSEE's France*.txt (and optionally historiq*.txt for the dates of the events)."""
    try:
        with open(france, encoding="cp1252", newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
    except (OSError, UnicodeDecodeError) as exc:
        raise IvoError(f"Fichier du COG illisible : {france.name}.") from exc
    if not rows or not {"ACTUAL", "DEP", "COM"} <= set(rows[0]):
        raise IvoError(f"{france.name} n'est pas un fichier historique des communes de l'INSEE.")
    ends: dict[str, date] = {}
    starts: dict[str, date] = {}
    if historiq is not None and historiq.exists():
        with open(historiq, encoding="cp1252", newline="") as fh:
            for r in csv.DictReader(fh, delimiter="\t"):
                code, effective, mod = r["DEP"] + r["COM"], _iso(r["EFF"]), r["MOD"]
                if effective is None or not mod:
                    continue
                if mod.startswith(("3", "4")):  # removal, merger, change of department
                    ends[code] = max(effective, ends.get(code, effective))
                elif mod.startswith("2"):  # creation, re-establishment
                    starts[code] = min(effective, starts.get(code, effective))
    communes = []
    for r in rows:
        dep, com = r["DEP"].strip(), r["COM"].strip()
        code = dep + (com[-2:] if len(dep) == 3 else com)  # overseas: 3-character department
        kind = _ACTUAL_KIND.get(r["ACTUAL"].strip(), "former")
        communes.append(
            Commune(
                code=code,
                name=(r.get("NCCENR") or r.get("NCC") or "").strip(),
                kind=kind,
                start=starts.get(code),
                end=ends.get(code) if kind == "former" else None,
            )
        )
    return CogReference(communes, [])


def import_insee_history(path: Path) -> int:
    """Keep the user's INSEE historical file (and historiq* beside it) for the next loads."""
    path = Path(path)
    reference = read_insee_history(path, _historiq_beside(path))  # validates before copying
    target = history_dir()
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, target / "France.txt")
    historiq = _historiq_beside(path)
    if historiq:
        shutil.copy2(historiq, target / "historiq.txt")
    load_reference.cache_clear()
    return len(reference)


def _historiq_beside(france: Path) -> Path | None:
    found = sorted(france.parent.glob("historiq*.txt"))
    return found[0] if found else None


@lru_cache(maxsize=1)
def load_reference() -> CogReference:
    """The reference the rules use: embedded, completed by the user's historical file if loaded."""
    reference = read_embedded()
    france = history_dir() / "France.txt"
    if france.exists():
        reference = reference.merge(read_insee_history(france, history_dir() / "historiq.txt"))
    return reference
