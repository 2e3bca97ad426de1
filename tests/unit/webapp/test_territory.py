"""`GET /widget/territory.json` (webapp/territory.py): the communes the widget's map of
suggestions is drawn on, from the knowledge base's communes (the seed's CSV files)."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import Engine

from knowledge.seeding import SEED_DIR
from webapp.app import create_app
from webapp.settings import WebSettings


@pytest.fixture
async def client(kb_engine: Engine) -> AsyncIterator[TestClient]:
    settings = WebSettings(knowledge_url=kb_engine.url.render_as_string(hide_password=False),
                           tracker_store_db=":memory:", rasa_url="http://127.0.0.1:1",
                           rasa_api_token="", secret_key=b"k" * 32, secure_cookies=False)
    async with TestClient(TestServer(create_app(settings))) as c:
        yield c


async def test_the_territory_is_its_52_communes_and_the_towns_around(
        client: TestClient) -> None:
    resp = await client.get("/widget/territory.json")
    assert resp.status == 200
    # Public, the same for everyone: cached a day, readable by the sites embedding the widget.
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=86400" in resp.headers["Cache-Control"]
    body = await resp.json()
    assert body["name"] == "Pays de Mormal"
    inside = [c for c in body["communes"] if c.get("territory")]
    with (SEED_DIR / "cc_pays_de_mormal_communes.csv").open(encoding="utf-8") as fh:
        seed = {row["nom"].replace("’", "'"): (float(row["lat"]), float(row["lon"]))
                for row in csv.DictReader(fh)}
    assert {c["name"] for c in inside} == set(seed) and len(inside) == 52
    for c in inside:
        assert (c["lat"], c["lon"]) == pytest.approx(seed[c["name"]], abs=1e-4)
    # Only the chief towns are named inside; the towns around are named and not in it.
    assert {c["name"] for c in inside if c.get("named")} == {"Le Quesnoy", "Landrecies", "Bavay"}
    around = {c["name"] for c in body["communes"] if not c.get("territory")}
    assert {"Maubeuge", "Valenciennes", "Cambrai"} <= around
    assert "Lille" not in around and "Amiens" not in around   # farther than the searches go
    assert "Avesnes-sur-Helpe" not in around                  # fewer than 10,000 inhabitants
    assert all(c.get("named") for c in body["communes"] if not c.get("territory"))
    assert len(await resp.read()) < 6000   # light enough for a phone in the forest
