"""tests/unit/knowledge/test_import_datatourisme.py again, with the knowledge base on PostgreSQL
(tests/integration/conftest.py)."""

from tests.unit.knowledge.test_import_datatourisme import *  # noqa: F403
