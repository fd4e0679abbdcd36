"""Every real public file (../shared/reference/external, tests/data/external-extra): its identities read
exactly, field by field, or refused with its precise French reason. A file without an expectation here
fails the test, so a new fixture cannot go unchecked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from ivo_app.errors import IvoError
from ivo_app.io.mapping import ColumnMapping
from ivo_app.services.imports import import_file
from ivo_app.store.models import Identity
from ivo_app.store.uow import UnitOfWork
from tests.conftest import SHARED_REFERENCE

EXTERNAL = SHARED_REFERENCE / "external"
EXTRA = Path(__file__).resolve().parent.parent / "data" / "external-extra"
FIELDS = ("ipp", "birth_name", "first_names", "first_first_name", "used_name", "used_first_name", "birth_date",
          "sex", "birthplace", "ins_matricule", "ins_oid", "status", "attributes", "document_type")  # fmt: skip
NIR, TEST = "1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.10"

# The ANS PAM FR admissions: one patient, IPP 000003 of CHU-X, test INS (OID …4.10), VALI.
PAT_TROIS = ("000003", "PAT-TROIS", "DOMINIQUE", "DOMINIQUE", None, None, date(1979, 3, 28), "F", "63220",
             "279035121518989", TEST, "VALI", None, None)  # fmt: skip
# ORU/MDM whose PID-3 holds only the INS (…4.8 or …4.10): refused without key_without_ipp...
INS_ONLY = "PID-3 ne contient que l'INS, aucun IPP (identifiant de type PI)"
# ... and read, keyed on the INS, with it: (INS, birth name, first first name, list, birth date, sex, OID)
INS_KEYED = {
    "DE VINCI": ("276037510669380", "DE VINCI", None, "DONATELLO", None, None, date(2010, 8, 7), "M", "63220",
                 "276037510669380", NIR, "VALI", None, None),
    "PatientA": ("274075176079430", "PatientA", None, "DOMINIQUE", None, None, date(2005, 1, 1), "M", "63220",
                 "274075176079430", NIR, "VALI", None, None),
    "PatA": ("274075176079430", "PatA", None, "DOMINIQUE", None, None, date(2005, 1, 1), "M", "63220",
             "274075176079430", NIR, "VALI", None, None),
    "NESSI": ("277076322082910", "NESSI", None, "RUTH", None, None, date(1977, 7, 14), "F", "63220",
              "277076322082910", NIR, "VALI", None, None),
    "PAT-TROIS": ("279035121518989", "PAT-TROIS", "DOMINIQUE", "DOMINIQUE", None, None, date(1979, 3, 28), "F",
                  "63220", "279035121518989", TEST, "VALI", None, None),
}  # fmt: skip

EXPECTED: dict[str, tuple | str] = {  # type: ignore[type-arg]
    # --- FHIR ---
    "Bundle-PDSm-example-comprehensiveProvideDocumentBundleReplace-patient-only.json": (
        "patient-1", "DUPONT", "JEAN", "JEAN", None, None, date(1989, 7, 9), "M", None, "189079912345678", NIR,
        "PROV", None, None),  # INS and no IPP: keyed on Patient.id; no reliability extension = PROV
    "Patient avec INSNIR logique.json": (  # FR Core 1.x: ident-reliability, birthplace in district, OID …4.10
        "85d23799c1", "SAYEH", "FEIXA", "FEIXA", "SAYEH", "SEUMAS", date(1962, 12, 27), "M", "65217",
        "162126587913677", TEST, "VALI", None, None),
    "Patient sans NIR.json": (  # maiden + usual + official names: official is the birth name
        "520fcfdbf9", "OUM OUM", "CHILUKURI", "CHILUKURI", "BOANALIDY", "CHILUKURI", date(2013, 11, 30), "F",
        "44192", None, None, "PROV", None, None),
    "Patient-FHIR-Patient-Prenom-FHIR-Patient-Fixtures.json": (  # an untyped identifier is the IPP
        "420", "FHIR PATIENT FIXTURES", "FHIR PATIENT PRENOM", "FHIR PATIENT PRENOM", "FHIR PATIENT FIXTURES",
        "FHIR PATIENT USUAL", date(2000, 1, 1), "I", None, None, None, "PROV", None, None),
    "Patient-FRCorePatientINSExampleRNIV-prov-v2.2.0.json": (  # FR Core 2.x: birth-list-given-name
        "IPP-260-058", "Dark", "Jeanne Marie Cécile", "Jeanne", None, None, date(1960, 5, 30), "F", "88154",
        None, None, "PROV", None, None),
    "Patient-FRCorePatientINSExampleRNIV-qual-v2.2.0.json": (
        "FRCorePatientINSExampleRNIV", "Dark", "Jeanne Marie Cécile", "Jeanne", None, None, date(1960, 5, 30),
        "F", "88154", "260058815400233", NIR, "QUAL", None, None),
    "Patient-Martine-Selfiesante.json": (  # 1.x validationMode CN, district birthplace
        "f32ace62-4040-44df-9281-4c6844902777", "selfiesante", "Martine", "Martine", None, None,
        date(1955, 5, 15), "F", "01019", "179125612113516", NIR, "VALI", None, "CN"),
    "Patient-MichelAngelo-Nessi.json": (  # no identifier at all: Patient.id; VIDE = no status yet
        "1292", "NESSI", "MICHELANGELO", "MICHELANGELO", "Nessi", "MichelAngelo", date(2010, 8, 7), "M", None,
        None, None, "PROV", None, None),
    # --- HL7 v2 PAM FR admissions ---
    "SGL_admission.er7": PAT_TROIS,
    "SGL_sortie.er7": PAT_TROIS,
    **{
        f"Vague_2_Consentement_DMP_PAMFR_{name}.er7": PAT_TROIS
        for name in (
            "ConsentementConsultation_NonOppositionAlimentation",
            "NonConsentementConsultation_NonOppositionAlimentation",
            "NonConsentementConsultation_OppositionAlimentation",
            "NonRecueillieConsentementConsultation_NonOppositionAlimentation",
            "NonRecueillieConsentementConsultation_NonRecueillieOppositionAlimentation",
        )
    },
    # --- extra files ---
    "V2.1_ORU_DEL_ack.er7": "message sans patient",
    # MSH-18 8859/1 over UTF-8 bytes; PID-5 D before L; PID-32 PROV~FICT; BDL birthplace 75101
    "Ben0it-T_hl7v2_README_ADT_A31.hl7": (
        "123456789", "Lastname", "Firstname", "Firstname", "Lastname", "Firstname", date(1970, 1, 1), "M", "75101",
        "170017510112313", TEST, "PROV", "FICTIVE", None),
}  # fmt: skip


def _all_files() -> list[Path]:
    found = sorted(EXTRA.rglob("*.er7")) + sorted(EXTRA.rglob("*.hl7"))
    for folder in ("fhir", "hl7-ansforge"):
        if (EXTERNAL / folder).is_dir():
            found += sorted((EXTERNAL / folder).iterdir())
    return found


def _expected(path: Path) -> tuple | str:  # type: ignore[type-arg]
    if path.name in EXPECTED:
        return EXPECTED[path.name]
    text = path.read_bytes()
    if b"PID|||" in text and b"^PI" not in text.split(b"PID|||", 1)[1].split(b"|", 1)[0]:
        return INS_ONLY  # the ORU/MDM documents: PID-3 = the INS alone
    raise AssertionError(f"{path.name}: no expectation written for this file")


def _rows(db, extraction_id: int) -> list[tuple]:  # type: ignore[no-untyped-def,type-arg]
    with UnitOfWork(db) as uow:
        found = uow.session.scalars(select(Identity).where(Identity.extraction_id == extraction_id)).all()
        return [tuple(getattr(i, f) for f in FIELDS) for i in found]


FILES = _all_files()


@pytest.mark.skipif(not EXTERNAL.is_dir(), reason="../shared/reference/external absent")
def test_the_external_folders_are_all_here() -> None:
    assert len([f for f in FILES if f.parent.name == "fhir"]) == 8
    assert len([f for f in FILES if f.parent.name == "hl7-ansforge" and EXTERNAL in f.parents]) == 20


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:60])
def test_each_real_file_is_read_exactly_or_refused_with_its_reason(db, path: Path) -> None:  # type: ignore[no-untyped-def]
    expected = _expected(path)
    if isinstance(expected, str):
        with pytest.raises(IvoError) as refused:
            import_file(db, path, "CH réel")
        assert refused.value.message.startswith("Aucune identité importée")
        assert expected in refused.value.message
        return
    result = import_file(db, path, "CH réel")
    assert _rows(db, result.extraction_id) == [expected]
    assert result.rejections == []
    if path.name.startswith("Ben0it-T"):  # UTF-8 bytes under a declared 8859/1: read as UTF-8, and said
        assert result.encoding == "utf-8"
        assert any("MSH-18 déclare « 8859/1 »" in n for n in result.report["remarques"])


@pytest.mark.parametrize("path", [f for f in FILES if _expected(f) == INS_ONLY], ids=lambda p: p.name[:60])
def test_ins_only_messages_are_read_keyed_on_the_ins_when_asked(db, path: Path) -> None:  # type: ignore[no-untyped-def]
    result = import_file(db, path, "CH réel", mapping=ColumnMapping(key_without_ipp="ins"))
    (row,) = _rows(db, result.extraction_id)
    assert row == INS_KEYED[row[1]]
    (domain,) = result.report["domaines"]
    assert domain["domaine"] == "INS (sans IPP)" and domain["lus"] == domain["gardes"] == 1
