"""tests/unit/webapp/test_console_hours.py again, with the knowledge base on PostgreSQL
(tests/integration/conftest.py)."""

from tests.unit.webapp.test_console_hours import *  # noqa: F403
