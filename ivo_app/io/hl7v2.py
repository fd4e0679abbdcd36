"""HL7 v2.5 ADT messages (IHE PAM with the French national extension) → canonical identity records.

Read with python-hl7; per patient, the latest event wins, and a merge (A40, MRG-1) removes the merged
patient. Where the traits are (PAM FR):
- PID-3 identifiers: the INS by the OID of its assigning authority (.8 INS-NIR, .9 INS-NIA, .10 test,
  .11 demo), the IPP as the identifier of type PI;
- PID-5 names: type L = birth name (component 1), first first name (2), list of birth first names (3);
  type D = used name (1) and used first name (2);
- PID-7 birth date, PID-8 sex, PID-11 repetition of type BDL = birthplace, INSEE code in component 9;
- PID-32 identity reliability codes: the status (VIDE, PROV, VALI, RECUP, QUAL) and the attributes
  (DOUT/DOUTEUSE, FICT/FICTIVE, HOMD/HOMA/HOMONYME); other codes (DOUB, COLP...) are kept as extras.
MSH-18 gives the character set of the file (8859/1, 8859/15, UNICODE UTF-8).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hl7

from ivo_app.errors import UnreadableFileError
from ivo_app.io.mapping import ColumnMapping
from ivo_app.io.sources import FileFacts, RawRecord, SourceRejection, register_reader

INS_OIDS = {"1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9", "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11"}
STATUS_CODES = {"VIDE": "", "PROV": "PROV", "VALI": "VALI", "RECUP": "RECUP", "QUAL": "QUAL"}
ATTRIBUTE_CODES = {"DOUT": "DOUTEUSE", "DOUTEUSE": "DOUTEUSE", "FICT": "FICTIVE", "FICTIVE": "FICTIVE",
                   "HOMD": "HOMONYME", "HOMA": "HOMONYME", "HOMONYME": "HOMONYME"}  # fmt: skip
CHARSETS = {"8859/1": "latin-1", "8859/15": "iso-8859-15", "UNICODE UTF-8": "utf-8", "UNICODE": "utf-8",
            "ASCII": "ascii"}  # fmt: skip
SUFFIXES = {".hl7", ".txt", ".er7", ".adt", ".msg"}


def looks_hl7(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    return text.startswith((b"MSH|", b"FHS|", b"BHS|"))


def detect(path: Path, head: bytes) -> bool:
    if path.is_dir():
        return any(looks_hl7(f.read_bytes()[:64]) for f in _files(path)[:5])
    return looks_hl7(head)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def decode(raw: bytes, name: str) -> str:
    """The text of a file, in the character set its first MSH-18 declares."""
    match = re.search(rb"MSH(.)", raw)
    charset = None
    if match:
        sep = match.group(1)
        segment = raw[match.start() :].split(b"\r", 1)[0].split(b"\n", 1)[0]
        fields = segment.split(sep)
        if len(fields) > 17:
            charset = CHARSETS.get(fields[17].decode("ascii", "replace").split("^")[0].strip().upper())
    for encoding in ([charset] if charset else []) + ["utf-8", "cp1252"]:
        try:
            return raw.decode(encoding).lstrip("\ufeff")
        except (UnicodeDecodeError, LookupError):
            continue
    raise UnreadableFileError(f"Fichier HL7 illisible : {name} (jeu de caractères).")


def split_messages(text: str) -> list[str]:
    """Messages of a file: one per MSH; batch envelopes (FHS, BHS, BTS, FTS) dropped."""
    segments = [s for s in re.split(r"\r\n|\r|\n", text) if s.strip()]
    messages: list[list[str]] = []
    for seg in segments:
        kind = seg[:3]
        if kind in ("FHS", "BHS", "BTS", "FTS"):
            continue
        if kind == "MSH":
            messages.append([seg])
        elif messages:
            messages[-1].append(seg)
    return ["\r".join(m) for m in messages]


def _text(message: Any, value: Any) -> str:
    return message.unescape(str(value)).strip() if value is not None else ""


def _get(message: Any, path: str) -> str:
    try:
        return _text(message, message[path])
    except (IndexError, KeyError):
        return ""


def patient_fields(message: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Canonical fields and extras of the PID segment of one message."""
    pid = message.segment("PID")
    fields: dict[str, str] = {}
    extra: dict[str, str] = {}
    for rep in pid[3] if len(pid) > 3 else []:
        ident = _text(message, rep[0])
        authority = rep[3] if len(rep) > 3 else []
        oid = _text(message, authority[1]) if len(authority) > 1 else ""
        id_type = _text(message, rep[4]) if len(rep) > 4 else ""
        if oid in INS_OIDS or id_type.startswith("INS"):
            fields["matricule_ins"], fields["oid_ins"] = ident, oid
        elif id_type == "PI" or "ipp" not in fields:
            fields["ipp"] = ident
    for rep in pid[5] if len(pid) > 5 else []:
        comp = [_text(message, c) for c in rep] + [""] * 8
        name_type = comp[6]
        if name_type == "L":
            fields["nom_naissance"], fields["premier_prenom"], fields["prenoms_naissance"] = (
                comp[0],
                comp[1],
                comp[2],
            )
        elif name_type == "D":
            fields["nom_utilise"], fields["prenom_utilise"] = comp[0], comp[1]
    birth = _get(message, "PID.F7")[:8]
    if birth:
        fields["date_naissance"] = f"{birth[:4]}-{birth[4:6]}-{birth[6:8]}" if len(birth) == 8 else birth
    fields["sexe"] = {"U": "I", "O": "I", "A": "I"}.get(_get(message, "PID.F8"), _get(message, "PID.F8"))
    for rep in pid[11] if len(pid) > 11 else []:
        comp = [_text(message, c) for c in rep] + [""] * 10
        if comp[6] == "BDL":
            fields["lieu_naissance"] = comp[8]
    codes = [
        _text(message, rep[0] if isinstance(rep, list) else rep) for rep in (pid[32] if len(pid) > 32 else [])
    ]
    statuses = [STATUS_CODES[c] for c in codes if c in STATUS_CODES]
    fields["statut"] = statuses[-1] if statuses else ""
    fields["attributs"] = " ".join(sorted({ATTRIBUTE_CODES[c] for c in codes if c in ATTRIBUTE_CODES}))
    others = [c for c in codes if c and c not in STATUS_CODES and c not in ATTRIBUTE_CODES]
    if others:
        extra["pid32_autres_codes"] = " ".join(others)
    return fields, extra


class HL7Source:
    format = "hl7v2"
    encoding: str | None = None
    mapping: ColumnMapping | None = None

    def __init__(self, path: Path, mapping: ColumnMapping | None, facts: FileFacts) -> None:
        self.path = path
        self.files = _files(path) if path.is_dir() else [path]
        if not self.files:
            raise UnreadableFileError(f"Aucun message HL7 dans {path.name}.")
        self.mapping = mapping  # only its status overrides apply
        self._done = 0

    def position(self) -> tuple[int, int]:
        return (self._done, len(self.files))

    def __iter__(self) -> Iterator[RawRecord | SourceRejection]:
        patients: dict[str, tuple[int, dict[str, str], dict[str, str]]] = {}
        number = 0
        for file in self.files:
            try:
                text = decode(file.read_bytes(), file.name)
            except OSError as exc:
                raise UnreadableFileError(f"Fichier illisible : {file.name} ({exc.strerror}).") from exc
            for raw in split_messages(text):
                number += 1
                try:
                    message = hl7.parse(raw)
                    event = _get(message, "MSH.F9.R1.C2")
                    fields, extra = patient_fields(message)
                except Exception as exc:  # a malformed message is rejected, never fatal
                    yield SourceRejection(
                        number,
                        "message_invalide",
                        f"{file.name}, message {number} : {exc.__class__.__name__}",
                    )
                    continue
                if not fields.get("ipp"):
                    yield SourceRejection(
                        number, "message_invalide", f"{file.name}, message {number} : PID-3 sans IPP"
                    )
                    continue
                if event == "A40":  # merge: the patient of MRG-1 disappears into PID-3's
                    merged = _get(message, "MRG.F1.R1.C1")
                    patients.pop(merged, None)
                patients[fields["ipp"]] = (number, fields, extra)  # the latest event wins
            self._done += 1
        for number, fields, extra in sorted(patients.values(), key=lambda p: p[0]):
            yield RawRecord(number, fields, extra)


register_reader("hl7v2", detect, HL7Source, priority=10)
