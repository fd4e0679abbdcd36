"""The fields of an identity, stated once: what every other list of fields derives from.

Each `Field` says what the identity table stores under an attribute name (the model column and the
`IdentityRecord` attribute), how the canonical import file calls it (its header and the synonyms
seen in admission-software exports), how it reads in French (one label, shared by the window, the
PDF and the command line), whether a normal form of it is stored beside it, what it is for the
RNIV (strict trait, complementary trait, INS, or management / technical data) and how both import
paths turn the file's text into the stored value (`parse`, `limit`).

Order matters: it is the canonical file's column order (exports, the demo file) and the order of
the import's stored columns.

Adding a trait: one `Field` here, the model column in `store/models/core.py` and a migration
(a unit test checks the model and this table agree), the `IdentityRecord` attribute, and a parse
kind of `services/records.py` if none of the existing ones fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["strict", "complementary", "ins", "management", "technical"]
# How the import turns a file's text into the stored value, the same on both import paths
# (services.records.RowBuilder; services.columnar only adds vectorised fast paths for "text" and
# "matricule" that defer to the same functions):
#   ipp        trimmed, checked for absence and repeats across the file (records.check_ipps)
#   text       trimmed, NUL removed, longer than `limit` rejected for names (never cut)
#   code       trimmed and cut to `limit` (a code, not a name)
#   birth_date parsed date, the text kept in `companion` when it does not parse
#   date       parsed date (unparseable: empty)
#   sex        M / F / I / U from the usual spellings
#   status     status code after the facility's mapping, the text found kept in `companion`
#   attributes canonical codes, comma separated
#   document   validation document code
#   matricule  separators removed
#   flag       yes / no
Parse = Literal[
    "ipp",
    "text",
    "code",
    "birth_date",
    "date",
    "sex",
    "status",
    "attributes",
    "document",
    "matricule",
    "flag",
]


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # attribute of IdentityRecord and column of store.models.core.Identity
    label: str  # French label, the one wording every view shows
    kind: Kind
    header: str | None = None  # canonical import header; None: not read from a file
    synonyms: tuple[str, ...] = ()  # other headers accepted (folded, see rules.normalize.fold_header)
    normalised: str | None = None  # column holding rules.normalize.normalize_name of the value
    parse: Parse | None = None
    limit: int | None = None  # longest text read (after trimming) for text and code columns
    companion: str | None = None  # the second column `parse` fills (raw birth date, status as found)
    required: bool = False  # an import refuses a file without this column

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header this field is recognised by, the canonical one first."""
        return (self.header, *self.synonyms) if self.header else ()


FIELDS: tuple[Field, ...] = (
    Field(
        "ipp", "IPP", "technical", "ipp", parse="ipp", limit=64, required=True,
        synonyms=("n_ipp", "num_ipp", "no_ipp", "numero_ipp", "id_patient", "patient_id", "identifiant",
                  "identifiant_patient", "num_patient", "n_patient", "no_patient", "numero_patient", "nip",
                  "ipp_patient", "code_patient"),
    ),
    Field(
        "birth_name", "Nom de naissance", "strict", "nom_naissance", parse="text", limit=255,
        normalised="birth_name_norm", required=True,
        synonyms=("nom_de_naissance", "nom", "nom_jf", "nom_jeune_fille", "nom_naiss", "nomnaissance",
                  "nom_patronymique", "patronyme", "nom_famille", "nom_de_famille", "birth_name", "family_name",
                  "lastname", "last_name"),
    ),
    Field(
        "first_names", "Prénoms de naissance", "strict", "prenoms_naissance", parse="text", limit=255,
        normalised="first_names_norm",
        synonyms=("prenoms", "liste_prenoms", "prenoms_de_naissance", "liste_des_prenoms", "prenoms_naiss",
                  "tous_prenoms", "given_names"),
    ),
    Field(
        # Required unless the list of first names is there (its first word is then taken).
        "first_first_name", "Premier prénom", "strict", "premier_prenom", parse="text", limit=255,
        normalised="first_first_name_norm",
        synonyms=("prenom", "premier_prenom_naissance", "premier_prenom_de_naissance", "prenom_naissance",
                  "prenom1", "first_name", "firstname", "given_name"),
    ),
    Field(
        "used_name", "Nom utilisé", "complementary", "nom_utilise", parse="text", limit=255,
        normalised="used_name_norm",
        synonyms=("nom_usage", "nom_d_usage", "nom_marital", "nom_usuel", "nom_epouse", "used_name"),
    ),
    Field(
        "used_first_name", "Prénom utilisé", "complementary", "prenom_utilise", parse="text", limit=255,
        synonyms=("prenom_usage", "prenom_d_usage", "prenom_usuel", "used_first_name"),
    ),
    Field(
        "birth_date", "Date de naissance", "strict", "date_naissance", parse="birth_date", limit=40,
        companion="birth_date_raw", required=True,
        synonyms=("ddn", "date_naiss", "date_de_naissance", "datenaissance", "dt_naissance", "dt_naiss",
                  "naissance", "ne_le", "birth_date", "birthdate", "dob"),
    ),
    Field(
        "sex", "Sexe", "strict", "sexe", parse="sex", limit=40, required=True,
        synonyms=("sex", "genre", "gender", "civilite_sexe"),
    ),
    Field(
        "birthplace", "Lieu de naissance", "strict", "lieu_naissance", parse="code", limit=20,
        synonyms=("lieu_naiss", "lieu_de_naissance", "code_lieu_naissance", "cog_naissance",
                  "code_insee_naissance", "insee_naissance", "commune_naissance_code",
                  "code_commune_naissance", "birthplace"),
    ),
    Field(
        "ins_matricule", "Matricule INS", "ins", "matricule_ins", parse="matricule",
        synonyms=("ins", "nir", "matricule", "ins_nir", "num_ins", "numero_ins", "matricule_ins_nir",
                  "ins_matricule"),
    ),
    Field(
        "ins_oid", "OID du matricule", "ins", "oid_ins", parse="code", limit=64,
        synonyms=("oid", "oid_matricule", "ins_oid", "oid_nir"),
    ),
    Field(
        "status", "Statut", "management", "statut", parse="status", limit=40, companion="status_source",
        synonyms=("statut_identite", "statut_id", "statut_de_l_identite", "status", "fiabilite",
                  "niveau_confiance", "statut_confiance"),
    ),
    Field(
        "attributes", "Attributs", "management", "attributs", parse="attributes", limit=100,
        synonyms=("attribut", "attributs_identite", "attributes"),
    ),
    Field(
        "document_type", "Justificatif", "management", "justificatif", parse="document", limit=60,
        synonyms=("type_justificatif", "piece_identite", "type_piece", "mode_validation",
                  "justificatif_identite", "document"),
    ),
    Field(
        "last_visit", "Date de dernière venue", "management", "date_derniere_venue", parse="date", limit=40,
        synonyms=("derniere_venue", "date_dern_venue", "date_derniere_visite", "derniere_visite",
                  "date_dernier_sejour", "dernier_passage", "last_visit"),
    ),
    Field(
        "birth_date_completed", "Date de naissance complétée", "management", "date_completee", parse="flag",
        synonyms=("date_naissance_completee", "ddn_fictive", "date_fictive", "ddn_completee"),
    ),
    # Stored beside the fields read from a file:
    Field("birth_date_raw", "Date de naissance telle que lue", "technical"),  # only when it did not parse
    Field("status_source", "Statut dans le fichier", "technical"),
    Field("line_no", "Ligne du fichier", "technical"),
    Field("extraction_id", "Extraction", "technical"),
    Field("extra", "Autres colonnes du fichier", "technical"),
)  # fmt: skip

BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
# The fields a file provides, in the canonical file's column order.
FILE_FIELDS: tuple[Field, ...] = tuple(f for f in FIELDS if f.header)
BY_HEADER: dict[str, Field] = {f.header: f for f in FILE_FIELDS if f.header}
# Field name → the column of its normal form (the names the matcher and the search compare).
NORMALISED: dict[str, str] = {f.name: f.normalised for f in FIELDS if f.normalised}
STRICT_TRAITS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.kind == "strict")


def field_label(name: str) -> str:
    """The French label of a field (an unknown name is shown as it is rather than hidden)."""
    found = BY_NAME.get(name)
    return found.label if found else name


def inline_label(name: str) -> str:
    """The label inside a sentence: "nom de naissance", "matricule INS" (acronyms kept)."""
    text = field_label(name)
    return text[0].lower() + text[1:] if len(text) > 1 and not text[1].isupper() else text


def labelled(names: tuple[str, ...] | list[str]) -> tuple[tuple[str, str], ...]:
    """(name, label) of each of a view's fields, in the view's order; a name that is not a field
    fails (KeyError) when the view is imported, not as a blank column."""
    return tuple((name, BY_NAME[name].label) for name in names)


def stored_columns() -> tuple[str, ...]:
    """Every column the identity table holds for the fields: the fields and their normal forms."""
    return (*(f.name for f in FIELDS), *NORMALISED.values())
