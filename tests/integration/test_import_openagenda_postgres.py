"""tests/unit/knowledge/test_import_openagenda.py again, with the knowledge base on PostgreSQL
(tests/integration/conftest.py)."""

from tests.unit.knowledge.test_import_openagenda import *  # noqa: F403
