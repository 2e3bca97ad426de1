"""scripts/run-cluster.sh (`make run-cluster`, issue 19) refuses to start, in French and
before starting anything, when a service is missing or a setting is wrong. (Starting it
for real: tests/cluster/.)"""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.integration.test_check_services import closed_port
from tests.support.servers import ROOT


def run_cluster(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ROOT / "scripts" / "run-cluster.sh"), "--no-train"], cwd=ROOT,
                          env={**os.environ, "CLUSTER_DIR": "/nonexistent/never-created",
                               **env}, capture_output=True, text=True, timeout=120)


@pytest.mark.postgres
@pytest.mark.rabbitmq
def test_a_missing_redis_is_named_and_nothing_starts() -> None:
    done = run_cluster(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    assert done.returncode == 1
    assert "!! Redis injoignable sur 127.0.0.1:" in done.stderr
    assert "Base de connaissances" not in done.stdout  # no database created
    assert "Répartiteur" not in done.stdout


@pytest.mark.parametrize(("name", "value"), [("RASA_INSTANCES", "0"),
                                             ("ACTIONS_INSTANCES", "deux"),
                                             ("RASA_FIRST_PORT", "-1")])
def test_a_wrong_count_or_port_is_refused(name: str, value: str) -> None:
    done = run_cluster(**{name: value})
    assert done.returncode == 2
    assert f"!! {name} doit être un nombre entier positif (reçu : « {value} »)." in done.stderr


def test_an_unknown_option_is_refused() -> None:
    done = subprocess.run([str(ROOT / "scripts" / "run-cluster.sh"), "--vite"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Option inconnue : --vite" in done.stderr
