"""Rendering console pages: every template gets the user, the CSRF token, the nav, and
the banner of a failed retention run (for the roles that read the conversations)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from analytics.runs import FailedRun, failed_run
from webapp.console.auth import csrf_token, current_user
from webapp.keys import TRACKER

log = logging.getLogger(__name__)

# Who sees that the daily deletion of old conversations failed: those who read them.
RETENTION_BANNER_ROLES = ("analyst", "admin")


async def _retention_failure(request: web.Request) -> FailedRun | None:
    engine = request.config_dict.get(TRACKER)
    if engine is None:
        return None
    try:
        return await asyncio.to_thread(failed_run, engine)
    except SQLAlchemyError:  # the tracker store out of reach: the page still shows
        log.warning("could not read the retention runs", exc_info=True)
        return None


async def render(request: web.Request, template: str, context: dict[str, Any] | None = None,
                 *, status: int = 200) -> web.Response:
    """`template` extends `console/base.html`, which expects `user` and `csrf_token`."""
    user = await current_user(request)
    failure = (await _retention_failure(request)
               if user is not None and user.role in RETENTION_BANNER_ROLES else None)
    full = {"user": user, "csrf_token": await csrf_token(request),
            "path": request.path, "retention_failure": failure, **(context or {})}
    return aiohttp_jinja2.render_template(template, request, full, status=status)
