"""What the widget keeps on the visitor's device (issue 15).

- The position: before, the exact position stayed in localStorage forever (and in the
  transcript, as the sent payload). Now only a position rounded to 3 decimals (~100 m) is
  stored, with the time it was shared, and it is ignored and erased after 24 h. The exact
  position serves the page it was shared on.
- The session: its id is the device's secret; the number shown for erasure requests and
  the sender of the click statistics are the conversation id the server derives from it
  (connectors/socketio.py), and the secret is what the widget sends to resume.

The real widget in headless Chromium, on a page and a socket.io server that Playwright
plays (tests/support/played_widget.py): quick, and the clock can be moved by hand."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import (
    BrowserContext,
    Page,
    Request,
    expect,
)

from tests.support.browser import chromium
from tests.support.played_widget import (
    CARD,
    CONNECTED,
    HERE,
    FakeRasa,
    open_page,
    played_site,
    stored,
)

pytestmark = pytest.mark.e2e

DAY_MS = 24 * 3600 * 1000


@pytest.fixture
def context() -> Iterator[BrowserContext]:
    """A visitor at HERE who grants geolocation, on the played site (a browser each: it
    starts in well under a second)."""
    with chromium() as browser, played_site(browser) as visitor:
        yield visitor


def set_stored(page: Page, change: str) -> None:
    """Edits the stored entry with a JS statement on `s`, as an older visit left it."""
    page.evaluate("""(change) => {
        const key = Object.keys(localStorage)[0], s = JSON.parse(localStorage.getItem(key));
        new Function('s', change)(s);
        localStorage.setItem(key, JSON.stringify(s));
    }""", change)


def share(page: Page, rasa: FakeRasa) -> None:
    page.get_by_role("button", name=re.compile("Discuter|famille|Ouvrir", re.I)).first.click()
    page.get_by_role("button", name=re.compile("Partager ma position")).click()
    deadline = time.monotonic() + 10
    while not any(m.startswith("/share_location") for m in rasa.said):
        assert time.monotonic() < deadline, rasa.said
        page.wait_for_timeout(50)


def route_of(page: Page) -> str:
    link = page.get_by_role("link", name=re.compile("^Itinéraire")).last
    expect(link).to_be_visible()
    return link.get_attribute("href") or ""


def test_the_shared_position_is_stored_rounded_with_its_time(context: BrowserContext) -> None:
    rasa = FakeRasa()
    page = open_page(context, rasa)
    before = time.time() * 1000
    share(page, rasa)
    # the bot gets the position as shared; the device keeps it rounded to ~100 m
    assert json.loads(rasa.said[-1][len("/share_location"):]) == HERE
    entry = stored(page)
    assert entry["position"]["lat"] == 50.294 and entry["position"]["lon"] == 3.803
    assert before - 1000 <= entry["position"]["at"] <= time.time() * 1000 + 1000
    raw = json.dumps(entry)
    assert "50.2936" not in raw and "3.8031" not in raw  # nor in the transcript
    # this page starts its directions from the exact position, the next one from the rounded
    rasa.answer({"custom": CARD})
    assert "route=50.29361%2C3.80312%3B" in route_of(page)
    page.reload()
    page.wait_for_function(CONNECTED)
    rasa.answer({"custom": CARD})
    assert "route=50.294%2C3.803%3B" in route_of(page)


@pytest.mark.parametrize("where", ["on the next page", "on the open page"])
def test_a_position_older_than_a_day_is_ignored_and_erased(context: BrowserContext,
                                                           where: str) -> None:
    rasa = FakeRasa()
    page = open_page(context, rasa)
    share(page, rasa)
    if where == "on the next page":
        set_stored(page, f"s.position.at -= {DAY_MS} + 1000;")
        page.reload()
        page.wait_for_function(CONNECTED)
        assert "position" not in stored(page)  # erased when the page loads
    else:
        page.evaluate(f"const now = Date.now; Date.now = () => now() + {DAY_MS} + 1000;")
    rasa.answer({"custom": CARD})
    assert "route=%3B50.2986" in route_of(page)
    assert "position" not in stored(page)


def test_the_exact_position_of_older_versions_is_erased(context: BrowserContext) -> None:
    rasa = FakeRasa()
    page = open_page(context, rasa)
    set_stored(page, "s.position = [50.29361, 3.80312];")
    page.reload()
    page.wait_for_function(CONNECTED)
    assert "position" not in stored(page)


# --------------------------------------------------------------------------- session


def derived(secret: str) -> str:
    return "c" + secret[::-1][:31]


def test_the_shown_number_and_the_clicks_are_the_servers_id(context: BrowserContext) -> None:
    rasa = FakeRasa(derived)
    page = open_page(context, rasa)
    entry = stored(page)
    secret, session = entry["id"], entry["session"]
    assert session == derived(secret) != secret
    page.get_by_role("button", name="Discuter avec la famille").click()
    page.get_by_role("button", name="Vie privée").click()
    expect(page.locator("#mormal-chat-widget code")).to_have_text(session)

    rasa.answer({"custom": {**CARD, "items": [{**CARD["items"][0],
                                              "url": "https://forum.example/"}]}})
    with context.expect_event("request", lambda r: r.url.endswith("/api/interactions")) as beacon:
        page.get_by_role("link", name=re.compile("^Site web")).click()
    request: Request = beacon.value
    assert json.loads(request.post_data or "{}")["sender"] == session

    # another page of the site: the secret is sent again, the same number comes back
    page.reload()
    page.wait_for_function(CONNECTED)
    assert stored(page)["session"] == session and stored(page)["id"] == secret
