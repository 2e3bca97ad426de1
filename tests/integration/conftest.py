"""The integration layer: the unit layer's knowledge-base tests again, on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import empty_knowledge_base


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres)])
def kb_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
              ) -> Iterator[Engine]:
    """An empty knowledge base on the PostgreSQL server (a fresh database per session)."""
    yield from empty_knowledge_base(request, tmp_path_factory)
