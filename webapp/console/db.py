"""Transactions of the console: one per change, run in a worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy.orm import sessionmaker

from knowledge.db import session_factory, transaction
from webapp.console.models import ensure_tables
from webapp.keys import KB

T = TypeVar("T")
FACTORY = web.AppKey("console_factory", sessionmaker)


async def console_tables(app: web.Application) -> AsyncIterator[None]:
    """`cleanup_ctx` (after the app's knowledge base): the console's tables exist."""
    engine = app[KB].engine
    await asyncio.to_thread(ensure_tables, engine)
    app[FACTORY] = session_factory(engine)
    yield


def _in_transaction(factory: sessionmaker, fn: Callable[..., T], *args: Any,
                    **kwargs: Any) -> T:
    with transaction(factory) as session:
        return fn(session, *args, **kwargs)


async def write(request: web.Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(session, *args)` in one transaction: committed if it returns, rolled back if not."""
    factory = request.config_dict[FACTORY]
    return await asyncio.to_thread(_in_transaction, factory, fn, *args, **kwargs)
