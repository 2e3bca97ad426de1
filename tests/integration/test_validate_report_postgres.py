"""tests/unit/knowledge/test_validate_report.py again, with the knowledge base on
PostgreSQL (tests/integration/conftest.py)."""

from tests.unit.knowledge.test_validate_report import *  # noqa: F403
