"""Per-facility settings beyond the rules: the status mapping applied at import when no mapping file
gives one, the active-file period of the indicators, the duplicate thresholds.

They are rows of the `setting` table: a namespaced key (``statut:VIDE``, ``parametre:file_active``,
``seuil:probable``) and its value. `facility_id` NULL applies to every facility; a facility's own row
wins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ivo_app import paths
from ivo_app.errors import IvoError
from ivo_app.io.values import fold_status
from ivo_app.rules.record import STATUSES
from ivo_app.store import journal
from ivo_app.store.db import Database
from ivo_app.store.uow import UnitOfWork

STATUS_PREFIX = "statut:"
ACTIVE_YEARS_KEY = "parametre:file_active"
THRESHOLD_PREFIX = "seuil:"
IPP_AUTHORITY_KEY = "parametre:autorite_ipp"
THRESHOLDS = ("probable", "a_examiner")
DEFAULT_ACTIVE_YEARS = 3
_KEY_SIZE = 100  # the key column's size


@dataclass(frozen=True)
class FacilitySettings:
    """What the Paramètres page and `ivo settings` show for one scope (a facility, or all)."""

    statuses: dict[str, str]
    active_years: int
    thresholds: dict[str, float]  # the model's, overridden by the stored ones
    ipp_authority: str | None


def facility_settings(
    db: Database, facility: str | None, *, own_statuses: bool = False, new_facility_ok: bool = False
) -> FacilitySettings:
    """The settings of `facility` (None: those of all facilities) in one read. `own_statuses`: the
    facility's own status rows alone (what the form edits). An unknown facility is refused, unless
    `new_facility_ok` (an import about to create it): it then has the shared settings."""
    with UnitOfWork(db) as uow:
        if facility and new_facility_ok:
            found = uow.facilities.find(facility)
            facility_id = found.id if found else None
        else:
            facility_id = _facility_id(uow, facility)
        return FacilitySettings(
            statuses=status_mapping(uow, facility_id, own_only=own_statuses),
            active_years=active_years(uow, facility_id),
            thresholds={**model_thresholds(), **duplicate_threshold_overrides(uow, facility_id)},
            ipp_authority=ipp_authority(uow, facility_id),
        )


def _facility_id(uow: UnitOfWork, facility: str | None) -> int | None:
    return uow.facilities.by_name(facility).id if facility else None


def _replace(db: Database, facility: str | None, prefix: str, values: dict[str, str], action: str) -> None:
    """Replace the rows of `prefix` for one scope (one facility or all) in one transaction."""
    with UnitOfWork(db) as uow:
        _replace_in(uow, _facility_id(uow, facility), prefix, values, action)
        uow.commit()


def _replace_in(
    uow: UnitOfWork, facility_id: int | None, prefix: str, values: dict[str, str], action: str
) -> None:
    for key in values:
        if len(prefix + key) > _KEY_SIZE:
            raise IvoError(f"Valeur trop longue : {key}.")
    uow.settings.replace_prefix(prefix, facility_id, values)
    journal.record(uow.session, action, f"facility:{facility_id or 'toutes'}", dict(values))


def save_facility_settings(
    db: Database,
    facility: str | None,
    *,
    statuses: dict[str, str] | None = None,
    years: int | None = None,
    thresholds: tuple[float, float] | None = None,
) -> None:
    """The Paramètres form's one save, in one transaction (see `save_in`)."""
    with UnitOfWork(db) as uow:
        save_in(uow, _facility_id(uow, facility), statuses=statuses, years=years, thresholds=thresholds)
        uow.commit()


def save_in(
    uow: UnitOfWork,
    facility_id: int | None,
    *,
    statuses: dict[str, str] | None = None,
    years: int | None = None,
    thresholds: tuple[float, float] | None = None,
) -> None:
    """Each part given is checked before any is written, then all are written in the caller's
    transaction, so a refused value leaves every setting as it was."""
    parts: list[tuple[str, dict[str, str], str]] = []
    if statuses is not None:
        parts.append((STATUS_PREFIX, _clean_status_mapping(statuses), "parametre_statuts"))
    if years is not None:
        parts.append((ACTIVE_YEARS_KEY, _clean_active_years(years), "parametre_file_active"))
    if thresholds is not None:
        parts.append((THRESHOLD_PREFIX, _clean_thresholds(*thresholds), "parametre_seuils_doublons"))
    for prefix, values, action in parts:
        _replace_in(uow, facility_id, prefix, values, action)


# --- status mapping -------------------------------------------------------------------------------


def status_mapping(uow: UnitOfWork, facility_id: int | None, *, own_only: bool = False) -> dict[str, str]:
    """Source value → canonical status. `own_only`: the facility's rows alone (what the form edits)."""
    return uow.settings.with_prefix(STATUS_PREFIX, facility_id, own_only=own_only)


def set_status_mapping(db: Database, mapping: dict[str, str], facility: str | None = None) -> dict[str, str]:
    """Replace the default status mapping of `facility` (or of all facilities). Values are folded as the
    import folds them, so « Vali » and « VALI » are one key. Returns what was stored."""
    clean = _clean_status_mapping(mapping)
    _replace(db, facility, STATUS_PREFIX, clean, "parametre_statuts")
    return clean


def _clean_status_mapping(mapping: dict[str, str]) -> dict[str, str]:
    clean: dict[str, str] = {}
    for source, target in mapping.items():
        key, value = fold_status(source), fold_status(target)
        if not key:
            raise IvoError("Valeur source vide dans la correspondance des statuts.")
        if value not in STATUSES:
            raise IvoError(f"Statut cible inconnu : {target} (attendu : {', '.join(STATUSES)}).")
        clean[key] = value
    return clean


# --- active-file period ---------------------------------------------------------------------------


def active_years(uow: UnitOfWork, facility_id: int | None) -> int:
    value = uow.settings.with_prefix(ACTIVE_YEARS_KEY, facility_id).get("")
    return int(value) if value else DEFAULT_ACTIVE_YEARS


def set_active_years(db: Database, years: int, facility: str | None = None) -> None:
    _replace(db, facility, ACTIVE_YEARS_KEY, _clean_active_years(years), "parametre_file_active")


def _clean_active_years(years: int) -> dict[str, str]:
    if not 1 <= years <= 50:
        raise IvoError("La période de la file active doit être comprise entre 1 et 50 ans.")
    return {"": str(years)}


# --- the facility's assigning authority of its IPPs ------------------------------------------------


def ipp_authority(uow: UnitOfWork, facility_id: int | None) -> str | None:
    """The expected assigning authority of the facility's IPPs (namespace or OID): the HL7 and FHIR
    readers key the facility's own patients on it, and the FHIR export puts it as the IPP's system."""
    return uow.settings.with_prefix(IPP_AUTHORITY_KEY, facility_id).get("") or None


def set_ipp_authority(db: Database, authority: str, facility: str | None = None) -> None:
    value = authority.strip().removeprefix("urn:oid:")
    if not value or len(value) > 200 or any(c in value for c in "|^~\\&"):
        raise IvoError("Autorité d'affectation invalide (nom ou OID, sans séparateur HL7).")
    _replace(db, facility, IPP_AUTHORITY_KEY, {"": value}, "parametre_autorite_ipp")


# --- duplicate thresholds -------------------------------------------------------------------------


def model_thresholds() -> dict[str, float]:
    """The thresholds shipped in resources/matching/model.json (read here rather than through
    services.duplicates, which reads the facility's thresholds from this module)."""
    data = json.loads(paths.resource("matching", "model.json").read_text(encoding="utf-8"))
    return {k: float(data["thresholds"][k]) for k in THRESHOLDS}


def duplicate_threshold_overrides(uow: UnitOfWork, facility_id: int | None) -> dict[str, float]:
    """The stored probable / a_examiner of the facility (none: the model's apply). `find_duplicates`
    lays them over its model's; `facility_settings` over `model_thresholds()`."""
    values = uow.settings.with_prefix(THRESHOLD_PREFIX, facility_id)
    return {k: float(v) for k, v in values.items() if k in THRESHOLDS}


def set_duplicate_thresholds(
    db: Database, probable: float | None, a_examiner: float | None, facility: str | None = None
) -> None:
    """Override the thresholds (None for both: back to the model's)."""
    _replace(
        db, facility, THRESHOLD_PREFIX, _clean_thresholds(probable, a_examiner), "parametre_seuils_doublons"
    )


def _clean_thresholds(probable: float | None, a_examiner: float | None) -> dict[str, str]:
    if (probable is None) != (a_examiner is None):
        raise IvoError("Indiquez les deux seuils (probable et à examiner), ou aucun.")
    values: dict[str, str] = {}
    if probable is not None and a_examiner is not None:
        if not (-100 < a_examiner < probable < 100):
            raise IvoError("Le seuil « probable » doit dépasser le seuil « à examiner » (entre -100 et 100).")
        values = {"probable": f"{probable:.6g}", "a_examiner": f"{a_examiner:.6g}"}
    return values
