"""The console's Analyse page in headless Chromium: the charts render, the period and
channel filters change the figures (checked against the analytics package on the same
store), the downloads arrive, and the page passes the accessibility audit. The web app
alone is started, over a tracker store of generated conversations."""

from __future__ import annotations

import csv
import json
import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page

from analytics.reader import Period, make_engine
from analytics.report import Filters, build
from analytics.synthetic import fill
from knowledge.config import PARIS
from knowledge.taxonomy import INTERESTS
from tests.support.browser import chromium, describe, serious_violations
from tests.support.servers import Servers, web_only

pytestmark = pytest.mark.e2e
PASSWORD = "mot-de-passe-analyste"
DAYS = 20


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Servers, str]]:
    workdir = tmp_path_factory.mktemp("analysis-page")
    tracker = f"sqlite:///{workdir / 'tracker.sqlite3'}"
    fill(make_engine(tracker), 6000, start=time.time() - (DAYS - 1) * 86400, days=DAYS - 1)
    with web_only(workdir, {"anna": "analyst", "edith": "editor"}, PASSWORD) as servers:
        yield servers, tracker


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(web: tuple[Servers, str], browser: Browser) -> Iterator[Page]:
    """The console's real CSP applies (no bypass): a blocked style or script shows up."""
    context = browser.new_context(base_url=web[0].web_url, locale="fr-FR",
                                  accept_downloads=True)
    yield context.new_page()
    context.close()


def log_in(page: Page, name: str) -> None:
    page.goto("/console/connexion")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def figure(page: Page, name: str) -> str:
    return page.inner_text(f"[data-figure={name}]").strip()


def test_analysis_page_charts_filters_and_downloads(web: tuple[Servers, str], page: Page,
                                                    browser: Browser, tmp_path: Path) -> None:
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text)
            if "Content Security Policy" in m.text else None)
    engine = make_engine(web[1])
    today = datetime.now(PARIS).date()  # the page's default window ends on the Paris day
    whole = build(engine, Filters(Period(today - timedelta(days=29), today)))
    assert whole["totals"]["conversations"] > 100
    log_in(page, "anna")
    page.goto("/console/analyse")
    assert page.inner_text("h1") == "Analyse des conversations"
    assert figure(page, "conversations") == str(whole["totals"]["conversations"])
    assert page.locator("svg.chart").count() >= 10
    assert page.locator("svg.chart rect.bar").count() > 20
    box = page.locator("svg.chart").first.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100  # drawn, styled
    assert not blocked, blocked
    # The audit injects axe-core: only possible in a context that bypasses the CSP.
    audit_context = browser.new_context(base_url=web[0].web_url, locale="fr-FR",
                                        bypass_csp=True)
    audit_context.add_cookies([{"name": c["name"], "value": c["value"], "url": web[0].web_url}
                               for c in page.context.cookies()])
    audit = audit_context.new_page()
    audit.goto("/console/analyse")
    assert not serious_violations(audit), describe(serious_violations(audit))
    audit_context.close()

    page.select_option("#canal", "telegram")
    page.click("form.filters button[type=submit]")
    telegram = build(engine, Filters(Period(today - timedelta(days=29), today), "telegram"))
    assert "canal=telegram" in page.url
    assert figure(page, "conversations") == str(telegram["totals"]["conversations"])
    assert 0 < telegram["totals"]["conversations"] < whole["totals"]["conversations"]

    start = today - timedelta(days=3)
    page.fill("#du", start.isoformat())
    page.click("form.filters button[type=submit]")
    recent = build(engine, Filters(Period(start, today), "telegram"))
    assert figure(page, "conversations") == str(recent["totals"]["conversations"])
    assert recent["totals"]["conversations"] < telegram["totals"]["conversations"]
    assert page.locator("#figures table caption", has_text="Par jour").count() == 1

    with page.expect_download() as info:
        page.click("#export-nlu")
    nlu_file = tmp_path / info.value.suggested_filename
    info.value.save_as(nlu_file)
    assert nlu_file.suffix == ".yml"
    data = yaml.safe_load(nlu_file.read_text(encoding="utf-8"))
    assert data["nlu"][0]["intent"] == "a_revoir" and "camping" in data["nlu"][0]["examples"]

    with page.expect_download() as info:
        page.click("#export-conversations-csv")
    with open(info.value.path(), encoding="utf-8-sig", newline="") as fh:  # French Excel
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert len(rows) == recent["totals"]["conversations"]
    assert {r["canal"] for r in rows} == {"Telegram"}
    assert all(r["visiteur"].startswith("v-") for r in rows)
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", r["début"]) for r in rows)
    assert "synthetic-" not in Path(info.value.path()).read_text("utf-8")


def test_analysis_page_is_for_analysts_and_admins(web: tuple[Servers, str],
                                                  page: Page) -> None:
    page.goto("/console/analyse")
    assert "/console/connexion" in page.url
    log_in(page, "edith")
    response = page.goto("/console/analyse")
    assert response is not None and response.status == 403
    assert "Votre rôle ne permet pas" in page.inner_text("main")
    bad = page.goto("/console/analyse?du=pas-une-date")
    assert bad is not None and bad.status in (400, 403)


def test_analysis_page_speaks_french_and_counts_only_real_values(
        web: tuple[Servers, str], page: Page, browser: Browser) -> None:
    """French labels for channels, intents and interests; interests, periods and communes
    only from what the bot understood (the generated store holds stray spans "d'", "y",
    "from the", "c'", "wilfred" and the far villages Contre and Boué); misread messages
    with their day, channel and the bot's reply, off-topic and abusive ones apart; the
    click-through rate beside the recommendations."""
    log_in(page, "anna")
    page.goto("/console/analyse")
    options = page.locator("#canal option").all_inner_texts()
    assert {"site web", "Telegram", "WhatsApp", "SMS"} <= set(options), options
    assert "socketio" not in options and "rest" not in options
    text = page.inner_text("#figures")
    for raw in ("socketio", "find_places", "nlu_fallback", "share_location", "randonnee"):
        assert raw not in text, raw
    assert "chercher des lieux" in text and "site web" in text

    def column(caption: str) -> list[str]:
        table = page.locator("#figures table", has=page.locator("caption", has_text=caption))
        return [t.strip() for t in table.locator("tbody tr td:first-child").all_inner_texts()]

    interests = column("Centres d'intérêt")
    assert interests and set(interests) <= set(INTERESTS.values()), interests
    periods = column("Périodes demandées")
    assert {"ce week-end", "demain", "samedi", "en août", "une date précise"} <= set(periods)
    communes = column("Communes")
    assert {"Bavay", "Le Quesnoy", "Autres communes (hors du territoire)"} <= set(communes)
    for stray in ("d'", "y", "from the", "c'", "wilfred", "Contre", "Boué"):
        assert stray not in interests + periods + communes, stray

    gap = page.locator("#misunderstood tbody tr").first.locator("td").all_inner_texts()
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", gap[2]), gap  # its last day
    assert gap[3] and set(gap[3].split(", ")) <= {"site web", "API REST (essais)", "Telegram",
                                                   "SMS"}, gap
    assert gap[4].startswith("🎈 Léa : Pardon"), gap  # what the bot answered
    misread = page.inner_text("#misunderstood")
    assert "dentiste" not in misread and "merde" not in misread
    assert "dentiste" in page.inner_text("#off-topic")
    assert "bot de merde" in page.inner_text("#abusive")
    recommended = page.locator("#figures table", has=page.locator(
        "caption", has_text="Les plus recommandés"))
    assert recommended.locator("thead").inner_text().split("\t")[-1].strip() == "Taux de clic"
    rate = recommended.locator("tbody tr").first.locator("td").last.inner_text()
    assert re.fullmatch(r"\d+,\d %", rate), rate

    # At phone width the page does not scroll sideways (its tables scroll in their box).
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= "
                         "document.documentElement.clientWidth")


def test_csv_for_a_french_spreadsheet_and_json_for_machines(
        web: tuple[Servers, str], page: Page) -> None:
    log_in(page, "anna")
    page.goto("/console/analyse")
    with page.expect_download() as info:
        page.click("#export-summary-csv")
    raw = Path(info.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the accents
    with open(info.value.path(), encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows[0] == ["rubrique", "clé", "libellé", "nombre", "clics", "taux de clic",
                       "avis positifs", "avis négatifs", "part d'avis positifs"]
    by_label = {r[2]: r for r in rows[1:]}
    assert re.fullmatch(r"0,\d+", by_label["Part des messages non compris"][3])
    assert re.fullmatch(r"0,\d+", by_label["Taux de clic"][3])
    assert any(r[0] == "par canal : conversations" and r[2] == "site web" for r in rows)
    assert any(r[0] == "intentions" and r[2] == "chercher des lieux" for r in rows)
    recommended = [r for r in rows if r[0] == "recommandés"]
    assert recommended and all(re.fullmatch(r"0(,\d+)?|1", r[5]) for r in recommended)
    numbers = [cell for r in rows[1:] for cell in r[3:]]
    assert not any(re.fullmatch(r"\d+\.\d+", c) for c in numbers)  # no decimal point
    with page.expect_download() as info:
        page.click("#export-misunderstood-csv")
    with open(info.value.path(), encoding="utf-8-sig", newline="") as fh:
        misread = list(csv.DictReader(fh, delimiter=";"))
    assert {r["catégorie"] for r in misread} == {"non compris", "hors sujet", "injurieux"}
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", r["dernier jour"]) for r in misread)
    with page.expect_download() as info:
        page.click("#export-summary-json")
    data = json.loads(Path(info.value.path()).read_text("utf-8"))
    assert isinstance(data["totals"]["fallback_rate"], float)  # machines keep numbers
    assert data["per_channel"][0]["channel"] in ("rest", "sms", "socketio", "telegram")


def test_invalid_filters_are_said_on_the_page_with_the_others_kept(
        web: tuple[Servers, str], page: Page) -> None:
    log_in(page, "anna")
    end = datetime.now(PARIS).date() - timedelta(days=2)
    response = page.goto(f"/console/analyse?du=pas-une-date&au={end.isoformat()}"
                         "&canal=telegram")
    assert response is not None and response.status == 200
    assert "Date de début invalide « pas-une-date »" in page.inner_text("#filter-errors")
    assert page.input_value("#au") == end.isoformat()        # the valid filters are kept
    assert page.input_value("#canal") == "telegram"
    assert page.input_value("#du") == (end - timedelta(days=29)).isoformat()
    assert page.inner_text("h1") == "Analyse des conversations"
    page.goto(f"/console/analyse?du={end.isoformat()}&au={(end - timedelta(days=5)).isoformat()}")
    assert "est après la date de fin" in page.inner_text("#filter-errors")
