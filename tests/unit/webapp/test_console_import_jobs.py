"""Imports as background jobs (issue 15): the dry run never holds the knowledge base's
write lock (a staff login during a large dry run got "database is locked"), the upload
answers at once with a job page that shows the progress then the report, and a file of
666,666 refused `{}` keeps 200 rejections whole and counts the others by reason (before,
every one was kept: +113 MB, and the page listed them all)."""

from __future__ import annotations

import asyncio
import io
import json
import re
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from knowledge import importers
from knowledge.db import session_factory
from knowledge.importers.report import REJECTION_SAMPLE
from knowledge.models import Poi
from tests.support.import_helpers import FIXTURES
from tests.unit.webapp.test_console import _upload, client, login, token  # noqa: F401
from webapp.console import import_jobs, imports
from webapp.console.import_jobs import JOBS

FEED = FIXTURES / "datatourisme" / "feed"
PAUSE_AT = 300  # past the first batch (200): the old dry run had written by then
JOB = re.compile(r"/console/import/travail/[\w-]+$")


def _export(n: int) -> bytes:
    """A DATAtourisme zip export of `n` distinct museums in Bavay (its index announces
    them: the job page can say n/N)."""
    model = json.loads((FEED / "objects/0/00/99-essai-0001.json").read_text(encoding="utf-8"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        index = []
        for i in range(n):
            obj = {**model, "@id": f"https://data.datatourisme.fr/99/essai-job-{i}",
                   "dc:identifier": f"ESSAI-JOB-{i}", "rdfs:label": {"fr": [f"Musée n° {i}"]}}
            index.append({"label": f"Musée n° {i}", "file": f"0/00/job-{i}.json"})
            archive.writestr(f"flux/objects/0/00/job-{i}.json", json.dumps(obj))
        archive.writestr("flux/index.json", json.dumps(index))
    return buffer.getvalue()


class Colleague:
    """Another browser on the same test server (own cookies), for `login`."""

    def __init__(self, server: TestClient) -> None:
        self.client = server
        self.session = ClientSession(cookie_jar=CookieJar(unsafe=True))

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.session.get(self.client.make_url(path), **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.session.post(self.client.make_url(path), **kwargs)


async def result(browser: TestClient, url: str) -> tuple[int, str]:
    """The job page once it shows the result (it refreshes itself until then)."""
    for _ in range(600):
        resp = await browser.get(url)
        page = await resp.text()
        if "http-equiv" not in page:
            return resp.status, page
        await asyncio.sleep(0.1)
    raise AssertionError("the job never ended")


class Pause:
    """Holds the import's thread at record `PAUSE_AT` until released."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()
        original = importers.import_file

        def pausing(*args: Any, **kwargs: Any) -> Any:
            inner = kwargs.get("on_progress")

            def hook(read: int, total: int | None) -> None:
                if inner is not None:
                    inner(read, total)
                if read == PAUSE_AT:
                    self.reached.set()
                    self.release.wait(30)

            kwargs["on_progress"] = hook
            return original(*args, **kwargs)

        monkeypatch.setattr(importers, "import_file", pausing)  # imported late

    async def wait(self) -> None:
        assert await asyncio.to_thread(self.reached.wait, 30), "the import never got there"


async def test_a_login_during_a_large_dry_run_gets_in_and_the_job_page_follows_it(
        client: TestClient, kb_engine: Engine, tmp_path: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "UPLOAD_DIR", tmp_path)
    monkeypatch.setattr(imports, "PAGE_WAIT_S", 0.05)
    pause = Pause(monkeypatch)
    assert await login(client, "edith") == 302
    csrf = await token(client, "/console/import")
    posting = asyncio.create_task(client.post(
        "/console/import", data=_upload(csrf, "export.zip", _export(600), "datatourisme"),
        allow_redirects=False))
    try:
        await pause.wait()
        # Another staff member logs in (a write to the base) while the dry run is held.
        other = Colleague(client)
        try:
            assert await asyncio.wait_for(login(other, "adam"), 10) == 302  # type: ignore[arg-type]
        finally:
            await other.session.close()
        answer = await asyncio.wait_for(posting, 5)  # at once, not after the dry run
        assert answer.status == 303
        job_url = answer.headers["Location"]
        assert JOB.match(job_url), job_url
        progress = await client.get(job_url)
        page = await progress.text()
        assert progress.status == 200 and '<meta http-equiv="refresh" content="1">' in page
        assert f"Lecture… {PAUSE_AT}/600 fiche(s)" in page
        assert "Aperçu de l&#39;import" not in page
    finally:
        pause.release.set()
    status, page = await result(client, job_url)
    assert status == 200
    assert "Aperçu de l&#39;import" in page and "600 ajout(s)" in page
    with session_factory(kb_engine)() as session:  # the dry run wrote nothing
        assert session.execute(select(Poi)).first() is None
    upload_token = re.search(r'name="token" value="([^"]+)"', page)
    assert upload_token is not None
    done = await client.post("/console/import/confirmer", allow_redirects=False, data={
        "csrf_token": csrf, "token": upload_token.group(1)})
    assert done.status == 303 and JOB.match(done.headers["Location"])  # a job too
    status, page = await result(client, done.headers["Location"])
    assert status == 200 and "Import enregistré" in page
    with session_factory(kb_engine)() as session:
        assert len(session.execute(select(Poi)).all()) == 600
    # A job is its owner's only.
    other = Colleague(client)
    try:
        assert await login(other, "adam") == 302  # type: ignore[arg-type]
        assert (await other.get(job_url)).status == 404
    finally:
        await other.session.close()


async def test_666666_refused_records_keep_200_and_count_the_rest(
        client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    monkeypatch.setattr(imports, "UPLOAD_DIR", tmp_path)
    assert await login(client, "edith") == 302
    csrf = await token(client, "/console/import")
    empties = b"[" + b",".join([b"{}"] * 666_666) + b"]"
    assert len(empties) < 2_000_000
    started = await client.post("/console/import", allow_redirects=False,
                                data=_upload(csrf, "vides.json", empties, "datatourisme"))
    assert started.status == 303
    assert client.app is not None
    job = next(iter(client.app[JOBS]._jobs.values()))
    assert job.task is not None
    await asyncio.wait_for(job.task, 300)
    report = job.report
    assert len(report.rejected) == REJECTION_SAMPLE == 200  # what is kept in memory
    assert report.n_rejected == 666_666
    reason = "identifiant manquant : impossible de reconnaître la fiche d'un import à l'autre."
    assert report.more_rejected == {reason: 666_466}
    page = await (await client.get(started.headers["Location"])).text()
    assert page.count("<tr>") == 3 + 200  # heads and counts, then 200 refusals
    assert "666666 refus" in page
    assert (f"… et 666\u202f466 autres refus (motifs : {reason.replace(chr(39), '&#39;')} "
            f"× 666466).") in page


async def test_jobs_are_bounded_and_stopped_at_shutdown(
        monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = import_jobs.Jobs()
    gate = threading.Event()

    def slow(job: import_jobs.Job) -> str:
        for n in range(1000):
            gate.wait(0.01)
            job.progress(n, 1000)
        return "fini"

    def quick(job: import_jobs.Job) -> str:
        return "fini"

    for n in range(import_jobs.MAX_KEPT + 3):
        job = import_jobs.Job("edith", True, f"f{n}.json", "t", "f")
        assert jobs.start(job, quick)
        assert job.task is not None
        await job.task
    assert len(jobs) == import_jobs.MAX_KEPT  # the oldest finished ones dropped
    running = [import_jobs.Job("edith", True, "lent.json", "t", "f")
               for _ in range(import_jobs.MAX_RUNNING)]
    assert all(jobs.start(job, slow) for job in running)
    assert not jobs.start(import_jobs.Job("edith", True, "un-de-trop.json", "t", "f"), slow)
    await asyncio.sleep(0.1)
    assert all(0 < job.read < 1000 for job in running)
    await jobs.close()
    assert all(job.failed and job.report is None for job in running)  # stopped, no report
