"""The web app's daily retention loop survives any failure of one run (issue 15)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web

from webapp.console import analysis
from webapp.keys import TRACKER


def test_the_daily_loop_goes_on_after_any_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def flaky(engine: Any, days: int) -> Any:
        calls.append(days)
        if len(calls) == 1:
            raise ValueError("A string literal cannot contain NUL (0x00) characters.")
        return type("Done", (), {"deleted_events": 0, "cutoff": None})()

    monkeypatch.setattr(analysis, "apply_retention", flaky)
    monkeypatch.setattr(analysis, "RETENTION_FIRST_DELAY", 0.0)
    monkeypatch.setattr(analysis, "RETENTION_EVERY", 0.01)

    async def run() -> None:
        app = web.Application()
        app[TRACKER] = object()
        context = analysis.daily_retention(app)
        await context.__anext__()
        for _ in range(200):
            if len(calls) >= 2:
                break
            await asyncio.sleep(0.01)
        with pytest.raises(StopAsyncIteration):
            await context.__anext__()

    asyncio.run(run())
    assert len(calls) >= 2  # the run after the failure happened
