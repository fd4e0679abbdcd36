"""Write docs/rules.md from the rule catalogue (the code is the source; a test keeps them equal).

python scripts/gen_rules_doc.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ivo_app.rules.catalogue import CASES, RULES, template_text  # noqa: E402

TARGET = ROOT / "docs" / "rules.md"


def render() -> str:
    lines = [
        "# Catalogue des règles",
        "",
        "Généré depuis `ivo_app/rules/catalogue.py` par `scripts/gen_rules_doc.py` : ne pas modifier à la main.",
        "Les sévérités sont celles par défaut ; chaque établissement peut désactiver une règle ou changer sa",
        "sévérité (`ivo rules set`, page Paramètres).",
        "",
        "| Règle | Intitulé | Sévérité | Référence |",
        "|---|---|---|---|",
    ]
    for r in RULES.values():
        severity = r.severity_note or r.severity
        lines.append(f"| `{r.id}` | {r.title} | {severity} | {r.reference} |")
    for r in RULES.values():
        lines += [
            "",
            f"## {r.id} — {r.title}",
            "",
            r.explanation,
            "",
            f"**Corriger** : {r.fix}",
            "",
            f"**Message** : {template_text(r.message)}",
            "",
            *(
                line
                for key, templates in r.texts.items()
                for line in (
                    f"**{{{key}}}** selon le cas :",
                    "",
                    *(f"- `{code}` : {template_text(template)}" for code, template in templates.items()),
                    "",
                )
            ),
            f"**Référence** : {r.reference}",
            "",
            "**Textes** :",
            "",
            *(f"- {source}" for source in r.sources),
        ]
        if r.variants:
            lines += [
                "",
                "**Sévérités** : "
                + " ; ".join([r.severity] + [f"{sev} pour {CASES[name]}" for name, sev in r.variants]),
            ]
        if r.uncertain:
            lines += [
                "",
                "*Règle d'avertissement : le libellé officiel n'étant pas disponible, elle reste "
                "paramétrable.*",
            ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"{TARGET} : {len(RULES)} règles")
