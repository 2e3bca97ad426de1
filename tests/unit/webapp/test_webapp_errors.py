"""The web app's error middleware: French pages (or JSON under /api/), the way back to the
right home, and the headers that tell the client what to do next."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import FormData, web
from aiohttp.test_utils import TestClient, TestServer

from webapp.app import create_app
from webapp.settings import WebSettings


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    settings = WebSettings(knowledge_url=f"sqlite:///{tmp_path / 'kb.sqlite3'}",
                           tracker_store_db=":memory:", rasa_url="http://127.0.0.1:1",
                           rasa_api_token="", secret_key=b"k" * 32, secure_cookies=False)
    app = create_app(settings)

    async def busy(_request: web.Request) -> web.Response:
        raise web.HTTPTooManyRequests(headers={"Retry-After": "120"})

    async def broken(_request: web.Request) -> web.Response:
        raise RuntimeError("boom")

    app.router.add_get("/console/occupe", busy)
    app.router.add_get("/panne", broken)
    app.router.add_get("/api/panne", broken)
    async with TestClient(TestServer(app)) as c:
        yield c


async def test_unknown_page_is_a_french_page_leading_home(client: TestClient) -> None:
    resp = await client.get("/nulle-part")
    body = await resp.text()
    assert resp.status == 404
    assert "Page introuvable" in body and 'href="/"' in body and "accueil" in body


async def test_console_error_leads_back_to_the_console_and_keeps_retry_after(
        client: TestClient) -> None:
    resp = await client.get("/console/occupe")
    body = await resp.text()
    assert resp.status == 429
    assert resp.headers.get("Retry-After") == "120"
    assert 'href="/console/"' in body and "Retour à la console" in body


async def test_unexpected_error_is_logged_not_shown(client: TestClient) -> None:
    resp = await client.get("/panne")
    body = await resp.text()
    assert resp.status == 500 and "Erreur interne" in body and "boom" not in body
    resp = await client.get("/api/panne")
    assert resp.status == 500
    assert (await resp.json())["error"] == "Erreur interne"


async def test_a_too_large_form_is_a_request_not_a_file(client: TestClient) -> None:
    """Before, every 413 page was titled "Fichier trop volumineux", a login form too."""
    form = await client.post("/console/connexion", data={"username": "x" * 2_000_000})
    body = await form.text()
    assert form.status == 413
    assert "<h1>Requête trop volumineuse</h1>" in body and "Fichier" not in body


async def test_a_too_large_upload_is_a_file(client: TestClient) -> None:
    upload = FormData()
    upload.add_field("fichier", b"x" * 2_000_000, filename="gros.csv")
    resp = await client.post("/console/import", data=upload)
    assert resp.status == 413
    assert "<h1>Fichier trop volumineux</h1>" in await resp.text()
