"""One cluster for every test of tests/cluster/ (issue 19): `scripts/run-cluster.sh` with
two Rasa servers and two action servers behind HAProxy, on the real PostgreSQL, Redis and
RabbitMQ of 127.0.0.1 (tests/support/cluster.py), and a local fake of the Telegram Bot
API. Started once (the two Rasa servers take a minute to load the model) for the one test
module, and stopped after it, so that its servers do not stay in memory while the later
test directories start their own; the tests fail, never skip, when a service is missing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.cluster import TELEGRAM_SECRET, Cluster, running_cluster
from tests.support.fake_platforms import FakePlatforms


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "cluster: runs scripts/run-cluster.sh (2 Rasa servers behind HAProxy) on "
                   "PostgreSQL, Redis and RabbitMQ (must be up, never skipped)")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakePlatforms]:
    with FakePlatforms().running() as f:
        yield f


@pytest.fixture(scope="module")
def cluster(fake: FakePlatforms, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    env = {"TELEGRAM_BOT_TOKEN": "123456:TEST", "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
           "TELEGRAM_API_URL": f"{fake.url}/telegram",
           "MESSAGING_RETRY_ATTEMPTS": "3", "MESSAGING_RETRY_DELAY": "0.05"}
    with running_cluster(tmp_path_factory.mktemp("cluster"), 2, 2, env) as c:
        yield c
