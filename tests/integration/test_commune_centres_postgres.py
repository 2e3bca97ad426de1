"""tests/unit/knowledge/test_commune_centres.py again, with the knowledge base on
PostgreSQL (tests/integration/conftest.py)."""

from tests.unit.knowledge.test_commune_centres import *  # noqa: F403
