"""Accounts page, for administrators only: list, create, disable and enable accounts."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.orm import Session

from webapp.console import accounts, auditlog
from webapp.console.auth import current_user, require_role
from webapp.console.db import write
from webapp.console.models import ROLES
from webapp.console.render import render
from webapp.keys import KB


def _add(session: Session, admin: str, username: str, password: str, role: str) -> None:
    accounts.add_user(session, username, password, role)
    auditlog.record(session, admin, "account", "account", username,
                    None, {"username": username, "role": role, "active": True})


def _toggle(session: Session, admin: str, username: str, active: bool) -> None:
    accounts.set_active(session, username, active)
    auditlog.record(session, admin, "account", "account", username,
                    {"active": not active}, {"active": active})


async def _page(request: web.Request, message: str = "", error: str = "",
                status: int = 200) -> web.StreamResponse:
    users = await request.config_dict[KB].run(accounts.list_users)
    return await render(request, "console/accounts.html", {
        "users": users, "roles": ROLES, "message": message, "error": error}, status=status)


@require_role("admin")
async def accounts_page(request: web.Request) -> web.StreamResponse:
    return await _page(request)


@require_role("admin")
async def accounts_post(request: web.Request) -> web.StreamResponse:
    admin = await current_user(request)
    assert admin is not None
    form = await request.post()
    action = form.get("action")
    username = str(form.get("username", "")).strip()
    try:
        if action == "add":
            await write(request, _add, admin.username, username,
                        str(form.get("password", "")), str(form.get("role", "")))
            return await _page(request, message=f"Compte créé : {username}.")
        if action in ("disable", "enable"):
            if username == admin.username:
                raise accounts.AccountError("Vous ne pouvez pas désactiver votre propre compte.")
            await write(request, _toggle, admin.username, username, action == "enable")
            return await _page(request, message=f"Compte mis à jour : {username}.")
    except accounts.AccountError as exc:
        return await _page(request, error=str(exc), status=400)
    raise web.HTTPBadRequest(text="Action inconnue.")


def setup_staff(app: web.Application) -> None:
    app.router.add_get("/console/comptes", accounts_page)
    app.router.add_post("/console/comptes", accounts_post)
