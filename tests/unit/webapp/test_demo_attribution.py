"""The demo site credits every source of the data the chatbot shows, with its licence
(issue 16; the credits the sources ask for): on each of its pages."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import Engine

from webapp.app import create_app
from webapp.settings import WebSettings

CREDITS = (
    "Etalab (découpage administratif) et La Poste (base des codes postaux), Licence Ouverte",
    "« Liste et localisation des Musées de France », Licence Ouverte / Etalab",
    "DATAtourisme – Office de Tourisme de l'Avesnois",
    "(label Accueil Vélo), Licence Ouverte / Etalab 2.0",
    "SNCF Gares &amp; Connexions, « Gares de voyageurs », ODbL 1.0",
    "textes du projet sous CC BY 4.0",
)


@pytest.mark.parametrize("path", ["/", "/decouvrir"])
async def test_every_source_is_credited_in_the_footer(kb_engine: Engine, path: str) -> None:
    settings = WebSettings(knowledge_url=kb_engine.url.render_as_string(hide_password=False),
                           tracker_store_db=":memory:", rasa_url="http://127.0.0.1:1",
                           rasa_api_token="", secret_key=b"k" * 32, secure_cookies=False)
    async with TestClient(TestServer(create_app(settings))) as client:
        resp = await client.get(path)
        assert resp.status == 200
        footer = (await resp.text()).split('<footer class="site">', 1)[1]
    for credit in CREDITS:
        assert credit in footer
