"""OpenAgenda API v2: files of `events` responses, and a client for the live API.

A file may be a list response (`{"success", "total", "events": [...], "after"}`), a plain
list of events, a single-event response (`{"event": {...}}`) or one bare event; a folder
holds several such files (the pages of one agenda). Events are streamed one at a time.
Records get the source "OpenAgenda, agenda <uid>", so that "left the feed" is judged per
agenda; a file is a full feed when it holds every event its response announces (`total`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

from knowledge.config import get_settings
from knowledge.importers import describe
from knowledge.importers.common import (
    JSON_ERRORS,
    Context,
    Feed,
    Item,
    RecordError,
    convert,
    file_rejection,
    first_char,
    json_error,
    number,
    own_commune,
    shorten,
    stream_json,
    text_of,
)

LICENCE = "Contenu de l'agenda OpenAgenda, propriété de son éditeur"
STATUS_CANCELLED = 6  # v2 status: 1 scheduled … 5 full, 6 cancelled
PAGE_SIZE = 100
TIMEOUT_S = 30


class OpenAgendaError(RuntimeError):
    """The live API could not be read (French message)."""


def source_of(agenda: str | None) -> str:
    return f"OpenAgenda, agenda {agenda}" if agenda else "OpenAgenda"


# --------------------------------------------------------------------------- files

def open_feed(path: Path, ctx: Context) -> Feed:
    files = sorted(p for p in path.rglob("*.json") if p.is_file()) if path.is_dir() else [path]
    counts: Counter[str] = Counter()
    announced: dict[str, int] = {}  # per agenda: the `total` its responses announce
    complete = {"ok": True}

    def items() -> Iterator[Item]:
        for file in files:
            name = str(file.relative_to(path)) if path.is_dir() else file.name
            totals: dict[str, int] = {}
            sources: set[str] = set()
            for item in _file_items(file, name, ctx, totals, complete):
                if item.data is not None:
                    sources.add(item.data["source"])
                    counts[item.data["source"]] += 1
                yield item
            for source in sources:  # pages of one agenda all announce its total
                feed.scopes.add(("event", source))
                announced[source] = max([announced.get(source, 0), *totals.values()])
        # Full when the files hold every event their responses announced.
        feed.full = complete["ok"] and all(counts[s] >= n for s, n in announced.items())

    feed = Feed("OpenAgenda", items)
    return feed


def _file_items(file: Path, name: str, ctx: Context, totals: dict[str, int],
                complete: dict[str, bool]) -> Iterator[Item]:
    try:
        with open(file, "rb") as fh:
            if first_char(fh) == b"[":
                for _, event in stream_json(fh, {"item"}):
                    yield event_item(event, name, ctx)
                return
            found = False
            for path, value in stream_json(fh, {"events.item", "event", "total", "uid"}):
                if path == "total" and isinstance(value, (int, float)):
                    totals[name] = int(value)
                elif path in ("events.item", "event"):
                    found = True
                    if path == "event":  # one event, not the agenda: unpublishes nothing
                        complete["ok"] = False
                    yield event_item(value, name, ctx)
                elif path == "uid":  # a bare event: small, read it whole; not the agenda
                    complete["ok"] = False
                    fh.seek(0)
                    yield event_item(json.load(fh), name, ctx)
                    return
            if not found and name not in totals:
                complete["ok"] = False
                yield file_rejection(name, "aucun événement : un fichier de réponse "
                                           "OpenAgenda (« events ») est attendu.")
    except JSON_ERRORS as exc:
        complete["ok"] = False
        yield file_rejection(name, json_error(exc))
    except OSError as exc:
        complete["ok"] = False
        yield file_rejection(name, f"fichier illisible ({exc.strerror or exc}).")


# --------------------------------------------------------------------------- live API

def fetch_openagenda(agenda: str, *, key: str | None = None, base_url: str | None = None,
                     page_size: int = PAGE_SIZE, session: requests.Session | None = None,
                     ) -> Iterator[dict[str, Any]]:
    """Every current and upcoming event of an agenda, page after page (`after` cursor).

    Base URL and key come from OPENAGENDA_API_URL (default the public v2 API) and
    OPENAGENDA_KEY unless given. Raises OpenAgendaError with a French message.
    """
    settings = get_settings()
    base = (base_url or settings.openagenda_api_url).rstrip("/")
    key = key or settings.openagenda_key
    if not key:
        raise OpenAgendaError("clé OpenAgenda manquante : définissez OPENAGENDA_KEY.")
    http = session or requests.Session()
    after: list[Any] | None = None
    url = f"{base}/agendas/{agenda}/events"
    try:
        while True:
            params: list[tuple[str, Any]] = [("key", key), ("size", page_size),
                                             ("detailed", 1), ("relative[]", "current"),
                                             ("relative[]", "upcoming")]
            params += [("after[]", v) for v in after or []]
            try:
                resp = http.get(url, params=params, timeout=TIMEOUT_S)
            except requests.RequestException as exc:
                raise OpenAgendaError(f"API OpenAgenda injoignable ({base}) : {exc}") from None
            if resp.status_code in (401, 403):
                raise OpenAgendaError("clé OpenAgenda refusée (vérifiez OPENAGENDA_KEY).")
            if resp.status_code == 404:
                raise OpenAgendaError(f"agenda OpenAgenda {agenda} introuvable.")
            if resp.status_code != 200:
                raise OpenAgendaError(f"l'API OpenAgenda a répondu {resp.status_code}.")
            try:
                page = resp.json()
            except ValueError:
                raise OpenAgendaError("réponse de l'API OpenAgenda illisible.") from None
            events = page.get("events") if isinstance(page, dict) else None
            if not isinstance(events, list):
                raise OpenAgendaError("réponse de l'API OpenAgenda sans liste « events ».")
            yield from events
            after = page.get("after")
            if not events or not after:
                return
    finally:
        if session is None:
            http.close()


def live_feed(agenda: str, ctx: Context, *, key: str | None = None,
              base_url: str | None = None) -> Feed:
    name = f"API OpenAgenda (agenda {agenda})"

    def items() -> Iterator[Item]:
        try:
            for event in fetch_openagenda(agenda, key=key, base_url=base_url):
                yield event_item(event, name, ctx)
        except OpenAgendaError as exc:
            yield file_rejection(name, str(exc))
            return
        feed.full = True

    feed = Feed("OpenAgenda", items, scopes={("event", source_of(agenda))})
    return feed


# --------------------------------------------------------------------------- converting

def event_item(event: Any, file: str, ctx: Context) -> Item:
    uid = event.get("uid") if isinstance(event, dict) else None
    return convert(file, str(uid) if uid not in (None, "") else None,
                   lambda: to_record(event, ctx), describe.from_openagenda(event))


def _keywords(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [k for v in value.values() for k in (v if isinstance(v, list) else [v])
                if isinstance(k, str)]
    if isinstance(value, list):
        return [k for k in value if isinstance(k, str)]
    return []


def _timings(event: dict[str, Any]) -> list[dict[str, Any]]:
    raw = event.get("timings")
    if raw in (None, []):  # list responses without `detailed` only give these
        raw = [event[k] for k in ("firstTiming", "nextTiming", "lastTiming")
               if isinstance(event.get(k), dict)]
    if not isinstance(raw, list):
        raise RecordError("timings", "une liste de dates est attendue.")
    out: list[dict[str, Any]] = []
    for i, timing in enumerate(raw):
        if not isinstance(timing, dict):
            raise RecordError(f"timings[{i}]", "une date (begin, end) est attendue.")
        begin = timing.get("begin", timing.get("start"))  # v1 legacy says start
        for key, value in (("begin", begin), ("end", timing.get("end"))):
            if not isinstance(value, str):
                raise RecordError(f"timings[{i}].{key}",
                                  f"date manquante ou mal formée (reçu {value!r}).")
        pair = {"start": begin, "end": timing["end"]}
        if pair not in out:
            out.append(pair)
    if not out:
        raise RecordError("timings", "l'événement n'a aucune date.")
    return out


def _image(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("base"), str) \
            and isinstance(value.get("filename"), str):
        return value["base"] + value["filename"]
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return value  # v1
    return None


def _booking(event: dict[str, Any]) -> str | None:
    for reg in event.get("registration") or []:
        if isinstance(reg, dict) and reg.get("type") == "link" and isinstance(
                reg.get("value"), str) and reg["value"].startswith(("http://", "https://")):
            return str(reg["value"])
    return None


def to_record(event: Any, ctx: Context) -> tuple[str, dict[str, Any]]:
    """One OpenAgenda event → ("event", record for Store.save)."""
    if not isinstance(event, dict):
        raise RecordError(None, "un objet JSON (un événement) est attendu.")
    uid = event.get("uid")
    if uid in (None, "") or isinstance(uid, (bool, dict, list)):
        raise RecordError("uid", "identifiant manquant : impossible de reconnaître "
                                 "l'événement d'un import à l'autre.")
    title = text_of(event.get("title"))
    if not title:
        raise RecordError("title", "le titre est manquant.")
    origin = event.get("originAgenda")
    agenda = ctx.agenda or event.get("agendaUid") or (
        origin.get("uid") if isinstance(origin, dict) else None)
    loc = event.get("location")
    if loc is None and {"latitude", "longitude"} & event.keys():  # v1 legacy
        loc = event
    if not isinstance(loc, dict) or not loc:
        raise RecordError("location", "l'événement n'a pas de lieu (événement en ligne ?) : "
                                      "le chatbot ne propose que des sorties sur place.")
    lat = number(loc.get("latitude"), "location.latitude")
    lon = number(loc.get("longitude"), "location.longitude")
    if (lat is None or lon is None) and ctx.known_insee(loc.get("insee")) is None:
        raise RecordError("location.latitude", "coordonnées manquantes, et la commune n'est "
                                               "pas connue de la base.")
    description = text_of(event.get("longDescription")) or text_of(event.get("description"))
    mobility = event.get("accessibility")
    cancelled = event.get("status") == STATUS_CANCELLED
    record: dict[str, Any] = {
        "source": source_of(str(agenda) if agenda else None),
        "source_id": str(uid),
        "licence": LICENCE,
        "last_update": event.get("updatedAt") if isinstance(event.get("updatedAt"), str)
        else None,
        "title": shorten(title, 300),
        "description": shorten(description, 8000),
        "venue_name": shorten(text_of(loc.get("name")) or text_of(event.get("locationName")),
                              300),
        **own_commune(loc.get("insee"), text_of(loc.get("city"))),
        "interests": ctx.mapping.keyword_interests(_keywords(event.get("keywords"))),
        "timings": _timings(event),
        "image": _image(event.get("image")),
        "booking_url": _booking(event),
        "timezone": event.get("timezone") if isinstance(event.get("timezone"), str)
        else None,
        "wheelchair": True if isinstance(mobility, dict) and mobility.get("mi") is True
        else None,
        "published": not cancelled,
        "notes": f"Événement OpenAgenda {uid}" + (" — annulé selon OpenAgenda." if cancelled
                                                  else "."),
    }
    if lat is not None and lon is not None:
        record.update(latitude=lat, longitude=lon, coord_precision="exact")
    else:
        record["coord_precision"] = "commune"
    return "event", record
