"""Import jobs: the console's dry runs and imports run in the background.

An upload or a confirmation starts a job and answers at once with its page, which
refreshes itself ("Lecture… n/N") until the job's report is there: a large file no longer
holds the request (nor a proxy's timeout) for the length of the import.

Jobs live in this process's memory, which is enough for `make run` (one web app process);
behind several processes, a job page would have to be served by the process that runs
it. The registry is bounded: at most `MAX_RUNNING` jobs run at once (another upload is
refused in French), at most `MAX_KEPT` are kept, the oldest finished dropped first. The
registry is a `cleanup_ctx`: at shutdown the running jobs are told to stop at their next
record (rolled back) and their tasks cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

MAX_RUNNING = 2
MAX_KEPT = 6


class JobStopped(Exception):
    """Raised in the import's thread when the web app stops: the run is rolled back."""


@dataclass
class Job:
    """One dry run (`preview`) or import of an uploaded file, for the staff member
    `owner`; `read`/`total` are its progress, `report` its result."""

    owner: str
    preview: bool
    name: str
    token: str
    file: str
    id: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    read: int = 0
    total: int | None = None
    report: Any = None
    failed: bool = False
    task: asyncio.Task[None] | None = None
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def done(self) -> bool:
        return self.report is not None or self.failed

    def progress(self, read: int, total: int | None) -> None:
        """The importer's `on_progress`, called in the import's thread."""
        if self.stop.is_set():
            raise JobStopped
        self.read, self.total = read, total


class Jobs:
    """The jobs of this process (see the module docstring)."""

    def __init__(self) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()

    def running(self) -> int:
        return sum(not job.done for job in self._jobs.values())

    def start(self, job: Job, work: Callable[[Job], Any]) -> bool:
        """Run `work(job)` in a worker thread; False (nothing started) when
        `MAX_RUNNING` jobs already run."""
        if self.running() >= MAX_RUNNING:
            return False
        for old in [j for j in self._jobs.values() if j.done]:
            if len(self._jobs) < MAX_KEPT:
                break
            del self._jobs[old.id]
        self._jobs[job.id] = job
        job.task = asyncio.create_task(self._run(job, work))
        return True

    @staticmethod
    async def _run(job: Job, work: Callable[[Job], Any]) -> None:
        try:
            job.report = await asyncio.to_thread(work, job)
        except JobStopped:
            pass
        except Exception:  # noqa: BLE001 - shown on the job page, logged for the team
            log.exception("import job failed")
        finally:  # stopped, cancelled or failed: the page says so
            job.failed = job.report is None

    def get(self, job_id: str, owner: str) -> Job | None:
        """The job, if it is this staff member's."""
        job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def __len__(self) -> int:
        return len(self._jobs)

    async def close(self) -> None:
        tasks = [job.task for job in self._jobs.values() if job.task is not None]
        for job in self._jobs.values():
            job.stop.set()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for job in self._jobs.values():  # a task cancelled before it ran
            job.failed = job.report is None


JOBS = web.AppKey("import_jobs", Jobs)


async def import_jobs(app: web.Application) -> AsyncIterator[None]:
    """`cleanup_ctx`: the registry, its running jobs stopped at shutdown."""
    app[JOBS] = Jobs()
    yield
    await app[JOBS].close()
