"""The validation report of the whole base, and the audit log with filters."""

from __future__ import annotations

import json

from aiohttp import web

from knowledge.audit import check_base
from webapp.console import auditlog
from webapp.console.auth import require_role
from webapp.console.forms import FIELDS
from webapp.console.records import PATHS
from webapp.console.render import render
from webapp.keys import KB

EDITORS = ("editor", "admin")
# The journal names changed fields as the forms do; the others (filled by imports).
FIELD_LABELS = {
    "commune_insee": "Commune", "start_commune_insee": "Commune", "timings": "Dates",
    "kind": "Type de lieu", "opening_hours": "Horaires", "prices": "Tarifs", "price": "Tarif",
    "accessibility_labels": "Labels d'accessibilité", "source": "Source",
    "source_id": "Identifiant dans la source", "licence": "Licence",
    "last_update": "Mise à jour à la source", "timezone": "Fuseau horaire", "gpx": "Tracé GPX",
    "active": "Actif", "role": "Rôle", "username": "Compte",
    **{f.name: f.label for fields in FIELDS.values() for f in fields},
}


@require_role(*EDITORS)
async def validation_page(request: web.Request) -> web.StreamResponse:
    findings = await request.config_dict[KB].run(check_base)
    errors = [f for f in findings if f.level == "erreur"]
    return await render(request, "console/validation.html", {
        "findings": findings, "errors": len(errors), "warnings": len(findings) - len(errors),
        "paths": PATHS})


@require_role(*EDITORS)
async def journal_page(request: web.Request) -> web.StreamResponse:
    q = request.query
    try:
        page = max(1, int(q.get("page", "1")))
    except ValueError:
        page = 1
    filters = {k: q.get(k, "")[:200] for k in ("username", "record_type", "record_id", "action")}
    rows, total = await request.config_dict[KB].run(auditlog.entries, page=page, **filters)
    shown = [{
        "entry": e, "changed": [FIELD_LABELS.get(name, name)
                                for name in auditlog.changed_fields(e.before, e.after)],
        "before": json.dumps(e.before, ensure_ascii=False, indent=1) if e.before else "",
        "after": json.dumps(e.after, ensure_ascii=False, indent=1) if e.after else "",
    } for e in rows]
    args = {k: v for k, v in filters.items() if v}
    return await render(request, "console/journal.html", {
        "rows": shown, "total": total, "page": page, "filters": filters, "query_args": args,
        "more": page * auditlog.PAGE_SIZE < total, "actions": auditlog.ACTIONS,
        "paths": PATHS})


def setup_reports(app: web.Application) -> None:
    app.router.add_get("/console/verification", validation_page)
    app.router.add_get("/console/journal", journal_page)
