"""tests/unit/knowledge/test_store_validation.py again, with the knowledge base on PostgreSQL
(tests/integration/conftest.py)."""

from tests.unit.knowledge.test_store_validation import *  # noqa: F403
