"""Import page: upload a file, preview the dry run, then confirm.

The uploaded file is kept under var/uploads/ with a random name, bound to the session
that uploaded it, and deleted once confirmed (or replaced by another upload); files left
by sessions that have expired since are removed at the next upload. The import
itself is `knowledge.importers.import_file`, the same as the command line: all or nothing,
or, when staff choose "importer les valides et ignorer les autres", the valid records
only (the command line's --partial). Records are named by their title, place and dates.

Audit: a confirmed import writes, in its own transaction (so the journal and the base
never disagree), one journal row per record it changed ("modification", before and
after) or unpublished ("dépublication", before and after), one per record it added
("création", after only), and one "import" row with the report (counts, the first ids,
every rejection). Added records get a row each, even on a large import, so that every
record's history in the journal starts with its creation; the upload limit (20 MB)
bounds how many there can be.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp_session import get_session

from knowledge.config import PROJECT_ROOT
from webapp.console import auditlog
from webapp.console.auth import SESSION_MAX_AGE, current_user, require_role
from webapp.console.db import FACTORY
from webapp.console.records import PATHS
from webapp.console.render import render

UPLOAD_DIR = PROJECT_ROOT / "var" / "uploads"
MAX_UPLOAD = 20 * 1024 * 1024
SUFFIXES = (".json", ".jsonld", ".zip", ".csv")
FORMATS = {"auto": "Détection automatique", "datatourisme": "DATAtourisme (JSON-LD ou zip)",
           "openagenda": "OpenAgenda (réponse JSON de l'API v2)", "csv": "Modèle CSV"}
EDITORS = ("editor", "admin")


def _run_import(factory: Any, path: Path, fmt: str, dry_run: bool, actor: str,
                name: str = "", partial: bool = False) -> Any:
    """A dry run (preview), or the import with its audit rows in its transaction;
    `partial` imports the valid records and leaves the refused ones (the CLI's
    --partial)."""
    from knowledge.importers import import_file  # the importer package of issue 6

    if dry_run:
        return import_file(factory, path, fmt, dry_run=True, progress=False, actor=actor)

    def on_record(session: Any, kind: str, record_id: str, action: str,
                  before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        auditlog.record(session, actor, action, kind, record_id, before, after)

    def before_commit(session: Any, report: Any) -> None:
        auditlog.record(session, actor, "import", "import", name or path.name, None,
                        report.to_dict())

    return import_file(factory, path, fmt, dry_run=False, progress=False, actor=actor,
                       partial=partial, on_record=on_record, before_commit=before_commit)


@dataclass
class Refusal:
    """One refused record (or the whole file, `record` False) with all its reasons."""

    record: bool
    title: str | None
    place: str | None
    dates: str | None
    file: str
    reasons: list[str] = field(default_factory=list)


def refusals(report: Any, upload_name: str, stored: str) -> list[Refusal]:
    """The report's rejections grouped by record, in the file's order, each named as
    staff know it (the uploaded file's own name, never the stored one)."""
    grouped: dict[tuple[str, str | None], Refusal] = {}
    for r in report.rejected:
        file = upload_name if r.file == stored else r.file
        key = (file, r.record_id if r.record_id is not None else None)
        if r.record_id is None:  # the whole file: one row per reason
            key = (file, f"\x00{len(grouped)}")
        refusal = grouped.setdefault(key, Refusal(r.record_id is not None, r.title, r.place,
                                                  r.dates, file))
        if r.reason not in refusal.reasons:
            refusal.reasons.append(r.reason)
    return list(grouped.values())


def importable(report: Any) -> int:
    """How many records an import of the valid ones would write."""
    return int(report.n_added + report.n_changed + report.n_unpublished)


def _discard(session: Any) -> None:
    old = session.pop("import", None)
    if isinstance(old, dict):
        (UPLOAD_DIR / str(old.get("file", "-"))).unlink(missing_ok=True)


def _sweep(now: float | None = None) -> None:
    """Remove the uploads no session can confirm any more (older than a session)."""
    limit = (time.time() if now is None else now) - SESSION_MAX_AGE
    for path in UPLOAD_DIR.glob("*"):
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()


@require_role(*EDITORS)
async def import_form(request: web.Request) -> web.StreamResponse:
    return await render(request, "console/import.html", {"formats": FORMATS, "error": ""})


@require_role(*EDITORS)
async def upload(request: web.Request) -> web.StreamResponse:
    user = await current_user(request)
    assert user is not None
    form = await request.post()
    upload_field = form.get("fichier")
    fmt = str(form.get("format", "auto"))
    error = ""
    if not isinstance(upload_field, web.FileField) or not upload_field.filename:
        error = "Choisissez un fichier à importer."
    elif fmt not in FORMATS:
        error = "Format inconnu."
    else:
        suffix = Path(upload_field.filename).suffix.lower()
        if suffix not in SUFFIXES:
            error = (f"Type de fichier refusé « {suffix or 'sans extension'} » "
                     f"(acceptés : {', '.join(SUFFIXES)}).")
    if error:
        return await render(request, "console/import.html",
                            {"formats": FORMATS, "error": error}, status=400)
    assert isinstance(upload_field, web.FileField)
    data = upload_field.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return await render(request, "console/import.html", {
            "formats": FORMATS,
            "error": f"Fichier trop volumineux (au plus {MAX_UPLOAD // (1024 * 1024)} Mo)."},
            status=413)
    session = await get_session(request)
    _discard(session)
    token = secrets.token_urlsafe(24)
    stored = f"{token}{Path(upload_field.filename).suffix.lower()}"
    UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(_sweep)
    path = UPLOAD_DIR / stored
    await asyncio.to_thread(path.write_bytes, data)
    report = await asyncio.to_thread(_run_import, request.config_dict[FACTORY], path, fmt,
                                     True, user.username)
    session["import"] = {"token": token, "file": stored, "name": upload_field.filename[:200],
                         "format": fmt}
    return await render(request, "console/import_report.html", {
        "report": report, "name": upload_field.filename, "token": token, "preview": True,
        "refusals": refusals(report, upload_field.filename, stored),
        "importable": importable(report), "paths": PATHS})


@require_role(*EDITORS)
async def confirm(request: web.Request) -> web.StreamResponse:
    user = await current_user(request)
    assert user is not None
    form = await request.post()
    session = await get_session(request)
    pending = session.get("import")
    if not isinstance(pending, dict) or not secrets.compare_digest(
            str(form.get("token", "")), str(pending.get("token"))):
        raise web.HTTPBadRequest(
            text="Aucun import en attente pour cette session : déposez le fichier à nouveau.")
    path = UPLOAD_DIR / str(pending["file"])
    if not path.exists():
        session.pop("import", None)
        raise web.HTTPBadRequest(text="Le fichier déposé n'existe plus : déposez-le à nouveau.")
    partial = form.get("partiel") == "oui"  # "importer les valides et ignorer les autres"
    report = await asyncio.to_thread(_run_import, request.config_dict[FACTORY], path,
                                     str(pending["format"]), False, user.username,
                                     str(pending["name"]), partial)
    if report.committed:  # with its audit rows (same transaction)
        _discard(session)
    return await render(request, "console/import_report.html", {
        "report": report, "name": pending["name"], "token": pending["token"],
        "preview": False, "refusals": refusals(report, str(pending["name"]),
                                               str(pending["file"])),
        "importable": importable(report), "paths": PATHS})


def setup_imports(app: web.Application) -> None:
    app.router.add_get("/console/import", import_form)
    app.router.add_post("/console/import", upload)
    app.router.add_post("/console/import/confirmer", confirm)
