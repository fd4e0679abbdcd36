"""ivo check | indicators | rules | cog."""

from __future__ import annotations

import argparse
from pathlib import Path

from ivo_app.cli.common import add_extraction_arg, add_output_args, emit, emit_json, open_db, stderr_progress
from ivo_app.errors import IvoError
from ivo_app.labels import format_int, plural
from ivo_app.rules.catalogue import RULES, SEVERITIES
from ivo_app.services import checks, indicators, rule_settings
from ivo_app.services.cog_reference import import_history
from ivo_app.services.exports import export_findings
from ivo_app.services.journal import record_view


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("check", parents=[common], help="vérifier une extraction (règles du RNIV)")
    add_extraction_arg(p)
    add_output_args(p, ("table", "json", "csv"))
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("indicators", parents=[common], help="indicateurs d'une extraction")
    add_extraction_arg(p)
    add_output_args(p, ("table", "json"))
    p.add_argument(
        "--active-years",
        type=int,
        default=None,
        metavar="N",
        help="file active : dernière venue dans les N ans avant l'extraction "
        "(défaut : réglage de l'établissement, sinon 3)",
    )
    p.set_defaults(func=cmd_indicators)

    p = sub.add_parser("rules", parents=[common], help="catalogue des règles et réglages")
    rules_sub = p.add_subparsers(dest="rules_command", metavar="ACTION")
    p.set_defaults(func=cmd_rules_list)
    s = rules_sub.add_parser("set", parents=[common], help="activer, désactiver, changer la sévérité")
    s.add_argument("rule", metavar="REGLE")
    s.add_argument("--severity", choices=SEVERITIES)
    group = s.add_mutually_exclusive_group()
    group.add_argument("--enable", dest="enabled", action="store_true", default=None)
    group.add_argument("--disable", dest="enabled", action="store_false")
    s.add_argument("--facility", metavar="NOM", help="établissement (défaut : tous)")
    s.set_defaults(func=cmd_rules_set)

    p = sub.add_parser("cog", parents=[common], help="référentiel géographique de l'INSEE")
    cog_sub = p.add_subparsers(dest="cog_command", metavar="ACTION", required=True)
    s = cog_sub.add_parser("import", parents=[common], help="charger le fichier historique des communes")
    s.add_argument("file", type=Path, metavar="FICHIER", help="France20AA.txt ou v_commune_depuis_1943.csv")
    s.add_argument(
        "--evenements",
        type=Path,
        metavar="FICHIER",
        help="fichier des événements (historiq20AA.txt, v_mvt_commune_20AA.csv) s'il n'est pas à côté",
    )
    s.set_defaults(func=cmd_cog_import)


def cmd_check(args: argparse.Namespace) -> int:
    db = open_db(args)
    result = checks.run_checks(db, args.extraction, progress=stderr_progress())
    summary = checks.findings_summary(db, result.extraction_id)
    if args.format == "json":
        # Only the JSON prints each finding: the other formats read the counts, not a view per finding
        # (a million identities carry some 400,000 of them).
        views = checks.list_findings(db, result.extraction_id)
        # The findings' messages quote the traits: a view of nominative data (the table format shows
        # counts only).
        record_view(db, "anomalies", result.extraction_id, len({v.ipp for v in views if v.ipp}))
        emit_json(
            {
                "extraction": result.extraction_id,
                "findings": [v.to_json() for v in views],
                "summary": summary,
            },
            args.out,
        )
    elif args.format == "csv":
        if args.out is None:
            raise IvoError("--out est obligatoire avec --format csv (fichier .csv ou .xlsx).")

        count = export_findings(db, result.extraction_id, args.out)
        print(f"{count} anomalies écrites dans {args.out}.")
        for row, column in getattr(count, "replaced", ())[:20]:
            print(f"  ligne {row}, colonne {column} : caractères de contrôle écrits sous la forme U+XXXX")
    else:
        lines = [
            f"Extraction {result.extraction_id} : {plural(result.identities, 'identité')}, "
            f"{plural(summary['total'], 'anomalie')}."
        ]
        lines += [f"  {sev:<8} {format_int(summary['by_severity'][sev]):>9}" for sev in SEVERITIES]
        lines += [
            f"  {rule:<22} {format_int(count):>9}  {RULES[rule].title}"
            for rule, count in summary["by_rule"].items()
        ]
        emit("\n".join(lines), args.out)
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    data = indicators.compute_indicators(open_db(args), args.extraction, active_years=args.active_years)
    if args.format == "json":
        emit_json(data, args.out)
        return 0
    st = data["statuses"]
    lines = [
        f"{data['extraction']['facility']} — extraction {data['extraction']['id']} du {data['extraction']['extracted_on']}",
        f"Identités : {data['identities']} (file active : {data['active_identities']}, "
        f"dernière venue depuis le {data['active_since']})",
        "Statuts : " + ", ".join(f"{k} {v}" for k, v in st.items()),
        f"Taux de qualification (file active) : {data['qualification_rate']} %",
        f"Part des identités récupérées : {data['recup_share']} %",
        "Attributs : " + ", ".join(f"{k} {v}" for k, v in data["attributes"].items()),
        f"Lieu inconnu (99999) : {data['unknown_birthplace']} ; dates complétées : {data['completed_dates']}",
        f"Anomalies : {data['anomalies']['total']} "
        + ("" if data["anomalies"]["checked"] else "(vérification non lancée : ivo check)"),
    ]
    if len(data["history"]) > 1:
        lines.append("Évolution (extractions de l'établissement) :")
        lines += [
            f"  {h['extracted_on']}  extraction {h['id']:>4}  {h['identities']:>9} identités  "
            f"QUAL {h['qual_share']:>5} %  anomalies {'—' if h['anomalies'] is None else h['anomalies']}"
            for h in data["history"]
        ]
    emit("\n".join(lines), args.out)
    return 0


def cmd_rules_list(args: argparse.Namespace) -> int:
    settings = rule_settings.effective_settings(open_db(args))
    for rule in RULES.values():
        state = "désactivée" if rule.id in settings.disabled else settings.severity(rule.id)
        print(f"{rule.id:<22} {state:<10} {rule.title}")
    return 0


def cmd_rules_set(args: argparse.Namespace) -> int:
    if args.enabled is None and args.severity is None:
        raise IvoError("Indiquez --severity, --enable ou --disable.")
    rule_settings.set_rule(
        open_db(args), args.rule, enabled=args.enabled, severity=args.severity, facility=args.facility
    )
    print(f"Règle {args.rule} mise à jour.")
    return 0


def cmd_cog_import(args: argparse.Namespace) -> int:
    result = import_history(open_db(args), args.file, args.evenements)
    events = f", événements : {result.events_file}" if result.events_file else ", sans fichier des événements"
    codes, dated = (f"{n:,}".replace(",", "\u202f") for n in (result.codes, result.dated))
    print(
        f"Fichier historique chargé ({result.communes_file}{events}) : {codes} codes de communes, {dated} versions datées."
    )
    return 0
