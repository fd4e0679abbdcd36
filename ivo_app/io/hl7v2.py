"""HL7 v2.5 messages (IHE PAM with the French national extension) → canonical identity records.

Messages are read in the order of the file (files of a folder in name order) and applied to a table of
patients keyed on (assigning authority, IPP): the IPP is the PID-3 identifier of type PI, its domain
the CX-4 assigning authority (namespace & OID). Two authorities are two domains: never merged, counted
apart in the report, and the patients of the secondary domains stored as `IPP@AUTORITE`.

- A later message for the same patient updates it (HL7 rule: an empty field changes nothing, `""`
  clears it) and the report lists which fields each event changed (labels, never values);
- A47 (change of identifier): MRG-1 is the former IPP, PID-3 the new one;
- A40 (merge; A34/A36 of older feeds): every PI repetition of every MRG-1 is merged into the PID-3
  patient;
- PID-3 INS by its OID (…4.8 INS-NIR, …4.9 INS-NIA, …4.10 test, …4.11 demo) or type (INS, INS-NIR,
  INS-NIA); the legacy INS-C (OID …4.2, type INS-C) and NH are never the INS (kept as extras);
  a PID-3 with only an INS is refused with that reason, or keyed on the INS (`key_without_ipp`);
- PID-5 type L = birth name (1), first first name (2), list of birth first names (3); type D = used
  name and used first name; PID-7 birth date; PID-8 sex; PID-11 of type BDL = birthplace (INSEE
  code, component 9);
- PID-32: the status (VIDE, PROV, VALI, RECUP, QUAL) and the RNIV attributes (DOUT, FICT, HOMA);
  every other code (HOMD "homonyme détecté", DOUB, COLP...) is kept as an extra, never an attribute.

MSH-18 is a hint: bytes that are valid UTF-8 are read as UTF-8 whatever it declares (said in the
report when it declared another set); bytes that are not are read in the declared set, and a file
declaring UTF-8 that is not is read as Windows-1252 with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ivo_app.errors import UnreadableFileError
from ivo_app.io.mapping import FIELD_LABELS, ColumnMapping
from ivo_app.io.report import ReadReport, main_domain, matches_authority, qualified_ipp
from ivo_app.io.sources import FileFacts, RawRecord, SourceRejection, check_whole_file_size, register_reader

INS_OIDS = {"1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9", "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11"}
INS_C_OID = "1.2.250.1.213.1.4.2"
INS_TYPES = {"INS", "INS-NIR", "INS-NIA", "INS-NIR-TEST", "INS-NIR-DEMO"}
STATUS_CODES = {"VIDE": "", "PROV": "PROV", "VALI": "VALI", "RECUP": "RECUP", "QUAL": "QUAL"}
# The RNIV attributes. HOMD is "homonyme détecté", a management code, not the attribute HOMA.
ATTRIBUTE_CODES = {"DOUT": "DOUTEUSE", "DOUTEUSE": "DOUTEUSE", "FICT": "FICTIVE", "FICTIVE": "FICTIVE",
                   "HOMA": "HOMONYME", "HOMONYME": "HOMONYME"}  # fmt: skip
CHARSETS = {"8859/1": "latin-1", "8859/15": "iso-8859-15", "UNICODE UTF-8": "utf-8", "UNICODE": "utf-8",
            "UTF-8": "utf-8", "ASCII": "ascii"}  # fmt: skip
CHARSET_LABELS = {"latin-1": "ISO 8859-1", "iso-8859-15": "ISO 8859-15", "utf-8": "UTF-8", "ascii": "ASCII",
                  "cp1252": "Windows-1252"}  # fmt: skip
IPP_TYPES = ("PI", "MR")  # in this order: PAM FR's IPP, then the MRN of feeds from elsewhere
MERGES = {"A40", "A34", "A36"}  # A34/A36: the merges of HL7 before 2.5, same MRG-1 reading
SUFFIXES = {".hl7", ".txt", ".er7", ".adt", ".msg"}
ENVELOPES = ("FHS", "BHS", "BTS", "FTS")


def looks_hl7(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    return text.startswith((b"MSH|", b"FHS|", b"BHS|"))


def detect(path: Path, head: bytes) -> bool:
    if path.is_dir():
        return any(looks_hl7(f.read_bytes()[:64]) for f in _files(path)[:5])
    return looks_hl7(head)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def declared_charset(raw: bytes) -> tuple[str, str | None]:
    """(MSH-18 as written, its Python codec) of the first MSH of `raw`."""
    match = re.search(rb"MSH(.)", raw)
    if not match:
        return "", None
    sep = match.group(1)
    segment = re.split(rb"[\r\n]", raw[match.start() :], maxsplit=1)[0]
    fields = segment.split(sep)
    if len(fields) <= 17:
        return "", None
    written = fields[17].decode("ascii", "replace").split("^")[0].strip()
    return written, CHARSETS.get(written.upper())


def decode_with_note(raw: bytes, name: str) -> tuple[str, str, str | None]:
    """(text, codec used, note for the report when the bytes contradict MSH-18)."""
    written, declared = declared_charset(raw)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        note = None
        if declared not in (None, "utf-8") and not raw.isascii():
            note = (
                f"{name} : MSH-18 déclare « {written} » mais les octets sont de l'UTF-8 valide : "
                "lu en UTF-8 (sinon les accents seraient altérés)."
            )
        return text, "utf-8", note
    if declared and declared not in ("utf-8", "ascii"):
        return raw.decode(declared, "replace"), declared, None
    text = raw.decode("cp1252", "replace")
    if declared in ("utf-8", "ascii"):
        return (
            text,
            "cp1252",
            (
                f"{name} : MSH-18 déclare « {written} » mais les octets ne sont pas de l'UTF-8 : lu en "
                "Windows-1252, à vérifier (conflit de jeu de caractères)."
            ),
        )
    return text, "cp1252", f"{name} : aucun jeu de caractères déclaré (MSH-18), octets lus en Windows-1252."


def decode(raw: bytes, name: str) -> str:
    """The text of a file (see `decode_with_note`)."""
    return decode_with_note(raw, name)[0]


_SEGMENT_END = re.compile(r"\r\n|\r|\n")
# Bounds of one message, checked before it is split into fields: no ADT segment is a megabyte long,
# no field of an identity has a hundred repetitions (a PID-3 holds a few identifiers).
MAX_SEGMENT = 1 << 20
MAX_REPETITIONS = 100


def iter_messages(text: str) -> Iterator[str]:
    """Messages of a file, one at a time (one per MSH; batch envelopes FHS, BHS, BTS, FTS dropped):
    only the message being read is split, never the whole file at once."""
    current: list[str] = []
    position = 0
    for end in _SEGMENT_END.finditer(text):
        seg, position = text[position : end.start()], end.end()
        if seg.strip():
            current = yield from _add_segment(current, seg)
    seg = text[position:]
    if seg.strip():
        current = yield from _add_segment(current, seg)
    if current:
        yield "\r".join(current)


def _add_segment(current: list[str], seg: str) -> Generator[str, None, list[str]]:
    kind = seg[:3]
    if kind in ENVELOPES:
        return current
    if kind == "MSH":
        if current:
            yield "\r".join(current)
        return [seg]
    if current:
        current.append(seg)
    return current


def split_messages(text: str) -> list[str]:
    """Messages of a file (see `iter_messages`)."""
    return list(iter_messages(text))


class MessageError(ValueError):
    """A message that cannot be read; its text is the French reason."""


@dataclass
class Message:
    """One message split by its own separators (MSH-1, MSH-2): some ANS examples declare "^˜\\&"
    (U+02DC as the repetition separator) and use it consistently, so MSH-2 is what counts."""

    segments: list[list[str]]
    field_sep: str = "|"
    component: str = "^"
    repetition: str = "~"
    escape: str = "\\"
    subcomponent: str = "&"

    @classmethod
    def parse(cls, raw: str) -> Message:
        if not raw.startswith("MSH") or len(raw) < 8:
            raise MessageError("segment MSH illisible")
        fs = raw[3]
        chars = raw[4:8]
        msg = cls([], fs, *chars[:1], *chars[1:2], *chars[2:3], *chars[3:4])
        for seg in raw.split("\r"):
            if not seg:
                continue
            if len(seg) > MAX_SEGMENT:
                raise MessageError(f"segment {seg[:3]} de plus de {MAX_SEGMENT // (1 << 20)} Mo")
            parts = seg.split(fs)
            if parts[0] == "MSH":  # MSH-1 is the separator itself: MSH-n is parts[n - 1]
                parts = ["MSH", fs, *parts[1:]]
            msg.segments.append(parts)
        return msg

    def field(self, segment: list[str], n: int) -> str:
        return segment[n] if len(segment) > n else ""

    def reps(self, value: str) -> list[str]:
        if not value:
            return []
        if value.count(self.repetition) >= MAX_REPETITIONS:  # counted before anything is split
            raise MessageError(f"champ de plus de {MAX_REPETITIONS} répétitions")
        return value.split(self.repetition)

    def comps(self, value: str, size: int = 10) -> list[str]:
        parts = value.split(self.component)
        return parts + [""] * (size - len(parts))

    def subs(self, value: str, size: int = 3) -> list[str]:
        parts = value.split(self.subcomponent)
        return parts + [""] * (size - len(parts))

    def text(self, value: str) -> str:
        if self.escape and self.escape in value:
            value = _unescape(value, self)
        return value.strip()

    def first(self, kind: str) -> list[str] | None:
        return next((s for s in self.segments if s[0] == kind), None)


def _unescape(value: str, msg: Message) -> str:
    e = re.escape(msg.escape)
    table = {"F": msg.field_sep, "S": msg.component, "T": msg.subcomponent, "R": msg.repetition,
             "E": msg.escape, ".br": " ", "H": "", "N": ""}  # fmt: skip

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code in table:
            return table[code]
        if code.startswith("X") and re.fullmatch(r"X([0-9A-Fa-f]{2})+", code):
            return bytes.fromhex(code[1:]).decode("latin-1")
        return match.group(0)

    return re.sub(f"{e}([^{e}]*){e}", one, value)


@dataclass
class Identifier:
    value: str
    namespace: str
    oid: str
    id_type: str

    @property
    def domain(self) -> str:
        """The key of its identifier domain: the authority's OID, else its namespace."""
        return self.oid or self.namespace

    @property
    def label(self) -> str:
        if self.namespace and self.oid:
            return f"{self.namespace} ({self.oid})"
        return self.namespace or self.oid or "(sans autorité)"

    @property
    def short(self) -> str:
        return self.namespace or self.oid or "?"

    @property
    def is_ins_c(self) -> bool:
        return self.oid == INS_C_OID or self.id_type == "INS-C"

    @property
    def is_ins(self) -> bool:
        if self.is_ins_c or self.id_type == "NH":
            return False
        return self.oid in INS_OIDS or self.id_type in INS_TYPES


def identifiers(msg: Message, value: str) -> list[Identifier]:
    out = []
    for rep in msg.reps(value):
        comp = msg.comps(rep)
        authority = msg.subs(comp[3])
        ident = msg.text(msg.subs(comp[0])[0])
        if ident:
            out.append(Identifier(ident, msg.text(authority[0]), msg.text(authority[1]), msg.text(comp[4])))
    return out


def pick_ipp(found: list[Identifier], expected: str | None) -> Identifier | None:
    """The IPP: type PI (of the expected authority when there is one); failing that MR (the medical
    record number of feeds outside France), then an untyped identifier."""
    for kind in IPP_TYPES:
        typed = [i for i in found if i.id_type == kind]
        if expected:
            wanted = expected.strip().upper()
            for i in typed:
                if wanted in (i.oid.upper(), i.namespace.upper()):
                    return i
        if typed:
            return typed[0]
    untyped = [i for i in found if not i.id_type and not i.is_ins and not i.is_ins_c]
    return untyped[0] if untyped else None


def _set(fields: dict[str, str], name: str, value: str) -> None:
    """HL7 rule: an empty field changes nothing; `""` clears the value."""
    if value == '""':
        fields[name] = ""
    elif value:
        fields[name] = value


def patient_fields(msg: Message, pid: list[str]) -> tuple[dict[str, str], dict[str, str], list[Identifier]]:
    """Traits (only those present), extras and PID-3 identifiers of one PID segment."""
    fields: dict[str, str] = {}
    extra: dict[str, str] = {}
    found = identifiers(msg, msg.field(pid, 3))
    ins = [i for i in found if i.is_ins]
    if ins:
        fields["matricule_ins"], fields["oid_ins"] = ins[0].value, ins[0].oid
        if len(ins) > 1:
            extra["autres_ins"] = " ".join(f"{i.value} ({i.oid or i.id_type})" for i in ins[1:])
    legacy = [i for i in found if i.is_ins_c]
    if legacy:
        extra["ins_c"] = " ".join(i.value for i in legacy)  # legacy computed INS: never the INS
    nss = [i for i in found if i.id_type == "NH"]
    if nss:
        extra["nss"] = " ".join(i.value for i in nss)
    for rep in msg.reps(msg.field(pid, 5)):
        comp = [msg.text(c) for c in msg.comps(rep)]
        family = msg.text(msg.subs(msg.comps(rep)[0])[0])
        if comp[6] == "L":
            _set(fields, "nom_naissance", family)
            _set(fields, "premier_prenom", comp[1])
            _set(fields, "prenoms_naissance", comp[2])
        elif comp[6] == "D":
            _set(fields, "nom_utilise", family)
            _set(fields, "prenom_utilise", comp[1])
    birth = msg.text(msg.comps(msg.field(pid, 7))[0])
    if birth == '""':
        fields["date_naissance"] = ""
    elif birth:
        day = birth[:8]
        fields["date_naissance"] = (
            f"{day[:4]}-{day[4:6]}-{day[6:8]}" if len(day) == 8 and day.isdigit() else birth
        )
    sex = msg.text(msg.field(pid, 8))
    _set(fields, "sexe", {"U": "I", "O": "I", "A": "I", "N": "I"}.get(sex, sex))
    for rep in msg.reps(msg.field(pid, 11)):
        comp = [msg.text(c) for c in msg.comps(rep)]
        if comp[6] == "BDL":
            _set(fields, "lieu_naissance", comp[8])
    reliability = msg.field(pid, 32)
    if reliability:
        codes = [msg.text(msg.comps(rep)[0]) for rep in msg.reps(reliability)]
        statuses = [STATUS_CODES[c] for c in codes if c in STATUS_CODES]
        fields["statut"] = statuses[-1] if statuses else ""
        fields["attributs"] = " ".join(sorted({ATTRIBUTE_CODES[c] for c in codes if c in ATTRIBUTE_CODES}))
        others = [c for c in codes if c and c not in STATUS_CODES and c not in ATTRIBUTE_CODES]
        if others:
            extra["pid32_autres_codes"] = " ".join(others)
    return fields, extra, found


@dataclass
class Patient:
    number: int
    ipp: str
    domain: str
    fields: dict[str, str]
    extra: dict[str, str] = field(default_factory=dict)


class HL7Source:
    format = "hl7v2"
    encoding: str | None = None
    mapping: ColumnMapping | None = None

    def __init__(self, path: Path, mapping: ColumnMapping | None, facts: FileFacts) -> None:
        self.path = path
        self.files = _files(path) if path.is_dir() else [path]
        if not self.files:
            raise UnreadableFileError(f"Aucun message HL7 dans {path.name}.")
        self.mapping = mapping  # its status overrides, expected authority and key without IPP apply
        self.expected = mapping.expected_authority if mapping else None
        self.key_without_ipp = (mapping.key_without_ipp if mapping else None) or "refuse"
        self.report = ReadReport()
        self._done = 0

    def position(self) -> tuple[int, int]:
        return (self._done, len(self.files))

    def __iter__(self) -> Iterator[RawRecord | SourceRejection]:
        self.report = ReadReport()
        self.patients: dict[tuple[str, str], Patient] = {}
        self.labels: dict[str, str] = {}
        self.short: dict[str, str] = {}
        number = 0
        encodings = set()
        for file in self.files:
            try:
                check_whole_file_size(file, file.stat().st_size)  # before anything is read
                raw = file.read_bytes()
            except OSError as exc:
                raise UnreadableFileError(f"Fichier illisible : {file.name} ({exc.strerror}).") from exc
            text, codec, note = decode_with_note(raw, file.name)
            del raw  # the decoded text is what is read from now on
            encodings.add(codec)
            if note:
                self.report.notes.append(note)
            for raw_message in iter_messages(text):
                number += 1
                where = f"{file.name}, message {number}"
                try:
                    yield from self._apply(Message.parse(raw_message), number, where)
                except MessageError as exc:
                    self.report.refuse("", "message_invalide")
                    yield SourceRejection(number, "message_invalide", f"{where} : {exc}")
            self._done += 1
        self.encoding = encodings.pop() if len(encodings) == 1 else ", ".join(sorted(encodings)) or None
        yield from self._records()

    # --- events -----------------------------------------------------------------------------------

    def _apply(self, msg: Message, number: int, where: str) -> Iterator[SourceRejection]:
        msh = msg.segments[0]
        kind = msg.comps(msg.field(msh, 9))
        event = msg.text(kind[1]) or msg.text(kind[0])
        label = "^".join(p for p in (msg.text(kind[0]), msg.text(kind[1])) if p)
        system = "/".join(p for p in (msg.text(msg.field(msh, 3)), msg.text(msg.field(msh, 4))) if p)
        pids = [i for i, s in enumerate(msg.segments) if s[0] == "PID"]
        if not pids:
            self.report.refuse("", "message_sans_patient")
            yield SourceRejection(number, "message_sans_patient", f"{where} ({label}) : aucun segment PID")
            return
        for k, index in enumerate(pids):
            end = pids[k + 1] if k + 1 < len(pids) else len(msg.segments)
            mrg = next((s for s in msg.segments[index:end] if s[0] == "MRG"), None)
            yield from self._patient(msg, msg.segments[index], mrg, number, where, event, system)

    def _key(self, found: list[Identifier], fields: dict[str, str]) -> tuple[str, str, str] | None:
        """(domain key, domain label, IPP) of a PID-3, or None when it has no IPP."""
        ipp = pick_ipp(found, self.expected)
        if ipp is not None:
            self.labels.setdefault(ipp.domain, ipp.label)
            self.short.setdefault(ipp.domain, ipp.short)
            return ipp.domain, ipp.label, ipp.value
        if self.key_without_ipp == "ins" and fields.get("matricule_ins"):
            self.labels.setdefault("INS", "INS (sans IPP)")
            self.short.setdefault("INS", "INS")
            return "INS", "INS (sans IPP)", fields["matricule_ins"]
        return None

    def _patient(
        self,
        msg: Message,
        pid: list[str],
        mrg: list[str] | None,
        number: int,
        where: str,
        event: str,
        system: str,
    ) -> Iterator[SourceRejection]:
        fields, extra, found = patient_fields(msg, pid)
        key = self._key(found, fields)
        if key is None:
            if any(i.is_ins for i in found):
                reason = "PID-3 ne contient que l'INS, aucun IPP (identifiant de type PI)"
                code = "ins_sans_ipp"
            else:
                reason = "PID-3 sans IPP (aucun identifiant de type PI)"
                code = "ipp_manquant"
            self.report.refuse("", code)
            yield SourceRejection(number, code, f"{where} ({event}) : {reason}")
            return
        domain, label, ipp = key
        if not any(i.id_type == "PI" for i in found) and any(i.id_type == "MR" for i in found):
            extra["ipp_type"] = "MR"  # no PI: the medical record number is the key (said per patient)
        others = [i for i in found if i.id_type in IPP_TYPES and (i.domain, i.value) != (domain, ipp)]
        if others:  # the patient's IPPs in other domains: kept, never a key of their own
            extra["autres_ipp"] = " ".join(f"{i.value}@{i.short}" for i in others)
        counts = self.report.domain(domain, label)
        counts.read += 1
        if system:
            counts.systems.add(system)
        if event == "A47" and mrg is not None:
            self._change_identifier(msg, mrg, domain, ipp, number, event)
        elif event in MERGES and mrg is not None:
            self._merge(msg, mrg, domain, ipp, number, event)
        self._upsert(domain, ipp, fields, extra, number, event)

    def _mrg_keys(self, msg: Message, mrg: list[str], domain: str) -> list[tuple[str, str]]:
        """Every (domain, IPP) of MRG-1: its PI repetitions (else MR, else untyped ones)."""
        found = [i for i in identifiers(msg, msg.field(mrg, 1)) if not i.is_ins and not i.is_ins_c]
        for kind in (*IPP_TYPES, ""):
            typed = [i for i in found if i.id_type == kind]
            if typed:
                return [(i.domain or domain, i.value) for i in typed]
        return []

    def _change_identifier(
        self, msg: Message, mrg: list[str], domain: str, ipp: str, number: int, event: str
    ) -> None:
        for old in self._mrg_keys(msg, mrg, domain)[:1]:  # A47: one former identifier
            counts = self.report.domain(domain)
            if old == (domain, ipp):
                continue
            moved = self.patients.pop(old, None)
            if moved is None:
                self.report.events.append(
                    f"message {number} ({event}) : IPP {old[1]} absent du fichier ; patient lu sous l'IPP {ipp}"
                )
                continue
            counts.merged += 1
            if (domain, ipp) in self.patients:
                self.report.events.append(
                    f"message {number} ({event}) : IPP {old[1]} → {ipp}, qui existait déjà : les deux "
                    "patients n'en font plus qu'un (traits du message)"
                )
            else:
                moved.ipp, moved.domain = ipp, domain
                self.patients[(domain, ipp)] = moved
                self.report.events.append(f"message {number} ({event}) : IPP {old[1]} → {ipp}")

    def _merge(self, msg: Message, mrg: list[str], domain: str, ipp: str, number: int, event: str) -> None:
        for old in self._mrg_keys(msg, mrg, domain):
            if old == (domain, ipp):
                continue
            merged = self.patients.pop(old, None)
            self.report.domain(old[0], self.labels.get(old[0])).merged += merged is not None
            where = "" if merged is not None else " (absent du fichier)"
            self.report.events.append(
                f"message {number} ({event}) : IPP {old[1]}{where} fusionné dans l'IPP {ipp}"
            )

    def _upsert(
        self, domain: str, ipp: str, fields: dict[str, str], extra: dict[str, str], number: int, event: str
    ) -> None:
        current = self.patients.get((domain, ipp))
        if current is None:
            self.patients[(domain, ipp)] = Patient(number, ipp, domain, fields, extra)
            return
        before = current.fields.get("statut") or "vide"
        merged = {**current.fields, **fields}
        changed = [name for name in merged if current.fields.get(name, "") != merged[name]]
        current.fields, current.number = merged, number
        current.extra = {**current.extra, **extra}
        if changed:
            self.report.domain(domain).updated += 1
            labels = ", ".join(FIELD_LABELS.get(n, n).lower() for n in changed)
            status = f" (statut {before} → {merged['statut'] or 'vide'})" if "statut" in changed else ""
            self.report.events.append(f"message {number} ({event}) : IPP {ipp}, modifié : {labels}{status}")

    # --- output -----------------------------------------------------------------------------------

    def _records(self) -> Iterator[RawRecord]:
        per_domain: dict[str, int] = {}
        for patient in self.patients.values():
            per_domain[patient.domain] = per_domain.get(patient.domain, 0) + 1
        main = main_domain(per_domain, self.expected, self.labels)
        if len(per_domain) > 1:
            names = " ; ".join(f"{self.labels.get(d, d)} : {n} patients" for d, n in per_domain.items())
            self.report.notes.append(
                f"{len(per_domain)} domaines d'identification dans le fichier ({names}). Leurs patients ne "
                f"sont jamais fusionnés : hors du domaine principal {self.labels.get(main or '', main)}, "
                "l'IPP est enregistré sous la forme IPP@AUTORITE."
            )
        if self.expected and not any(
            matches_authority(d, self.labels.get(d, ""), self.expected) for d in per_domain
        ):
            self.report.notes.append(
                f"Autorité d'affectation attendue « {self.expected} » absente du fichier."
            )
        for domain, n in per_domain.items():
            counts = self.report.domain(domain)
            counts.kept = n
            counts.qualified = domain != main
        for patient in sorted(self.patients.values(), key=lambda p: p.number):
            key = (
                patient.ipp
                if patient.domain == main
                else qualified_ipp(patient.ipp, self.short[patient.domain])
            )
            extra = {**patient.extra, "domaine": self.labels.get(patient.domain, patient.domain)}
            if key != patient.ipp:
                extra["ipp_source"] = patient.ipp
            yield RawRecord(patient.number, {**patient.fields, "ipp": key}, extra)


register_reader("hl7v2", detect, HL7Source, priority=10)
