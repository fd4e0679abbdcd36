"""The RNIV rules over identity records: structured findings, no text (see catalogue.py).

`check_record` runs the rules that need one record; `CrossRecordRules` collects a compact key per
record while the records stream by, then runs the rules that need the whole extraction (shared
matricules, homonyms, copied used names, suspected collisions) with dictionaries, never pairwise.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ivo_app.rules import nir
from ivo_app.rules.catalogue import RULES, default_severity, visible_char
from ivo_app.rules.cog import CORSICA_SPLIT, ILE_DE_FRANCE_SPLIT, CogReference, PlaceFault
from ivo_app.rules.normalize import normalize_name
from ivo_app.rules.record import (
    OID_INS_NIA,
    OID_INS_NIR,
    OID_INS_NIR_DEMO,
    OID_INS_NIR_TEST,
    OID_NSS_NIA,
    OID_NSS_NIR,
    STATUSES,
    IdentityRecord,
)

INS_OIDS = frozenset({OID_INS_NIR, OID_INS_NIA, OID_INS_NIR_TEST, OID_INS_NIR_DEMO})
NSS_OIDS = frozenset({OID_NSS_NIR, OID_NSS_NIA})
ALLOWED_ATTRIBUTES: tuple[frozenset[str], ...] = (
    frozenset(),
    frozenset({"HOMONYME"}),
    frozenset({"DOUTEUSE"}),
    frozenset({"FICTIVE"}),
    frozenset({"DOUTEUSE", "HOMONYME"}),
)
HIGH_TRUST_DOCUMENTS = frozenset({"PA", "CN", "CS", "IE", "AV"})
SPECIAL_CONTEXT_DOCUMENTS = frozenset({"DC", "AN", "LE", "AC", "ANCV", "LECV"})
INSI_STATUSES = frozenset({"RECUP", "QUAL"})
_NAME_CHARS = re.compile(r"[^A-Z '\-]")
# Names with no fault at all (the usual case, one C call): letters, an optional leading apostrophe,
# single separators ("--" in a birth or used name only). Anything else goes through the checks.
_CLEAN_NAME = re.compile(r"'?[A-Z]+(?:(?: |--?|')[A-Z]+)*")
_CLEAN_FIRST_NAMES = re.compile(r"'?[A-Z]+(?:[ '-][A-Z]+)*")
_PLACE = re.compile(r"^(?:[0-9]{2}|2[AB])[0-9]{3}$")
# Communes whose arrondissements have their own codes: NIR and birthplace may use either.
_CITY_ARRONDISSEMENTS = {"75056": ("751",), "69123": ("6938",), "13055": ("132",)}
# NIR departments of births in North Africa before independence (service-public.fr, "Numéro de
# sécurité sociale"): the country they stand for and the first day of its own INSEE country code
# (INSEE country list, date_debut of the independent state).
NORTH_AFRICA = {
    "91": ("99352", date(1962, 7, 5)),
    "92": ("99352", date(1962, 7, 5)),
    "93": ("99352", date(1962, 7, 5)),
    "94": ("99352", date(1962, 7, 5)),
    "95": ("99350", date(1956, 3, 2)),
    "96": ("99351", date(1956, 3, 20)),
}
# Overseas NIR departments (3 characters): 971-976 DOM, 975 Saint-Pierre-et-Miquelon, 977/978 since
# 2007, 984 TAAF, 985 Mayotte before 2011, 986-988 Wallis-et-Futuna, Polynésie, Nouvelle-Calédonie.
OVERSEAS_DEPARTMENTS = frozenset(
    {"971", "972", "973", "974", "975", "976", "977", "978", *map(str, range(984, 989))}
)
# One source for every severity: the catalogue (and the facility's overrides, applied afterwards).
_SEV = {rule_id: default_severity(rule_id) for rule_id in RULES}
_SEV_OTHER = {rule_id: dict(info.variants) for rule_id, info in RULES.items()}
_PLACE_REASONS = {
    "unknown": "inconnu du COG",
    "france": "99100 désigne la France, une naissance en France porte le code de sa commune",
}


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    severity: str
    fields: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class RuleSettings:
    """Per-facility configuration: disabled rules, severity overrides, thresholds."""

    disabled: frozenset[str] = frozenset()
    severities: dict[str, str] = field(default_factory=dict)
    max_age_years: int = 120
    copy_min_records: int = 10
    copy_min_share: float = 0.01

    def severity(self, rule_id: str, default: str) -> str:
        return self.severities.get(rule_id, default)


@dataclass
class CheckContext:
    today: date
    cog: CogReference | None = None
    settings: RuleSettings = field(default_factory=RuleSettings)


def _sev(rule_id: str, variant: str | None = None) -> str:
    return _SEV[rule_id] if variant is None else _SEV_OTHER[rule_id][variant]


def _by_status(record: IdentityRecord, rule_id: str) -> str:
    """The status-dependent rules: their severity for RECUP/QUAL, their "hors-insi" one otherwise."""
    return _SEV[rule_id] if record.status in INSI_STATUSES else _SEV_OTHER[rule_id]["hors-insi"]


def _bad_edge(token: str) -> str | None:
    """What may begin and end a name or one first name (catalogue TRAIT-NOM-SYNTAXE /
    TRAIT-PRENOM-CARS): a letter, or at the start an apostrophe followed by a letter ('T HOOFT)."""
    first, last = token[0], token[-1]
    if first in " -" or (first == "'" and (len(token) < 2 or not token[1].isalpha())):
        return f"commence par « {first} »"
    if last in " -'":
        return f"finit par « {last} »"
    return None


def _name_syntax(value: str, is_birth_name: bool) -> str | None:
    """The first syntax fault of a name (§2 of the catalogue), or None."""
    edge = _bad_edge(value)
    if edge:
        return edge
    if "  " in value:
        return "espaces doublées"
    if "''" in value:
        return "apostrophes doublées"
    if " '" in value or "' " in value:
        return "espace autour d'une apostrophe"
    if is_birth_name:
        if "---" in value:
            return "plus de deux tirets consécutifs"
    else:
        if "--" in value:
            return "tiret doublé (permis dans le nom de naissance seulement)"
        for token in value.split(" "):  # each first name of the list
            if token and _bad_edge(token):
                return f"prénom « {token} » {_bad_edge(token)}"
    return None


def _first_name_coherent(first: str, names: str) -> bool:
    """EXI ID 10: the first first name is the start of the list, '-' and "'" read as spaces."""
    first_tokens = normalize_name(first).split()
    list_tokens = normalize_name(names).split()
    return bool(first_tokens) and list_tokens[: len(first_tokens)] == first_tokens


def _looks_completed(d: date) -> bool:
    return (d.day, d.month) in ((1, 1), (31, 12))


def _same_place(nir_place: str, birthplace: str, birth: date | None = None) -> bool:
    if nir_place == birthplace:
        return True
    for city, prefixes in _CITY_ARRONDISSEMENTS.items():
        in_city = {
            nir_place == city or nir_place.startswith(prefixes),
            birthplace == city or birthplace.startswith(prefixes),
        }
        if in_city == {True}:
            return True
    # Corsica: 20CCC before 1976, 2ACCC/2BCCC since, the commune number kept. Only 20 ↔ 2A/2B is
    # an equivalence, and only for a birth before the split: 2A and 2B are two departments.
    if nir_place[2:] != birthplace[2:] or (birth is not None and birth >= CORSICA_SPLIT):
        return False
    return {nir_place[:2], birthplace[:2]} in ({"20", "2A"}, {"20", "2B"})


def check_record(r: IdentityRecord, ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    status = r.status or ""
    attrs = r.attribute_set
    qualified = status in INSI_STATUSES

    # Statuses and attributes.
    if status not in STATUSES:
        add(
            Finding(
                "STATUT-VALEUR", _sev("STATUT-VALEUR"), ("status",), {"status": r.status_source or status}
            )
        )
    matricule, oid = r.ins_matricule, r.ins_oid
    if qualified and (not matricule or not oid):
        missing = "matricule INS" if not matricule else "OID du matricule"
        add(
            Finding(
                "STATUT-INS",
                _sev("STATUT-INS"),
                ("ins_matricule", "ins_oid"),
                {"reason": f"Identité {status} sans {missing}."},
            )
        )
    elif (
        status in ("PROV", "VALI")
        and matricule
        and oid not in NSS_OIDS
        and not attrs & {"DOUTEUSE", "FICTIVE"}
    ):
        add(
            Finding(
                "STATUT-INS",
                _sev("STATUT-INS"),
                ("ins_matricule",),
                {"reason": f"Matricule enregistré comme INS sur une identité {status}."},
            )
        )
    # A document high-trust enough to validate, on an identity that is not: DOUTEUSE/FICTIVE stay PROV.
    if (
        status in ("RECUP", "PROV")
        and (r.document_type or "").upper() in HIGH_TRUST_DOCUMENTS
        and not attrs & {"DOUTEUSE", "FICTIVE"}
    ):
        target = "QUAL" if status == "RECUP" else "VALI"
        add(
            Finding(
                "STATUT-JUSTIF",
                _sev("STATUT-JUSTIF", "indice"),
                ("status", "document_type"),
                {
                    "reason": f"Identité {status} avec un justificatif à haut niveau de confiance "
                    f"({r.document_type}) : statut {target} attendu (qualification manquée ?)."
                },
            )
        )
    if status in ("VALI", "QUAL"):
        doc = (r.document_type or "").upper()
        if not doc:
            add(
                Finding(
                    "STATUT-JUSTIF",
                    _sev("STATUT-JUSTIF"),
                    ("document_type",),
                    {"reason": f"Identité {status} sans justificatif enregistré."},
                )
            )
        elif doc in SPECIAL_CONTEXT_DOCUMENTS:
            add(
                Finding(
                    "STATUT-JUSTIF",
                    _sev("STATUT-JUSTIF", "situation-particuliere"),
                    ("document_type",),
                    {"reason": f"Justificatif {doc} admis seulement en situation particulière."},
                )
            )
        elif doc not in HIGH_TRUST_DOCUMENTS:
            add(
                Finding(
                    "STATUT-JUSTIF",
                    _sev("STATUT-JUSTIF"),
                    ("document_type",),
                    {
                        "reason": f"Justificatif {doc} sans haut niveau de confiance pour une identité {status}."
                    },
                )
            )
    if attrs & {"DOUTEUSE", "FICTIVE"} and (status != "PROV" or matricule or oid):
        which = "/".join(sorted(attrs & {"DOUTEUSE", "FICTIVE"}))
        add(
            Finding(
                "ATTR-PROV",
                _sev("ATTR-PROV"),
                ("attributes", "status", "ins_matricule"),
                {
                    "reason": f"Identité {which} au statut {status or '?'}"
                    f"{' avec matricule' if matricule or oid else ''} (PROV sans matricule attendu)."
                },
            )
        )
    if attrs and attrs not in ALLOWED_ATTRIBUTES:
        add(
            Finding(
                "ATTR-COMBI", _sev("ATTR-COMBI"), ("attributes",), {"attributes": " + ".join(sorted(attrs))}
            )
        )

    # Required traits.
    missing_traits = [
        label
        for value, label in (
            (r.birth_name, "nom de naissance"),
            (r.first_first_name, "premier prénom"),
            (r.birth_date or r.birth_date_raw, "date de naissance"),
            (r.sex, "sexe"),
        )
        if not value
    ]
    if qualified or status == "VALI":  # a validated identity was read on a document: all strict traits
        missing_traits += [
            label
            for value, label in (
                (r.first_names, "liste des prénoms"),
                (r.birthplace, "lieu de naissance"),
            )
            if not value
        ]
    if missing_traits:
        add(Finding("TRAIT-REQUIS", _sev("TRAIT-REQUIS"), (), {"fields": ", ".join(missing_traits)}))

    # Names: the same character and syntax rules for the used traits as for the birth traits.
    for attr in ("birth_name", "used_name"):
        value = getattr(r, attr)
        if not value or _CLEAN_NAME.fullmatch(value):
            continue
        bad = sorted(set(_NAME_CHARS.findall(value)))
        if bad:
            add(
                Finding(
                    "TRAIT-NOM-CARS",
                    _by_status(r, "TRAIT-NOM-CARS"),
                    (attr,),
                    {"value": value, "chars": " ".join(map(visible_char, bad))},
                )
            )
        reason = _name_syntax(value, is_birth_name=True)  # a used name follows the birth name's rules ("--")
        if reason:
            add(
                Finding(
                    "TRAIT-NOM-SYNTAXE",
                    _by_status(r, "TRAIT-NOM-SYNTAXE"),
                    (attr,),
                    {"value": value, "reason": reason},
                )
            )
    if r.birth_name and len(r.birth_name) > 100:
        add(
            Finding(
                "TRAIT-LONGUEUR",
                _sev("TRAIT-LONGUEUR"),
                ("birth_name",),
                {"field": "Nom de naissance", "length": len(r.birth_name)},
            )
        )
    for attr, label in (
        ("first_names", "Liste des prénoms"),
        ("first_first_name", "Premier prénom"),
        ("used_first_name", "Prénom utilisé"),
    ):
        value = getattr(r, attr)
        if not value or _CLEAN_FIRST_NAMES.fullmatch(value):
            continue
        bad = sorted(set(_NAME_CHARS.findall(value)))
        reason = (
            f"caractères non admis {' '.join(map(visible_char, bad))}"
            if bad
            else _name_syntax(value, is_birth_name=False)
        )
        if reason:
            add(
                Finding(
                    "TRAIT-PRENOM-CARS",
                    _by_status(r, "TRAIT-PRENOM-CARS"),
                    (attr,),
                    {"field": label, "value": value, "reason": reason},
                )
            )
    if r.first_names and len(r.first_names) > 100:
        add(
            Finding(
                "TRAIT-LONGUEUR",
                _sev("TRAIT-LONGUEUR"),
                ("first_names",),
                {"field": "Liste des prénoms", "length": len(r.first_names)},
            )
        )
    if r.first_names and r.first_first_name and not _first_name_coherent(r.first_first_name, r.first_names):
        add(
            Finding(
                "TRAIT-PRENOM1",
                _sev("TRAIT-PRENOM1"),
                ("first_first_name", "first_names"),
                {"first": r.first_first_name, "names": r.first_names},
            )
        )

    # Sex.
    if r.sex and (r.sex not in ("M", "F", "I") or (qualified and r.sex == "I")):
        add(Finding("TRAIT-SEXE", _sev("TRAIT-SEXE"), ("sex",), {"sex": r.sex, "status": status}))

    # Birth date.
    birth = r.birth_date
    place_date = birth  # the date the birthplace code is checked at: none when the date is implausible
    if birth is None and r.birth_date_raw:
        add(
            Finding(
                "TRAIT-DATE",
                _sev("TRAIT-DATE"),
                ("birth_date",),
                {"value": r.birth_date_raw, "reason": "date impossible ou illisible"},
            )
        )
    elif birth is not None:
        if birth > ctx.today:
            place_date = None
            add(
                Finding(
                    "TRAIT-DATE",
                    _sev("TRAIT-DATE"),
                    ("birth_date",),
                    {"value": birth.strftime("%d/%m/%Y"), "reason": "dans le futur"},
                )
            )
        elif (ctx.today.year - birth.year) - (
            (ctx.today.month, ctx.today.day) < (birth.month, birth.day)
        ) > ctx.settings.max_age_years:
            place_date = None
            add(
                Finding(
                    "TRAIT-DATE",
                    _sev("TRAIT-DATE", "vraisemblance"),
                    ("birth_date",),
                    {
                        "value": birth.strftime("%d/%m/%Y"),
                        "reason": f"plus de {ctx.settings.max_age_years} ans",
                    },
                )
            )
        if _looks_completed(birth) and not r.birth_date_completed:
            add(
                Finding(
                    "TRAIT-DATE-COMPLETEE",
                    _sev("TRAIT-DATE-COMPLETEE"),
                    ("birth_date",),
                    {"value": birth.strftime("%d/%m/%Y")},
                )
            )

    # Birthplace.
    place = (r.birthplace or "").upper()
    place_ok = bool(_PLACE.match(place))
    if place and not place_ok:
        add(Finding("TRAIT-LIEU-FORMAT", _sev("TRAIT-LIEU-FORMAT"), ("birthplace",), {"value": r.birthplace}))
    if place == "99999" and status in ("VALI", "RECUP", "QUAL"):
        add(Finding("TRAIT-LIEU-INCONNU", _sev("TRAIT-LIEU-INCONNU"), ("birthplace",), {"status": status}))
    if place_ok and place != "99999" and ctx.cog is not None:
        # A wrong date (TRAIT-DATE) would make a right code look out of date: existence only then.
        fault = _place_fault(ctx.cog, place, place_date)
        if fault is not None:
            add(
                Finding(
                    "TRAIT-LIEU-COG",
                    _sev("TRAIT-LIEU-COG"),
                    ("birthplace",),
                    {"value": place, "reason": _place_reason(place, fault)},
                )
            )

    if r.extra:
        out.extend(_check_optional_dates(r, ctx))
    if matricule:
        out.extend(_check_matricule(r, matricule, oid, birth, place if place_ok else "", ctx))
    return [_configured(f, ctx.settings) for f in out if f.rule_id not in ctx.settings.disabled]


def _check_optional_dates(r: IdentityRecord, ctx: CheckContext) -> Iterator[Finding]:
    """The INSi call date and the document's expiry, when the table has those columns
    (`r.extra`: dates, or the unreadable text)."""
    assert r.extra is not None
    columns, status = r.extra.get("columns", ()), r.status or ""
    call, expiry = r.extra.get("insi_call"), r.extra.get("document_expiry")
    reason = None
    if isinstance(call, str):
        reason = f"date d'appel INSi « {call} » illisible"
    elif isinstance(call, date) and call > ctx.today:
        reason = f"date d'appel INSi {call:%d/%m/%Y} postérieure à l'extraction"
    elif "insi_call" in columns and call is None and status in INSI_STATUSES:
        reason = f"identité {status} sans date d'appel INSi"
    elif isinstance(call, date) and status in ("PROV", "VALI") and not r.ins_matricule:
        reason = f"appel INSi du {call:%d/%m/%Y} enregistré sur une identité {status} sans matricule"
    if reason:
        yield Finding(
            "STATUT-INS",
            _sev("STATUT-INS", "date-insi"),
            ("status",),
            {"reason": f"{reason[0].upper()}{reason[1:]}."},
        )
    if status in ("VALI", "QUAL") and r.document_type:
        if isinstance(expiry, str):
            text = f"Date d'expiration du justificatif « {expiry} » illisible."
        elif isinstance(expiry, date) and expiry < ctx.today:
            text = f"Justificatif {r.document_type} expiré le {expiry:%d/%m/%Y} pour une identité {status}."
        else:
            return
        yield Finding(
            "STATUT-JUSTIF", _sev("STATUT-JUSTIF", "expiration"), ("document_type",), {"reason": text}
        )


def _place_fault(cog: CogReference, place: str, birth: date | None) -> PlaceFault | None:
    """Why the birthplace code was not valid at the birth date (the usual valid code costs one
    dictionary look-up)."""
    if place.startswith("99"):
        country = cog.country(place)
        if (
            country is not None
            and place != "99100"
            and (birth is None or country.end is None or birth < country.end)
        ):
            return None
    elif cog.is_known_commune(place, birth):
        return None
    return cog.place_fault(place, birth)


def _place_reason(place: str, fault: PlaceFault) -> str:
    if fault.kind == "not_yet" and fault.since:
        return f"code en vigueur seulement depuis le {fault.since:%d/%m/%Y}, après la naissance"
    if fault.kind == "ended" and fault.since:
        what = "pays disparu" if place.startswith("99") else "code remplacé ou supprimé"
        return f"{what} le {fault.since:%d/%m/%Y}, avant la naissance"
    return _PLACE_REASONS.get(fault.kind, _PLACE_REASONS["unknown"])


def _configured(f: Finding, settings: RuleSettings) -> Finding:
    severity = settings.severities.get(f.rule_id)
    return (
        f if severity is None or severity == f.severity else Finding(f.rule_id, severity, f.fields, f.params)
    )


def _check_matricule(
    r: IdentityRecord, matricule: str, oid: str | None, birth: date | None, place: str, ctx: CheckContext
) -> Iterator[Finding]:
    fields = ("ins_matricule",)
    if oid in NSS_OIDS:
        # The insured person's number (often a parent's, "ouvrant droit"), not the patient's INS:
        # comparing it with the patient's traits would only produce false findings.
        yield Finding(
            "INS-NSS",
            _sev("INS-NSS"),
            ("ins_oid",),
            {"reason": f"Numéro de sécurité sociale (OID {oid}) enregistré : ce n'est pas un INS."},
        )
        return
    if not oid or oid not in INS_OIDS:
        yield Finding("INS-OID", _sev("INS-OID"), ("ins_oid",), {"oid": oid or "absent"})
    if oid in (OID_INS_NIR_TEST, OID_INS_NIR_DEMO):
        kind = "test" if oid == OID_INS_NIR_TEST else "démonstration"
        yield Finding("INS-OID-TEST", _sev("INS-OID-TEST"), ("ins_oid",), {"oid": oid, "kind": kind})
    if not nir.has_valid_format(matricule) or (oid == OID_INS_NIA and not matricule.isdigit()):
        reason = f"{len(matricule)} caractères" if len(matricule) != 15 else "caractères non admis"
        yield Finding("INS-FORMAT", _sev("INS-FORMAT"), fields, {"value": matricule, "reason": reason})
        return
    parts = nir.parts(matricule)
    assert parts is not None
    if not nir.key_is_valid(matricule):
        yield Finding(
            "INS-CLE",
            _sev("INS-CLE"),
            fields,
            {"value": matricule, "key": matricule[13:], "expected": nir.compute_key(matricule[:13])},
        )
    if parts.sex not in ("1", "2"):
        yield Finding("INS-SEXE-CHIFFRE", _sev("INS-SEXE-CHIFFRE"), fields, {"digit": parts.sex})
    elif r.sex in ("M", "F") and {"1": "M", "2": "F"}[parts.sex] != r.sex:
        yield Finding(
            "COH-SEXE",
            _by_status(r, "COH-SEXE"),
            ("ins_matricule", "sex"),
            {"digit": parts.sex, "sex": r.sex},
        )
    if parts.month in nir.IMPOSSIBLE_MONTHS:
        yield Finding("INS-MOIS", _sev("INS-MOIS"), fields, {"month": f"{parts.month:02d}"})
    plage = _place_range_fault(parts, birth, ctx.cog)
    if plage:
        yield Finding("INS-LIEU-PLAGE", _sev("INS-LIEU-PLAGE"), fields, {"reason": plage})
    if birth is not None:
        if parts.year != birth.year % 100:
            yield Finding(
                "COH-ANNEE",
                _by_status(r, "COH-ANNEE"),
                ("ins_matricule", "birth_date"),
                {"nir_year": f"{parts.year:02d}", "year": birth.year},
            )
        nir_month = nir.nir_month_of_birth(parts.month)
        if (
            nir_month is None
            and birth.month == 1
            and birth.day != 1  # 01/01 is the base rule's
            and not r.birth_date_completed
            and parts.month not in nir.IMPOSSIBLE_MONTHS
        ):
            # The NIR says the month was unknown at registration: a January birth is then likely the
            # completion JJ/01 of EXI ID 11, and it should be flagged.
            yield Finding(
                "TRAIT-DATE-COMPLETEE",
                _sev("TRAIT-DATE-COMPLETEE", "mois-inconnu"),
                ("birth_date", "ins_matricule"),
                {"value": birth.strftime("%d/%m/%Y")},
            )
        if (
            nir_month is not None
            and nir_month != birth.month
            and not r.birth_date_completed
            and not _looks_completed(birth)
        ):
            yield Finding(
                "COH-MOIS",
                _sev("COH-MOIS"),
                ("ins_matricule", "birth_date"),
                {"nir_month": f"{parts.month:02d}", "month": f"{birth.month:02d}"},
            )
    if place and place != "99999":
        yield from _place_coherence(parts, place, birth, ctx.cog)


def _north_africa_country(parts: nir.NirParts, birth: date | None) -> str | None:
    """The country a NIR department 91-96 stands for when the birth precedes independence."""
    entry = NORTH_AFRICA.get(parts.department)
    if entry is None or (birth is not None and birth >= entry[1]):
        return None
    return entry[0]


def _place_coherence(
    parts: nir.NirParts, place: str, birth: date | None, cog: CogReference | None
) -> Iterator[Finding]:
    fields = ("ins_matricule", "birthplace")
    abroad_nir, abroad_place = parts.department == "99", place.startswith("99")
    if abroad_place and not abroad_nir:
        country = _north_africa_country(parts, birth)
        if country == place:
            return  # born in Algeria, Morocco or Tunisia before independence
        reason = (
            f"Département {parts.department} du matricule (naissance en Afrique du Nord avant "
            f"l'indépendance) pour un lieu de naissance {place}."
            if country
            else "Matricule d'une personne née en France pour un lieu de naissance à l'étranger."
        )
        yield Finding("COH-ETRANGER", _sev("COH-ETRANGER"), fields, {"reason": reason})
    elif abroad_nir and not abroad_place:
        reason = "Matricule d'une personne née à l'étranger pour un lieu de naissance en France."
        yield Finding("COH-ETRANGER", _sev("COH-ETRANGER"), fields, {"reason": reason})
    elif abroad_nir and parts.commune != place[2:]:
        yield Finding(
            "COH-ETRANGER",
            _sev("COH-ETRANGER"),
            fields,
            {"reason": f"Pays {parts.place} du matricule pour un lieu de naissance {place}."},
        )
    elif (
        not abroad_nir
        and not _same_place(parts.place, place, birth)
        and not (cog is not None and cog.same_commune(parts.place, place))
    ):
        yield Finding("COH-LIEU", _sev("COH-LIEU"), fields, {"nir_place": parts.place, "place": place})


def _place_range_fault(parts: nir.NirParts, birth: date | None, cog: CogReference | None) -> str | None:
    """What INS-LIEU-PLAGE promises (catalogue): the NIR's department, commune or country existed
    at the birth date, and the order number is not 000."""
    dep = parts.department
    if parts.order == "000":
        return "numéro d'ordre 000"
    if dep == "00":
        return "département 00"
    if len(dep) == 3 and dep not in OVERSEAS_DEPARTMENTS:
        return f"département {dep} inexistant"
    if birth is not None:
        if dep == "20" and birth >= CORSICA_SPLIT:
            return "département 20 pour une naissance depuis 1976 (2A/2B attendus)"
        if dep in ("2A", "2B") and birth < CORSICA_SPLIT:
            return f"département {dep} pour une naissance avant 1976 (20 attendu)"
        if dep == "96" and birth >= ILE_DE_FRANCE_SPLIT:
            return "département 96 inexistant pour une naissance depuis 1968 (Tunisie avant l'indépendance seulement)"
        if (
            dep in NORTH_AFRICA
            and dep != "96"
            and birth < ILE_DE_FRANCE_SPLIT
            and birth >= NORTH_AFRICA[dep][1]
        ):
            # Before 1968 the departments 91-95 did not exist in France; after independence they no
            # longer stood for Algeria or Morocco.
            return f"département {dep} pour une naissance entre l'indépendance et 1968"
    if dep == "99" and cog is not None:
        if parts.place == "99100":
            return "pays 99100 (France) dans un matricule de naissance à l'étranger"
        if cog.country(parts.place) is None:
            return f"pays {parts.place} inconnu de la liste de l'INSEE"
    return None


@dataclass(slots=True)
class _Key:
    id: int
    ipp: str
    matricule: str | None
    oid: str | None
    birth: date | None
    homonym_key: tuple[str, str, date, str] | None
    homonym_flag: bool
    copied: bool
    sex: str | None
    place: str | None
    status: str | None
    nir_fit: tuple[str, int, int, str] | None  # what the record's own NIR says


class CrossRecordRules:
    """Rules over the whole extraction. Feed every record with `add`, then call `findings`."""

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.keys: list[_Key] = []

    def add(self, r: IdentityRecord) -> None:
        homonym_key = None
        bn, ff = normalize_name(r.birth_name), normalize_name(r.first_first_name)
        if bn and ff and r.birth_date and r.sex:
            homonym_key = (bn, ff, r.birth_date, r.sex)
        copied = bool(r.used_name and r.used_name == r.birth_name) or bool(
            r.used_first_name and r.used_first_name == r.first_first_name
        )
        # A social-security number (NSS OID) is the insured person's: no INS-UNIQUE, no collision.
        matricule = r.ins_matricule if r.ins_oid not in NSS_OIDS else None
        parts = nir.parts(matricule) if matricule else None
        self.keys.append(
            _Key(
                r.id,
                r.ipp,
                matricule,
                r.ins_oid,
                r.birth_date,
                homonym_key,
                "HOMONYME" in r.attribute_set,
                copied,
                r.sex,
                r.birthplace,
                r.status,
                (parts.sex, parts.year, parts.month, parts.place) if parts else None,
            )
        )

    def findings(self) -> Iterator[tuple[int | None, Finding]]:
        disabled = self.ctx.settings.disabled
        for identity_id, finding in self._all():
            if finding.rule_id not in disabled:
                yield identity_id, _configured(finding, self.ctx.settings)

    def _all(self) -> Iterator[tuple[int | None, Finding]]:
        yield from self._shared_matricules()
        yield from self._homonyms()
        yield from self._copied_used_names()
        yield from self._collisions()
        yield from self._recup_share()

    def _shared_matricules(self) -> Iterator[tuple[int, Finding]]:
        # Grouped by the matricule itself: the same number under .8 on one record and .10 or no
        # OID on another still designates one person (NSS-tagged numbers are left out in `add`).
        groups: dict[str, list[_Key]] = defaultdict(list)
        for k in self.keys:
            if k.matricule:
                groups[k.matricule].append(k)
        for members in groups.values():
            if len(members) < 2:
                continue
            births = {m.birth for m in members}
            for m in members:
                others = [o.ipp for o in members if o is not m]
                yield (
                    m.id,
                    Finding(
                        "INS-UNIQUE",
                        _sev("INS-UNIQUE"),
                        ("ins_matricule",),
                        {"count": len(others), "others": ", ".join(others[:5])},
                    ),
                )
                if len(births) > 1:
                    yield (
                        m.id,
                        Finding(
                            "INS-NSS",
                            _sev("INS-NSS"),
                            ("ins_matricule", "birth_date"),
                            {
                                "reason": "Matricule partagé avec une identité de date de naissance différente "
                                f"(IPP {', '.join(others[:5])}) : probablement le NIR de l'ouvrant droit."
                            },
                        ),
                    )

    def _homonyms(self) -> Iterator[tuple[int, Finding]]:
        groups: dict[tuple[str, str, date, str], list[_Key]] = defaultdict(list)
        for k in self.keys:
            if k.homonym_key:
                groups[k.homonym_key].append(k)
        for members in groups.values():
            if len(members) < 2 or any(m.homonym_flag for m in members):
                continue
            for m in members:
                others = [o.ipp for o in members if o is not m]
                yield (
                    m.id,
                    Finding(
                        "ATTR-HOMONYME",
                        _sev("ATTR-HOMONYME"),
                        ("attributes",),
                        {"count": len(others), "others": ", ".join(others[:5])},
                    ),
                )

    def _copied_used_names(self) -> Iterator[tuple[int, Finding]]:
        copies = [k for k in self.keys if k.copied]
        settings = self.ctx.settings
        if len(copies) < max(settings.copy_min_records, settings.copy_min_share * len(self.keys)):
            return
        for k in copies:
            yield (
                k.id,
                Finding(
                    "TRAIT-UTILISE-COPIE",
                    _sev("TRAIT-UTILISE-COPIE"),
                    ("used_name", "used_first_name"),
                    {"count": len(copies)},
                ),
            )

    def _collisions(self) -> Iterator[tuple[int, Finding]]:
        """A matricule whose sex, year, month and place fit another identity, not its own."""
        by_traits: dict[tuple[str, int, int, str], list[_Key]] = defaultdict(list)
        for k in self.keys:
            if k.birth and k.sex in ("M", "F") and k.place:
                by_traits[({"M": "1", "F": "2"}[k.sex], k.birth.year % 100, k.birth.month, k.place)].append(k)
        for k in self.keys:
            if k.nir_fit is None or k.birth is None:
                continue
            own = (
                {"M": "1", "F": "2"}.get(k.sex or "", "?"),
                k.birth.year % 100,
                k.birth.month,
                k.place or "",
            )
            mismatches = sum(a != b for a, b in zip(own, k.nir_fit, strict=True))
            if mismatches < 2:
                continue
            fits = [o for o in by_traits.get(k.nir_fit, []) if o.id != k.id]
            if fits:
                yield (
                    k.id,
                    Finding(
                        "COLLISION-SUSPECTE",
                        _sev("COLLISION-SUSPECTE"),
                        ("ins_matricule",),
                        {
                            "reason": f"Le matricule correspond aux traits de l'IPP {fits[0].ipp}, pas à ceux de "
                            "cette identité."
                        },
                    ),
                )

    def _recup_share(self) -> Iterator[tuple[None, Finding]]:
        recup = sum(1 for k in self.keys if k.status == "RECUP")
        if recup and self.keys:
            share = round(100 * recup / len(self.keys), 1)
            yield (
                None,
                Finding(
                    "STATUT-RECUP-PART",
                    _sev("STATUT-RECUP-PART"),
                    ("status",),
                    {"share": share, "count": recup},
                ),
            )


def check_all(records: Iterable[IdentityRecord], ctx: CheckContext) -> Iterator[tuple[int | None, Finding]]:
    """Every rule over records (in memory use: a compact key per record for the cross-record rules)."""
    cross = CrossRecordRules(ctx)
    for r in records:
        for f in check_record(r, ctx):
            yield r.id, f
        cross.add(r)
    yield from cross.findings()


__all__ = [
    "RULES",
    "CheckContext",
    "CrossRecordRules",
    "Finding",
    "RuleSettings",
    "check_all",
    "check_record",
]
