"""Who is logged in, and who may see a page.

For every part of the console (the analysis page too):

    @require_role("analyst", "admin")
    async def page(request): user = await current_user(request) ...

`require_role` sends visitors who are not logged in to the login page and answers 403 (in
French) to a logged-in member whose role is not listed. The session (an encrypted cookie,
see `setup_sessions`) holds only the account id, its session version and the CSRF token;
the account is read again on each request, so a disabled account loses access at once,
and a cookie of an older session version (the account logged out, or its password was
changed: `accounts.revoke_sessions`) is refused even if it was copied.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web
from aiohttp_session import Session, get_session, new_session
from aiohttp_session import setup as session_setup
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from webapp.console.accounts import User, active_user, revoke_sessions
from webapp.console.db import write
from webapp.keys import KB, SETTINGS

LOGIN_PATH = "/console/connexion"
COOKIE_NAME = "mormal_console"
SESSION_MAX_AGE = 8 * 3600  # one working day
_USER_KEY = "console_user"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def setup_sessions(app: web.Application) -> None:
    settings = app[SETTINGS]
    storage = EncryptedCookieStorage(
        settings.secret_key, cookie_name=COOKIE_NAME, httponly=True, samesite="Strict",
        secure=settings.secure_cookies, max_age=SESSION_MAX_AGE, path="/")
    session_setup(app, storage)


async def current_user(request: web.Request) -> User | None:
    """The logged-in staff member, or None (checked against the database once per request)."""
    if _USER_KEY in request:
        return request[_USER_KEY]
    session = await get_session(request)
    user_id = session.get("uid")
    user = None
    if isinstance(user_id, int):
        user = await request.config_dict[KB].run(active_user, user_id)
        if user is not None and session.get("sv") != user.session_version:
            user = None  # a revoked session
        if user is None:
            session.invalidate()
    request[_USER_KEY] = user
    return user


def require_role(*roles: str) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            user = await current_user(request)
            if user is None:
                target = request.path_qs if request.method == "GET" else "/console/"
                raise web.HTTPFound(f"{LOGIN_PATH}?suivant={quote(target, safe='')}")
            if user.role not in roles:
                raise web.HTTPForbidden(
                    text="Votre rôle ne permet pas d'accéder à cette page.")
            return await handler(request)
        return wrapper
    return decorator


def _csrf_from(session: Session) -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


async def csrf_token(request: web.Request) -> str:
    """This session's CSRF token (created on first use); put it in every form."""
    return _csrf_from(await get_session(request))


async def check_csrf(request: web.Request) -> None:
    """403 unless the form field `csrf_token` (or header X-CSRF-Token) matches the session's."""
    session = await get_session(request)
    expected = session.get("csrf")
    sent = request.headers.get("X-CSRF-Token")
    if sent is None:
        try:
            form = await request.post()
        except ValueError:  # UnicodeDecodeError included: not a form a browser sends
            raise web.HTTPBadRequest(text="Formulaire illisible.") from None
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(expected, sent):
        raise web.HTTPForbidden(
            text="Jeton de sécurité manquant ou périmé : rechargez la page et recommencez.")


async def log_in(request: web.Request, user: User) -> None:
    """A fresh session (no fixation) holding the account id and a new CSRF token."""
    session = await new_session(request)
    session["uid"] = user.id
    session["sv"] = user.session_version
    _csrf_from(session)
    request[_USER_KEY] = user


async def log_out(request: web.Request) -> None:
    """Ends this session and revokes the account's others (a copy of the cookie too)."""
    user = await current_user(request)
    if user is not None:
        await write(request, revoke_sessions, user.id)
    session = await get_session(request)
    session.invalidate()
    request[_USER_KEY] = None
