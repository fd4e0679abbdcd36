"""The one table of identity fields (ivo_app.identity) and what must agree with it.

The stored model stays declared in SQLAlchemy, the record in a dataclass: these tests make a new
field that forgets one of them fail here rather than in an import.
"""

from __future__ import annotations

import pytest

from ivo_app.identity import BY_HEADER, BY_NAME, FIELDS, FILE_FIELDS, NORMALISED, field_label, inline_label
from ivo_app.io import mapping
from ivo_app.rules.normalize import fold_header
from ivo_app.rules.record import IdentityRecord
from ivo_app.services import records
from ivo_app.store.models import Identity


def test_the_identity_table_holds_exactly_the_fields_and_their_normal_forms() -> None:
    model = {c.name for c in Identity.__table__.columns} - {"id"}
    table = {f.name for f in FIELDS} | set(NORMALISED.values())
    assert model - table == set(), "columns of the model missing from the field table"
    assert table - model == set(), "fields of the table missing from the model"
    # every column an import writes is a column of the model, written once
    assert set(records.IDENTITY_COLUMNS) == model
    assert len(records.IDENTITY_COLUMNS) == len(set(records.IDENTITY_COLUMNS))


def test_the_record_has_an_attribute_per_field() -> None:
    attributes = set(IdentityRecord.__dataclass_fields__) - {"id"}
    assert attributes == {f.name for f in FIELDS} - {"extraction_id"}


def test_each_field_is_named_once_with_one_label() -> None:
    names = [f.name for f in FIELDS]
    assert len(names) == len(set(names))
    labels = [f.label for f in FIELDS]
    assert len(labels) == len(set(labels)), "two fields with the same French label"
    headers = [h for f in FIELDS for h in f.headers]
    assert len(headers) == len(set(headers)), "a header synonym claimed by two fields"
    assert all(h == fold_header(h) for h in headers), "synonyms are stored folded"


def test_the_import_mapping_derives_from_the_table() -> None:
    assert list(mapping.CANONICAL_FIELDS) == [f.header for f in FILE_FIELDS]
    assert mapping.CANONICAL_FIELDS["lieu_naissance"] == "birthplace"
    assert mapping.FIELD_LABELS["date_naissance"] == "Date de naissance"
    assert mapping.REQUIRED == ("ipp", "nom_naissance", "date_naissance", "sexe")
    assert mapping.SYNONYMS["nom_naissance"][0] == "nom_naissance"
    assert mapping.guess_mapping(["N° patient", "NOM JF", "Prénom", "DDN", "Genre"]).columns == {
        "ipp": "N° patient",
        "nom_naissance": "NOM JF",
        "premier_prenom": "Prénom",
        "date_naissance": "DDN",
        "sexe": "Genre",
    }


def test_every_field_read_from_a_file_has_a_rule_both_import_paths_apply() -> None:
    builder = records.RowBuilder(1, None, dates_as_text=True)
    for f in FILE_FIELDS:
        assert f.parse is not None, f.name
        if f.parse not in ("ipp", "matricule"):
            assert f.name in builder.memos, f.name
    assert BY_HEADER["statut"].companion == "status_source"


def test_labels_in_a_sentence_keep_acronyms() -> None:
    assert field_label("birthplace") == "Lieu de naissance"
    assert inline_label("birth_name") == "nom de naissance"
    assert inline_label("ins_matricule") == "matricule INS"
    assert inline_label("ipp") == "IPP"
    assert field_label("unknown") == "unknown"
    assert BY_NAME["first_first_name"].normalised == "first_first_name_norm"


def test_the_views_name_fields_of_the_table() -> None:
    from ivo_app.audit.results import SAMPLE_FIELDS, SAMPLE_TRAITS
    from ivo_app.identity import labelled
    from ivo_app.rules.matching.columns import TRAIT_FIELDS, TRAIT_LABELS

    assert set(SAMPLE_FIELDS.values()) <= set(BY_NAME)
    assert SAMPLE_TRAITS["lieu_naissance"] == "Lieu de naissance"
    assert set(TRAIT_FIELDS.values()) <= set(BY_NAME)
    assert TRAIT_LABELS["first_name"] == "premier prénom" and TRAIT_LABELS["ins"] == "matricule INS"
    assert labelled(("ipp", "sex")) == (("ipp", "IPP"), ("sex", "Sexe"))
    with pytest.raises(KeyError):  # a misspelt field in a view fails when the view is imported
        labelled(("birth_nmae",))
