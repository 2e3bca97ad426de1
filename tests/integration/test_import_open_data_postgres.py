"""tests/unit/knowledge/test_import_open_data.py again, with the knowledge base on
PostgreSQL (tests/integration/conftest.py)."""

from tests.unit.knowledge.test_import_open_data import *  # noqa: F403
