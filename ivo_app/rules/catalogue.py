"""The rule catalogue: the one place where rule IDs get their French title, message, reference, fix
hint, severities and the French templates of their reason codes. Rules return structured findings
(rule ID, fields, data, reason codes); `message` is the one function that turns them into text, at
the edge (report, window, command line).

The IDs are the contract users, reports and tests see (shared/domain/rniv-rules.md §4).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ivo_app.identity import FIELDS, inline_label

SEVERITIES = ("critique", "erreur", "alerte", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
STATUS_DEPENDENT = "erreur si RECUP/QUAL, alerte sinon"


@dataclass(frozen=True)
class RuleInfo:
    id: str
    title: str
    severity: str  # default; STATUS_DEPENDENT rules say so in `severity_note`
    reference: str
    explanation: str
    fix: str
    message: str  # str.format template over the finding's params
    severity_note: str = ""
    uncertain: bool = False  # the official wording was not available: a warning, configurable
    # Named cases with another default severity (the engine asks `default_severity`, never a literal):
    # "hors-insi" for the status-dependent rules (identity neither RECUP nor QUAL).
    variants: tuple[tuple[str, str], ...] = ()
    # The texts the rule rests on: document, version, section (shown in docs/rules.md).
    sources: tuple[str, ...] = ()
    # The French templates of the finding's coded parameters: {param: {code: template}}. A template
    # is formatted over the finding's params, then stands for the code in `message`.
    texts: dict[str, dict[str, str]] = field(default_factory=dict)


_BY_STATUS = (("hors-insi", "alerte"),)
# The named cases of the rules (`RuleInfo.variants`), in words (docs/rules.md, the settings page).
CASES = {
    "hors-insi": "une identité ni récupérée ni qualifiée",
    "vraisemblance": "la vraisemblance",
    "situation-particuliere": "un justificatif admis en situation particulière",
    "indice": "un indice (identité RECUP/PROV avec justificatif à haut niveau de confiance)",
    "mois-inconnu": "une naissance en janvier avec un mois de NIR inconnu",
    "historique": "un changement de traits entre deux extractions",
    "date-insi": "la date d'appel INSi (colonne facultative)",
    "expiration": "un justificatif expiré (colonne facultative)",
}
# The syntax faults of a name (TRAIT-NOM-SYNTAXE) and of first names (TRAIT-PRENOM-CARS).
_SYNTAX = {
    "debut": "commence par « {char} »",
    "fin": "finit par « {char} »",
    "espaces-doublees": "espaces doublées",
    "apostrophes-doublees": "apostrophes doublées",
    "espace-apostrophe": "espace autour d'une apostrophe",
    "tirets-multiples": "plus de deux tirets consécutifs",
    "tiret-double": "tiret doublé (permis dans le nom de naissance seulement)",
    "prenom-debut": "prénom « {token} » commence par « {char} »",
    "prenom-fin": "prénom « {token} » finit par « {char} »",
}
_FIRST_NAME_FAULTS = {"caracteres": "caractères non admis {chars}", **_SYNTAX}
# The traits a finding names by their column (TRAIT-REQUIS, TRAIT-LONGUEUR, TRAIT-PRENOM-CARS, the
# trait history of COLLISION-SUSPECTE), in words.
FIELD_LABELS = {f.name: inline_label(f.name) for f in FIELDS} | {"strict_traits": "traits stricts"}
# How a list parameter is written (", " unless said here).
_LIST_SEPARATORS = {"chars": " "}


def _r(*args: Any, **kwargs: Any) -> RuleInfo:
    if kwargs.get("severity_note") == STATUS_DEPENDENT:
        kwargs.setdefault("variants", _BY_STATUS)
    return RuleInfo(*args, **kwargs)


# The texts each rule rests on (document, version, section). RNIV: Référentiel national
# d'identitovigilance, volume 1 « Principes communs » v2.0 (décembre 2024); Guide INS: ANS « Guide
# d'implémentation de l'identité INS dans les logiciels » v3.0 (décembre 2024).
_RNIV = "RNIV vol. 1 v2.0 (12/2024)"
_GUIDE = "ANS Guide d'implémentation de l'INS v3.0 (12/2024)"
_INSEE_NIR = "INSEE, RNIPP : structure du NIR (positions 1 à 15)"
_SP_NIR = "service-public.fr, « Numéro de sécurité sociale » (composition du numéro)"
_COG = "INSEE, Code officiel géographique historisé (communes depuis 1943, mouvements)"
_FRCORE = "Interop'Santé FR Core (CodeSystem mode de validation de l'identité)"
RULES: dict[str, RuleInfo] = {
    r.id: r
    for r in (
        _r(
            "INS-FORMAT",
            "Format du matricule INS",
            "erreur",
            "Guide INS EXI ID ; INSEE (NIR)",
            "Un matricule INS compte 15 caractères : 13 chiffres (positions 6-7 « 2A »/« 2B » pour la Corse) "
            "et une clé de 2 chiffres. Un NIA ne comporte que des chiffres.",
            "Recopier le matricule depuis le téléservice INSi ou la carte Vitale, sans espace superflu.",
            "Matricule « {value} » mal formé ({reason}).",
            texts={
                "reason": {
                    "longueur": "{length} caractères",
                    "caracteres": "caractères non admis",
                },
            },
            sources=(f"{_GUIDE}, matricule INS (EXI ID)", _INSEE_NIR),
        ),
        _r(
            "INS-CLE",
            "Clé du matricule INS",
            "erreur",
            "INSEE : clé = 97 − (N mod 97)",
            "La clé (2 derniers chiffres) doit valoir 97 − (N mod 97), N étant les 13 premiers caractères "
            "(2A → 19, 2B → 18).",
            "Vérifier le matricule : une clé fausse signale une erreur de saisie.",
            "Clé {key} incorrecte pour le matricule « {value} » (attendue {expected}).",
            sources=(f"{_INSEE_NIR}, clé = 97 − (N mod 97), 2A → 19, 2B → 18",),
        ),
        _r(
            "INS-SEXE-CHIFFRE",
            "Premier chiffre du matricule INS",
            "erreur",
            "INSEE ; Guide INS",
            "Le premier chiffre d'un NIR vaut 1 (homme) ou 2 (femme). 7/8 (NNP) et 5/6 (MIG) ne sont pas "
            "des matricules INS.",
            "Rappeler le téléservice INSi pour obtenir le matricule INS.",
            "Premier chiffre « {digit} » impossible pour un matricule INS.",
            sources=(f"{_INSEE_NIR}, position 1", f"{_GUIDE}, matricule INS"),
        ),
        _r(
            "INS-MOIS",
            "Mois du matricule INS",
            "erreur",
            "INSEE (NIR)",
            "Les positions 4-5 du NIR portent le mois de naissance (01-12) ou une valeur spéciale : 20 à 42 "
            "(20-30 mois inconnu, 31-42 mois + 30 pour certaines immatriculations) et 50 à 99 (pseudo-mois). "
            "00, 13-19 et 43-49 ne sont jamais attribués.",
            "Vérifier le matricule saisi.",
            "Mois « {month} » impossible dans le matricule INS.",
            sources=(
                f"{_INSEE_NIR}, positions 4-5 : 01-12 ; 20-42 et 50-99 pour un mois inconnu ou fictif "
                "(31-42 : mois + 30) ; aucune source n'attribue 00, 13-19 ni 43-49",
            ),
        ),
        _r(
            "INS-LIEU-PLAGE",
            "Lieu de naissance du matricule INS",
            "alerte",
            "INSEE (NIR)",
            "Département et commune du NIR doivent exister à la date de naissance : 20 avant 1976, 2A/2B "
            "depuis ; 91 à 94 (Algérie), 95 (Maroc) et 96 (Tunisie) pour une naissance avant l'indépendance, "
            "96 jamais après 1968 ; outre-mer 971 à 978 et 984 à 988 (970, 979, 980 à 983 n'existent pas) ; "
            "99 suivi d'un pays de la liste de l'INSEE (99100, la France, exclu) ; numéro d'ordre différent "
            "de 000.",
            "Vérifier le matricule auprès du téléservice INSi.",
            "Lieu du matricule implausible : {reason}.",
            uncertain=True,
            texts={
                "reason": {
                    "ordre-000": "numéro d'ordre 000",
                    "departement-00": "département 00",
                    "departement-inexistant": "département {department} inexistant",
                    "corse-20": "département 20 pour une naissance depuis 1976 (2A/2B attendus)",
                    "corse-avant-1976": "département {department} pour une naissance avant 1976 (20 attendu)",
                    "tunisie-96": "département 96 inexistant pour une naissance depuis 1968 (Tunisie avant l'indépendance seulement)",
                    "independance-1968": "département {department} pour une naissance entre l'indépendance et 1968",
                    "pays-france": "pays 99100 (France) dans un matricule de naissance à l'étranger",
                    "pays-inconnu": "pays {country} inconnu de la liste de l'INSEE",
                },
            },
            sources=(
                f"{_INSEE_NIR}, positions 6 à 10",
                f"{_SP_NIR} : 91 à 94 Algérie, 95 Maroc, 96 Tunisie avant l'indépendance",
                "INSEE, liste des pays et territoires étrangers (dates de début des États issus de l'indépendance)",
            ),
        ),
        _r(
            "INS-OID",
            "OID du matricule INS",
            "erreur",
            "Guide INS EXI ID",
            "Un matricule INS est toujours accompagné de son OID : 1.2.250.1.213.1.4.8 (NIR), .9 (NIA), "
            ".10 (test), .11 (démonstration).",
            "Renseigner l'OID retourné par INSi.",
            "{reason}",
            texts={
                "reason": {
                    "inconnu": "OID « {oid} » absent ou inconnu pour un matricule INS.",
                    "absent": "OID « absent » absent ou inconnu pour un matricule INS.",
                }
            },
            sources=(f"{_GUIDE}, OID des matricules INS (EXI ID)",),
        ),
        _r(
            "INS-OID-TEST",
            "Matricule de test ou de démonstration",
            "critique",
            "Guide INS",
            "Les OID .10 (patients de test) et .11 (démonstration) ne doivent jamais figurer dans une table "
            "de production.",
            "Retirer l'identité de test ou rappeler INSi en production.",
            "OID de {kind} « {oid} » dans une table de production.",
            texts={
                "kind": {
                    "test": "test",
                    "demonstration": "démonstration",
                },
            },
            sources=(f"{_GUIDE}, OID des patients de test et de démonstration",),
        ),
        _r(
            "INS-NSS",
            "NIR d'assuré utilisé comme INS",
            "alerte",
            "Guide INS ; RNIV",
            "Un numéro de sécurité sociale (OID .13/.14) est celui de l'assuré, souvent un parent (ouvrant "
            "droit) : ce n'est pas l'INS du patient, il n'est comparé ni aux traits ni aux autres identités. "
            "Un matricule INS partagé avec une identité de date de naissance différente est probablement "
            "celui de l'ouvrant droit.",
            "Rappeler INSi pour obtenir le matricule INS propre au patient.",
            "{reason}",
            texts={
                "reason": {
                    "nss": "Numéro de sécurité sociale (OID {oid}) enregistré : ce n'est pas un INS.",
                    "ouvrant-droit": "Matricule partagé avec une identité de date de naissance différente (IPP {others}) : probablement le NIR de l'ouvrant droit.",
                },
            },
            sources=(
                f"{_GUIDE}, matricule INS et NSS (ouvrant droit)",
                "ANS, OID 1.2.250.1.213.1.4.13 / .14 (NIR/NIA utilisés comme NSS)",
            ),
        ),
        _r(
            "COH-SEXE",
            "Sexe du matricule et sexe de l'identité",
            "erreur",
            "INSEE ; RNIV",
            "Le premier chiffre du NIR (1 homme, 2 femme) doit correspondre au sexe.",
            "Vérifier le sexe et le matricule (un changement de sexe laisse l'ancien matricule en historique).",
            "Matricule de sexe {digit} pour une identité de sexe {sex}.",
            severity_note=STATUS_DEPENDENT,
            sources=(f"{_INSEE_NIR}, position 1", f"{_RNIV}, traits stricts"),
        ),
        _r(
            "COH-ANNEE",
            "Année du matricule et date de naissance",
            "erreur",
            "INSEE ; RNIV",
            "Les positions 2-3 du NIR portent l'année de naissance sur 2 chiffres.",
            "Vérifier la date de naissance et le matricule.",
            "Année {nir_year} du matricule pour une naissance en {year}.",
            severity_note=STATUS_DEPENDENT,
            sources=(f"{_INSEE_NIR}, positions 2-3", f"{_RNIV}, traits stricts"),
        ),
        _r(
            "COH-MOIS",
            "Mois du matricule et date de naissance",
            "alerte",
            "INSEE ; RNIV",
            "Quand le mois du NIR est compris entre 01 et 12, il doit être celui de la naissance ; entre 31 et 42 "
            "il vaut le mois de naissance + 30 (hors dates complétées ; les autres valeurs spéciales ne portent "
            "pas de mois).",
            "Vérifier la date de naissance et le matricule.",
            "Mois {nir_month} du matricule pour une naissance en mois {month}.",
            sources=(f"{_INSEE_NIR}, positions 4-5 (31-42 : mois + 30)", f"{_RNIV}, traits stricts"),
        ),
        _r(
            "COH-LIEU",
            "Lieu du matricule et lieu de naissance",
            "alerte",
            "INSEE ; RNIV",
            "Département et commune du NIR doivent correspondre au code du lieu de naissance (arrondissements "
            "de Paris, Lyon, Marseille équivalents à la commune ; 20 équivaut à 2A ou 2B pour une naissance "
            "avant 1976, 2A et 2B sont deux départements distincts).",
            "Vérifier le lieu de naissance (code INSEE à la date de naissance) et le matricule.",
            "Lieu {nir_place} du matricule pour un lieu de naissance {place}.",
            uncertain=True,
            sources=(f"{_INSEE_NIR}, positions 6 à 10", _COG),
        ),
        _r(
            "COH-ETRANGER",
            "Naissance à l'étranger",
            "alerte",
            "INSEE ; RNIV",
            "Un NIR de département 99 correspond à une naissance à l'étranger (lieu 99PPP, même pays) et "
            "réciproquement ; les départements 91 à 94 (Algérie avant le 05/07/1962), 95 (Maroc avant le "
            "02/03/1956) et 96 (Tunisie avant le 20/03/1956) valent le pays correspondant.",
            "Vérifier le lieu de naissance et le matricule.",
            "{reason}",
            texts={
                "reason": {
                    "afrique-du-nord": "Département {department} du matricule (naissance en Afrique du Nord avant l'indépendance) pour un lieu de naissance {place}.",
                    "nir-france": "Matricule d'une personne née en France pour un lieu de naissance à l'étranger.",
                    "nir-etranger": "Matricule d'une personne née à l'étranger pour un lieu de naissance en France.",
                    "pays": "Pays {nir_place} du matricule pour un lieu de naissance {place}.",
                },
            },
            sources=(f"{_INSEE_NIR}, département 99", f"{_SP_NIR}, naissance en Afrique du Nord"),
        ),
        _r(
            "INS-UNIQUE",
            "Matricule INS partagé",
            "critique",
            "RNIV ; Guide INS",
            "Un même matricule INS ne peut identifier qu'une seule identité active, quel que soit l'OID qui "
            "l'accompagne (les numéros de sécurité sociale, OID .13/.14, ne sont pas des INS).",
            "Analyser les identités concernées : doublon à fusionner ou collision à corriger.",
            "Matricule partagé avec {count} {count|autre identité|autres identités} (IPP {others}).",
            sources=(f"{_RNIV}, unicité de l'identité (collision)", f"{_GUIDE}, matricule INS"),
        ),
        _r(
            "STATUT-VALEUR",
            "Statut de l'identité",
            "erreur",
            "RNIV Exi SI 07",
            "Chaque identité a exactement un statut : PROV, RECUP, VALI ou QUAL.",
            "Corriger le statut ou la table de correspondance des statuts de l'import.",
            "Statut « {status} » inconnu.",
            sources=(f"{_RNIV}, Exi SI 07 (statuts de confiance)",),
        ),
        _r(
            "STATUT-INS",
            "Statut et matricule INS",
            "erreur",
            "RNIV Exi SI 08 ; Guide INS",
            "Une identité récupérée ou qualifiée porte son matricule INS et son OID ; une identité provisoire "
            "ou validée n'en porte pas. Quand la table porte la date d'appel INSi, elle doit être lisible, "
            "passée, présente sur une identité RECUP/QUAL, et un appel sur une identité PROV/VALI sans "
            "matricule est signalé (alerte).",
            "Compléter le matricule ou corriger le statut.",
            "{reason}",
            severity_note="erreur ; alerte pour la date d'appel INSi",
            variants=(("date-insi", "alerte"),),
            texts={
                "reason": {
                    "sans-matricule": "Identité {status} sans matricule INS.",
                    "sans-oid": "Identité {status} sans OID du matricule.",
                    "matricule-hors-insi": "Matricule enregistré comme INS sur une identité {status}.",
                    "appel-illisible": "Date d'appel INSi « {value} » illisible.",
                    "appel-futur": "Date d'appel INSi {date} postérieure à l'extraction.",
                    "appel-absent": "Identité {status} sans date d'appel INSi.",
                    "appel-sans-matricule": "Appel INSi du {date} enregistré sur une identité {status} sans matricule.",
                },
            },
            sources=(f"{_RNIV}, Exi SI 08", f"{_GUIDE}, statut qualifié"),
        ),
        _r(
            "STATUT-JUSTIF",
            "Justificatif d'identité",
            "erreur",
            "RNIV ; FR Core (mode de validation)",
            "Une identité validée ou qualifiée a été contrôlée sur un justificatif à haut niveau de confiance "
            "(PA, CN, CS, IE, AV ; DC, AN, LE, AC, ANCV, LECV en situation particulière). À l'inverse, une "
            "identité récupérée ou provisoire qui a un tel justificatif enregistré devrait être qualifiée ou "
            "validée (indice). Quand la table porte la date d'expiration du justificatif, un justificatif "
            "expiré à la date de l'extraction est signalé (alerte).",
            "Enregistrer le type de justificatif présenté, ou repasser l'identité au statut qui convient.",
            "{reason}",
            severity_note="erreur ; alerte pour un justificatif admis en situation particulière ; info pour "
            "une identité RECUP/PROV qui a un justificatif à haut niveau de confiance",
            variants=(("situation-particuliere", "alerte"), ("indice", "info"), ("expiration", "alerte")),
            texts={
                "reason": {
                    "qualification-manquee": "Identité {status} avec un justificatif à haut niveau de confiance ({document}) : statut {target} attendu (qualification manquée ?).",
                    "sans-justificatif": "Identité {status} sans justificatif enregistré.",
                    "situation-particuliere": "Justificatif {document} admis seulement en situation particulière.",
                    "confiance-insuffisante": "Justificatif {document} sans haut niveau de confiance pour une identité {status}.",
                    "expiration-illisible": "Date d'expiration du justificatif « {value} » illisible.",
                    "justificatif-expire": "Justificatif {document} expiré le {date} pour une identité {status}.",
                },
            },
            sources=(f"{_RNIV}, dispositifs d'identification à haut niveau de confiance", _FRCORE),
        ),
        _r(
            "STATUT-RECUP-PART",
            "Part des identités récupérées",
            "info",
            "RNIV RECO PP 03",
            "Les identités récupérées (INSi sans contrôle de justificatif) devraient être validées lors d'une "
            "venue ultérieure.",
            "Contrôler un justificatif à la prochaine venue.",
            "{share} % des identités actives sont récupérées ({count}).",
            sources=(f"{_RNIV}, RECO PP 03",),
        ),
        _r(
            "ATTR-PROV",
            "Attribut « douteuse » ou « fictive »",
            "critique",
            "RNIV Exi SI 09 ; Guide INS EXI ID 26",
            "Une identité douteuse ou fictive reste provisoire, sans appel INSi ni matricule.",
            "Repasser l'identité au statut provisoire et retirer le matricule.",
            "{reason}",
            texts={
                "reason": {
                    "non-provisoire": "Identité {attributes} au statut {status} (PROV sans matricule attendu).",
                    "avec-matricule": "Identité {attributes} au statut {status} avec matricule (PROV sans matricule attendu).",
                },
            },
            sources=(f"{_RNIV}, Exi SI 09", f"{_GUIDE}, EXI ID 26"),
        ),
        _r(
            "ATTR-COMBI",
            "Combinaison d'attributs",
            "erreur",
            "RNIV",
            "Seule la combinaison DOUTEUSE + HOMONYME est permise ; les autres attributs sont exclusifs.",
            "Corriger les attributs de l'identité.",
            "Attributs incompatibles ou inconnus : {attributes}.",
            sources=(f"{_RNIV}, attributs d'identité (douteuse, fictive, homonyme)",),
        ),
        _r(
            "ATTR-HOMONYME",
            "Homonymes non signalés",
            "alerte",
            "RNIV",
            "Des identités de même nom de naissance, premier prénom, date de naissance et sexe doivent porter "
            "l'attribut HOMONYME (ou être un doublon).",
            "Vérifier s'il s'agit d'un doublon ; sinon ajouter l'attribut HOMONYME.",
            "Homonyme de {count} {count|autre identité|autres identités} (IPP {others}) sans attribut HOMONYME.",
            sources=(f"{_RNIV}, attribut homonyme",),
        ),
        _r(
            "TRAIT-REQUIS",
            "Traits obligatoires",
            "erreur",
            "RNIV Exi PP ; Guide INS",
            "Toute identité porte nom de naissance, premier prénom, date de naissance et sexe ; une identité "
            "récupérée, validée ou qualifiée porte tous les traits stricts (liste des prénoms et lieu de "
            "naissance compris : ils figurent sur le justificatif ou dans la réponse INSi).",
            "Compléter les traits manquants.",
            "Traits manquants : {fields}.",
            sources=(f"{_RNIV}, Exi PP (traits stricts)", f"{_GUIDE}, traits INS"),
        ),
        _r(
            "TRAIT-NOM-CARS",
            "Caractères du nom de naissance",
            "erreur",
            "RNIV ; Guide INS",
            "Le nom de naissance (et le nom utilisé) s'écrit en majuscules A-Z, espace, apostrophe et tiret, "
            "sans diacritique ni ligature ni chiffre.",
            "Ressaisir le nom tel que le retourne INSi.",
            "Caractères non admis dans le nom « {value} » : {chars}.",
            severity_note=STATUS_DEPENDENT,
            sources=(f"{_GUIDE}, règles de saisie des traits (jeu de caractères INSi)", f"{_RNIV}, Exi PP"),
        ),
        _r(
            "TRAIT-NOM-SYNTAXE",
            "Syntaxe du nom de naissance",
            "erreur",
            "RNIV ; Guide INS",
            "Le nom commence par une lettre ou par une apostrophe suivie d'une lettre (« 'T HOOFT ») et "
            "finit par une lettre ; pas d'espace ou d'apostrophe doublés ni d'espace autour d'une apostrophe ; "
            "« -- » permis, pas davantage. Les mêmes règles valent pour le nom utilisé.",
            "Corriger la saisie.",
            "Syntaxe du nom « {value} » : {reason}.",
            severity_note=STATUS_DEPENDENT,
            texts={
                "reason": _SYNTAX,
            },
            sources=(f"{_GUIDE}, règles de saisie des traits", f"{_RNIV}, Exi PP"),
        ),
        _r(
            "TRAIT-PRENOM-CARS",
            "Caractères et syntaxe des prénoms",
            "erreur",
            "RNIV ; Guide INS EXI ID 10",
            "Les prénoms s'écrivent en majuscules A-Z, espace, apostrophe et tiret ; séparés par une espace ; "
            "chaque prénom commence par une lettre ou une apostrophe suivie d'une lettre et finit par une "
            "lettre ; pas de « -- ». Les mêmes règles valent pour le prénom utilisé.",
            "Ressaisir les prénoms tels que retournés par INSi.",
            "{field} « {value} » : {reason}.",
            severity_note=STATUS_DEPENDENT,
            texts={
                "reason": _FIRST_NAME_FAULTS,
            },
            sources=(f"{_GUIDE}, EXI ID 10 et règles de saisie des prénoms",),
        ),
        _r(
            "TRAIT-LONGUEUR",
            "Longueur des traits",
            "alerte",
            "Guide INS",
            "Nom de naissance et liste des prénoms : 100 caractères au plus.",
            "Vérifier la saisie.",
            "{field} de {length} caractères (100 au plus).",
            sources=(f"{_GUIDE}, longueur des traits INS (100 caractères)",),
        ),
        _r(
            "TRAIT-PRENOM1",
            "Premier prénom et liste des prénoms",
            "alerte",
            "Guide INS EXI ID 10",
            "Le premier prénom est le début de la liste des prénoms (tirets et apostrophes lus comme des espaces).",
            "Corriger le premier prénom ou la liste.",
            "Premier prénom « {first} » incohérent avec la liste « {names} ».",
            sources=(f"{_GUIDE}, EXI ID 10",),
        ),
        _r(
            "TRAIT-UTILISE-COPIE",
            "Nom ou prénom utilisé recopié",
            "info",
            "Guide INS EXI ID 08 ; RNIV EXI PP 18",
            "Le nom et le prénom utilisés ne doivent jamais être remplis en recopiant automatiquement les traits "
            "de naissance ; beaucoup de copies dans un même import le suggèrent.",
            "Laisser vides nom et prénom utilisés sauf s'ils diffèrent et sont déclarés.",
            "Nom/prénom utilisé identique au trait de naissance ({count} fiches de l'import dans ce cas).",
            sources=(f"{_GUIDE}, EXI ID 08", f"{_RNIV}, Exi PP 18"),
        ),
        _r(
            "TRAIT-SEXE",
            "Valeur du sexe",
            "erreur",
            "Guide INS",
            "INSi ne retourne que M ou F : obligatoires pour RECUP/QUAL ; I (indéterminé) ou vide tolérés sinon.",
            "Corriger le sexe.",
            "Sexe « {sex} » non admis pour le statut {status}.",
            sources=(f"{_GUIDE}, sexe retourné par INSi (M/F)",),
        ),
        _r(
            "TRAIT-DATE",
            "Date de naissance",
            "erreur",
            "RNIV ; Guide INS EXI ID 11",
            "Une date réelle, pas dans le futur, de moins de 120 ans (au-delà : alerte de vraisemblance).",
            "Corriger la date de naissance.",
            "Date de naissance « {value} » : {reason}.",
            severity_note="erreur ; alerte pour la vraisemblance (plus de 120 ans)",
            variants=(("vraisemblance", "alerte"),),
            texts={
                "reason": {
                    "illisible": "date impossible ou illisible",
                    "futur": "dans le futur",
                    "age": "plus de {max_age} ans",
                },
            },
            sources=(f"{_GUIDE}, EXI ID 11", f"{_RNIV}, traits stricts"),
        ),
        _r(
            "TRAIT-DATE-COMPLETEE",
            "Date de naissance complétée non signalée",
            "info",
            "Guide INS EXI ID 11 ; RNIV EXI PP 19",
            "Une date complétée (jour ou mois inconnus) doit être signalée comme telle ; le 01/01 et le 31/12 "
            "en sont les marques typiques, et une naissance en janvier (JJ/01) quand le NIR porte un mois "
            "inconnu (20-30, 50-99) en est une aussi (alerte). Le 01/MM seul n'est pas signalé : trop de "
            "naissances réelles ont lieu le 1er du mois.",
            "Signaler la date comme complétée si elle l'est.",
            "Date {value} typique d'une date complétée, non signalée.",
            uncertain=True,
            severity_note="info ; alerte quand le NIR porte un mois inconnu",
            variants=(("mois-inconnu", "alerte"),),
            sources=(f"{_GUIDE}, EXI ID 11", f"{_RNIV}, Exi PP 19"),
        ),
        _r(
            "TRAIT-LIEU-FORMAT",
            "Format du lieu de naissance",
            "erreur",
            "INSEE (COG) ; Guide INS",
            "Le lieu de naissance est un code INSEE de 5 caractères : DDCCC, 2ACCC/2BCCC, 97DCC/98DCC, 99PPP, "
            "ou 99999 (inconnu).",
            "Saisir le code INSEE de la commune ou du pays de naissance.",
            "Lieu de naissance « {value} » mal formé.",
            sources=(f"{_GUIDE}, code du lieu de naissance", _COG),
        ),
        _r(
            "TRAIT-LIEU-INCONNU",
            "Lieu de naissance inconnu",
            "alerte",
            "Guide INS",
            "Le code 99999 (lieu inconnu) ne devrait pas figurer sur une identité validée, récupérée ou qualifiée.",
            "Renseigner le lieu de naissance depuis le justificatif ou INSi.",
            "Lieu de naissance inconnu (99999) pour une identité {status}.",
            sources=(f"{_GUIDE}, lieu de naissance inconnu (99999)",),
        ),
        _r(
            "TRAIT-LIEU-COG",
            "Lieu de naissance absent du COG",
            "alerte",
            "INSEE (COG historisé)",
            "Le code doit désigner une commune existant à la date de naissance (Corse 20 → 2A/2B en 1976, Seine "
            "et Seine-et-Oise → 75, 91 à 95 en 1968, 97123/97127 → 977/978 en 2007, Mayotte 985 → 976 en 2011, "
            "communes fusionnées), ou un pays existant à cette date ; 99100 (France) n'est pas un lieu de "
            "naissance : une naissance en France porte le code de sa commune.",
            "Vérifier le code (une commune fusionnée garde son ancien code pour les naissances antérieures).",
            "Code {value} : {reason}.",
            texts={
                "reason": {
                    "inconnu": "inconnu du COG",
                    "france": "99100 désigne la France, une naissance en France porte le code de sa commune",
                    "pas-encore": "code en vigueur seulement depuis le {since}, après la naissance",
                    "pays-disparu": "pays disparu le {since}, avant la naissance",
                    "code-remplace": "code remplacé ou supprimé le {since}, avant la naissance",
                },
            },
            sources=(
                f"{_GUIDE}, code du lieu de naissance en vigueur à la date de naissance",
                _COG,
                "INSEE, liste des pays et territoires étrangers (date_fin)",
            ),
        ),
        _r(
            "DOUBLON-POTENTIEL",
            "Doublon potentiel",
            "alerte",
            "RNIV",
            "Une autre identité semble désigner la même personne (moteur de détection des doublons).",
            "Examiner la paire dans la file des doublons et décider.",
            "Doublon potentiel de l'IPP {other} (score {score}, {level}).",
            texts={
                "level": {
                    "probable": "probable",
                    "a_examiner": "à examiner",
                },
            },
            sources=(f"{_RNIV}, doublons (DPOT)",),
        ),
        _r(
            "COLLISION-SUSPECTE",
            "Collision suspectée",
            "critique",
            "RNIV",
            "Un matricule semble appartenir à une autre personne que celle de l'identité (collision), ou "
            "l'historique des traits le suggère : entre deux extractions d'un même établissement, un trait "
            "strict ou le matricule d'une identité récupérée ou qualifiée a changé alors qu'elle reste "
            "RECUP/QUAL, ou le sexe a changé ; le RNIV demande alors un nouvel appel INSi et, en attendant, "
            "la rétrogradation du statut (alerte).",
            "Analyser en urgence : risque de mélange de dossiers. Pour un changement de traits : rappeler "
            "INSi, sinon rétrograder l'identité (RECUP → PROV, QUAL → VALI).",
            "{reason}",
            severity_note="critique ; alerte pour un changement de traits entre deux extractions",
            variants=(("historique", "alerte"),),
            uncertain=True,
            texts={
                "reason": {
                    "traits-autre-ipp": "Le matricule correspond aux traits de l'IPP {other}, pas à ceux de cette identité.",
                    "paire": "Matricule partagé avec l'IPP {other}, traits stricts divergents (collision).",
                    "historique": "Depuis l'extraction précédente : {fields} {fields|modifié|modifiés}, statut {before} → {status} (nouvel appel INSi et rétrogradation attendus).",
                },
            },
            sources=(
                f"{_RNIV}, collisions (COLP)",
                f"{_RNIV}, modification d'un trait strict d'une identité qualifiée (nouvel appel INSi, "
                "rétrogradation du statut)",
                f"{_GUIDE}, mise à jour de l'identité et nouvel appel au téléservice INSi",
            ),
        ),
    )
}

RULE_IDS = tuple(RULES)


_SEVERITY = {
    (rule_id, case): severity
    for rule_id, info in RULES.items()
    for case, severity in ((None, info.severity), *info.variants)
}


def severity_of(rule_id: str, case: str | None = None) -> str:
    """The catalogue's severity of a rule for one of its named cases (None: its default)."""
    return _SEVERITY[rule_id, case]


def default_severity(rule_id: str, variant: str | None = None) -> str:
    """The catalogue's severity of a rule, or of one of its named cases (`RuleInfo.variants`)."""
    info = RULES[rule_id]
    if variant is not None:
        for name, severity in info.variants:
            if name == variant:
                return severity
        raise KeyError(f"{rule_id}: no severity variant {variant!r}")
    return info.severity


def visible_char(ch: str) -> str:
    """A character as a reader can see it: invisible ones (controls, zero-width, bidirectional
    marks and overrides, unusual spaces) as U+XXXX."""
    if ch == " " or (ch.isprintable() and unicodedata.category(ch) not in _INVISIBLE):
        return ch
    return f"U+{ord(ch):04X}"


def visible(text: str) -> str:
    """`text` with its invisible characters shown as U+XXXX (messages, reports)."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(map(visible_char, text))


_INVISIBLE = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp", "Zs"})


class _Safe(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


class _French(string.Formatter):
    """`str.format` with French plurals: `{count|autre identité|autres identités}` gives the singular
    for 0 or 1 and the plural beyond, as French counts (a list parameter counts its items). Templates
    then never hedge with « (s) »."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str) and "|" in key:
            name, one, many = key.split("|")
            return one if _number(self.raw.get(name)) <= 1 else many
        return kwargs[key] if isinstance(key, str) else args[key]


def _number(value: Any) -> int:
    if isinstance(value, list | tuple):
        return len(value)
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1  # a value stored before codes (text): the singular, as the old wording read


def _shown(key: str, value: Any) -> Any:
    """A parameter as the text shows it: trait columns in words, lists joined, invisible characters
    of the values as U+XXXX."""
    if isinstance(value, list):
        return _LIST_SEPARATORS.get(key, ", ").join(str(_shown(key, v)) for v in value)
    if isinstance(value, str):
        if key in ("field", "fields"):
            return FIELD_LABELS.get(value, value)
        return visible(value)
    return value


_PLURAL = re.compile(r"\{(\w+)\|[^|{}]*\|([^|{}]*)\}")


def template_text(template: str) -> str:
    """A template as the rules document shows it: a plural choice written in its plural form."""
    return _PLURAL.sub(r"\2", template)


def message(rule_id: str, params: dict[str, Any]) -> str:
    """The French message of a finding: its coded parameters through the rule's templates, then the
    rule's message. Missing parameters never break the text; a value that is no code (a finding stored
    before codes: French text) is shown as it is; invisible characters of the values are shown as U+XXXX."""
    info = RULES[rule_id]
    values = _Safe({k: _shown(k, v) for k, v in params.items()})
    french = _French(params)
    for key, templates in info.texts.items():
        # A finding stored before its rule had codes may lack the key: the first template then.
        code = params.get(key, next(iter(templates)))
        if isinstance(code, str) and code in templates:
            values[key] = french.vformat(templates[code], (), values)
    text = french.vformat(info.message, (), values)
    return text[:1].upper() + text[1:]


def unknown_codes(rule_id: str, params: dict[str, Any]) -> dict[str, str]:
    """The coded parameters of a finding ({param: code}) that the catalogue has no template for."""
    texts = RULES[rule_id].texts
    return {k: v for k, v in params.items() if k in texts and v not in texts[k]}
