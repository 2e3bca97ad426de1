"""tests/unit/knowledge/test_import_csv.py again, with the knowledge base on PostgreSQL
(tests/integration/conftest.py)."""

from tests.unit.knowledge.test_import_csv import *  # noqa: F403
