"""Async access (`knowledge.aio.KnowledgeBase`): queries run in worker threads."""

from __future__ import annotations

import asyncio
import threading
import time

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from knowledge.aio import KnowledgeBase
from knowledge.db import transaction
from knowledge.models import Poi
from knowledge.queries import PoiQuery, find_places_by_name, nearby_pois
from knowledge.store import Store

BAVAY = (50.2936, 3.8031)


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _seed(factory: sessionmaker) -> None:
    with transaction(factory) as s:
        store = Store.for_session(s)
        store.save_poi({"id": "forum", "name": "Forum antique de Bavay",
                        "kinds": ["museum"], "interests": ["patrimoine", "culture"],
                        "latitude": 50.2983, "longitude": 3.7944, "source": "tests"})
        store.save_poi({"id": "remparts", "name": "Remparts du Quesnoy",
                        "kinds": ["rampart"], "interests": ["patrimoine"],
                        "commune_insee": "59481", "source": "tests"})


async def test_run_nearby_pois_from_async_code(kb_engine: Engine, kb_factory: sessionmaker,
                                               ) -> None:
    _seed(kb_factory)
    kb = KnowledgeBase(_url(kb_engine))
    try:
        page = await kb.run(nearby_pois, PoiQuery(*BAVAY, interests=["patrimoine"]), limit=5,
                            count_total=True)
        assert [hit.poi.id for hit in page.items] == ["forum", "remparts"]
        # The records are usable once the worker's session is closed.
        first = page.items[0]
        assert first.poi.name == "Forum antique de Bavay"
        assert first.poi.commune is not None and first.poi.commune.name == "Bavay"
        assert 0.5 < first.distance_km < 1.0
        assert page.total == 2

        matches = await kb.run(find_places_by_name, "remparts quesnoy")
        assert [m.poi.id for m in matches] == ["remparts"]
        # Several calls at once, each with its own session.
        pages = await asyncio.gather(*[
            kb.run(nearby_pois, PoiQuery(*BAVAY, radius_km=r), count_total=True)
            for r in (1, 5, 30)
        ])
        assert [p.total for p in pages] == [1, 1, 2]
        gaz = kb.gazetteer()
        assert gaz is kb.gazetteer()  # loaded once
        place = gaz.lookup("le quesnoy")
        assert place is not None and place.insee == "59481"
        # The caller's thread is not the one that ran the query.
        loop_thread = threading.get_ident()
        worker = await kb.run(lambda _s: threading.get_ident())
        assert worker != loop_thread
    finally:
        kb.dispose()


async def test_the_event_loop_keeps_running_during_a_slow_query(kb_engine: Engine) -> None:
    kb = KnowledgeBase(_url(kb_engine))
    ticks: list[float] = []

    async def ticker() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.02)

    def slow_count(session: Session) -> int:
        time.sleep(0.5)  # a slow database, or a big query
        return session.execute(select(func.count()).select_from(Poi)).scalar_one()

    task = asyncio.create_task(ticker())
    try:
        await asyncio.sleep(0)
        started = time.monotonic()
        results = await asyncio.gather(*[kb.run(slow_count) for _ in range(3)])
        elapsed = time.monotonic() - started
        assert results == [0, 0, 0]
        # The three calls ran side by side, not one after the other...
        assert elapsed < 1.2
        # ...and the loop kept ticking meanwhile (about 25 ticks; a blocked loop gives 1).
        during = [t for t in ticks if started <= t <= started + elapsed]
        assert len(during) >= 10
        gaps = [b - a for a, b in zip(during, during[1:], strict=False)]
        assert max(gaps) < 0.25
    finally:
        task.cancel()
        kb.dispose()
