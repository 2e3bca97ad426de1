"""The console as a tourism-office employee uses it, in headless Chromium against the real
web app (issue 17): a mixed OpenAgenda file imported with "importer les valides et
ignorer les autres", its refusal named by title and town; the journal in Paris time with
names and only what changed; the place and event forms on a 390 px wide phone with no
sideways scroll, a visible focus and no serious accessibility violation."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page

from knowledge.config import PARIS
from tests.support.browser import chromium, describe, serious_violations
from tests.support.import_helpers import CAEN_TITLE, mixed_openagenda
from tests.support.servers import Servers, web_only

pytestmark = pytest.mark.e2e
PASSWORD = "mot-de-passe-de-l-office"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with web_only(tmp_path_factory.mktemp("console-staff"), {"edith": "editor"},
                  PASSWORD) as servers:
        yield servers


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(web: Servers, browser: Browser) -> Iterator[Page]:
    # bypass_csp: lets the axe-core audit inject its script (the console forbids inline
    # scripts; its headers are checked in tests/unit/webapp/test_console.py).
    context = browser.new_context(base_url=web.web_url, locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    page.goto("/console/connexion")
    page.fill("#username", "edith")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    assert "Bonjour edith" in page.inner_text("h1")
    yield page
    context.close()


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def outline(page: Page) -> dict[str, str]:
    """The computed outline of the focused element."""
    return dict(page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return {tag: document.activeElement.tagName, style: s.outlineStyle,
                width: s.outlineWidth}; }"""))


def upload(page: Page, path: Path) -> None:
    page.goto("/console/import")
    page.set_input_files("#fichier", str(path))
    page.select_option("#format", "openagenda")
    page.click("main button[type=submit]")


def test_mixed_file_imported_then_read_in_the_journal(page: Page, tmp_path: Path) -> None:
    data = mixed_openagenda()
    path = tmp_path / "agenda-mixte.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    upload(page, path)
    assert "Aperçu de l'import" in page.inner_text("h1")
    row = page.locator("#refus tbody tr")
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    # Named by its title, place and dates; the reason says where it is, for staff.
    assert cells[:3] == [CAEN_TITLE, "Bibliothèque Alexis de Tocqueville, Caen",
                         "18/09/2022 à 15 h 30 et 17 h"]
    assert re.fullmatch(r"hors du territoire : Caen, à 3\d\d km du Pays de Mormal .*", cells[3])
    main = page.inner_text("main")
    assert "Corrigez le fichier" not in main and "vérifiez les coordonnées" not in main
    assert page.locator("text=Confirmer l'import").count() == 0
    assert not serious_violations(page), describe(serious_violations(page))
    page.click("text=Importer les valides et ignorer les autres")
    assert "Import enregistré" in page.inner_text("[role=status]")
    added = page.locator("ul.named li").all_inner_texts()
    assert len(added) == 5 and CAEN_TITLE not in " ".join(added)
    assert ("Lecture : Au moyen d’une magnifique prose poétique — Bibliothèque Alexis de "
            "Tocqueville, Bavay — 16/09/2022 à 18 h 30") in added
    ids = [h.rsplit("/", 1)[1] for h in
           page.locator("ul.named a").evaluate_all("as => as.map(a => a.getAttribute('href'))")]
    assert len(ids) == 5

    # The same agenda again, one title changed: one modification, that field only.
    renamed = data["events"][0]
    renamed["title"]["fr"] = "Lecture du soir (essai)"
    renamed["keywords"] = {"fr": list(reversed(renamed.get("keywords", {}).get("fr", [])))}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    upload(page, path)
    page.click("text=Importer les valides et ignorer les autres")
    assert "1 modification(s)" in page.inner_text("[role=status]")

    page.goto("/console/journal")
    assert "Quand (heure de Paris)" in page.inner_text("#journal thead")
    first = page.locator("#journal tbody tr").first
    stamp = first.locator("time").get_attribute("datetime")
    assert stamp is not None
    when = datetime.fromisoformat(stamp)
    now = datetime.now(PARIS)
    assert when.utcoffset() == now.utcoffset()  # Paris time, not UTC
    assert abs(when - now) < timedelta(minutes=5)
    assert first.locator("time").inner_text() == when.strftime("%d/%m/%Y %H:%M")
    text = page.inner_text("#journal tbody")
    assert "Import : agenda-mixte.json" in text
    assert "Événement : Lecture du soir (essai)" in text
    for record_id in ids:  # names, never identifiers
        assert record_id not in text
    def rows(action: str) -> Locator:
        return page.locator("#journal tbody tr").filter(has=page.locator(
            "td:nth-child(3)", has_text=re.compile(f"^{action}$")))

    edit = rows("modification")
    assert edit.count() == 1
    assert edit.locator("td").nth(4).inner_text().startswith("Titre")  # only what changed
    edit.locator("summary", has_text="voir").click()
    changes = edit.locator("table.changes tbody tr")
    assert changes.count() == 1
    assert changes.first.locator("th, td").all_inner_texts() == [
        "Titre", "Lecture : Au moyen d’une magnifique prose poétique",
        "Lecture du soir (essai)"]
    created = rows("création").first
    created.locator("summary", has_text="voir").click()
    values = dict(tuple(r.locator("th, td").all_inner_texts()) for r in  # type: ignore[misc]
                  created.locator("table.changes tbody tr").all())
    assert values["Commune"] == "Bavay"  # the commune by name, not its INSEE code
    assert re.fullmatch(r"\d\d/\d\d/2022 à .*", values["Dates"])
    assert not any(v.startswith(("{", "[")) for v in values.values())  # no raw JSON
    assert not serious_violations(page), describe(serious_violations(page))
    page.set_viewport_size(PHONE)
    assert no_sideways_scroll(page)  # the journal's table scrolls in its own box


@pytest.mark.parametrize("path", ["/console/lieux/nouveau", "/console/evenements/nouveau"])
def test_forms_on_a_phone_with_a_visible_focus(page: Page, path: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(path)
    assert page.locator("main form input[name=csrf_token]").count() >= 1
    assert no_sideways_scroll(page)
    widest = page.evaluate("""() => Math.max(...[...document.querySelectorAll(
        'main input:not([type=hidden]), main select, main textarea')].map(
        e => e.getBoundingClientRect().right))""")
    assert widest <= PHONE["width"]
    page.keyboard.press("Tab")  # the first stop: the skip link
    first = outline(page)
    assert first["tag"] == "A" and first["style"] != "none", first
    page.locator("main form input:not([type=hidden])").first.focus()
    field = outline(page)
    assert field["tag"] == "INPUT" and field["style"] == "solid", field
    assert float(field["width"].removesuffix("px")) >= 2
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    page.evaluate("document.querySelector('main form button[type=submit]').focus()")
    button = outline(page)
    assert button["tag"] == "BUTTON" and button["style"] == "solid", button
    assert not serious_violations(page), describe(serious_violations(page))


@pytest.mark.parametrize("path", ["/console/lieux", "/console/evenements",
                                  "/console/itineraires", "/console/verification",
                                  "/console/journal", "/console/import"])
def test_pages_on_a_phone_scroll_only_their_tables(page: Page, path: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(path)
    assert no_sideways_scroll(page)
    for table in page.locator("main table").all():  # a wide table scrolls in its own box
        assert table.evaluate("t => (t.closest('.table-box') || t).getBoundingClientRect()"
                              ".right") <= PHONE["width"]


def test_login_page_points_to_the_accounts_page(browser: Browser, web: Servers) -> None:
    context = browser.new_context(base_url=web.web_url, locale="fr-FR")
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto("/console/connexion")
    hint = page.inner_text("main .hint")
    assert "« Comptes »" in hint and "python" not in hint.lower()
    assert no_sideways_scroll(page)
    context.close()
