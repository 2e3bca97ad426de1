"""Import page: upload a file, preview the dry run, then confirm.

The uploaded file is kept under var/uploads/ with a random name, bound to the session
that uploaded it, and deleted once confirmed (or replaced by another upload); files left
by sessions that have expired since are removed at the next upload. The import
itself is `knowledge.importers.import_file`, the same as the command line: all or nothing,
or, when staff choose "importer les valides et ignorer les autres", the valid records
only (the command line's --partial). Records are named by their title, place and dates.

Both the dry run and the import are background jobs (`import_jobs`): the upload and the
confirmation answer at once with a redirection to the job's page, which shows the
progress and then the report. The dry run runs on a private copy of an SQLite base
(`knowledge.snapshot`), so it never holds the base's write lock: staff log in and edit
meanwhile; only the confirmed import writes.

Audit: a confirmed import writes, in its own transaction (so the journal and the base
never disagree), one journal row per record it changed ("modification", before and
after) or unpublished ("dépublication", before and after), one per record it added
("création", after only), and one "import" row with the report (counts, the first ids,
the first 200 rejections and the others' counts by reason). Added records get a row
each, even on a large import, so that every record's history in the journal starts with
its creation; the upload limit (20 MB) bounds how many there can be.
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
from knowledge.snapshot import scratch_factory
from webapp.console import auditlog
from webapp.console.auth import SESSION_MAX_AGE, current_user, require_role
from webapp.console.db import FACTORY
from webapp.console.import_jobs import JOBS, Job, import_jobs
from webapp.console.records import PATHS
from webapp.console.render import render

UPLOAD_DIR = PROJECT_ROOT / "var" / "uploads"
MAX_UPLOAD = 20 * 1024 * 1024
SUFFIXES = (".json", ".jsonld", ".zip", ".csv")
FORMATS = {"auto": "Détection automatique", "datatourisme": "DATAtourisme (JSON-LD ou zip)",
           "openagenda": "OpenAgenda (réponse JSON de l'API v2)", "csv": "Modèle CSV"}
EDITORS = ("editor", "admin")
# How long a job page waits for its job before showing the progress: a small file's
# report comes at once, without a page of progress first.
PAGE_WAIT_S = 2.0
REFRESH_S = 1


def _run_import(factory: Any, path: Path, fmt: str, dry_run: bool, actor: str,
                name: str = "", partial: bool = False, on_progress: Any = None) -> Any:
    """A dry run (preview, on a copy of an SQLite base), or the import with its audit
    rows in its transaction; `partial` imports the valid records and leaves the refused
    ones (the CLI's --partial)."""
    from knowledge.importers import import_file  # the importer package of issue 6

    if dry_run:
        with scratch_factory(factory.kw["bind"]) as scratch:
            return import_file(scratch, path, fmt, dry_run=True, progress=False,
                               actor=actor, on_progress=on_progress)

    def on_record(session: Any, kind: str, record_id: str, action: str,
                  before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        auditlog.record(session, actor, action, kind, record_id, before, after)

    def before_commit(session: Any, report: Any) -> None:
        auditlog.record(session, actor, "import", "import", name or path.name, None,
                        report.to_dict())

    return import_file(factory, path, fmt, dry_run=False, progress=False, actor=actor,
                       partial=partial, on_record=on_record, before_commit=before_commit,
                       on_progress=on_progress)


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
    session["import"] = {"token": token, "file": stored, "name": upload_field.filename[:200],
                         "format": fmt}
    factory = request.config_dict[FACTORY]
    job = Job(user.username, True, upload_field.filename[:200], token, stored)
    return _started(request, job, lambda j: _run_import(
        factory, path, fmt, True, j.owner, on_progress=j.progress))


def _started(request: web.Request, job: Job, work: Any) -> web.StreamResponse:
    if not request.config_dict[JOBS].start(job, work):
        raise web.HTTPServiceUnavailable(
            text="Deux imports sont déjà en cours : réessayez dans un instant.",
            headers={"Retry-After": "5"})
    raise web.HTTPSeeOther(f"/console/import/travail/{job.id}")


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
    session.pop("import", None)  # confirmed once: the job deletes the file
    path = UPLOAD_DIR / str(pending["file"])
    if not path.exists():
        raise web.HTTPBadRequest(text="Le fichier déposé n'existe plus : déposez-le à nouveau.")
    partial = form.get("partiel") == "oui"  # "importer les valides et ignorer les autres"
    factory = request.config_dict[FACTORY]

    def work(job: Job) -> Any:
        try:
            return _run_import(factory, path, str(pending["format"]), False, job.owner,
                               str(pending["name"]), partial, job.progress)
        finally:
            path.unlink(missing_ok=True)

    job = Job(user.username, False, str(pending["name"]), str(pending["token"]),
              str(pending["file"]))
    return _started(request, job, work)


@require_role(*EDITORS)
async def job_page(request: web.Request) -> web.StreamResponse:
    """The job's progress (the page refreshes itself), then its report."""
    user = await current_user(request)
    assert user is not None
    job = request.config_dict[JOBS].get(request.match_info["job"], user.username)
    if job is None:
        raise web.HTTPNotFound(text="Cet import n'est plus suivi : déposez le fichier à "
                                    "nouveau, ou consultez le journal des imports.")
    if not job.done and job.task is not None:
        await asyncio.wait({job.task}, timeout=PAGE_WAIT_S)
    if not job.done:
        return await render(request, "console/import_job.html", {
            "job": job, "refresh": REFRESH_S})
    if job.failed:
        return await render(request, "console/import_job.html", {"job": job}, status=500)
    report = job.report
    return await render(request, "console/import_report.html", {
        "report": report, "name": job.name, "token": job.token, "preview": job.preview,
        "refusals": refusals(report, job.name, job.file),
        "importable": importable(report), "paths": PATHS})


def setup_imports(app: web.Application) -> None:
    app.router.add_get("/console/import", import_form)
    app.router.add_post("/console/import", upload)
    app.router.add_post("/console/import/confirmer", confirm)
    app.router.add_get("/console/import/travail/{job}", job_page)
    app.cleanup_ctx.append(import_jobs)
