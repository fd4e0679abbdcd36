"""Rule family: the identity's traits on one record (TRAIT-*: required traits, names and first names,
sex, birth date, birthplace). Findings carry reason codes; the catalogue words them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from ivo_app.rules.cog import CogReference, PlaceFault
from ivo_app.rules.findings import INSI_STATUSES, OUTSIDE_INSI, CheckContext, Finding
from ivo_app.rules.normalize import normalize_name
from ivo_app.rules.record import IdentityRecord

_NAME_CHARS = re.compile(r"[^A-Z '\-]")
# Names with no fault at all (the usual case, one C call): letters, an optional leading apostrophe,
# single separators ("--" in a birth or used name only). Anything else goes through the checks.
CLEAN_NAME = re.compile(r"'?[A-Z]+(?:(?: |--?|')[A-Z]+)*")
CLEAN_FIRST_NAMES = re.compile(r"'?[A-Z]+(?:[ '-][A-Z]+)*")
PLACE = re.compile(r"^(?:[0-9]{2}|2[AB])[0-9]{3}$")
MAX_LENGTH = 100
# The birthplace code of an unknown place: the one code whose findings depend on the status.
UNKNOWN_PLACE = "99999"


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
    """Every trait rule on one record: the per-value pieces below, composed in their listing order
    (`rules.columnar` evaluates the same pieces once per distinct value and fans them out)."""
    status = r.status or ""
    insi = status in INSI_STATUSES
    yield from required(status, r)
    yield from name_findings("birth_name", r.birth_name, insi)
    yield from name_findings("used_name", r.used_name, insi)
    yield from length_findings("birth_name", r.birth_name)
    for attr in ("first_names", "first_first_name", "used_first_name"):
        yield from first_name_findings(attr, getattr(r, attr), insi)
    yield from length_findings("first_names", r.first_names)
    yield from coherence_findings(r.first_first_name, r.first_names)
    yield from sex_findings(r.sex, status)
    date_findings, date_ok = birth_date_findings(r.birth_date, r.birth_date_raw, r.birth_date_completed, ctx)
    yield from date_findings
    place_findings, cog_check = birthplace_findings(r.birthplace, status, ctx.cog is not None)
    yield from place_findings
    if cog_check:
        assert ctx.cog is not None
        # A wrong date (TRAIT-DATE) would make a right code look out of date: existence only then.
        yield from birthplace_cog_findings(r.birthplace, r.birth_date if date_ok else None, ctx.cog)


def required(status: str, r: Any) -> list[Finding]:
    """TRAIT-REQUIS: reads the truth of the birth name, first first name, birth date (or its raw
    text), sex, first names and birthplace, and the status."""
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
    return [Finding("TRAIT-REQUIS", (), {"fields": missing})] if missing else []


def _case(insi: bool) -> str | None:
    return None if insi else OUTSIDE_INSI  # findings.status_case of a RECUP/QUAL identity or not


def name_findings(attr: str, value: str | None, insi: bool) -> list[Finding]:
    """TRAIT-NOM-CARS and TRAIT-NOM-SYNTAXE of a birth or used name (the same character and syntax
    rules for the used traits as for the birth traits); `insi`: the identity is RECUP or QUAL."""
    if not value or CLEAN_NAME.fullmatch(value):
        return []
    out = []
    bad = sorted(set(_NAME_CHARS.findall(value)))
    if bad:
        out.append(Finding("TRAIT-NOM-CARS", (attr,), {"value": value, "chars": bad}, _case(insi)))
    fault = name_syntax(value, is_birth_name=True)  # a used name follows the birth name's rules ("--")
    if fault:
        out.append(Finding("TRAIT-NOM-SYNTAXE", (attr,), {"value": value, **fault}, _case(insi)))
    return out


def length_findings(attr: str, value: str | None) -> list[Finding]:
    """TRAIT-LONGUEUR of the birth name or the first-name list."""
    if value and len(value) > MAX_LENGTH:
        return [Finding("TRAIT-LONGUEUR", (attr,), {"field": attr, "length": len(value)})]
    return []


def first_name_findings(attr: str, value: str | None, insi: bool) -> list[Finding]:
    """TRAIT-PRENOM-CARS of the first-name list, the first first name or the used first name."""
    if not value or CLEAN_FIRST_NAMES.fullmatch(value):
        return []
    bad = sorted(set(_NAME_CHARS.findall(value)))
    fault = {"reason": "caracteres", "chars": bad} if bad else name_syntax(value, is_birth_name=False)
    if fault:
        return [Finding("TRAIT-PRENOM-CARS", (attr,), {"field": attr, "value": value, **fault}, _case(insi))]
    return []


def coherence_findings(first: str | None, names: str | None) -> list[Finding]:
    """TRAIT-PRENOM1: the first first name against the list."""
    if names and first and not first_name_coherent(first, names):
        return [
            Finding("TRAIT-PRENOM1", ("first_first_name", "first_names"), {"first": first, "names": names})
        ]
    return []


def sex_findings(sex: str | None, status: str) -> list[Finding]:
    if sex and (sex not in ("M", "F", "I") or (status in INSI_STATUSES and sex == "I")):
        return [Finding("TRAIT-SEXE", ("sex",), {"sex": sex, "status": status})]
    return []


def birth_date_findings(
    birth: date | None, raw: str | None, completed: bool | None, ctx: CheckContext
) -> tuple[list[Finding], bool]:
    """TRAIT-DATE and TRAIT-DATE-COMPLETEE, and whether the date may date the birthplace (no
    TRAIT-DATE)."""
    found = list(_birth_date(birth, raw, completed, ctx))
    return found, not any(f.rule_id == "TRAIT-DATE" for f in found)


def _birth_date(
    birth: date | None, raw: str | None, completed: bool | None, ctx: CheckContext
) -> Iterator[Finding]:
    today = ctx.today
    if birth is None:
        if raw:
            yield Finding("TRAIT-DATE", ("birth_date",), {"value": raw, "reason": "illisible"})
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
    if looks_completed(birth) and not completed:
        yield Finding("TRAIT-DATE-COMPLETEE", ("birth_date",), {"value": f"{birth:%d/%m/%Y}"})


def birthplace_findings(birthplace: str | None, status: str, with_cog: bool) -> tuple[list[Finding], bool]:
    """TRAIT-LIEU-FORMAT and TRAIT-LIEU-INCONNU, and whether the code is to be looked up in the COG
    (`birthplace_cog_findings`, which also reads the birth date)."""
    place = (birthplace or "").upper()
    place_ok = bool(PLACE.match(place))
    out = []
    if place and not place_ok:
        out.append(Finding("TRAIT-LIEU-FORMAT", ("birthplace",), {"value": birthplace}))
    if place == UNKNOWN_PLACE and status in ("VALI", "RECUP", "QUAL"):
        out.append(Finding("TRAIT-LIEU-INCONNU", ("birthplace",), {"status": status}))
    return out, place_ok and place != UNKNOWN_PLACE and with_cog


def birthplace_cog_findings(
    birthplace: str | None, place_date: date | None, cog: CogReference
) -> list[Finding]:
    """TRAIT-LIEU-COG: the code was valid at `place_date` (the birth date, None when it is wrong)."""
    place = (birthplace or "").upper()
    fault = _place_fault(cog, place, place_date)
    if fault is None:
        return []
    return [Finding("TRAIT-LIEU-COG", ("birthplace",), {"value": place, **_place_reason(place, fault)})]


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
