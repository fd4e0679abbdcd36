"""The HL7 v2 and FHIR readers' pure parts: separators, escapes, identifier kinds, charsets."""

from __future__ import annotations

from ivo_app.io.fhir import identifier_kind
from ivo_app.io.hl7v2 import Message, decode_with_note, identifiers, patient_fields


def test_separators_are_those_of_msh_2_and_escapes_are_honoured() -> None:
    # ANS examples declare "^˜\\&": U+02DC is their repetition separator.
    msg = Message.parse("MSH|^˜\\&|A|B|||2025||ADT^A28|1|P|2.5\rPID|1||1^^^CH&1.2&ISO^PI||D\\T\\ARC\\S\\X^JEANNE^^^^^L"
                        "||19120106|F|||^^^^^^H˜^^^^^^BDL^^88154")  # fmt: skip
    pid = msg.first("PID")
    assert pid is not None
    fields, extra, found = patient_fields(msg, pid)
    assert fields["nom_naissance"] == "D&ARC^X" and fields["lieu_naissance"] == "88154"
    assert [(i.value, i.namespace, i.oid, i.id_type) for i in found] == [("1", "CH", "1.2", "PI")]
    assert extra == {}


def test_ins_c_and_nh_are_not_the_ins() -> None:
    msg = Message.parse("MSH|^~\\&|A|B|||2025||ADT^A28|1|P|2.5")
    found = identifiers(msg, "1^^^X&1.2.250.1.213.1.4.2&ISO^INS-C~2^^^Y&1.2.250.1.213.1.4.8&ISO^NH~3^^^Z^INS")
    assert [(i.is_ins, i.is_ins_c) for i in found] == [(False, True), (False, False), (True, False)]


def test_fhir_identifier_kinds_follow_fr_core_slices() -> None:
    nir = "urn:oid:1.2.250.1.213.1.4.8"
    assert identifier_kind({"system": nir, "use": "official"}) == "ins"
    assert identifier_kind({"system": nir, "use": "old"}) == "ins_old"
    assert identifier_kind({"system": nir, "type": {"coding": [{"code": "NH"}]}}) == "nss"
    assert identifier_kind({"system": "urn:oid:1.2.250.1.213.1.4.2"}) == "ins_c"
    assert identifier_kind({"type": {"coding": [{"code": "PI"}]}, "use": "old"}) == "pi_old"
    assert identifier_kind({"system": "urn:oid:1.2.3"}) == "other"


def test_charset_hint_and_conflicts() -> None:
    utf8 = "MSH|^~\\&|A|B|||2025||ADT^A28|1|P|2.5|||||FRA|8859/1\rPID|1||1^^^X^PI||HÉLÈNE".encode()
    text, codec, note = decode_with_note(utf8, "f.hl7")
    assert (codec, "HÉLÈNE" in text) == ("utf-8", True) and note and "8859/1" in note
    latin = "MSH|^~\\&|A|B|||2025||ADT^A28|1|P|2.5|||||FRA|8859/1\rPID|1||1^^^X^PI||HÉLÈNE".encode("latin-1")
    assert decode_with_note(latin, "f.hl7")[1:] == ("latin-1", None)
