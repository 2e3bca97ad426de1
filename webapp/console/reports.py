"""The validation report of the whole base, and the audit log with filters."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.audit import check_base, precision_by_commune, precision_totals
from knowledge.models import Event, Poi, Route
from webapp.console import auditlog, journal
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
    "active": "Actif", "role": "Rôle", "username": "Compte", "published": "Publié",
    "venue_poi_id": "Lieu de l'événement", "venue_name": "Nom du lieu",
    "coord_precision": "Précision des coordonnées", "is_example": "Exemple",
    "notes": "Note interne",
    **{f.name: f.label for fields in FIELDS.values() for f in fields},
}


@require_role(*EDITORS)
async def validation_page(request: web.Request) -> web.StreamResponse:
    findings = await request.config_dict[KB].run(check_base)
    # Where the base is thin: the counts `python -m knowledge validate` prints
    counts = await request.config_dict[KB].run(precision_by_commune)
    errors = [f for f in findings if f.level == "erreur"]
    return await render(request, "console/validation.html", {
        "findings": findings, "errors": len(errors), "warnings": len(findings) - len(errors),
        "paths": PATHS, "counts": counts, "totals": precision_totals(counts)})


def _record_names(session: Session, ids: set[str]) -> dict[str, str]:
    """The current names of the records (places, events, routes) among `ids`."""
    out: dict[str, str] = {}
    for model, column in ((Poi, Poi.name), (Event, Event.title), (Route, Route.name)):
        missing = sorted(ids - set(out))
        if missing:
            out.update({r.id: r.name for r in session.execute(
                select(model.id, column.label("name")).where(model.id.in_(missing)))})
    return out


@require_role(*EDITORS)
async def journal_page(request: web.Request) -> web.StreamResponse:
    q = request.query
    try:
        page = max(1, int(q.get("page", "1")))
    except ValueError:
        page = 1
    filters = {k: q.get(k, "")[:200] for k in ("username", "record_type", "record_id", "action")}
    kb = request.config_dict[KB]
    rows, total = await kb.run(auditlog.entries, page=page, **filters)
    communes, ids = journal.ids_to_name(rows)
    gazetteer = await kb.gazetteer_async()
    names = journal.Names(
        {c: p.name for c in communes if (p := gazetteer.by_insee(c)) is not None},
        await kb.run(_record_names, ids) if ids else {})
    shown = []
    for e in rows:
        is_import = e.record_type == "import"
        shown.append({
            "entry": e, "at": journal.paris_time(e.at),
            "name": journal.record_name(e.record_type, e.record_id, e.before, e.after, names),
            "type": journal.TYPES.get(e.record_type, e.record_type),
            "changes": [] if is_import else journal.changes(e.before, e.after, FIELD_LABELS,
                                                            names),
            "summary": (str(e.after.get("summary", "")) if is_import
                        and isinstance(e.after, dict) else ""),
        })
    args = {k: v for k, v in filters.items() if v}
    return await render(request, "console/journal.html", {
        "rows": shown, "total": total, "page": page, "filters": filters, "query_args": args,
        "more": page * auditlog.PAGE_SIZE < total, "actions": auditlog.ACTIONS,
        "paths": PATHS, "types": journal.TYPES})


def setup_reports(app: web.Application) -> None:
    app.router.add_get("/console/verification", validation_page)
    app.router.add_get("/console/journal", journal_page)
