"""tests/unit/webapp/test_console_import_jobs.py again, with the knowledge base on
PostgreSQL (tests/integration/conftest.py): there the dry run runs on the base itself, in a
transaction rolled back, which locks only the rows of the file."""

from tests.unit.webapp.test_console_import_jobs import *  # noqa: F403
