"""Rule family: the identity's traits on one record (TRAIT-*: required traits, names and first names,
sex, birth date, birthplace). Findings carry reason codes; the catalogue words them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from ivo_app.rules.cog import CogReference, PlaceFault
from ivo_app.rules.findings import INSI_STATUSES, CheckContext, Finding, status_case
from ivo_app.rules.normalize import normalize_name
from ivo_app.rules.record import IdentityRecord

_NAME_CHARS = re.compile(r"[^A-Z '\-]")
# Names with no fault at all (the usual case, one C call): letters, an optional leading apostrophe,
# single separators ("--" in a birth or used name only). Anything else goes through the checks.
_CLEAN_NAME = re.compile(r"'?[A-Z]+(?:(?: |--?|')[A-Z]+)*")
_CLEAN_FIRST_NAMES = re.compile(r"'?[A-Z]+(?:[ '-][A-Z]+)*")
PLACE = re.compile(r"^(?:[0-9]{2}|2[AB])[0-9]{3}$")
MAX_LENGTH = 100


def _bad_edge(token: str) -> dict[str, Any] | None:
    """What may begin and end a name or one first name (catalogue TRAIT-NOM-SYNTAXE /
    TRAIT-PRENOM-CARS): a letter, or at the start an apostrophe followed by a letter ('T HOOFT)."""
    first, last = token[0], token[-1]
    if first in " -" or (first == "'" and (len(token) < 2 or not token[1].isalpha())):
        return {"reason": "debut", "char": first}
    if last in " -'":
        return {"reason": "fin", "char": last}
    return None


def name_syntax(value: str, is_birth_name: bool) -> dict[str, Any] | None:
    """The first syntax fault of a name (§2 of the catalogue) as a reason code and its data, or None."""
    edge = _bad_edge(value)
    if edge:
        return edge
    if "  " in value:
        return {"reason": "espaces-doublees"}
    if "''" in value:
        return {"reason": "apostrophes-doublees"}
    if " '" in value or "' " in value:
        return {"reason": "espace-apostrophe"}
    if is_birth_name:
        if "---" in value:
            return {"reason": "tirets-multiples"}
    else:
        if "--" in value:
            return {"reason": "tiret-double"}
        for token in value.split(" "):  # each first name of the list
            edge = _bad_edge(token) if token else None
            if edge:
                return {"reason": f"prenom-{edge['reason']}", "token": token, "char": edge["char"]}
    return None


def first_name_coherent(first: str, names: str) -> bool:
    """EXI ID 10: the first first name is the start of the list, '-' and "'" read as spaces."""
    first_tokens = normalize_name(first).split()
    list_tokens = normalize_name(names).split()
    return bool(first_tokens) and list_tokens[: len(first_tokens)] == first_tokens


def looks_completed(d: date) -> bool:
    return (d.day, d.month) in ((1, 1), (31, 12))


def check(r: IdentityRecord, ctx: CheckContext) -> Iterator[Finding]:
    status = r.status or ""
    yield from _required(r, status)
    yield from _names(r)
    if r.sex and (r.sex not in ("M", "F", "I") or (status in INSI_STATUSES and r.sex == "I")):
        yield Finding("TRAIT-SEXE", ("sex",), {"sex": r.sex, "status": status})
    place_date = r.birth_date
    for f in _birth_date(r, ctx):
        if f.rule_id == "TRAIT-DATE":
            place_date = None  # a wrong date would make a right birthplace code look out of date
        yield f
    yield from _birthplace(r, status, place_date, ctx.cog)


def _required(r: IdentityRecord, status: str) -> Iterator[Finding]:
    missing = [
        name
        for value, name in (
            (r.birth_name, "birth_name"),
            (r.first_first_name, "first_first_name"),
            (r.birth_date or r.birth_date_raw, "birth_date"),
            (r.sex, "sex"),
        )
        if not value
    ]
    if status in INSI_STATUSES or status == "VALI":  # a validated identity was read on a document
        missing += [
            name
            for value, name in ((r.first_names, "first_names"), (r.birthplace, "birthplace"))
            if not value
        ]
    if missing:
        yield Finding("TRAIT-REQUIS", (), {"fields": missing})


def _names(r: IdentityRecord) -> Iterator[Finding]:
    # The same character and syntax rules for the used traits as for the birth traits.
    for attr in ("birth_name", "used_name"):
        value = getattr(r, attr)
        if not value or _CLEAN_NAME.fullmatch(value):
            continue
        bad = sorted(set(_NAME_CHARS.findall(value)))
        if bad:
            yield Finding("TRAIT-NOM-CARS", (attr,), {"value": value, "chars": bad}, status_case(r))
        fault = name_syntax(value, is_birth_name=True)  # a used name follows the birth name's rules ("--")
        if fault:
            yield Finding("TRAIT-NOM-SYNTAXE", (attr,), {"value": value, **fault}, status_case(r))
    if r.birth_name and len(r.birth_name) > MAX_LENGTH:
        yield Finding("TRAIT-LONGUEUR", ("birth_name",), {"field": "birth_name", "length": len(r.birth_name)})
    for attr in ("first_names", "first_first_name", "used_first_name"):
        value = getattr(r, attr)
        if not value or _CLEAN_FIRST_NAMES.fullmatch(value):
            continue
        bad = sorted(set(_NAME_CHARS.findall(value)))
        fault = {"reason": "caracteres", "chars": bad} if bad else name_syntax(value, is_birth_name=False)
        if fault:
            yield Finding(
                "TRAIT-PRENOM-CARS", (attr,), {"field": attr, "value": value, **fault}, status_case(r)
            )
    if r.first_names and len(r.first_names) > MAX_LENGTH:
        yield Finding(
            "TRAIT-LONGUEUR", ("first_names",), {"field": "first_names", "length": len(r.first_names)}
        )
    if r.first_names and r.first_first_name and not first_name_coherent(r.first_first_name, r.first_names):
        yield Finding(
            "TRAIT-PRENOM1",
            ("first_first_name", "first_names"),
            {"first": r.first_first_name, "names": r.first_names},
        )


def _birth_date(r: IdentityRecord, ctx: CheckContext) -> Iterator[Finding]:
    birth, today = r.birth_date, ctx.today
    if birth is None:
        if r.birth_date_raw:
            yield Finding("TRAIT-DATE", ("birth_date",), {"value": r.birth_date_raw, "reason": "illisible"})
        return
    if birth > today:
        yield Finding("TRAIT-DATE", ("birth_date",), {"value": f"{birth:%d/%m/%Y}", "reason": "futur"})
    elif (today.year - birth.year) - ((today.month, today.day) < (birth.month, birth.day)) > (
        ctx.settings.max_age_years
    ):
        yield Finding(
            "TRAIT-DATE",
            ("birth_date",),
            {"value": f"{birth:%d/%m/%Y}", "reason": "age", "max_age": ctx.settings.max_age_years},
            case="vraisemblance",
        )
    if looks_completed(birth) and not r.birth_date_completed:
        yield Finding("TRAIT-DATE-COMPLETEE", ("birth_date",), {"value": f"{birth:%d/%m/%Y}"})


def _birthplace(
    r: IdentityRecord, status: str, place_date: date | None, cog: CogReference | None
) -> Iterator[Finding]:
    place = (r.birthplace or "").upper()
    place_ok = bool(PLACE.match(place))
    if place and not place_ok:
        yield Finding("TRAIT-LIEU-FORMAT", ("birthplace",), {"value": r.birthplace})
    if place == "99999" and status in ("VALI", "RECUP", "QUAL"):
        yield Finding("TRAIT-LIEU-INCONNU", ("birthplace",), {"status": status})
    if place_ok and place != "99999" and cog is not None:
        # A wrong date (TRAIT-DATE) would make a right code look out of date: existence only then.
        fault = _place_fault(cog, place, place_date)
        if fault is not None:
            yield Finding("TRAIT-LIEU-COG", ("birthplace",), {"value": place, **_place_reason(place, fault)})


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


def _place_reason(place: str, fault: PlaceFault) -> dict[str, Any]:
    if fault.kind == "not_yet" and fault.since:
        return {"reason": "pas-encore", "since": f"{fault.since:%d/%m/%Y}"}
    if fault.kind == "ended" and fault.since:
        reason = "pays-disparu" if place.startswith("99") else "code-remplace"
        return {"reason": reason, "since": f"{fault.since:%d/%m/%Y}"}
    return {"reason": "france" if fault.kind == "france" else "inconnu"}
