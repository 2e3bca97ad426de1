"""tests/unit/webapp/test_console.py again, with the knowledge base on PostgreSQL
(tests/integration/conftest.py)."""

from tests.unit.webapp.test_console import *  # noqa: F403
