"""Rule family: statuses and attributes (STATUT-*, ATTR-* on one record), and the optional dates a
table may carry (INSi call, document expiry). Findings carry reason codes; the catalogue words them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ivo_app.rules.findings import INSI_STATUSES, NSS_OIDS, CheckContext, Finding
from ivo_app.rules.record import STATUSES, IdentityRecord

ALLOWED_ATTRIBUTES: tuple[frozenset[str], ...] = (
    frozenset(),
    frozenset({"HOMONYME"}),
    frozenset({"DOUTEUSE"}),
    frozenset({"FICTIVE"}),
    frozenset({"DOUTEUSE", "HOMONYME"}),
)
HIGH_TRUST_DOCUMENTS = frozenset({"PA", "CN", "CS", "IE", "AV"})
SPECIAL_CONTEXT_DOCUMENTS = frozenset({"DC", "AN", "LE", "AC", "ANCV", "LECV"})
_DOUBTFUL = frozenset({"DOUTEUSE", "FICTIVE"})


def check(r: IdentityRecord, ctx: CheckContext) -> Iterator[Finding]:
    status = r.status or ""
    attrs = r.attribute_set
    matricule, oid = r.ins_matricule, r.ins_oid
    if status not in STATUSES:
        yield Finding("STATUT-VALEUR", ("status",), {"status": r.status_source or status})
    if status in INSI_STATUSES and (not matricule or not oid):
        reason = "sans-matricule" if not matricule else "sans-oid"
        yield Finding("STATUT-INS", ("ins_matricule", "ins_oid"), {"reason": reason, "status": status})
    elif status in ("PROV", "VALI") and matricule and oid not in NSS_OIDS and not attrs & _DOUBTFUL:
        yield Finding("STATUT-INS", ("ins_matricule",), {"reason": "matricule-hors-insi", "status": status})
    # A document high-trust enough to validate, on an identity that is not: DOUTEUSE/FICTIVE stay PROV.
    if (
        status in ("RECUP", "PROV")
        and (r.document_type or "").upper() in HIGH_TRUST_DOCUMENTS
        and not attrs & _DOUBTFUL
    ):
        yield Finding(
            "STATUT-JUSTIF",
            ("status", "document_type"),
            {
                "reason": "qualification-manquee",
                "status": status,
                "document": r.document_type,
                "target": "QUAL" if status == "RECUP" else "VALI",
            },
            case="indice",
        )
    if status in ("VALI", "QUAL"):
        doc = (r.document_type or "").upper()
        if not doc:
            yield Finding(
                "STATUT-JUSTIF", ("document_type",), {"reason": "sans-justificatif", "status": status}
            )
        elif doc in SPECIAL_CONTEXT_DOCUMENTS:
            yield Finding(
                "STATUT-JUSTIF",
                ("document_type",),
                {"reason": "situation-particuliere", "document": doc},
                case="situation-particuliere",
            )
        elif doc not in HIGH_TRUST_DOCUMENTS:
            yield Finding(
                "STATUT-JUSTIF",
                ("document_type",),
                {"reason": "confiance-insuffisante", "document": doc, "status": status},
            )
    if attrs & _DOUBTFUL and (status != "PROV" or matricule or oid):
        params = {"reason": "avec-matricule" if matricule or oid else "non-provisoire"}
        params["attributes"] = "/".join(sorted(attrs & _DOUBTFUL))
        if status:
            params["status"] = status
        yield Finding("ATTR-PROV", ("attributes", "status", "ins_matricule"), params)
    if attrs and attrs not in ALLOWED_ATTRIBUTES:
        yield Finding("ATTR-COMBI", ("attributes",), {"attributes": " + ".join(sorted(attrs))})


def check_optional_dates(r: IdentityRecord, ctx: CheckContext) -> Iterator[Finding]:
    """The INSi call date and the document's expiry, when the table has those columns
    (`r.extra`: dates, or the unreadable text)."""
    if not r.extra:
        return
    columns, status = r.extra.get("columns", ()), r.status or ""
    call, expiry = r.extra.get("insi_call"), r.extra.get("document_expiry")
    reason: dict[str, str] | None = None
    if isinstance(call, str):
        reason = {"reason": "appel-illisible", "value": call}
    elif isinstance(call, date) and call > ctx.today:
        reason = {"reason": "appel-futur", "date": f"{call:%d/%m/%Y}"}
    elif "insi_call" in columns and call is None and status in INSI_STATUSES:
        reason = {"reason": "appel-absent", "status": status}
    elif isinstance(call, date) and status in ("PROV", "VALI") and not r.ins_matricule:
        reason = {"reason": "appel-sans-matricule", "date": f"{call:%d/%m/%Y}", "status": status}
    if reason:
        yield Finding("STATUT-INS", ("status",), reason, case="date-insi")
    if status in ("VALI", "QUAL") and r.document_type:
        if isinstance(expiry, str):
            params = {"reason": "expiration-illisible", "value": expiry}
        elif isinstance(expiry, date) and expiry < ctx.today:
            params = {
                "reason": "justificatif-expire",
                "document": r.document_type,
                "date": f"{expiry:%d/%m/%Y}",
                "status": status,
            }
        else:
            return
        yield Finding("STATUT-JUSTIF", ("document_type",), params, case="expiration")
