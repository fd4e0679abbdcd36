import json
from pathlib import Path

import pytest

from ivo_app.errors import MappingError
from ivo_app.io.mapping import ColumnMapping, guess_mapping, resolve_mapping


def test_canonical_headers_map_without_any_step() -> None:
    headers = ["IPP", "Nom_Naissance", "Prénoms_naissance", "premier_prenom", "date_naissance", "sexe"]
    mapping = resolve_mapping(headers, None)
    assert mapping.columns["nom_naissance"] == "Nom_Naissance"
    assert mapping.columns["prenoms_naissance"] == "Prénoms_naissance"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("NOM", "nom_naissance"),
        ("NOM NAISSANCE", "nom_naissance"),
        ("NOM_JF", "nom_naissance"),
        ("PRENOM", "premier_prenom"),
        ("DDN", "date_naissance"),
        ("DATE NAISS", "date_naissance"),
        ("Date de naissance", "date_naissance"),
        ("SEXE", "sexe"),
        ("INS", "matricule_ins"),
        ("NIR", "matricule_ins"),
        ("LIEU NAISS", "lieu_naissance"),
        ("STATUT", "statut"),
        ("N° IPP", "ipp"),
        ("Nom d'usage", "nom_utilise"),
    ],
)
def test_header_synonyms(header: str, field: str) -> None:
    assert guess_mapping([header]).columns == {field: header}


def test_missing_required_columns_are_named_in_french() -> None:
    with pytest.raises(MappingError, match="Date de naissance"):
        resolve_mapping(["IPP", "NOM", "PRENOM", "SEXE"], None)


def test_mapping_file_round_trip_and_case_tolerance(tmp_path: Path) -> None:
    given = ColumnMapping(
        columns={"ipp": "numero dossier", "nom_naissance": "patronyme"}, status={"VALI": "QUAL"}
    )
    path = tmp_path / "m.json"
    given.save(path)
    loaded = ColumnMapping.load(path)
    assert loaded == given
    mapping = resolve_mapping(["Numéro Dossier", "PATRONYME", "Prénom", "DDN", "Sexe"], loaded)
    assert mapping.columns["ipp"] == "Numéro Dossier"
    assert mapping.status == {"VALI": "QUAL"}


def test_mapping_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(MappingError, match="illisible"):
        ColumnMapping.load(bad)
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({"columns": {"pointure": "P"}}), encoding="utf-8")
    with pytest.raises(MappingError, match="pointure"):
        ColumnMapping.load(unknown)
    with pytest.raises(MappingError, match="absente"):
        resolve_mapping(["IPP", "NOM"], ColumnMapping(columns={"sexe": "GENRE"}))
