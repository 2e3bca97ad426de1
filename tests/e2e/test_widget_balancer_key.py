"""The widget names its conversation to the load balancer (issue 19, README « Plusieurs
serveurs »): once a server has confirmed the conversation, every later socket.io
connection carries `session=<conversation id>` in its URL, which HAProxy hashes to keep
the conversation on one Rasa server; the device's secret never appears in a URL. The real
widget in Chromium against a played socket.io server (no Rasa, no model)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import BrowserContext

from tests.support.browser import chromium
from tests.support.played_widget import CONNECTED, FakeRasa, open_page, played_site

pytestmark = pytest.mark.e2e

CONVERSATION = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def context() -> Iterator[BrowserContext]:
    with chromium() as browser, played_site(browser) as visitor:
        yield visitor


def test_after_its_first_connection_the_widget_names_its_conversation_in_the_url(
        context: BrowserContext) -> None:
    secrets: list[str] = []

    def confirm(secret: str) -> str:
        secrets.append(secret)
        return CONVERSATION

    rasa = FakeRasa(conversation=confirm)
    page = open_page(context, rasa)
    page.wait_for_function(CONNECTED)
    first = parse_qs(urlsplit(rasa.sockets[0].url).query)
    assert "session" not in first  # a first visit: the server has not said it yet
    rasa.sockets[0].close()        # the server goes away: the widget reconnects
    deadline = time.monotonic() + 10
    while len(rasa.sockets) < 2:
        assert time.monotonic() < deadline, "the widget did not reconnect"
        page.wait_for_timeout(100)
    page.wait_for_function(CONNECTED)
    again = parse_qs(urlsplit(rasa.sockets[1].url).query)
    assert again["session"] == [CONVERSATION]
    assert again["transport"] == ["websocket"]
    assert secrets and all(secret not in rasa.sockets[1].url for secret in secrets)
    page.reload()                  # a new page: the stored conversation is named at once
    deadline = time.monotonic() + 10
    while len(rasa.sockets) < 3:
        assert time.monotonic() < deadline, "the reloaded page did not connect"
        page.wait_for_timeout(100)
    assert parse_qs(urlsplit(rasa.sockets[2].url).query)["session"] == [CONVERSATION]
