"""The staff console in headless Chromium against the real servers (web app, action
server, Rasa): a POI created in the console is recommended by the bot in the next
conversation, with no restart; an OpenAgenda file is previewed then imported; a wrong
password, a POST without its CSRF token and an editor on the accounts page are refused."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.test_e2e_rest import BAVAY, cards, say
from tests.support.browser import chromium, describe, serious_violations
from tests.support.paths import SAMPLES
from tests.support.servers import ROOT, Servers, running_servers

pytestmark = pytest.mark.e2e
PASSWORD = "mot-de-passe-du-test"
OPENAGENDA = SAMPLES / "openagenda" / "oa-v2_events.response.json"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with running_servers(tmp_path_factory.mktemp("console"), web=True) as s:
        subprocess.run([sys.executable, "-m", "webapp.console", "users", "add", "edith",
                        "--role", "editor", "--password-stdin"], cwd=ROOT, env=s.env,
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)
        yield s


@pytest.fixture
def page(servers: Servers) -> Iterator[Page]:
    with chromium() as browser:
        # bypass_csp: lets the axe-core audit inject its script (the console's CSP forbids
        # inline scripts; its headers are checked in test_console.py).
        context = browser.new_context(base_url=servers.web_url, locale="fr-FR",
                                      bypass_csp=True)
        yield context.new_page()
        context.close()


def openagenda_near_bavay(path: Path) -> Path:
    """The real OpenAgenda sample (events in Caen) moved to Bavay: the base refuses
    records more than KNOWLEDGE_MAX_DISTANCE_KM from the territory."""
    data = json.loads(OPENAGENDA.read_text(encoding="utf-8"))
    for i, event in enumerate(data["events"]):
        event["location"] = {**(event.get("location") or {}), "latitude": 50.2936 + i / 1000,
                             "longitude": 3.8031, "insee": "59053", "city": "Bavay"}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def log_in(page: Page, password: str = PASSWORD) -> None:
    page.goto("/console/connexion")
    page.fill("#username", "edith")
    page.fill("#password", password)
    page.click("button[type=submit]")


def test_console_in_a_browser(servers: Servers, page: Page, tmp_path: Path) -> None:
    log_in(page, "ce-n-est-pas-le-bon")
    assert "Nom de compte ou mot de passe incorrect" in page.inner_text("main")
    assert not serious_violations(page), describe(serious_violations(page))
    log_in(page)
    assert "Bonjour edith" in page.inner_text("h1")

    # A new museum at Bavay, created in the console...
    name = f"Musée de la maquette {uuid.uuid4().hex[:6]}"
    page.goto("/console/lieux/nouveau")
    page.fill("#f-name", name)
    page.check("input[name=kinds][value=museum]")
    page.check("input[name=interests][value=culture]")
    page.fill("#f-commune", "Bavay")
    page.fill("#f-latitude", str(BAVAY["latitude"]))
    page.fill("#f-longitude", str(BAVAY["longitude"]))
    page.click("form >> text=Enregistrer")
    assert "Enregistré" in page.inner_text("main")
    assert page.locator("svg .marker").count() == 1
    assert "50.29360, 3.80310" in page.inner_text("figure")
    assert not serious_violations(page), describe(serious_violations(page))

    # ...is recommended by the bot in the next conversation, with no restart.
    sender = f"console-{uuid.uuid4().hex[:8]}"
    say(servers, sender, f"/share_location{json.dumps(BAVAY)}")
    replies = say(servers, sender, "je voudrais visiter un musée")
    assert name in [item["name"] for item in cards(replies)], replies

    # An OpenAgenda file: upload, preview the dry run, confirm.
    page.goto("/console/import")
    assert not serious_violations(page), describe(serious_violations(page))
    page.set_input_files("#fichier", str(openagenda_near_bavay(tmp_path / "agenda.json")))
    page.select_option("#format", "openagenda")
    page.click("main button[type=submit]")
    assert "Aperçu de l'import" in page.inner_text("h1")
    assert "6 ajout(s)" in page.inner_text("main")
    page.click("text=Confirmer l'import")
    assert "Import enregistré" in page.inner_text("main")
    page.goto("/console/evenements?q=lecture")
    assert page.locator("main tbody a", has_text="Lecture").count() >= 1
    assert not serious_violations(page), describe(serious_violations(page))
    page.goto("/console/journal?action=import")
    assert "1 entrée(s)" in page.inner_text("main")

    # A POST without its CSRF token (same session cookie) is refused.
    resp = page.request.post(f"{servers.web_url}/console/lieux/nouveau",
                             form={"name": "Sans jeton", "kinds": "museum",
                                   "interests": "culture", "commune": "Bavay"})
    assert resp.status == 403
    assert "Jeton de sécurité" in resp.text()

    # An editor cannot manage accounts.
    resp_page = page.goto("/console/comptes")
    assert resp_page is not None and resp_page.status == 403
    assert "Accès refusé" in page.inner_text("h1")
