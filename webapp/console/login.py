"""Login, logout and the console's home page.

Login attempts are counted before the password is checked (ratelimit.py), under three keys:
- the client's address (webapp/forwarded.py: behind a trusted proxy, from
  X-Forwarded-For): 20 attempts in 5 minutes, then 429 — one guesser trying many names;
- the account from that address: 5 attempts in 5 minutes, then 429 — one guesser on one
  account (40 concurrent wrong passwords: 5 answered 401, the others 429);
- the account from anywhere: never a refusal, which would let strangers lock a colleague
  out, but a delay that doubles with each attempt beyond 5 in 5 minutes (up to
  MAX_DELAY seconds) before the password is checked: a correct password always gets in.
A successful login does not count. The counts are in Redis when REDIS_URL is set, so every
web app instance behind the load balancer sees them (connectors/state.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.state import open_state
from knowledge.store import MODELS
from webapp.console.accounts import authenticate
from webapp.console.auth import current_user, log_in, log_out, require_role
from webapp.console.db import write
from webapp.console.models import ROLES
from webapp.console.ratelimit import AttemptLimiter
from webapp.console.render import render
from webapp.forwarded import client_address
from webapp.keys import KB, SETTINGS

ADDRESS_LIMITER = web.AppKey("console_login_address_limiter", AttemptLimiter)
PAIR_LIMITER = web.AppKey("console_login_pair_limiter", AttemptLimiter)
ACCOUNT_LIMITER = web.AppKey("console_login_account_limiter", AttemptLimiter)
ADDRESS_LIMIT, PAIR_LIMIT = 20, 5
FREE_ATTEMPTS, MAX_DELAY = 5, 8.0   # per account, from anywhere: then 0.25 s, 0.5 s, 1 s…
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


def account_delay(attempts: int) -> float:
    """Seconds to wait before checking the password of an account tried `attempts` times
    (this one included) in the window, from anywhere."""
    if attempts <= FREE_ATTEMPTS:
        return 0.0
    return min(MAX_DELAY, 0.25 * 2 ** (attempts - FREE_ATTEMPTS - 1))


async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username = str(form.get("username", "")).strip()[:80]
    password = str(form.get("password", ""))[:1000]
    target = _safe_next(form.get("suivant"))
    app = request.app
    client = client_address(request, app[SETTINGS].trusted_proxies)
    account = f"user:{username.lower()}"
    pair = f"{account}|ip:{client}"
    # Counted now, each in one step, before the password: concurrent requests cannot all pass.
    checks = ((app[ADDRESS_LIMITER], f"ip:{client}"), (app[PAIR_LIMITER], pair))
    refused = [(limiter, key) for limiter, key in checks if not await limiter.attempt(key)]
    if refused:
        for limiter, key in checks:
            if (limiter, key) not in refused:
                await limiter.forgive(key)
        wait = max([await limiter.retry_after(key) for limiter, key in refused])
        page = await render(request, "console/login.html", {
            "next": target, "username": username,
            "error": f"Trop de tentatives de connexion échouées. Réessayez dans "
                     f"{-(-wait // 60)} minute(s)."}, status=429)
        page.headers["Retry-After"] = str(wait)
        return page
    accounts = app[ACCOUNT_LIMITER]
    await accounts.attempt(account)  # never refuses: the delay grows instead
    delay = account_delay(await accounts.count(account))
    if delay:
        await asyncio.sleep(delay)
    user = await write(request, authenticate, username, password) if username else None
    if user is None:
        return await render(request, "console/login.html", {
            "next": target, "username": username, "error": WRONG}, status=401)
    for limiter, key in (*checks, (accounts, account)):
        await limiter.forgive(key)
    await app[PAIR_LIMITER].reset(pair)
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


async def login_limiters(app: web.Application) -> AsyncIterator[None]:
    """The counters, in this process or in Redis when REDIS_URL is set (cleanup_ctx)."""
    state = open_state(app[SETTINGS].redis_url)
    app[ADDRESS_LIMITER] = AttemptLimiter(state, "address", limit=ADDRESS_LIMIT)
    app[PAIR_LIMITER] = AttemptLimiter(state, "pair", limit=PAIR_LIMIT)
    # counts only: see account_delay
    app[ACCOUNT_LIMITER] = AttemptLimiter(state, "account", limit=10_000)
    yield
    await state.close()


def setup_login(app: web.Application) -> None:
    app.cleanup_ctx.append(login_limiters)
    app.router.add_get("/console/connexion", login_form, name="console_login")
    app.router.add_post("/console/connexion", login_submit)
    app.router.add_post("/console/deconnexion", logout)
    app.router.add_get("/console/", home, name="console_home")
    app.router.add_get("/console", _redirect_home)


async def _redirect_home(_request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/console/")
