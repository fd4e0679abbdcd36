"""Loading the COG reference: the embedded resources, completed by INSEE's historical files.

The embedded reference (resources/cog, built by scripts/build_cog.py) lists every code that exists
today plus former codes of merged communes, without dates; `rules.cog.embedded_events` dates the
events every CIV meets. A user can load INSEE's historical commune files, in either of the two
formats INSEE has published:

- the text format (France*.txt with historiq*.txt of the same vintage, tab separated, Windows-1252):
  `France` lists every code since 1943, `historiq` the events (MOD, EFF);
- the CSV format (v_commune_depuis_1943.csv, with v_mvt_commune_AAAA.csv beside it, comma
  separated, UTF-8): one row per version of each code with its DATE_DEBUT / DATE_FIN, and the
  events (MOD, DATE_EFF, COM_AV → COM_AP).

Only real creations, deletions and code changes date a code: a commune giving up territory for a
creation or a re-establishment, a re-established commune (its code existed before), a fraction, a
change of name, canton or chief town is not a creation nor a deletion.
"""

from __future__ import annotations

import csv
import gzip
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
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
# historiq*.txt (3-digit MOD): what ends a code, what starts one. Everything else (100-130 names,
# 210 re-establishment, 220/230 communes giving up territory, 320/340/341/360 absorbing communes,
# 330/331 communes becoming associated or delegated, 390 communes receiving territory, 420-431
# cantons and arrondissements, 500 fractions, 600-630 chief towns and parcels, 700, 990) dates nothing.
_TXT_CREATION = frozenset({"200"})
_TXT_DELETION = frozenset({"300", "310", "311", "312", "332", "333", "350"})
_TXT_CODE_CHANGE = frozenset({"410", "411"})  # row = the new code, DEPANC = the old code
# v_mvt_commune (2-digit MOD): 20 creation, 30 deletion, 31 merger, 32 commune nouvelle, 34 associated
# commune merged, 35 delegated commune removed, 41 code change (department), 50 code change (chief town).
_CSV_SUCCESSION = frozenset({"30", "31", "32", "33", "34", "35", "41", "50"})
_TYPECOM = {"COM": "current", "COMA": "associated", "COMD": "delegated", "ARM": "arrondissement"}
_SINCE_1943 = date(1943, 1, 1)  # the files' first day: "valid since before any birth we check"


@dataclass(frozen=True)
class HistoryFiles:
    """The INSEE files one import reads: the communes file and its events file (or None)."""

    communes: Path
    events: Path | None
    format: str  # "txt" | "csv"


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


@lru_cache(maxsize=1)
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


def _vintage(path: Path) -> str:
    """The year in an INSEE file name (France2017.txt → 2017), or ''."""
    found = re.findall(r"(?:19|20)[0-9]{2}", path.stem)
    return found[-1] if found else ""


def history_files(path: Path, events: Path | None = None) -> HistoryFiles:
    """The files an import reads: the one given, and its events file of the same vintage
    (given, or found beside it; never just the first `historiq*` of the folder)."""
    path = Path(path)
    if not path.is_file():
        raise IvoError(f"Fichier introuvable : {path}.")
    name = path.name.lower()
    fmt = "csv" if path.suffix.lower() == ".csv" else "txt"
    if events is not None:
        if not Path(events).is_file():
            raise IvoError(f"Fichier des événements introuvable : {events}.")
        return HistoryFiles(path, Path(events), fmt)
    if fmt == "txt":
        if name.startswith("historiq"):
            raise IvoError(
                f"{path.name} est le fichier des événements : donner le fichier des communes "
                "(France…txt) de la même année."
            )
        wanted = f"historiq{_vintage(path)}.txt"
        match = [p for p in path.parent.iterdir() if p.name.lower() == wanted]
        return HistoryFiles(path, match[0] if match else None, fmt)
    if name.startswith("v_mvt_commune"):
        raise IvoError(
            f"{path.name} est le fichier des mouvements : donner v_commune_depuis_1943.csv "
            "(avec --evenements pour les mouvements)."
        )
    candidates = sorted(p for p in path.parent.iterdir() if p.name.lower().startswith("v_mvt_commune"))
    year = _vintage(path) if _vintage(path) != "1943" else ""
    if year:
        candidates = [p for p in candidates if _vintage(p) == year]
    if len(candidates) > 1:
        raise IvoError(
            f"Plusieurs fichiers des mouvements à côté de {path.name} "
            f"({', '.join(p.name for p in candidates)}) : indiquer le bon avec --evenements."
        )
    return HistoryFiles(path, candidates[0] if candidates else None, fmt)


def read_history(files: HistoryFiles) -> CogReference:
    if files.format == "csv":
        return read_insee_csv(files.communes, files.events)
    return read_insee_history(files.communes, files.events)


def read_insee_history(france: Path, historiq: Path | None = None) -> CogReference:
    """Parse INSEE's France*.txt, dated by historiq*.txt (the same vintage) when given."""
    rows = _read_rows(france, "cp1252", "\t")
    if not rows or not {"ACTUAL", "DEP", "COM"} <= set(rows[0]):
        raise IvoError(f"{france.name} n'est pas un fichier historique des communes de l'INSEE.")
    ends: dict[str, date] = {}
    starts: dict[str, date] = {}
    successors: dict[str, str] = {}
    origins: dict[str, str] = {}
    if historiq is not None:
        events = _read_rows(historiq, "cp1252", "\t")
        if events and not {"DEP", "COM", "EFF", "MOD"} <= set(events[0]):
            raise IvoError(f"{historiq.name} n'est pas un fichier des événements (historiq) de l'INSEE.")
        first_event: dict[str, date] = {}
        for r in events:
            code, effective = _code(r["DEP"], r["COM"]), _iso(r["EFF"])
            if effective is not None and (r["MOD"] or "").strip() not in _TXT_CREATION:
                first_event[code] = min(effective, first_event.get(code, effective))
        for r in events:
            code, effective, mod = _code(r["DEP"], r["COM"]), _iso(r["EFF"]), (r["MOD"] or "").strip()
            if effective is None:
                continue
            if mod in _TXT_CREATION:
                if code in first_event and first_event[code] < effective:
                    continue  # the code had a life before: a re-establishment INSEE coded 200
                starts[code] = min(effective, starts.get(code, effective))
                origin = (r.get("COMECH") or "").strip()
                if len(origin) == 5:
                    origins.setdefault(code, origin)
            elif mod in _TXT_DELETION:
                ends[code] = max(effective, ends.get(code, effective))
            elif mod in _TXT_CODE_CHANGE:
                starts[code] = min(effective, starts.get(code, effective))
                old = (r.get("DEPANC") or "").strip()
                if len(old) == 5 and old != code:
                    ends[old] = max(effective, ends.get(old, effective))
                    successors[old] = code
    communes = []
    for r in rows:
        code = _code(r["DEP"], r["COM"])
        kind = _ACTUAL_KIND.get(r["ACTUAL"].strip(), "former")
        communes.append(
            Commune(
                code=code,
                name=(r.get("NCCENR") or r.get("NCC") or "").strip(),
                kind=kind,
                start=starts.get(code),
                # Ends only for codes no longer in use: a current code absorbed once then
                # re-established stays valid.
                end=ends.get(code) if kind == "former" else None,
                successor=successors.get(code) or ((r.get("POLE") or "").strip() or None),
                origin=origins.get(code),
            )
        )
    return CogReference(communes, [])


def read_insee_csv(communes_file: Path, events: Path | None = None) -> CogReference:
    """Parse INSEE's v_commune_depuis_1943.csv (one row per version of a code, with its dates),
    and v_mvt_commune_AAAA.csv for the codes that took over."""
    rows = _read_rows(communes_file, "utf-8-sig", ",")
    if not rows or not {"COM", "DATE_DEBUT", "DATE_FIN"} <= set(rows[0]):
        raise IvoError(f"{communes_file.name} n'est pas le fichier des communes depuis 1943 de l'INSEE.")
    successors: dict[str, str] = {}
    if events is not None:
        moves = _read_rows(events, "utf-8-sig", ",")
        if moves and not {"MOD", "DATE_EFF", "COM_AV", "COM_AP"} <= set(moves[0]):
            raise IvoError(f"{events.name} n'est pas le fichier des mouvements des communes de l'INSEE.")
        for m in moves:
            before, after = (m["COM_AV"] or "").strip(), (m["COM_AP"] or "").strip()
            if (
                (m["MOD"] or "").strip() in _CSV_SUCCESSION
                and before != after
                and m.get("TYPECOM_AV", "COM") == "COM"
                and m.get("TYPECOM_AP", "COM") == "COM"
            ):
                successors[before] = after
    communes = []
    for r in rows:
        code = (r["COM"] or "").strip()
        start, end = _iso(r["DATE_DEBUT"]), _iso(r["DATE_FIN"])
        typecom = (r.get("TYPECOM") or "COM").strip()  # the 2025 files add it
        communes.append(
            Commune(
                code=code,
                name=(r.get("NCCENR") or r.get("LIBELLE") or "").strip(),
                kind=_TYPECOM.get(typecom, "current") if end is None else "former",
                start=None if start is None or start <= _SINCE_1943 else start,
                end=end,
                successor=successors.get(code),
            )
        )
    return CogReference(_joined_versions(communes), [])


def _joined_versions(communes: Iterable[Commune]) -> list[Commune]:
    """One interval per run of consecutive versions (a change of name ends one version and starts
    the next on the same day; the code stays valid)."""
    by_code: dict[str, list[Commune]] = {}
    for c in communes:
        by_code.setdefault(c.code, []).append(c)
    out: list[Commune] = []
    for versions in by_code.values():
        versions.sort(key=lambda c: c.start or date.min)
        current = versions[0]
        for v in versions[1:]:
            if current.end is not None and (v.start or date.min) <= current.end:
                current = Commune(
                    current.code,
                    v.name,
                    v.kind,
                    current.start,
                    None if v.end is None else max(v.end, current.end),
                    successor=v.successor or current.successor,
                )
            else:
                out.append(current)
                current = v
        out.append(current)
    return out


def _code(dep: str, com: str) -> str:
    dep, com = dep.strip(), com.strip()
    return dep + (com[-2:] if len(dep) == 3 else com)  # overseas: 3-character department


def _read_rows(path: Path, encoding: str, delimiter: str) -> list[dict[str, str]]:
    try:
        with open(path, encoding=encoding, newline="") as fh:
            return list(csv.DictReader(fh, delimiter=delimiter))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise IvoError(f"Fichier du COG illisible : {path.name}.") from exc


def import_insee_history(path: Path, events: Path | None = None) -> int:
    """Keep the user's INSEE files in the user's data directory for the next loads (the window's
    Outils menu; `ivo cog import` keeps them in the database given with --db instead)."""
    files = history_files(Path(path), events)
    reference = read_history(files)  # validates before copying
    target = history_dir()
    target.mkdir(parents=True, exist_ok=True)
    for old in target.iterdir():
        old.unlink()
    suffix = ".csv" if files.format == "csv" else ".txt"
    shutil.copy2(files.communes, target / f"communes{suffix}")
    if files.events:
        shutil.copy2(files.events, target / f"evenements{suffix}")
    load_reference.cache_clear()
    return len(reference)


@lru_cache(maxsize=1)
def load_reference() -> CogReference:
    """The reference the rules use: embedded, completed by the files kept in the user's data
    directory if any (services.cog_reference adds the ones kept in a database)."""
    reference = read_embedded()
    target = history_dir()
    for suffix, fmt in ((".csv", "csv"), (".txt", "txt")):
        communes = target / f"communes{suffix}"
        if communes.exists():
            events = target / f"evenements{suffix}"
            files = HistoryFiles(communes, events if events.exists() else None, fmt)
            return reference.merge(read_history(files))
    legacy = target / "France.txt"  # kept by earlier versions
    if legacy.exists():
        historiq = target / "historiq.txt"
        reference = reference.merge(read_insee_history(legacy, historiq if historiq.exists() else None))
    return reference
