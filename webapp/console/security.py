"""Security of the console pages: body size and CSRF check on every POST, and response
headers.

Request bodies: the web app reads at most its `client_max_size` (1 MB, webapp/app.py);
only the import upload of a logged-in editor or admin may send up to the upload limit.
A body announced larger is refused (413) before a byte of it is read, and before the
CSRF check, which reads the form: an anonymous 30 MB POST costs nothing."""

from __future__ import annotations

from aiohttp import web

from webapp.console.auth import Handler, check_csrf, current_user
from webapp.console.imports import EDITORS, MAX_UPLOAD

PREFIX = "/console"
HEADERS = {
    # No inline scripts or styles; the map is inline SVG, which CSP allows.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _is_console(request: web.Request) -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


# Paths whose POST may carry a file, for the roles that may send one.
UPLOADS = {"/console/import": MAX_UPLOAD + 1024 * 1024}  # the file and the form around it


async def _body_limit(request: web.Request) -> int:
    limit = UPLOADS.get(request.path)
    if limit is not None:
        user = await current_user(request)
        if user is not None and user.role in EDITORS:
            return limit
    return request.client_max_size


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if _is_console(request) and request.method not in ("GET", "HEAD", "OPTIONS"):
        limit = await _body_limit(request)
        if (request.content_length or 0) > limit:
            raise web.HTTPRequestEntityTooLarge(
                limit, request.content_length or 0,
                text=f"Requête trop volumineuse (au plus {limit // (1024 * 1024)} Mo).")
        if limit != request.client_max_size:
            request = request.clone(client_max_size=limit)
        await check_csrf(request)
    return await handler(request)


async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
    """`on_response_prepare`: also covers error pages rendered by the app's middleware."""
    if _is_console(request) or request.path.startswith("/static/console/"):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
