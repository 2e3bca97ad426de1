"""`POST /api/interactions`: what visitors do with the widget's cards (a click on a place's
website, phone, directions or calendar link), kept in their conversation for analysis.

The widget sends it with `navigator.sendBeacon` (a text/plain JSON body, possibly from
the tourism office's own site: CORS open, no cookie). The body is validated; the click is
recorded only when the conversation exists in the tracker store and showed that item —
otherwise the answer is still 204 and nothing is stored (a beacon cannot act on an error,
and the answer does not tell which session ids exist). The click goes through Rasa's HTTP
API (at RASA_INTERNAL_URL, never the public address) as an `agent` event: Rasa stores it
as-is, and it changes neither slots nor the dialogue's prediction.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from typing import Any
from urllib.parse import quote

import aiohttp
import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.engine import Engine

from analytics.reader import EVENTS, has_events_table
from connectors.edges import is_sender
from webapp.keys import HTTP, SETTINGS, TRACKER

log = logging.getLogger(__name__)

MAX_BODY = 2048
ITEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}")  # record ids: knowledge/validation.py
TYPES = frozenset({"click"})
TARGETS = frozenset({"website", "phone", "directions", "calendar"})
CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "86400"}


def _bad(detail: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=detail, headers=CORS)


def parse_interaction(body: bytes) -> dict[str, str]:
    """The validated fields, or HTTPBadRequest with a French explanation."""
    try:
        data: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _bad("Le corps doit être un objet JSON.") from None
    if not isinstance(data, dict):
        raise _bad("Le corps doit être un objet JSON.")
    raw = {k: data.get(k) for k in ("sender", "type", "item", "target")}
    if not all(isinstance(v, str) for v in raw.values()):
        raise _bad("Champs attendus (texte) : sender, type, item, target.")
    fields = {k: str(v) for k, v in raw.items()}
    if not is_sender(fields["sender"]):
        raise _bad("Identifiant de session invalide.")
    if fields["type"] not in TYPES:
        raise _bad("Type d'interaction inconnu.")
    if not ITEM.fullmatch(fields["item"]):
        raise _bad("Identifiant de fiche invalide.")
    if fields["target"] not in TARGETS:
        raise _bad("Cible inconnue (website, phone, directions ou calendar).")
    return fields


def item_was_shown(engine: Engine, sender: str, item: str) -> bool:
    """True when this conversation has a bot message whose payload holds the item."""
    if not has_events_table(engine):
        return False
    query = (sa.select(EVENTS.c.sender_id)
             .where(EVENTS.c.sender_id == sender, EVENTS.c.type_name == "bot",
                    EVENTS.c.data.contains(f'"id": "{item}"', autoescape=True))
             .limit(1))
    with engine.connect() as conn:
        return conn.execute(query).first() is not None


async def preflight(_request: web.Request) -> web.Response:
    return web.Response(status=204, headers=CORS)


async def record_interaction(request: web.Request) -> web.Response:
    if (request.content_length or 0) > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(MAX_BODY, request.content_length or 0,
                                            text="Corps trop volumineux.", headers=CORS)
    body = await request.content.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(MAX_BODY, len(body), text="Corps trop volumineux.",
                                            headers=CORS)
    fields = parse_interaction(body)
    app = request.app
    shown = await asyncio.to_thread(item_was_shown, app[TRACKER], fields["sender"],
                                    fields["item"])
    if not shown:
        return web.Response(status=204, headers=CORS)
    settings = app[SETTINGS]
    event = {"event": "agent", "timestamp": time.time(), "text": None,
             "data": {"type": fields["type"], "item": fields["item"],
                      "target": fields["target"]}}
    # Server to server: the token never goes through the public address (RASA_INTERNAL_URL).
    base = (settings.rasa_internal_url or settings.rasa_url).rstrip("/")
    url = f"{base}/conversations/{quote(fields['sender'], safe='')}/tracker/events"
    try:
        async with app[HTTP].post(url, json=event, params={
                "token": settings.rasa_api_token, "include_events": "NONE"}) as resp:
            if resp.status >= 300:
                log.warning("Rasa refused an interaction event: HTTP %s", resp.status)
                raise web.HTTPBadGateway(text="Le serveur de conversation a refusé l'événement.",
                                         headers=CORS)
    except (aiohttp.ClientError, asyncio.TimeoutError):
        log.warning("Rasa unreachable for an interaction event", exc_info=True)
        raise web.HTTPBadGateway(text="Le serveur de conversation est injoignable.",
                                 headers=CORS) from None
    return web.Response(status=204, headers=CORS)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/interactions", record_interaction)
    app.router.add_route("OPTIONS", "/api/interactions", preflight)
