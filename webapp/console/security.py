"""Security of the console pages: CSRF check on every POST, and response headers."""

from __future__ import annotations

from aiohttp import web

from webapp.console.auth import Handler, check_csrf

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


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if _is_console(request) and request.method not in ("GET", "HEAD", "OPTIONS"):
        await check_csrf(request)
    return await handler(request)


async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
    """`on_response_prepare`: also covers error pages rendered by the app's middleware."""
    if _is_console(request) or request.path.startswith("/static/console/"):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
