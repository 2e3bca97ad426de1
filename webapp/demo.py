"""The demo site of a tourism office that embeds the chat widget, and the widget itself.

`/` and `/decouvrir` are two pages of a plausible "Pays de Mormal" tourism site (marked as a
demonstration; their text only repeats what docs/DESIGN.md and the seed data say). Both embed the
widget with one script tag, so a visitor can check that the conversation follows them from
page to page. `/widget/widget.js` serves `connectors/widget/widget.js`, compressed when the
browser accepts it and revalidated by ETag (phones on weak networks download it once).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from webapp.keys import SETTINGS

WIDGET_JS = Path(__file__).resolve().parent.parent / "connectors" / "widget" / "widget.js"
WIDGET = web.AppKey("widget", bytes)

# What the demo site configures through the script tag's data attributes.
WIDGET_TITLE = "La famille Dumoulin"
WIDGET_COLOR = "#1d5e3a"
WIDGET_GREETING = ("Bonjour ! Nous sommes la famille Dumoulin, vos voisins du Pays de Mormal. "
                   "Dites-nous ce que vous cherchez, ou partagez votre position.")

PAGES = {
    "/": ("demo.html", "Accueil"),
    "/decouvrir": ("demo_discover.html", "Découvrir"),
}


def _context(request: web.Request, title: str) -> dict[str, Any]:
    return {
        "title": title,
        "path": request.path,
        "rasa_url": request.app[SETTINGS].rasa_url,
        "widget": {"title": WIDGET_TITLE, "color": WIDGET_COLOR, "greeting": WIDGET_GREETING,
                   "position": request.query.get("position", "right")},
    }


def _page(template: str, title: str) -> Any:
    async def handler(request: web.Request) -> web.Response:
        return aiohttp_jinja2.render_template(template, request, _context(request, title))
    return handler


async def widget_js(request: web.Request) -> web.Response:
    body = request.app[WIDGET]
    etag = hashlib.sha256(body).hexdigest()[:16]
    headers = {"Cache-Control": "public, max-age=300", "ETag": f'"{etag}"',
               "Vary": "Accept-Encoding"}
    if request.headers.get("If-None-Match") == f'"{etag}"':
        return web.Response(status=304, headers=headers)
    response = web.Response(body=body, content_type="application/javascript", charset="utf-8",
                            headers=headers)
    response.enable_compression()
    return response


def setup(app: web.Application) -> None:
    app[WIDGET] = WIDGET_JS.read_bytes()
    for path, (template, title) in PAGES.items():
        app.router.add_get(path, _page(template, title))
    app.router.add_get("/widget/widget.js", widget_js)
