"""The several-servers layout for tests (tests/cluster/, issue 19): `scripts/run-cluster.sh`
itself (what `make run-cluster` runs) on free ports of 127.0.0.1, on the real PostgreSQL,
Redis and RabbitMQ, with databases and a RabbitMQ queue and exchange of its own, removed
afterwards, and Redis database 14 (shared; its keys expire); and what the tests read of it
(each Rasa server's address and pid, HAProxy's administration socket, the tracker store).
CLUSTER_RESTART=0: a server a test kills stays dead.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import POSTGRES_ADMIN_URL
from tests.support.servers import MODEL, ROOT, VENV_BIN, free_port, wait_http

REDIS_DB = 14  # the shared-state tests use 15 and empty it
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
TELEGRAM_SECRET = "tg-secret-cluster"  # the webhook secret tests/cluster/ configures
STARTUP_SECONDS = 300  # Rasa servers loading the model at once on two cores


def consecutive_free_ports(count: int) -> int:
    """The first of `count` consecutive ports nothing listens on."""
    for _ in range(200):
        first = random.randrange(20000, 40000)
        try:
            for port in range(first, first + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise RuntimeError("no free ports")


@dataclass
class Cluster:
    balancer: str                # HAProxy, where clients go (RASA_PORT)
    rasa: list[str]              # each Rasa server, directly
    tracker_url: str             # the tracker store (PostgreSQL)
    directory: Path              # CLUSTER_DIR: pid files, HAProxy's socket
    log: Path                    # run-cluster.sh's output
    proc: subprocess.Popen[bytes]

    def pid(self, instance: str) -> int:
        """The process id of a Rasa server named as HAProxy names it (rasa1, rasa2…)."""
        return int((self.directory / f"rasa-{instance.removeprefix('rasa')}.pid").read_text())

    def haproxy(self, command: str) -> str:
        """A command on HAProxy's administration socket (`show stat`…)."""
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(self.directory / "haproxy.sock"))
            s.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def servers_up(self) -> set[str]:
        """The Rasa servers HAProxy's health checks see up (`show stat`: column 17)."""
        rows = [line.split(",") for line in self.haproxy("show stat").splitlines()
                if line.startswith("rasa,")]
        return {row[1] for row in rows if row[1].startswith("rasa") and row[17] == "UP"}

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stacks(self) -> str:
        """Where each Rasa server's Python threads are (py-spy), for a start that hangs."""
        dumps = []
        for pid_file in sorted(self.directory.glob("rasa-*.pid")):
            done = subprocess.run([str(VENV_BIN / "py-spy"), "dump", "--pid",
                                   pid_file.read_text().strip()],
                                  capture_output=True, text=True, timeout=60)
            dumps.append(f"{pid_file.stem}: {done.stdout}{done.stderr}")
        return "\n".join(dumps)


def _drop_databases(names: list[str]) -> None:
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :n"), {"n": name})
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


async def _drop_broker(queue: str, exchange: str) -> None:
    import aio_pika

    connection = await aio_pika.connect(RABBITMQ_URL, timeout=10)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)
        await channel.exchange_delete(exchange)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to run-cluster.sh (which stops what it started), then to its session."""
    if proc.poll() is None:
        proc.terminate()
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=60)
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # anything left of the session it started
    proc.wait()


@contextmanager
def running_cluster(workdir: Path, rasa_instances: int, actions_instances: int,
                    extra_env: dict[str, str]) -> Iterator[Cluster]:
    """scripts/run-cluster.sh --no-train, once every server answers and HAProxy sees
    every Rasa server up."""
    if not MODEL.exists():
        raise RuntimeError(f"{MODEL} is missing: run scripts/train.sh (make test does)")
    tag = uuid.uuid4().hex[:10]
    databases = [f"mormal_cluster_{tag}_kb", f"mormal_cluster_{tag}_conv"]
    server = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    queue, exchange = f"cluster_test_{tag}", f"cluster-test-{tag}"
    rasa_first = consecutive_free_ports(rasa_instances)
    actions_first = consecutive_free_ports(actions_instances)
    balancer_port, actions_port, web_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "RASA_INSTANCES": str(rasa_instances), "ACTIONS_INSTANCES": str(actions_instances),
        "RASA_PORT": str(balancer_port), "ACTIONS_PORT": str(actions_port),
        "WEB_PORT": str(web_port), "HAPROXY_STATS_PORT": "",
        "RASA_FIRST_PORT": str(rasa_first), "ACTIONS_FIRST_PORT": str(actions_first),
        "ACTION_ENDPOINT_URL": "", "RASA_INTERNAL_URL": "", "RASA_CORS": "*",
        "CLUSTER_DIR": str(workdir / "run"), "LOG_DIR": str(workdir / "log"),
        "CLUSTER_RESTART": "0",
        "KNOWLEDGE_DATABASE_URL": f"{server}/{databases[0]}",
        "TRACKER_STORE_URL": f"{server}/{databases[1]}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "RABBITMQ_URL": RABBITMQ_URL, "RABBITMQ_QUEUE": queue, "RABBITMQ_EXCHANGE": exchange,
        "RASA_API_TOKEN": "test-token",
        "WEB_SECRET_KEY": "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0=",
        **extra_env,
    }
    log = workdir / "run-cluster.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen([str(ROOT / "scripts" / "run-cluster.sh"), "--no-train"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    cluster = Cluster(
        balancer=f"http://127.0.0.1:{balancer_port}",
        rasa=[f"http://127.0.0.1:{rasa_first + i}" for i in range(rasa_instances)],
        tracker_url=env["TRACKER_STORE_URL"], directory=workdir / "run", log=log, proc=proc)
    try:
        started = time.monotonic()
        try:
            for url in cluster.rasa:
                wait_http(f"{url}/", STARTUP_SECONDS - (time.monotonic() - started), proc)
            wait_http(f"http://127.0.0.1:{actions_port}/health", 30, proc)
            wait_http(f"http://127.0.0.1:{web_port}/healthz", 30, proc)
            everyone = {f"rasa{i}" for i in range(1, rasa_instances + 1)}
            deadline = time.monotonic() + 15
            while cluster.servers_up() != everyone:
                if time.monotonic() > deadline:
                    raise RuntimeError("HAProxy never saw every Rasa server up")
                time.sleep(0.3)
        except (OSError, RuntimeError) as exc:
            raise RuntimeError(f"the cluster did not start: {exc}\n{cluster.tail()}\n"
                               f"{cluster.stacks()}") from exc
        print(f"\ncluster up in {time.monotonic() - started:.0f} s")
        yield cluster
    finally:
        _stop(proc)
        _drop_databases(databases)
        asyncio.run(_drop_broker(queue, exchange))
        # Redis database 14 is left as it is: its keys expire by themselves, and another
        # cluster (bench/fault_injection.py) may be using it.
