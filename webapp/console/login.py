"""Login, logout and the console's home page."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge.store import MODELS
from webapp.console.accounts import authenticate
from webapp.console.auth import current_user, log_in, log_out, require_role
from webapp.console.db import write
from webapp.console.models import ROLES
from webapp.console.ratelimit import FailureLimiter
from webapp.console.render import render
from webapp.keys import KB

LIMITER = web.AppKey("console_login_limiter", FailureLimiter)
IP_LIMITER = web.AppKey("console_login_ip_limiter", FailureLimiter)
# An account is locked after 5 failures in 5 minutes; an address (an office behind one
# router, a guesser trying many names) after 20, so one colleague's typos do not lock out
# the whole office.
ACCOUNT_LIMIT, IP_LIMIT = 5, 20
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
    checks = ((request.app[LIMITER], f"user:{username.lower()}"),
              (request.app[IP_LIMITER], f"ip:{request.remote}"))
    waits = [limiter.retry_after(key) for limiter, key in checks if limiter.blocked(key)]
    if waits:
        wait = max(waits)
        page = await render(request, "console/login.html", {
            "next": target, "username": username,
            "error": f"Trop de tentatives de connexion échouées. Réessayez dans "
                     f"{-(-wait // 60)} minute(s)."}, status=429)
        page.headers["Retry-After"] = str(wait)
        return page
    user = await write(request, authenticate, username, password) if username else None
    if user is None:
        for limiter, key in checks:
            limiter.fail(key)
        return await render(request, "console/login.html", {
            "next": target, "username": username, "error": WRONG}, status=401)
    request.app[LIMITER].reset(f"user:{username.lower()}")
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
    app[LIMITER] = FailureLimiter(limit=ACCOUNT_LIMIT)
    app[IP_LIMITER] = FailureLimiter(limit=IP_LIMIT)
    app.router.add_get("/console/connexion", login_form, name="console_login")
    app.router.add_post("/console/connexion", login_submit)
    app.router.add_post("/console/deconnexion", logout)
    app.router.add_get("/console/", home, name="console_home")
    app.router.add_get("/console", _redirect_home)


async def _redirect_home(_request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/console/")
