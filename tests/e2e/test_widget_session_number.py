"""The widget keeps its session id as the device's secret and uses the conversation id the
server derives from it (issue 15, connectors/socketio.py): the number shown for erasure
requests and the sender of the click statistics are the server's, and the secret is
what it sends to resume. The real widget in Chromium, the server played by Playwright
(tests/support/played_widget.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Request, expect

from tests.support.browser import chromium
from tests.support.played_widget import CARD, CONNECTED, FakeRasa, open_page, played_site, stored

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    with played_site(browser) as ctx:
        yield ctx


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
