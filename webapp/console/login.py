"""Login, logout and the console's home page."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge.store import MODELS
from webapp.app import KB
from webapp.console.accounts import authenticate
from webapp.console.auth import current_user, log_in, log_out, require_role
from webapp.console.db import write
from webapp.console.models import ROLES
from webapp.console.ratelimit import FailureLimiter
from webapp.console.render import render

LIMITER = web.AppKey("console_login_limiter", FailureLimiter)
WRONG = "Nom de compte ou mot de passe incorrect."


def _safe_next(value: Any) -> str:
    """Only paths of the console: never an open redirect."""
    if isinstance(value, str) and value.startswith("/console/") and "//" not in value \
            and "\\" not in value:
        return value
    return "/console/"


async def login_form(request: web.Request) -> web.StreamResponse:
    if await current_user(request) is not None:
        raise web.HTTPFound(_safe_next(request.query.get("suivant")))
    return await render(request, "console/login.html", {
        "next": _safe_next(request.query.get("suivant")), "username": "", "error": ""})


async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username = str(form.get("username", "")).strip()[:80]
    password = str(form.get("password", ""))[:1000]
    target = _safe_next(form.get("suivant"))
    limiter = request.app[LIMITER]
    keys = (f"ip:{request.remote}", f"user:{username.lower()}")
    if limiter.blocked(*keys):
        minutes = -(-limiter.retry_after(*keys) // 60)
        raise web.HTTPTooManyRequests(
            text=f"Trop de tentatives de connexion échouées. Réessayez dans {minutes} minute(s).",
            headers={"Retry-After": str(limiter.retry_after(*keys))})
    user = await write(request, authenticate, username, password) if username else None
    if user is None:
        limiter.fail(*keys)
        return await render(request, "console/login.html", {
            "next": target, "username": username, "error": WRONG}, status=401)
    limiter.reset(f"user:{username.lower()}")
    await log_in(request, user)
    raise web.HTTPFound(target)


async def logout(request: web.Request) -> web.StreamResponse:
    await log_out(request)
    raise web.HTTPFound("/console/connexion")


def _counts(session: Session) -> dict[str, int]:
    return {kind: session.execute(select(func.count()).select_from(model)).scalar_one()
            for kind, model in MODELS.items()}


@require_role(*ROLES)
async def home(request: web.Request) -> web.StreamResponse:
    user = await current_user(request)
    assert user is not None
    counts = (await request.config_dict[KB].run(_counts)
              if user.role in ("editor", "admin") else None)
    return await render(request, "console/home.html",
                        {"counts": counts, "role_label": ROLES[user.role]})


def setup_login(app: web.Application) -> None:
    app[LIMITER] = FailureLimiter()
    app.router.add_get("/console/connexion", login_form, name="console_login")
    app.router.add_post("/console/connexion", login_submit)
    app.router.add_post("/console/deconnexion", logout)
    app.router.add_get("/console/", home, name="console_home")
    app.router.add_get("/console", _redirect_home)


async def _redirect_home(_request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/console/")
