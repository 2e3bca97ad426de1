"""tests/unit/knowledge/test_aio.py again, with the knowledge base on PostgreSQL
(tests/integration/conftest.py)."""

from tests.unit.knowledge.test_aio import *  # noqa: F403
