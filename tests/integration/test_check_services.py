"""scripts/check-services.sh (issue 19): says in French which server does not answer, and
exits with status 1. The "all present" case needs the real PostgreSQL, Redis and RabbitMQ
on 127.0.0.1: it fails, never skips, when one is down."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "scripts" / "check-services.sh"
URLS = ("KNOWLEDGE_DATABASE_URL", "TRACKER_STORE_URL", "REDIS_URL", "RABBITMQ_URL",
        "RABBITMQ_HOST")


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(**env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in URLS}
    return subprocess.run(["bash", str(SCRIPT)], env=base | env, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.rabbitmq
def test_all_services_answer_on_127_0_0_1() -> None:
    done = run()
    assert done.returncode == 0, done.stderr
    assert "Tous les services répondent." in done.stdout
    for name, port in (("PostgreSQL", 5432), ("Redis", 6379), ("RabbitMQ", 5672)):
        assert f"OK : {name} répond sur 127.0.0.1:{port} (par défaut)." in done.stdout


@pytest.mark.postgres
@pytest.mark.redis
def test_a_closed_port_is_named_and_fails() -> None:
    port = closed_port()
    done = run(RABBITMQ_URL=f"amqp://guest:secret-word@127.0.0.1:{port}/vhost")
    assert done.returncode == 1
    assert (f"!! RabbitMQ injoignable sur 127.0.0.1:{port} (RABBITMQ_URL) : démarrez-le, "
            "ou corrigez l'adresse.") in done.stderr
    assert "1 service(s) manquant(s)" in done.stderr
    assert "OK : PostgreSQL" in done.stdout and "OK : Redis" in done.stdout
    assert "secret-word" not in done.stdout + done.stderr


def test_every_missing_service_is_said() -> None:
    port = closed_port()
    done = run(TRACKER_STORE_URL=f"postgresql://rasa:pw@127.0.0.1:{port}/conversations",
               KNOWLEDGE_DATABASE_URL=f"postgresql+psycopg2://kb@127.0.0.1:{port}/kb",
               REDIS_URL=f"redis://:pw@127.0.0.1:{port}/0", RABBITMQ_HOST=f"127.0.0.1:{port}")
    assert done.returncode == 1
    assert done.stdout == ""
    said = done.stderr.splitlines()
    # the same PostgreSQL server named by both URLs is checked once
    assert [line.split(" injoignable")[0] for line in said[:-1]] == [
        "!! PostgreSQL", "!! Redis", "!! RabbitMQ"]
    assert "(KNOWLEDGE_DATABASE_URL)" in said[0] and "(RABBITMQ_HOST)" in said[2]
    assert said[-1].startswith("!! 3 service(s) manquant(s)")
