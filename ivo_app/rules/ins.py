"""Rule family: the matricule INS of one record (INS-*: OID, format, key, structure of the NIR) and
its coherence with the record's traits (COH-*). Findings carry reason codes; the catalogue words them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from ivo_app.rules import nir
from ivo_app.rules.cog import CORSICA_SPLIT, ILE_DE_FRANCE_SPLIT, CogReference
from ivo_app.rules.findings import INS_OIDS, NSS_OIDS, CheckContext, Finding, status_case
from ivo_app.rules.record import OID_INS_NIA, OID_INS_NIR_DEMO, OID_INS_NIR_TEST, IdentityRecord
from ivo_app.rules.traits import PLACE, looks_completed

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


def same_place(nir_place: str, birthplace: str, birth: date | None = None) -> bool:
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


def check(r: IdentityRecord, ctx: CheckContext) -> Iterator[Finding]:
    """The matricule's own rules (`matricule_findings`), then its coherence with the traits."""
    if not r.ins_matricule:
        return
    found, parts = matricule_findings(r.ins_matricule, r.ins_oid)
    yield from found
    if parts is not None:
        yield from coherence_findings(parts, r, ctx)


def matricule_findings(matricule: str, oid: str | None) -> tuple[list[Finding], nir.NirParts | None]:
    """The rules that read the matricule and its OID only (INS-NSS, INS-OID, INS-OID-TEST,
    INS-FORMAT, INS-CLE, INS-SEXE-CHIFFRE, INS-MOIS), and the NIR's parts when the traits are to be
    compared with it (None: an NSS number or a malformed one)."""
    out: list[Finding] = []
    fields = ("ins_matricule",)
    if oid in NSS_OIDS:
        # The insured person's number (often a parent's, "ouvrant droit"), not the patient's INS:
        # comparing it with the patient's traits would only produce false findings.
        return [Finding("INS-NSS", ("ins_oid",), {"reason": "nss", "oid": oid})], None
    if not oid or oid not in INS_OIDS:
        out.append(
            Finding(
                "INS-OID", ("ins_oid",), {"reason": "inconnu", "oid": oid} if oid else {"reason": "absent"}
            )
        )
    if oid in (OID_INS_NIR_TEST, OID_INS_NIR_DEMO):
        kind = "test" if oid == OID_INS_NIR_TEST else "demonstration"
        out.append(Finding("INS-OID-TEST", ("ins_oid",), {"oid": oid, "kind": kind}))
    if not nir.has_valid_format(matricule) or (oid == OID_INS_NIA and not matricule.isdigit()):
        reason = (
            {"reason": "longueur", "length": len(matricule)}
            if len(matricule) != 15
            else {"reason": "caracteres"}
        )
        out.append(Finding("INS-FORMAT", fields, {"value": matricule, **reason}))
        return out, None
    parts = nir.parts(matricule)
    assert parts is not None
    if not nir.key_is_valid(matricule):
        out.append(
            Finding(
                "INS-CLE",
                fields,
                {"value": matricule, "key": matricule[13:], "expected": nir.compute_key(matricule[:13])},
            )
        )
    return out, parts


def coherence_findings(parts: nir.NirParts, r: Any, ctx: CheckContext) -> Iterator[Finding]:
    """The NIR's structure and its coherence with the record's sex, status, birth date (and its
    completion flag) and birthplace: COH-*, INS-SEXE-CHIFFRE, INS-MOIS, INS-LIEU-PLAGE,
    TRAIT-DATE-COMPLETEE ("mois-inconnu")."""
    fields = ("ins_matricule",)
    birth = r.birth_date
    if parts.sex not in ("1", "2"):
        yield Finding("INS-SEXE-CHIFFRE", fields, {"digit": parts.sex})
    elif r.sex in ("M", "F") and {"1": "M", "2": "F"}[parts.sex] != r.sex:
        yield Finding(
            "COH-SEXE", ("ins_matricule", "sex"), {"digit": parts.sex, "sex": r.sex}, status_case(r)
        )
    if parts.month in nir.IMPOSSIBLE_MONTHS:
        yield Finding("INS-MOIS", fields, {"month": f"{parts.month:02d}"})
    plage = _place_range_fault(parts, birth, ctx.cog)
    if plage:
        yield Finding("INS-LIEU-PLAGE", fields, plage)
    if birth is not None:
        yield from _date_coherence(r, parts, birth)
    place = (r.birthplace or "").upper()
    if PLACE.match(place) and place != "99999":
        yield from _place_coherence(parts, place, birth, ctx.cog)


def _date_coherence(r: Any, parts: nir.NirParts, birth: date) -> Iterator[Finding]:
    if parts.year != birth.year % 100:
        yield Finding(
            "COH-ANNEE",
            ("ins_matricule", "birth_date"),
            {"nir_year": f"{parts.year:02d}", "year": birth.year},
            status_case(r),
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
            ("birth_date", "ins_matricule"),
            {"value": birth.strftime("%d/%m/%Y")},
            case="mois-inconnu",
        )
    if (
        nir_month is not None
        and nir_month != birth.month
        and not r.birth_date_completed
        and not looks_completed(birth)
    ):
        yield Finding(
            "COH-MOIS",
            ("ins_matricule", "birth_date"),
            {"nir_month": f"{parts.month:02d}", "month": f"{birth.month:02d}"},
        )


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
        params: dict[str, Any] = (
            {"reason": "afrique-du-nord", "department": parts.department, "place": place}
            if country
            else {"reason": "nir-france"}
        )
        yield Finding("COH-ETRANGER", fields, params)
    elif abroad_nir and not abroad_place:
        yield Finding("COH-ETRANGER", fields, {"reason": "nir-etranger"})
    elif abroad_nir and parts.commune != place[2:]:
        yield Finding("COH-ETRANGER", fields, {"reason": "pays", "nir_place": parts.place, "place": place})
    elif (
        not abroad_nir
        and not same_place(parts.place, place, birth)
        and not (cog is not None and cog.same_commune(parts.place, place))
    ):
        yield Finding("COH-LIEU", fields, {"nir_place": parts.place, "place": place})


def _place_range_fault(
    parts: nir.NirParts, birth: date | None, cog: CogReference | None
) -> dict[str, Any] | None:
    """What INS-LIEU-PLAGE promises (catalogue): the NIR's department, commune or country existed
    at the birth date, and the order number is not 000 (a reason code and its data, or None)."""
    dep = parts.department
    if parts.order == "000":
        return {"reason": "ordre-000"}
    if dep == "00":
        return {"reason": "departement-00"}
    if len(dep) == 3 and dep not in OVERSEAS_DEPARTMENTS:
        return {"reason": "departement-inexistant", "department": dep}
    if birth is not None:
        if dep == "20" and birth >= CORSICA_SPLIT:
            return {"reason": "corse-20"}
        if dep in ("2A", "2B") and birth < CORSICA_SPLIT:
            return {"reason": "corse-avant-1976", "department": dep}
        if dep == "96" and birth >= ILE_DE_FRANCE_SPLIT:
            return {"reason": "tunisie-96"}
        if (
            dep in NORTH_AFRICA
            and dep != "96"
            and birth < ILE_DE_FRANCE_SPLIT
            and birth >= NORTH_AFRICA[dep][1]
        ):
            # Before 1968 the departments 91-95 did not exist in France; after independence they no
            # longer stood for Algeria or Morocco.
            return {"reason": "independance-1968", "department": dep}
    if dep == "99" and cog is not None:
        if parts.place == "99100":
            return {"reason": "pays-france"}
        if cog.country(parts.place) is None:
            return {"reason": "pays-inconnu", "country": parts.place}
    return None
