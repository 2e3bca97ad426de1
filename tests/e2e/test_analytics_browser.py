"""The console's Analyse page in headless Chromium: the charts render, the period and
channel filters change the figures (checked against the analytics package on the same
store), the downloads arrive, and the page passes the accessibility audit. The web app
alone is started, over a tracker store of generated conversations."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
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
from tests.support.browser import chromium, describe, serious_violations
from tests.support.servers import ROOT, Servers

pytestmark = pytest.mark.e2e
PASSWORD = "mot-de-passe-analyste"
DAYS = 20


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Servers, str]]:
    workdir = tmp_path_factory.mktemp("analysis-page")
    tracker = f"sqlite:///{workdir / 'tracker.sqlite3'}"
    fill(make_engine(tracker), 6000, start=time.time() - (DAYS - 1) * 86400, days=DAYS - 1)
    env = {**os.environ, "KNOWLEDGE_DATABASE_URL": f"sqlite:///{workdir / 'kb.sqlite3'}",
           "TRACKER_STORE_DB": str(workdir / "tracker.sqlite3"), "TRACKER_STORE_URL": "",
           "ANALYTICS_KEY": "clé-de-test-assez-longue-pour-hmac", "PYTHONPATH": str(ROOT),
           "RASA_API_TOKEN": "test-token", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
           "WEB_SECRET_KEY": "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0="}
    subprocess.run([sys.executable, "-m", "knowledge", "init"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    for name, role in (("anna", "analyst"), ("edith", "editor")):
        subprocess.run([sys.executable, "-m", "webapp.console", "users", "add", name, "--role",
                        role, "--password-stdin"], cwd=ROOT, env=env, input=PASSWORD + "\n",
                       text=True, check=True, capture_output=True)
    servers = Servers("", "", env, workdir)
    try:
        servers.start_web()
        yield servers, tracker
    finally:
        servers.stop("web")


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
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text("utf-8"))))
    assert len(rows) == recent["totals"]["conversations"]
    assert {r["channel"] for r in rows} == {"telegram"}
    assert all(r["visitor"].startswith("v-") for r in rows)
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
