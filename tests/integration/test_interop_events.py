"""HL7 v2 PAM FR and FHIR FR Core: identity domains, events, character sets, INS slices, attributes.

Messages and resources written here from the specifications (IHE PAM France 2.11, FR Core 2.x), each
for one defect that silently lost, merged or changed an identity before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from ivo_app.errors import IvoError
from ivo_app.io.mapping import ColumnMapping
from ivo_app.services.imports import import_file
from ivo_app.store.models import Identity
from ivo_app.store.uow import UnitOfWork

MSH = "MSH|^~\\&|{app}|{fac}|IVO|IVO|2025010{n}1200||ADT^{event}|M{n}|P|2.5^FRA^2.11|||||FRA|{charset}"
CH_A = "CH-A&1.2.250.1.999.1.1&ISO"
CH_B = "CH-B&1.2.250.1.999.2.2&ISO"
INS_NIR = "ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO"


def pid(ids: str, name: str = "DUPONT^JEAN^JEAN PIERRE^^^^L", birth: str = "19800312", sex: str = "M",
        place: str = "^^^^^^BDL^^31555", reliability: str = "PROV") -> str:  # fmt: skip
    return f"PID|1||{ids}||{name}||{birth}|{sex}|||{place}" + "|" * 21 + reliability


def message(
    n: int, event: str, *segments: str, app: str = "GAM", fac: str = "CH-A", charset: str = "UNICODE UTF-8"
) -> str:
    return "\r".join([MSH.format(app=app, fac=fac, n=n, event=event, charset=charset), *segments])


def write(tmp_path: Path, *messages: str, encoding: str = "utf-8", name: str = "flux.hl7") -> Path:
    path = tmp_path / name
    path.write_bytes("\r".join(messages).encode(encoding) + b"\r")
    return path


def identities(db, extraction_id: int) -> dict[str, Identity]:  # type: ignore[no-untyped-def]
    with UnitOfWork(db) as uow:
        found = uow.session.scalars(select(Identity).where(Identity.extraction_id == extraction_id)).all()
        uow.session.expunge_all()
        return {i.ipp: i for i in found}


# --- identity domains -------------------------------------------------------------------------------


def test_two_authorities_with_the_same_ipp_are_two_patients_never_merged(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        message(1, "A28^ADT_A05", pid(f"42^^^{CH_A}^PI", name="DUPONT^JEAN^JEAN^^^^L")),
        message(
            2, "A28^ADT_A05", pid(f"42^^^{CH_B}^PI", name="MARTIN^PAUL^PAUL^^^^L"), app="GAM-B", fac="CH-B"
        ),
        message(3, "A28^ADT_A05", pid(f"43^^^{CH_A}^PI", name="DURAND^LUC^LUC^^^^L")),
    )
    result = import_file(db, path, "CH-A")
    found = identities(db, result.extraction_id)
    assert {ipp: i.birth_name for ipp, i in found.items()} == {
        "42": "DUPONT",
        "42@CH-B": "MARTIN",
        "43": "DURAND",
    }
    assert found["42@CH-B"].extra == {"domaine": "CH-B (1.2.250.1.999.2.2)", "ipp_source": "42"}
    domains = {d["domaine"]: d for d in result.report["domaines"]}
    assert (
        domains["CH-A (1.2.250.1.999.1.1)"]["gardes"] == 2
        and not domains["CH-A (1.2.250.1.999.1.1)"]["ipp_qualifies"]
    )
    assert domains["CH-B (1.2.250.1.999.2.2)"]["systemes_source"] == ["GAM-B/CH-B"]
    assert domains["CH-B (1.2.250.1.999.2.2)"]["ipp_qualifies"]
    assert any("2 domaines d'identification" in n for n in result.report["remarques"])


def test_the_expected_authority_is_the_main_domain(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        message(1, "A28^ADT_A05", pid(f"7^^^{CH_A}^PI")),
        message(2, "A28^ADT_A05", pid(f"8^^^{CH_B}^PI~9^^^{CH_A}^PI")),
        message(3, "A28^ADT_A05", pid(f"10^^^{CH_B}^PI")),
    )
    by_count = identities(db, import_file(db, path, "CH").extraction_id)
    assert set(by_count) == {"7@CH-A", "8", "10"}  # CH-B has more patients
    wanted = import_file(db, path, "CH", mapping=ColumnMapping(expected_authority="1.2.250.1.999.1.1"))
    assert set(identities(db, wanted.extraction_id)) == {"7", "9"} | {"10@CH-B"}


def test_the_facility_setting_gives_the_expected_authority(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.services import settings

    path = write(tmp_path, message(1, "A28^ADT_A05", pid(f"8^^^{CH_B}^PI~9^^^{CH_A}^PI")))
    settings.set_ipp_authority(db, "CH-A")
    (patient,) = identities(db, import_file(db, path, "CH").extraction_id).values()
    assert (patient.ipp, patient.extra["autres_ipp"]) == ("9", "8@CH-B")  # the other domain's IPP kept


# --- events -----------------------------------------------------------------------------------------


def test_a40_merges_every_mrg_repetition_found_by_its_type(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        message(1, "A28^ADT_A05", pid(f"1^^^{CH_A}^PI")),
        message(2, "A28^ADT_A05", pid(f"2^^^{CH_A}^PI")),
        message(3, "A28^ADT_A05", pid(f"3^^^{CH_A}^PI")),
        message(4, "A28^ADT_A05", pid(f"4^^^{CH_A}^PI")),
        message(5, "A28^ADT_A05", pid(f"5^^^{CH_A}^PI")),
        # MRG-1 starts with the INS: the IPP is the PI repetition, not the first one
        message(6, "A40^ADT_A39", pid(f"1^^^{CH_A}^PI"), f"MRG|180033155512302^^^{INS_NIR}^INS~2^^^{CH_A}^PI",
                pid(f"3^^^{CH_A}^PI"), f"MRG|4^^^{CH_A}^PI~99^^^{CH_A}^PI"),  # two PID/MRG groups
    )  # fmt: skip
    result = import_file(db, path, "CH")
    assert set(identities(db, result.extraction_id)) == {"1", "3", "5"}
    (domain,) = result.report["domaines"]
    assert domain["fusionnes"] == 2 and domain["gardes"] == 3
    assert result.report["evenements"] == [
        "message 6 (A40) : IPP 2 fusionné dans l'IPP 1",
        "message 6 (A40) : IPP 4 fusionné dans l'IPP 3",
        "message 6 (A40) : IPP 99 (absent du fichier) fusionné dans l'IPP 3",
    ]


def test_a47_renumbers_and_updates_keep_what_they_do_not_carry(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        message(1, "A28^ADT_A05", pid(f"100^^^{CH_A}^PI", reliability="PROV~HOMA")),
        message(2, "A47^ADT_A30", pid(f"200^^^{CH_A}^PI", reliability="VALI~HOMA"), f"MRG|100^^^{CH_A}^PI"),
        # A08: PID-11 empty (no change), PID-8 '""' (cleared), a new used name
        message(3, "A08^ADT_A01", pid(f"200^^^{CH_A}^PI", name="DUPONT^JEAN^JEAN PIERRE^^^^L~BERNARD^JEAN^^^^^D",
                                      sex='""', place="", reliability="VALI~HOMA")),
    )  # fmt: skip
    result = import_file(db, path, "CH")
    (patient,) = identities(db, result.extraction_id).values()
    assert (patient.ipp, patient.status, patient.attributes) == ("200", "VALI", "HOMONYME")
    assert (patient.birthplace, patient.sex, patient.used_name) == ("31555", None, "BERNARD")
    assert result.report["evenements"] == [
        "message 2 (A47) : IPP 100 → 200",
        "message 2 (A47) : IPP 200, modifié : statut (statut PROV → VALI)",
        "message 3 (A08) : IPP 200, modifié : sexe, nom utilisé, prénom utilisé",
    ]
    (domain,) = result.report["domaines"]
    assert (domain["lus"], domain["gardes"], domain["mis_a_jour"], domain["fusionnes"]) == (3, 1, 2, 1)


# --- character sets ---------------------------------------------------------------------------------


def test_utf8_bytes_declared_8859_are_read_as_utf8_and_said(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, message(1, "A28^ADT_A05", pid(f"1^^^{CH_A}^PI", name="LEFÈVRE^HÉLÈNE^HÉLÈNE^^^^L"),
                                   charset="8859/1"))  # fmt: skip
    result = import_file(db, path, "CH")
    (patient,) = identities(db, result.extraction_id).values()
    assert (patient.birth_name, patient.first_first_name) == ("LEFÈVRE", "HÉLÈNE")  # not LEFÃˆVRE
    assert result.encoding == "utf-8"
    assert any(
        "MSH-18 déclare « 8859/1 » mais les octets sont de l'UTF-8" in n for n in result.report["remarques"]
    )


def test_latin1_bytes_declared_utf8_are_a_reported_conflict(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, message(1, "A28^ADT_A05", pid(f"1^^^{CH_A}^PI", name="LEFÈVRE^HÉLÈNE^HÉLÈNE^^^^L")),
                 encoding="latin-1")  # fmt: skip
    result = import_file(db, path, "CH")
    (patient,) = identities(db, result.extraction_id).values()
    assert patient.birth_name == "LEFÈVRE"
    assert any("conflit de jeu de caractères" in n for n in result.report["remarques"])


def test_declared_8859_15_latin_bytes_are_read_in_that_set(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, message(1, "A28^ADT_A05", pid(f"1^^^{CH_A}^PI", name="ŒUVRE^ÉLODIE^ÉLODIE^^^^L"),
                                   charset="8859/15"), encoding="iso-8859-15")  # fmt: skip
    result = import_file(db, path, "CH")
    assert identities(db, result.extraction_id)["1"].birth_name == "ŒUVRE"
    assert result.report["remarques"] == []


# --- INS and attributes -----------------------------------------------------------------------------


def test_ins_c_is_never_the_ins_and_homd_is_not_the_homonym_attribute(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        message(1, "A28^ADT_A05", pid(f"1^^^{CH_A}^PI~1234567890123456789012^^^INS-C&1.2.250.1.213.1.4.2&ISO^INS-C",
                                      reliability="PROV~HOMD")),
        message(2, "A28^ADT_A05", pid(f"2^^^{CH_A}^PI~180033155512302^^^{INS_NIR}^INS", reliability="QUAL~HOMA")),
    )  # fmt: skip
    found = identities(db, import_file(db, path, "CH").extraction_id)
    assert (found["1"].ins_matricule, found["1"].attributes) == (None, None)
    assert found["1"].extra == {
        "ins_c": "1234567890123456789012",
        "pid32_autres_codes": "HOMD",
        "domaine": "CH-A (1.2.250.1.999.1.1)",
    }
    assert (found["2"].ins_matricule, found["2"].ins_oid, found["2"].attributes) == (
        "180033155512302", "1.2.250.1.213.1.4.8", "HOMONYME")  # fmt: skip


def test_a_message_without_patient_and_one_without_ipp_say_why(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        "MSH|^~\\&|X|Y|||20250101||ACK^A01^ACK|Z|P|2.5\rMSA|AA|M1",
        message(2, "A28^ADT_A05", pid(f"^^^{CH_A}^PI")),
        message(3, "A28^ADT_A05", pid(f"3^^^{CH_A}^PI")),
    )
    result = import_file(db, path, "CH")
    assert [(r.line_no, r.reason) for r in result.rejections] == [
        (1, "message_sans_patient"),
        (2, "ipp_manquant"),
    ]
    assert "aucun segment PID" in result.rejections[0].detail
    assert "PID-3 sans IPP" in result.rejections[1].detail


# --- FHIR -------------------------------------------------------------------------------------------

FR = "https://hl7.fr/ig/fhir/core"


def fhir_patient(**extra: object) -> dict:  # type: ignore[type-arg]
    resource = {
        "resourceType": "Patient",
        "id": "p1",
        "identifier": [
            {"use": "usual", "type": {"coding": [{"code": "PI"}]}, "system": "urn:oid:1.2.3", "value": "1"}
        ],
        "name": [{"use": "official", "family": "DUPONT", "given": ["JEAN"]}],
        "gender": "male",
        "birthDate": "1980-03-12",
    }
    resource.update(extra)
    return resource


def import_resources(db, tmp_path: Path, *resources: dict, mapping: ColumnMapping | None = None):  # type: ignore[no-untyped-def,type-arg]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection",
                                "entry": [{"resource": r} for r in resources]}), encoding="utf-8")  # fmt: skip
    return import_file(db, path, "CH", mapping=mapping)


def test_fhir_nss_is_never_the_ins_and_an_old_ins_never_wins(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pi = {"use": "usual", "type": {"coding": [{"code": "PI"}]}, "system": "urn:oid:1.2.3", "value": "1"}
    nss = {"use": "official", "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
           "code": "NH"}]}, "system": "urn:oid:1.2.250.1.213.1.4.8", "value": "155056912345622"}  # fmt: skip
    old = {"use": "old", "type": {"coding": [{"code": "INS-NIR"}]}, "system": "urn:oid:1.2.250.1.213.1.4.8",
           "value": "180033155512302"}  # fmt: skip
    new = {**old, "use": "official", "value": "280033155512399"}
    result = import_resources(db, tmp_path, fhir_patient(identifier=[pi, nss]),
                              fhir_patient(id="p2", identifier=[{**pi, "value": "2"}, old, new]),
                              fhir_patient(id="p3", identifier=[{**pi, "value": "3"}, old]))  # fmt: skip
    found = identities(db, result.extraction_id)
    assert (found["1"].ins_matricule, found["1"].extra["nss"]) == (None, "155056912345622")
    assert (found["2"].ins_matricule, found["2"].extra["ins_ancien"]) == (
        "280033155512399",
        "180033155512302",
    )
    assert (found["3"].ins_matricule, found["3"].extra["ins_ancien"]) == (None, "180033155512302")


def test_fhir_comment_attributes_homa_vs_homd_and_reliability_codes(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def reliability(*comments: str) -> list[dict]:  # type: ignore[type-arg]
        parts = [
            {
                "url": "identityStatus",
                "valueCoding": {"system": f"{FR}/CodeSystem/fr-core-cs-identity-status", "code": "PROV"},
            }
        ]
        parts += [{"url": "comment", "valueCodeableConcept": {"coding": [{"code": c}]}} for c in comments]
        return [{"url": f"{FR}/StructureDefinition/fr-core-identity-reliability", "extension": parts}]

    result = import_resources(db, tmp_path, fhir_patient(extension=reliability("HOMD", "DOUB")),
                              fhir_patient(id="p2", identifier=[{"type": {"coding": [{"code": "PI"}]}, "system": "urn:oid:1.2.3", "value": "2"}],
                                           extension=reliability("HOMA", "DOUT")))  # fmt: skip
    found = identities(db, result.extraction_id)
    assert (found["1"].status, found["1"].attributes, found["1"].extra["commentaires_fiabilite"]) == (
        "PROV",
        None,
        "HOMD DOUB",
    )
    assert found["2"].attributes == "DOUTEUSE,HOMONYME"


def test_fhir_patient_with_ins_and_no_ipp_keyed_on_its_id_or_refused(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ins = [{"use": "official", "system": "urn:oid:1.2.250.1.213.1.4.8", "value": "180033155512302"}]
    read = import_resources(db, tmp_path, fhir_patient(identifier=ins))
    assert list(identities(db, read.extraction_id)) == ["p1"]
    assert (
        "1 Patient sans IPP (identifiant de type PI) : identifiés par leur Patient.id."
        in read.report["remarques"]
    )
    with pytest.raises(IvoError) as refused:
        import_resources(
            db, tmp_path, fhir_patient(identifier=ins), mapping=ColumnMapping(key_without_ipp="refuse")
        )
    assert "Patient avec INS mais sans IPP (identifiant de type PI)" in refused.value.message
    keyed = import_resources(
        db, tmp_path, fhir_patient(identifier=ins), mapping=ColumnMapping(key_without_ipp="ins")
    )
    assert list(identities(db, keyed.extraction_id)) == ["180033155512302"]


def test_fhir_two_identifier_systems_are_two_domains(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other = [{"type": {"coding": [{"code": "PI"}]}, "system": "urn:oid:9.9", "value": "1"}]
    result = import_resources(db, tmp_path, fhir_patient(), fhir_patient(id="p2", identifier=other),
                              fhir_patient(id="p3", identifier=[{**other[0], "value": "2"}]))  # fmt: skip
    assert set(identities(db, result.extraction_id)) == {"1@1.2.3", "1", "2"}


def test_a_feed_from_elsewhere_keys_on_its_medical_record_number(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Shape of the ADT^A40 of Swiss and North American feeds: PID-3 and MRG-1 of type MR, no PI.
    hug = "HUG&2.16.756.5.30.1.146.1&ISO"
    path = write(
        tmp_path,
        message(1, "A28^ADT_A05", pid(f"MRN299999^^^{hug}^MR")),
        message(2, "A28^ADT_A05", pid(f"MRN200001^^^{hug}^MR")),
        message(3, "A40^ADT_A39", pid(f"MRN200001^^^{hug}^MR"), f"MRG|MRN299999^^^{hug}^MR"),
    )
    result = import_file(db, path, "HUG")
    (patient,) = identities(db, result.extraction_id).values()
    assert (patient.ipp, patient.extra["ipp_type"]) == ("MRN200001", "MR")
    assert result.report["evenements"] == ["message 3 (A40) : IPP MRN299999 fusionné dans l'IPP MRN200001"]
