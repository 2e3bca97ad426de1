"""tests/unit/webapp/test_console_forms.py again, with the knowledge base on PostgreSQL
(tests/integration/conftest.py): the typo-tolerant search, the hours preview, the event
form."""

from tests.unit.webapp.test_console_forms import *  # noqa: F403
