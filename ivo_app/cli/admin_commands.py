"""ivo journal | backup | pseudonymise | settings."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ivo_app.cli.common import add_extraction_arg, ask_passphrase, emit, emit_json, open_db
from ivo_app.errors import IvoError
from ivo_app.labels import plural
from ivo_app.services import backup, journal, protection, pseudonymise, settings
from ivo_app.store import encryption


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("journal", parents=[common], help="journal des actions (qui, quand, quoi)")
    p.add_argument(
        "verify",
        nargs="?",
        choices=("verify",),
        help="vérifier la chaîne d'empreintes du journal (code 2 s'il a été altéré)",
    )
    p.add_argument("--action", help="seulement cette action (import, decision, rapport...)")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--out", type=Path, help="fichier (.csv ou .xlsx avec --format csv)")
    p.set_defaults(func=cmd_journal)

    p = sub.add_parser("backup", parents=[common], help="sauvegardes de la base embarquée")
    b = p.add_subparsers(dest="backup_command", metavar="ACTION", required=True)
    b.add_parser("list", parents=[common], help="lister les sauvegardes").set_defaults(func=cmd_backup_list)
    b.add_parser("create", parents=[common], help="sauvegarder maintenant").set_defaults(
        func=cmd_backup_create
    )
    r = b.add_parser("restore", parents=[common], help="restaurer une sauvegarde")
    r.add_argument("file", type=Path, metavar="FICHIER")
    r.set_defaults(func=cmd_backup_restore)

    p = sub.add_parser(
        "chiffrer", parents=[common], help="chiffrer la base embarquée et ses sauvegardes (SQLCipher)"
    )
    p.set_defaults(func=cmd_encrypt)

    p = sub.add_parser(
        "settings",
        parents=[common],
        help="réglages par établissement (statuts à l'import, file active, doublons)",
    )
    s = p.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    for name, help_text in (
        ("show", "afficher les réglages en vigueur"),
        ("statuses", "correspondance des statuts à l'import : VALEUR=STATUT… (aucune : effacer)"),
        ("active-years", "file active en années"),
        ("thresholds", "seuils des doublons : PROBABLE A_EXAMINER (--reset : ceux du modèle)"),
        ("ipp-authority", "autorité d'affectation des IPP (HL7 PID-3 CX-4, système FHIR) : nom ou OID"),
    ):
        c = s.add_parser(name, parents=[common], help=help_text)
        c.add_argument("--facility", metavar="NOM", help="cet établissement (défaut : tous)")
        if name == "statuses":
            c.add_argument("pairs", nargs="*", metavar="VALEUR=STATUT")
        elif name == "active-years":
            c.add_argument("years", type=int, metavar="N")
        elif name == "thresholds":
            c.add_argument("values", type=float, nargs="*", metavar="SEUIL")
            c.add_argument("--reset", action="store_true", help="revenir aux seuils du modèle")
        elif name == "ipp-authority":
            c.add_argument("authority", metavar="AUTORITE")
        c.set_defaults(func=cmd_settings)

    p = sub.add_parser("pseudonymise", parents=[common], help="export pseudonymisé pour la formation")
    add_extraction_arg(p)
    p.add_argument("--out", type=Path, required=True, help="fichier .csv ou .xlsx")
    p.add_argument(
        "--key-file",
        type=Path,
        required=True,
        help="fichier de la clé secrète (créé 0600 s'il n'existe pas, jamais affiché) : "
        "mêmes pseudonymes d'un export à l'autre",
    )
    p.set_defaults(func=cmd_pseudonymise)


def cmd_journal(args: argparse.Namespace) -> int:
    db = open_db(args)
    if args.verify:
        check = journal.verify_journal(db)
        if not check.ok:
            raise IvoError(journal.describe_check(check))
        print(journal.describe_check(check))
        return 0
    if args.format == "csv":
        if args.out is None:
            raise IvoError("--out est obligatoire avec --format csv.")
        print(f"{journal.export_journal(db, args.out)} actions écrites dans {args.out}.")
        return 0
    lines = journal.read_journal(db, action=args.action)
    if args.format == "json":
        emit_json([line.to_json() for line in lines], args.out)
    else:
        emit(
            "\n".join(
                f"{line.at:%Y-%m-%d %H:%M:%S}  {line.user:<12} {line.action:<20} {line.target or ''}"
                for line in lines
            )
            or "Journal vide.",
            args.out,
        )
    return 0


def cmd_backup_list(args: argparse.Namespace) -> int:
    found = backup.list_backups(open_db(args))
    print(
        "\n".join(f"{b.created:%Y-%m-%d %H:%M}  {b.size // 1024:>8} Ko  {b.path}" for b in found)
        or "Aucune sauvegarde."
    )
    return 0


def cmd_backup_create(args: argparse.Namespace) -> int:
    print(f"Sauvegarde : {backup.create_backup(open_db(args))}")
    return 0


def cmd_backup_restore(args: argparse.Namespace) -> int:
    result = backup.restore(open_db(args), args.file)
    encrypted = (
        " (sauvegarde en clair chiffrée avec la clé de la base)" if result.encrypted_on_restore else ""
    )
    print(f"Sauvegarde restaurée{encrypted} ; l'état précédent est conservé dans {result.safety}.")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    db, facility = open_db(args), args.facility
    if args.settings_command == "statuses":
        pairs = [p.split("=", 1) for p in args.pairs]
        if any(len(p) != 2 for p in pairs):
            raise IvoError("Correspondance attendue sous la forme VALEUR=STATUT (ex. VALI=QUAL).")
        settings.set_status_mapping(db, dict(pairs), facility)
    elif args.settings_command == "active-years":
        settings.set_active_years(db, args.years, facility)
    elif args.settings_command == "thresholds":
        if args.reset == bool(args.values) or (args.values and len(args.values) != 2):
            raise IvoError("Indiquez deux seuils (probable, à examiner) ou --reset.")
        probable, a_examiner = args.values or (None, None)
        settings.set_duplicate_thresholds(db, probable, a_examiner, facility)
    elif args.settings_command == "ipp-authority":
        settings.set_ipp_authority(db, args.authority, facility)
    stored = settings.facility_settings(db, facility)
    mapping, thresholds = stored.statuses, stored.thresholds
    print(f"Réglages — {facility or 'tous les établissements'} :")
    print("  statuts à l'import : " + (", ".join(f"{k} → {v}" for k, v in mapping.items()) or "usuels"))
    print(f"  file active : {stored.active_years} ans")
    print(f"  doublons : probable ≥ {thresholds['probable']:g}, à examiner ≥ {thresholds['a_examiner']:g}")
    print(f"  autorité d'affectation des IPP : {stored.ipp_authority or 'non renseignée'}")
    return 0


def cmd_pseudonymise(args: argparse.Namespace) -> int:
    key, created = pseudonymise.read_or_create_key(args.key_file)
    result = pseudonymise.export_pseudonymised(open_db(args), args.extraction, args.out, key)
    if created:
        print(f"Clé créée dans {args.key_file} (lisible par vous seul ; à garder secrète).")
    print(f"{result.rows} identités pseudonymisées écrites dans {args.out}.")
    print(result.anonymity.describe())
    return 0


def cmd_encrypt(args: argparse.Namespace) -> int:
    db = open_db(args)
    path = protection.database_file(db)
    if protection.is_database_encrypted(db):
        # Opened with its passphrase: finish what an interrupted run left in clear, if anything.
        known = encryption.remembered(path)
        if known is None:
            raise IvoError(f"La base {path.name} est déjà chiffrée.")
        done = protection.encrypt_database(db, known)
        print(
            f"Chiffrement repris : {plural(len(done.backups), 'sauvegarde restée en clair chiffrée', 'sauvegardes restées en clair chiffrées')}."
        )
        return 0
    secret = ask_passphrase(path, f"Nouvelle phrase secrète pour {path.name} : ")
    if not secret:
        raise IvoError("Phrase secrète requise : tapez-la au terminal (ou variable IVO_PHRASE_SECRETE).")
    if sys.stdin.isatty():  # a typed passphrase is asked twice; a scripted one cannot be mistyped
        again = ask_passphrase(path, "Confirmez la phrase secrète : ")
        if again != secret:
            raise IvoError("Les deux saisies de la phrase secrète diffèrent : base inchangée.")
    result = protection.encrypt_database(db, secret)
    print(
        f"Base chiffrée : {result.database} ({plural(len(result.backups), 'sauvegarde chiffrée', 'sauvegardes chiffrées')} aussi). "
        "Sans la phrase secrète, ni IVO ni personne ne pourra la lire : conservez-la."
    )
    return 0
