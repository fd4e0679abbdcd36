"""The rule catalogue: the one place where rule IDs get their French title, message, reference and
fix hint. Rules return structured findings; this module turns them into text.

The IDs are the contract users, reports and tests see (shared/domain/rniv-rules.md §4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


def _r(*args: Any, **kwargs: Any) -> RuleInfo:
    return RuleInfo(*args, **kwargs)


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
        ),
        _r(
            "INS-MOIS",
            "Mois du matricule INS",
            "erreur",
            "INSEE (NIR)",
            "Les positions 4-5 du NIR portent le mois de naissance (01-12) ou une valeur spéciale "
            "(20, 30-42, 50-99) ; 13-19 et 43-49 n'existent pas.",
            "Vérifier le matricule saisi.",
            "Mois « {month} » impossible dans le matricule INS.",
        ),
        _r(
            "INS-LIEU-PLAGE",
            "Lieu de naissance du matricule INS",
            "alerte",
            "INSEE (NIR)",
            "Département et commune du NIR doivent être plausibles pour l'année de naissance (20 avant 1976, "
            "2A/2B depuis ; 97x/98x ; 99 + pays ; numéro d'ordre différent de 000).",
            "Vérifier le matricule auprès du téléservice INSi.",
            "Lieu du matricule implausible : {reason}.",
            uncertain=True,
        ),
        _r(
            "INS-OID",
            "OID du matricule INS",
            "erreur",
            "Guide INS EXI ID",
            "Un matricule INS est toujours accompagné de son OID : 1.2.250.1.213.1.4.8 (NIR), .9 (NIA), "
            ".10 (test), .11 (démonstration).",
            "Renseigner l'OID retourné par INSi.",
            "OID « {oid} » absent ou inconnu pour un matricule INS.",
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
        ),
        _r(
            "INS-NSS",
            "NIR d'assuré utilisé comme INS",
            "alerte",
            "Guide INS ; RNIV",
            "Un numéro de sécurité sociale (OID .13/.14) n'est pas un INS, et un matricule partagé avec une "
            "identité de date de naissance différente est probablement celui de l'ouvrant droit.",
            "Rappeler INSi pour obtenir le matricule INS propre au patient.",
            "{reason}",
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
        ),
        _r(
            "COH-MOIS",
            "Mois du matricule et date de naissance",
            "alerte",
            "INSEE ; RNIV",
            "Quand le mois du NIR est compris entre 01 et 12, il doit être celui de la naissance (hors dates "
            "complétées).",
            "Vérifier la date de naissance et le matricule.",
            "Mois {nir_month} du matricule pour une naissance en mois {month}.",
        ),
        _r(
            "COH-LIEU",
            "Lieu du matricule et lieu de naissance",
            "alerte",
            "INSEE ; RNIV",
            "Département et commune du NIR doivent correspondre au code du lieu de naissance (arrondissements "
            "de Paris, Lyon, Marseille équivalents à la commune ; communes fusionnées).",
            "Vérifier le lieu de naissance (code INSEE à la date de naissance) et le matricule.",
            "Lieu {nir_place} du matricule pour un lieu de naissance {place}.",
            uncertain=True,
        ),
        _r(
            "COH-ETRANGER",
            "Naissance à l'étranger",
            "alerte",
            "INSEE ; RNIV",
            "Un NIR de département 99 correspond à une naissance à l'étranger (lieu 99PPP, même pays) et "
            "réciproquement.",
            "Vérifier le lieu de naissance et le matricule.",
            "{reason}",
        ),
        _r(
            "INS-UNIQUE",
            "Matricule INS partagé",
            "critique",
            "RNIV ; Guide INS",
            "Un même matricule INS (avec son OID) ne peut identifier qu'une seule identité active.",
            "Analyser les identités concernées : doublon à fusionner ou collision à corriger.",
            "Matricule partagé avec {count} autre(s) identité(s) (IPP {others}).",
        ),
        _r(
            "STATUT-VALEUR",
            "Statut de l'identité",
            "erreur",
            "RNIV Exi SI 07",
            "Chaque identité a exactement un statut : PROV, RECUP, VALI ou QUAL.",
            "Corriger le statut ou la table de correspondance des statuts de l'import.",
            "Statut « {status} » inconnu.",
        ),
        _r(
            "STATUT-INS",
            "Statut et matricule INS",
            "erreur",
            "RNIV Exi SI 08 ; Guide INS",
            "Une identité récupérée ou qualifiée porte son matricule INS et son OID ; une identité provisoire "
            "ou validée n'en porte pas.",
            "Compléter le matricule ou corriger le statut.",
            "{reason}",
        ),
        _r(
            "STATUT-JUSTIF",
            "Justificatif d'identité",
            "erreur",
            "RNIV ; FR Core (mode de validation)",
            "Une identité validée ou qualifiée a été contrôlée sur un justificatif à haut niveau de confiance "
            "(PA, CN, CS, IE, AV ; DC, AN, LE, AC, ANCV, LECV en situation particulière).",
            "Enregistrer le type de justificatif présenté, ou repasser l'identité au statut qui convient.",
            "{reason}",
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
        ),
        _r(
            "ATTR-PROV",
            "Attribut douteuse ou fictive",
            "critique",
            "RNIV Exi SI 09 ; Guide INS EXI ID 26",
            "Une identité douteuse ou fictive reste provisoire, sans appel INSi ni matricule.",
            "Repasser l'identité au statut provisoire et retirer le matricule.",
            "{reason}",
        ),
        _r(
            "ATTR-COMBI",
            "Combinaison d'attributs",
            "erreur",
            "RNIV",
            "Seule la combinaison DOUTEUSE + HOMONYME est permise ; les autres attributs sont exclusifs.",
            "Corriger les attributs de l'identité.",
            "Attributs incompatibles ou inconnus : {attributes}.",
        ),
        _r(
            "ATTR-HOMONYME",
            "Homonymes non signalés",
            "alerte",
            "RNIV",
            "Des identités de même nom de naissance, premier prénom, date de naissance et sexe doivent porter "
            "l'attribut HOMONYME (ou être un doublon).",
            "Vérifier s'il s'agit d'un doublon ; sinon ajouter l'attribut HOMONYME.",
            "Homonyme de {count} autre(s) identité(s) (IPP {others}) sans attribut HOMONYME.",
        ),
        _r(
            "TRAIT-REQUIS",
            "Traits obligatoires",
            "erreur",
            "RNIV Exi PP ; Guide INS",
            "Toute identité porte nom de naissance, premier prénom, date de naissance et sexe ; une identité "
            "récupérée ou qualifiée porte tous les traits stricts.",
            "Compléter les traits manquants.",
            "Traits manquants : {fields}.",
        ),
        _r(
            "TRAIT-NOM-CARS",
            "Caractères du nom de naissance",
            "erreur",
            "RNIV ; Guide INS",
            "Le nom de naissance s'écrit en majuscules A-Z, espace, apostrophe et tiret, sans diacritique "
            "ni ligature ni chiffre.",
            "Ressaisir le nom tel que le retourne INSi.",
            "Caractères non admis dans le nom « {value} » : {chars}.",
            severity_note=STATUS_DEPENDENT,
        ),
        _r(
            "TRAIT-NOM-SYNTAXE",
            "Syntaxe du nom de naissance",
            "alerte",
            "RNIV ; Guide INS",
            "Pas d'espace, tiret ou apostrophe en tête ; pas d'espace ou d'apostrophe doublés ; « -- » permis, "
            "pas davantage.",
            "Corriger la saisie.",
            "Syntaxe du nom « {value} » : {reason}.",
            severity_note="erreur si RECUP/QUAL, alerte sinon",
        ),
        _r(
            "TRAIT-PRENOM-CARS",
            "Caractères et syntaxe des prénoms",
            "erreur",
            "RNIV ; Guide INS EXI ID 10",
            "Les prénoms s'écrivent en majuscules A-Z, espace, apostrophe et tiret ; séparés par une espace ; "
            "pas de « -- », pas de tiret ou d'apostrophe final.",
            "Ressaisir les prénoms tels que retournés par INSi.",
            "{field} « {value} » : {reason}.",
            severity_note=STATUS_DEPENDENT,
        ),
        _r(
            "TRAIT-LONGUEUR",
            "Longueur des traits",
            "alerte",
            "Guide INS",
            "Nom de naissance et liste des prénoms : 100 caractères au plus.",
            "Vérifier la saisie.",
            "{field} de {length} caractères (100 au plus).",
        ),
        _r(
            "TRAIT-PRENOM1",
            "Premier prénom et liste des prénoms",
            "alerte",
            "Guide INS EXI ID 10",
            "Le premier prénom est le début de la liste des prénoms (tirets et apostrophes lus comme des espaces).",
            "Corriger le premier prénom ou la liste.",
            "Premier prénom « {first} » incohérent avec la liste « {names} ».",
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
        ),
        _r(
            "TRAIT-SEXE",
            "Valeur du sexe",
            "erreur",
            "Guide INS",
            "INSi ne retourne que M ou F : obligatoires pour RECUP/QUAL ; I (indéterminé) ou vide tolérés sinon.",
            "Corriger le sexe.",
            "Sexe « {sex} » non admis pour le statut {status}.",
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
        ),
        _r(
            "TRAIT-DATE-COMPLETEE",
            "Date de naissance complétée non signalée",
            "info",
            "Guide INS EXI ID 11 ; RNIV EXI PP 19",
            "Une date complétée (jour ou mois inconnus) doit être signalée comme telle ; le 01/01 et le 31/12 "
            "en sont les marques typiques.",
            "Signaler la date comme complétée si elle l'est.",
            "Date {value} typique d'une date complétée, non signalée.",
            uncertain=True,
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
        ),
        _r(
            "TRAIT-LIEU-INCONNU",
            "Lieu de naissance inconnu",
            "alerte",
            "Guide INS",
            "Le code 99999 (lieu inconnu) ne devrait pas figurer sur une identité validée, récupérée ou qualifiée.",
            "Renseigner le lieu de naissance depuis le justificatif ou INSi.",
            "Lieu de naissance inconnu (99999) pour une identité {status}.",
        ),
        _r(
            "TRAIT-LIEU-COG",
            "Lieu de naissance absent du COG",
            "alerte",
            "INSEE (COG historisé)",
            "Le code doit désigner une commune existant à la date de naissance, ou un pays.",
            "Vérifier le code (une commune fusionnée garde son ancien code pour les naissances antérieures).",
            "Code {value} inconnu du COG à la date de naissance.",
        ),
        _r(
            "DOUBLON-POTENTIEL",
            "Doublon potentiel",
            "alerte",
            "RNIV",
            "Une autre identité semble désigner la même personne (moteur de détection des doublons).",
            "Examiner la paire dans la file des doublons et décider.",
            "Doublon potentiel de l'IPP {other} (score {score}, {level}).",
        ),
        _r(
            "COLLISION-SUSPECTE",
            "Collision suspectée",
            "critique",
            "RNIV",
            "Un matricule semble appartenir à une autre personne que celle de l'identité (collision).",
            "Analyser en urgence : risque de mélange de dossiers.",
            "{reason}",
        ),
    )
}

RULE_IDS = tuple(RULES)


def message(rule_id: str, params: dict[str, Any]) -> str:
    """The French message of a finding; missing parameters never break the text."""
    info = RULES[rule_id]

    class _Safe(dict[str, Any]):
        def __missing__(self, key: str) -> str:
            return "?"

    return info.message.format_map(_Safe(params))
