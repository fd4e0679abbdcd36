"""ivo import | extractions | supprimer-extraction | export | rejets."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from ivo_app.cli.common import (
    add_extraction_arg,
    add_output_args,
    emit,
    emit_json,
    open_db,
    stderr_progress,
)
from ivo_app.errors import IvoError
from ivo_app.labels import format_date, plural
from ivo_app.services import extractions


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("import", parents=[common], help="importer une table d'identités")
    p.add_argument("file", type=Path, metavar="FICHIER", help="CSV, XLSX, HL7 v2, FHIR ou dossier")
    p.add_argument("--facility", required=True, metavar="NOM", help="établissement")
    p.add_argument("--mapping", type=Path, metavar="FICHIER", help="fichier de correspondance JSON")
    p.add_argument("--date", dest="extracted_on", metavar="AAAA-MM-JJ", help="date de l'extraction")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--rapport", type=Path, metavar="FICHIER", help="écrire le rapport d'import (JSON)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("extractions", parents=[common], help="lister les extractions")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_extractions)

    p = sub.add_parser(
        "supprimer-extraction", parents=[common], help="supprimer une extraction importée par erreur"
    )
    p.add_argument("extraction", type=int, metavar="N", help="numéro de l'extraction (ivo extractions)")
    p.add_argument("--oui", action="store_true", help="confirmer la suppression (sinon rien n'est supprimé)")
    p.set_defaults(func=cmd_delete_extraction)

    p = sub.add_parser("export", parents=[common], help="exporter une extraction (format canonique)")
    add_extraction_arg(p)
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        help="fichier .csv ou .xlsx (format canonique) ou .json (Bundle FHIR FR Core)",
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("rejets", parents=[common], help="lignes rejetées d'une extraction")
    add_extraction_arg(p)
    add_output_args(p, ("table", "csv"))
    p.set_defaults(func=cmd_rejections)


def cmd_import(args: argparse.Namespace) -> int:
    from ivo_app.io.mapping import ColumnMapping  # noqa: PLC0415  start-up: the readers, for import only
    from ivo_app.services import imports  # noqa: PLC0415  start-up: as above

    mapping = ColumnMapping.load(args.mapping) if args.mapping else None
    extracted_on = None
    if args.extracted_on:
        try:
            extracted_on = date.fromisoformat(args.extracted_on)
        except ValueError as exc:
            raise IvoError(f"Date d'extraction invalide : {args.extracted_on} (AAAA-MM-JJ).") from exc
    db = open_db(args)
    result = imports.import_file(
        db,
        args.file,
        args.facility,
        mapping=mapping,
        extracted_on=extracted_on,
        progress=stderr_progress(),
    )
    if args.rapport:
        imports.write_report(result, args.rapport)
    if args.format == "json":
        emit_json(
            {
                "extraction": result.extraction_id,
                "facility": result.facility,
                "rows": result.rows,
                "format": result.source_format,
                "encoding": result.encoding,
                "separator": result.separator,
                "rejected": [
                    {"line": r.line_no, "reason": r.reason, "detail": r.detail} for r in result.rejections
                ],
                "report": result.report,
            },
            None,
        )
        return 0
    details = f"format {result.source_format}"
    if result.encoding:
        details += f", encodage {result.encoding}"
    if result.separator:
        details += f", séparateur « {'tab' if result.separator == chr(9) else result.separator} »"
    print(
        f"Extraction {result.extraction_id} ({result.facility}) : {result.rows} identités "
        f"importées, {len(result.rejections)} lignes rejetées ({details})."
    )
    for line in imports.report_lines(result.report):
        print(line)
    for r in result.rejections[:50]:
        print(f"  ligne {r.line_no} : {r.label}")
    if len(result.rejections) > 50:
        print(
            f"  … et {len(result.rejections) - 50} autres (ivo rejets --extraction {result.extraction_id})."
        )
    return 0


def cmd_extractions(args: argparse.Namespace) -> int:
    infos = extractions.list_extractions(open_db(args))
    if args.format == "json":
        emit_json([i.to_json() for i in infos], None)
        return 0
    if not infos:
        print("Aucune extraction.")
        return 0
    print(f"{'id':>4}  {'établissement':<30} {'date':<10} {'lignes':>8} {'rejets':>6}  fichier")
    for i in infos:
        print(
            f"{i.id:>4}  {i.facility[:30]:<30} {format_date(i.extracted_on):<10} "
            f"{i.rows:>8} {i.rejected:>6}  {i.source_file}"
        )
    return 0


def cmd_delete_extraction(args: argparse.Namespace) -> int:
    if not args.oui:
        raise IvoError(
            f"Suppression de l'extraction n° {args.extraction} non confirmée : ajoutez --oui. Rien n'a été supprimé."
        )
    info = extractions.delete_extraction(open_db(args), args.extraction)
    print(f"Extraction n° {info.id} ({info.facility}, {info.rows} identités) supprimée.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    count = extractions.export_extraction(open_db(args), args.extraction, args.out)
    print(f"{count} identités exportées dans {args.out}.")
    _print_replaced(count)
    return 0


def _print_replaced(count: object) -> None:
    """The cells whose control characters the XLSX writer showed as U+XXXX (io.writers)."""
    replaced = getattr(count, "replaced", ())
    if replaced:
        print(f"{plural(len(replaced), 'cellule')} : caractères de contrôle écrits sous la forme U+XXXX :")
        for row, column in replaced[:20]:
            print(f"  ligne {row}, colonne {column}")


def cmd_rejections(args: argparse.Namespace) -> int:
    db = open_db(args)
    extraction_id = extractions.resolve_extraction_id(db, args.extraction)
    if args.format == "csv":
        if args.out is None:
            raise IvoError("--out est obligatoire avec --format csv.")
        extractions.export_rejections(db, extraction_id, args.out)
        return 0
    rows = extractions.rejections(db, extraction_id)
    from ivo_app.services.journal import record_view  # noqa: PLC0415  start-up: the models, for rejets only

    if rows:  # their details quote the file's content: a view of nominative data
        record_view(db, "rejets", extraction_id, len(rows))
    emit(
        "\n".join(f"ligne {n} : {reason} {detail}".rstrip() for n, reason, detail in rows)
        or "Aucune ligne rejetée.",
        args.out,
    )
    return 0
