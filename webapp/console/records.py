"""Data pages: list, create, edit, unpublish and republish POIs, events and routes.

Every change goes through `knowledge.store.Store` (the same validation as the command
line and the importers) and writes its audit entry in the same transaction. The action
server reads the base on each request, so the bot sees a change at once.
"""

from __future__ import annotations

from datetime import timezone
from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from knowledge.config import PARIS, get_settings
from knowledge.gazetteer import Gazetteer
from knowledge.hours_text import same_hours
from knowledge.store import TYPE_LABELS, NotFound, Store, ValidationError, to_dict
from knowledge.taxonomy import INTERESTS, KINDS, ROUTE_MODES
from webapp.console import auditlog
from webapp.console.auth import current_user, require_role
from webapp.console.db import write
from webapp.console.forms import (
    FIELDS,
    FormError,
    dates_preview,
    errors_by_field,
    event_price_to_text,
    form_to_record,
    hours_preview,
    locked_summaries,
    record_to_form,
    resolve_venue,
    submitted_values,
    venue_label,
    venue_labels,
)
from webapp.console.listing import Filters, list_records
from webapp.console.mapsvg import map_view
from webapp.console.render import render
from webapp.keys import KB

PATHS = {"poi": "lieux", "event": "evenements", "route": "itineraires"}
KINDS_BY_PATH = {path: kind for kind, path in PATHS.items()}
TITLES = {"poi": "Lieux", "event": "Événements", "route": "Itinéraires"}
EDITORS = ("editor", "admin")


def _kind(request: web.Request) -> str:
    return KINDS_BY_PATH[request.match_info["section"]]


def _label(record: dict[str, Any]) -> str:
    return str(record.get("name") or record.get("title") or record.get("id") or "")


def _coords(kind: str, record: dict[str, Any]) -> tuple[float | None, float | None]:
    lat_key, lon_key = (("start_latitude", "start_longitude") if kind == "route"
                        else ("latitude", "longitude"))
    try:
        return float(record[lat_key]), float(record[lon_key])
    except (KeyError, TypeError, ValueError):
        return None, None


async def _store_context(request: web.Request, kind: str, values: dict[str, Any],
                         record: dict[str, Any] | None,
                         errors: list[tuple[str | None, str]]) -> dict[str, Any]:
    gazetteer = await request.config_dict[KB].gazetteer_async()
    lat, lon = _coords(kind, record or {})
    field_errors = errors_by_field(kind, errors)
    messages = [message for _, message in errors]
    locked = locked_summaries(kind, record)
    previews: dict[str, Any] = {}
    if kind == "poi":
        # what the chatbot will say of the hours (the typed ones, else those kept as is)
        hours = hours_preview(str(values.get("opening_hours") or ""),
                              str(values.get("hours_note") or ""),
                              (record or {}).get("opening_hours") if locked.get(
                                  "opening_hours") else None)
        if not hours.get("errors"):
            previews["opening_hours"] = hours
    venues: list[str] = []
    if kind == "event":
        previews["dates"] = dates_preview(str(values.get("dates") or ""))
        venues = list(await request.config_dict[KB].run(venue_labels))
    return {
        "kind": kind, "kind_label": TYPE_LABELS[kind], "base": f"/console/{PATHS[kind]}",
        "title": TITLES[kind], "fields": FIELDS[kind], "values": values, "record": record,
        "errors": messages, "field_errors": field_errors,
        "error_targets": {m: name for name, msgs in field_errors.items() for m in msgs},
        "map": map_view(gazetteer, lat, lon, _label(record or values) or "nouveau"),
        "lat": lat, "lon": lon, "locked": locked, "previews": previews, "venues": venues,
    }


@require_role(*EDITORS)
async def list_page(request: web.Request) -> web.StreamResponse:
    kind = _kind(request)
    q = request.query
    gazetteer = await request.config_dict[KB].gazetteer_async()
    commune_text = q.get("commune", "").strip()
    place = (gazetteer.by_insee(commune_text) or gazetteer.lookup(commune_text)
             if commune_text else None)
    try:
        page = int(q.get("page", "1"))
    except ValueError:
        page = 1
    filters = Filters(q=q.get("q", "")[:200], type=q.get("type", ""),
                      commune_insee=place.insee if place else "",
                      interest=q.get("interest", ""), published=q.get("published", ""),
                      example=q.get("example", ""), page=page)
    unknown_commune = bool(commune_text) and place is None
    result = await request.config_dict[KB].run(list_records, kind, filters)
    args = {k: v for k, v in q.items() if k != "page"}
    types = KINDS if kind == "poi" else ROUTE_MODES if kind == "route" else {}
    # What the table shows of each row, in French: the kinds' and modes' labels, an
    # event's first date in Paris time.
    shown: dict[str, str] = {}
    for r in result.rows:
        if kind == "event":
            starts = sorted(t.start for t in r.timings)
            shown[r.id] = (starts[0].replace(tzinfo=timezone.utc).astimezone(PARIS)
                           .strftime("%d/%m/%Y") if starts else "sans date")
        elif kind == "route":
            shown[r.id] = ROUTE_MODES.get(r.mode, r.mode)
        else:
            shown[r.id] = ", ".join(KINDS.get(k, k) for k in (r.kinds or [r.kind]))
    return await render(request, "console/list.html", {
        "kind": kind, "base": f"/console/{PATHS[kind]}", "title": TITLES[kind],
        "kind_label": TYPE_LABELS[kind], "result": result, "filters": filters,
        "commune_text": commune_text, "unknown_commune": unknown_commune, "query_args": args,
        "types": types, "shown": shown,
        "interests": INTERESTS if kind != "route" else {},
    })


def _load(session: Session, kind: str, record_id: str) -> dict[str, Any]:
    return to_dict(Store.for_session(session).get(kind, record_id))  # type: ignore[arg-type]


@require_role(*EDITORS)
async def edit_form(request: web.Request) -> web.StreamResponse:
    kind, record_id = _kind(request), request.match_info["id"]
    try:
        record = await request.config_dict[KB].run(_load, kind, record_id)
    except NotFound as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    gazetteer = await request.config_dict[KB].gazetteer_async()
    values = record_to_form(kind, record, gazetteer)
    if kind == "event":
        values["venue"] = await request.config_dict[KB].run(venue_label, values["venue"])
    saved = request.query.get("enregistre") == "1"
    context = await _store_context(request, kind, values, record, [])
    return await render(request, "console/form.html", {**context, "saved": saved})


@require_role(*EDITORS)
async def new_form(request: web.Request) -> web.StreamResponse:
    kind = _kind(request)
    values: dict[str, Any] = {f.name: ([] if f.widget == "checkboxes" else f.name == "published"
                       if f.widget == "flag" else "") for f in FIELDS[kind]}
    values["commune"] = ""
    context = await _store_context(request, kind, values, None, [])
    return await render(request, "console/form.html", context)


def _save(session: Session, kind: Any, record_id: str | None, data: dict[str, Any],
          username: str, gazetteer: Gazetteer) -> str:
    store = Store(session, gazetteer, get_settings().max_distance_km)
    if kind == "event":
        data = {**data, "venue_poi_id": resolve_venue(session, data.get("venue_poi_id") or "")}
    if record_id is None:
        data = {**data, "source": "Saisie par l'office de tourisme"}
        data.pop("id", None)
        obj, _ = store.save(kind, data)
        auditlog.record(session, username, "create", kind, obj.id, None, to_dict(obj))
        return str(obj.id)
    before = to_dict(store.get(kind, record_id))
    # Hours or prices that mean the same as the stored ones are left as they are (an
    # imported record keeps its exact form, and its journal shows no change).
    if "opening_hours" in data and same_hours(data["opening_hours"], before.get("opening_hours")):
        data = {k: v for k, v in data.items() if k != "opening_hours"}
    if "prices" in data and data["prices"] == before.get("prices"):
        data = {k: v for k, v in data.items() if k != "prices"}
    if "price" in data and event_price_to_text(data["price"]) == event_price_to_text(
            before.get("price")):  # the same said: an imported price keeps its other keys
        data = {k: v for k, v in data.items() if k != "price"}
    obj = store.edit(kind, record_id, data)
    after = to_dict(obj)
    if after != before:
        auditlog.record(session, username, "edit", kind, record_id, before, after)
    return record_id


async def _submit(request: web.Request, record_id: str | None) -> web.StreamResponse:
    kind = _kind(request)
    user = await current_user(request)
    assert user is not None
    form = await request.post()
    gazetteer = await request.config_dict[KB].gazetteer_async()
    try:
        data = form_to_record(kind, form, gazetteer)
        saved_id = await write(request, _save, kind, record_id, data, user.username, gazetteer)
    except (FormError, ValidationError) as exc:
        values = submitted_values(kind, form)
        values["commune"] = str(form.get("commune", ""))
        record = None
        if record_id is not None:
            try:
                record = await request.config_dict[KB].run(_load, kind, record_id)
            except NotFound as missing:
                raise web.HTTPNotFound(text=str(missing)) from None
        context = await _store_context(request, kind, values, record, exc.fields)
        return await render(request, "console/form.html", context, status=422)
    except NotFound as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    raise web.HTTPSeeOther(f"/console/{PATHS[kind]}/{saved_id}?enregistre=1")


@require_role(*EDITORS)
async def create(request: web.Request) -> web.StreamResponse:
    return await _submit(request, None)


@require_role(*EDITORS)
async def update(request: web.Request) -> web.StreamResponse:
    return await _submit(request, request.match_info["id"])


def _set_published(session: Session, kind: Any, record_id: str, published: bool,
                   username: str) -> None:
    store = Store.for_session(session)
    obj = store.get(kind, record_id)
    if obj.published == published:
        return
    before = to_dict(obj)
    obj.published = published
    session.flush()
    auditlog.record(session, username, "republish" if published else "unpublish", kind,
                    record_id, before, to_dict(obj))


@require_role(*EDITORS)
async def publication(request: web.Request) -> web.StreamResponse:
    """Unpublish (hidden from the bot, kept in the base) or republish."""
    kind, record_id = _kind(request), request.match_info["id"]
    user = await current_user(request)
    assert user is not None
    form = await request.post()
    published = form.get("action") == "republish"
    try:
        await write(request, _set_published, kind, record_id, published, user.username)
    except NotFound as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    raise web.HTTPSeeOther(f"/console/{PATHS[kind]}/{record_id}?enregistre=1")


@require_role(*EDITORS)
async def hours_preview_api(request: web.Request) -> web.StreamResponse:
    """What the chatbot will say of the hours being typed (the form's live preview):
    {"phrase", "known", "note"} or {"errors"}, the same reading as on save."""
    text, note = request.query.get("texte", "")[:20000], request.query.get("note", "")[:2000]
    return web.json_response(hours_preview(text, note))


def setup_records(app: web.Application) -> None:
    app.router.add_get("/console/horaires/apercu", hours_preview_api)
    base = "/console/{section:lieux|evenements|itineraires}"
    app.router.add_get(base, list_page)
    app.router.add_get(base + "/nouveau", new_form)
    app.router.add_post(base + "/nouveau", create)
    app.router.add_get(base + "/{id}", edit_form)
    app.router.add_post(base + "/{id}", update)
    app.router.add_post(base + "/{id}/publication", publication)
