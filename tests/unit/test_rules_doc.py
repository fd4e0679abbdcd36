import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_docs_rules_md_is_generated_from_the_catalogue() -> None:
    spec = importlib.util.spec_from_file_location("gen_rules_doc", ROOT / "scripts" / "gen_rules_doc.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == module.render(), (
        "docs/rules.md is stale: run python scripts/gen_rules_doc.py"
    )


def test_every_rule_id_of_the_domain_reference_is_in_the_catalogue() -> None:
    from ivo_app.rules.catalogue import RULES

    ids = {
        "INS-FORMAT", "INS-CLE", "INS-SEXE-CHIFFRE", "INS-MOIS", "INS-LIEU-PLAGE", "INS-OID", "INS-OID-TEST",
        "INS-NSS", "COH-SEXE", "COH-ANNEE", "COH-MOIS", "COH-LIEU", "COH-ETRANGER", "INS-UNIQUE", "STATUT-VALEUR",
        "STATUT-INS", "STATUT-JUSTIF", "STATUT-RECUP-PART", "ATTR-PROV", "ATTR-COMBI", "ATTR-HOMONYME",
        "TRAIT-REQUIS", "TRAIT-NOM-CARS", "TRAIT-NOM-SYNTAXE", "TRAIT-PRENOM-CARS", "TRAIT-LONGUEUR",
        "TRAIT-PRENOM1", "TRAIT-UTILISE-COPIE", "TRAIT-SEXE", "TRAIT-DATE", "TRAIT-DATE-COMPLETEE",
        "TRAIT-LIEU-FORMAT", "TRAIT-LIEU-INCONNU", "TRAIT-LIEU-COG", "DOUBLON-POTENTIEL", "COLLISION-SUSPECTE",
    }  # fmt: skip
    assert ids <= set(RULES)  # a rule added since (three places, docs/architecture.md) needs no edit here
