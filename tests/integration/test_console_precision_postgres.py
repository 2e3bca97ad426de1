"""tests/unit/webapp/test_console_precision.py again, with the knowledge base on
PostgreSQL (tests/integration/conftest.py)."""

from tests.unit.webapp.test_console_precision import *  # noqa: F403
