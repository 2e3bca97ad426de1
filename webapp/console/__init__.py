"""The staff console, in French, under /console/: accounts and roles, data pages,
imports, the base's validation report and the audit log. `setup(app)` mounts it."""

from __future__ import annotations

from aiohttp import web

from webapp.console.auth import setup_sessions
from webapp.console.db import console_tables
from webapp.console.imports import setup_imports
from webapp.console.login import setup_login
from webapp.console.records import setup_records
from webapp.console.reports import setup_reports
from webapp.console.security import add_headers, csrf_middleware
from webapp.console.staff import setup_staff


def setup(app: web.Application) -> None:
    setup_sessions(app)
    app.middlewares.append(csrf_middleware)
    app.on_response_prepare.append(add_headers)  # type: ignore[arg-type]
    app.cleanup_ctx.append(console_tables)
    setup_login(app)
    setup_records(app)
    setup_imports(app)
    setup_reports(app)
    setup_staff(app)
