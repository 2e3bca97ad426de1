"""Helpers shared by the import tests: sample paths and a snapshot of the whole base."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from knowledge.models import Event, Poi, Route
from knowledge.store import to_dict
from tests.support.paths import FIXTURES as FIXTURES_ROOT
from tests.support.paths import SAMPLES as SAMPLES_ROOT

SAMPLES = SAMPLES_ROOT
FIXTURES = FIXTURES_ROOT / "imports"
WIDE_KM = "1500"  # the real samples are from all over France


def snapshot(factory: sessionmaker) -> dict[str, dict[str, Any]]:
    """Every record of the base as plain dicts, keyed by type and id."""
    out: dict[str, dict[str, Any]] = {}
    with factory() as session:
        for model in (Poi, Event, Route):
            for obj in session.execute(select(model)).scalars():
                out[f"{model.__tablename__}/{obj.id}"] = to_dict(obj)
    return out


def get(factory: sessionmaker, model: Any, **where: Any) -> Any:
    with factory() as session:
        stmt = select(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        obj = session.execute(stmt).unique().scalar_one()
        if isinstance(obj, Event):
            obj.timings  # noqa: B018 - load before the session closes
        return obj


OPENAGENDA_SAMPLE = SAMPLES_ROOT / "openagenda" / "oa-v2_events.response.json"
CAEN_TITLE = "Visite guidée : Tocqueville Trip"  # the sample's last event, left in Caen


def mixed_openagenda() -> dict[str, Any]:
    """The real OpenAgenda sample (a Caen library's events) with every event but the last
    moved to Bavay: a file staff would import where one record is simply elsewhere."""
    import json

    data: dict[str, Any] = json.loads(OPENAGENDA_SAMPLE.read_text(encoding="utf-8"))
    for i, event in enumerate(data["events"][:-1]):
        event["location"] = {**(event.get("location") or {}), "latitude": 50.2936 + i / 1000,
                             "longitude": 3.8031, "insee": "59053", "city": "Bavay",
                             "address": "Rue de la gare, 59570 Bavay"}
    assert data["events"][-1]["title"]["fr"] == CAEN_TITLE
    return data
