"""Async access to the knowledge base for the action server and the web app.

SQLAlchemy 1.4 sessions are synchronous; each call runs in a worker thread with its own
session, so an event loop is never blocked by a query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.db import make_engine, session_factory
from knowledge.gazetteer import Gazetteer

T = TypeVar("T")


class KnowledgeBase:
    """One engine per process; `await kb.run(fn, *args)` calls `fn(session, *args)`."""

    def __init__(self, url: str | None = None, engine: Engine | None = None) -> None:
        self.engine = engine or make_engine(url)
        self._factory = session_factory(self.engine)
        self._gazetteer: Gazetteer | None = None

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Synchronous call in a fresh session (read-only: nothing is committed)."""
        session: Session = self._factory()
        try:
            return fn(session, *args, **kwargs)
        finally:
            session.close()

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.to_thread(self.call, fn, *args, **kwargs)

    def gazetteer(self) -> Gazetteer:
        """Communes change rarely: loaded once per process."""
        if self._gazetteer is None:
            self._gazetteer = self.call(Gazetteer.from_session)
        return self._gazetteer

    async def gazetteer_async(self) -> Gazetteer:
        """The gazetteer from async code: the first load runs in a worker thread."""
        if self._gazetteer is None:
            await asyncio.to_thread(self.gazetteer)
        return self.gazetteer()

    def dispose(self) -> None:
        self.engine.dispose()
