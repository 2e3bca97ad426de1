"""tests/unit/knowledge/test_queries.py again, with the knowledge base on PostgreSQL
(tests/integration/conftest.py)."""

from tests.unit.knowledge.test_queries import *  # noqa: F403
