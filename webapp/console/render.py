"""Rendering console pages: every template gets the user, the CSRF token and the nav."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from webapp.console.auth import csrf_token, current_user


async def render(request: web.Request, template: str, context: dict[str, Any] | None = None,
                 *, status: int = 200) -> web.Response:
    """`template` extends `console/base.html`, which expects `user` and `csrf_token`."""
    full = {"user": await current_user(request), "csrf_token": await csrf_token(request),
            "path": request.path, **(context or {})}
    return aiohttp_jinja2.render_template(template, request, full, status=status)
