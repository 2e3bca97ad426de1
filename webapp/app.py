"""The aiohttp app factory: settings, one knowledge-base engine and one HTTP client session
per process (created in `cleanup_ctx`, never at import time), templates, an error
middleware that answers in French, and the parts of the site.

Each part (demo page, the widget's territory map data, console and its Analyse page,
interactions) is a module with `setup(app)` that adds its routes; `_parts` lists them in
order. The shared resources are the application keys of `webapp.keys` (re-exported here).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path

import aiohttp
import aiohttp_jinja2
import jinja2
from aiohttp import web

from analytics.reader import make_engine as make_tracker_engine
from connectors.logscrub import install as scrub_logs
from knowledge.aio import KnowledgeBase
from knowledge.config import tracker_store_url
from webapp.keys import HTTP, KB, SETTINGS, TRACKER
from webapp.settings import WebSettings, get_web_settings

__all__ = ["HTTP", "KB", "SETTINGS", "TRACKER", "create_app"]

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
# Request bodies the web app reads: 1 MB, except the import upload of a logged-in editor
# (webapp/console/security.py).
MAX_BODY = 1024 * 1024

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ERROR_TITLES = {
    400: "Requête invalide",
    401: "Connexion nécessaire",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    413: "Requête trop volumineuse",
    429: "Trop de tentatives",
    500: "Erreur interne",
}


def _title(request: web.Request, status: int) -> str:
    """The page's title; a body too large is a file only when a file was being sent."""
    if status == 413 and request.content_type == "multipart/form-data":
        return "Fichier trop volumineux"
    return ERROR_TITLES.get(status, "Erreur")


def _wants_json(request: web.Request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", "")


# Headers of an HTTP error that tell the client what to do next: kept on the French page.
_KEPT_HEADERS = ("Retry-After", "Allow", "WWW-Authenticate")


def _error_response(request: web.Request, status: int, detail: str,
                    headers: Mapping[str, str] | None = None) -> web.StreamResponse:
    title = _title(request, status)
    if _wants_json(request):
        response: web.StreamResponse = web.json_response(
            {"error": title, "detail": detail}, status=status)
    else:
        home = "/console/" if request.path.startswith("/console") else "/"
        response = aiohttp_jinja2.render_template(
            "error.html", request,
            {"status": status, "title": title, "detail": detail, "home": home}, status=status)
    for name in _KEPT_HEADERS:
        if headers and name in headers:
            response.headers[name] = headers[name]
    return response


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        detail = exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else ""
        return _error_response(request, exc.status, detail, exc.headers)
    except Exception:
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return _error_response(request, 500, "Un incident est survenu ; il a été consigné.")


async def knowledge_base(app: web.Application) -> AsyncIterator[None]:
    app[KB] = KnowledgeBase(app[SETTINGS].knowledge_url)
    yield
    app[KB].dispose()


async def tracker_store(app: web.Application) -> AsyncIterator[None]:
    """One engine on the tracker store (SQLite file or PostgreSQL) for the web app."""
    app[TRACKER] = make_tracker_engine(tracker_store_url(app[SETTINGS].tracker_store_db))
    yield
    app[TRACKER].dispose()


async def http_client(app: web.Application) -> AsyncIterator[None]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
        app[HTTP] = session
        yield


async def health(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def _parts() -> list[Callable[[web.Application], None]]:
    """The parts of the site, imported here so that building the app imports them."""
    from webapp import console, demo, interactions, plan, territory
    from webapp.console import analysis

    parts: list[Callable[[web.Application], None]] = [console.setup, demo.setup,
                                                      territory.setup, plan.setup,
                                                      analysis.setup, interactions.setup]
    return parts


def create_app(settings: WebSettings | None = None) -> web.Application:
    scrub_logs()  # no coordinates or phone numbers in the logs (idempotent)
    app = web.Application(middlewares=[error_middleware], client_max_size=MAX_BODY)
    app[SETTINGS] = settings or get_web_settings()
    aiohttp_jinja2.setup(
        app, loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(default=True))
    app.cleanup_ctx.append(knowledge_base)
    app.cleanup_ctx.append(tracker_store)
    app.cleanup_ctx.append(http_client)
    app.router.add_get("/healthz", health)
    app.router.add_static("/static/", HERE / "static", name="static")
    for setup in _parts():
        setup(app)
    return app
