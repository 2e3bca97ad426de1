"""The real widget in headless Chromium on a page and a socket.io server that Playwright
plays (no Rasa, no model): the widget's own behaviour tested quickly, its clock movable by
hand. `played_site(browser)` gives a browser context serving the page; `open_page` opens
it with a `FakeRasa`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Geolocation, Page, Route, WebSocketRoute

from tests.support.servers import ROOT

SITE = "http://localhost:9"  # a secure context (geolocation), served by the routes below
HERE: Geolocation = {"latitude": 50.29361, "longitude": 3.80312}   # 5 decimals: about 1 m
PAGE = (f'<!doctype html><html lang="fr"><head><title>Test</title></head><body>'
        f'<script src="{SITE}/widget.js" data-server="{SITE}" defer></script></body></html>')
CONNECTED = "document.querySelector('#mormal-chat-widget')?.dataset.state === 'connected'"
CARD = {"type": "places", "items": [{"id": "forum", "name": "Forum antique",
                                     "latitude": 50.2986, "longitude": 3.7911}]}


class FakeRasa:
    """Rasa's socket.io channel as the widget sees it: Engine.IO open, namespace connect,
    session confirmed; keeps what the widget sent and can answer."""

    def __init__(self, conversation: Callable[[str], str] = str) -> None:
        self.sockets: list[WebSocketRoute] = []
        self.said: list[str] = []
        self.conversation = conversation  # the id confirmed for a device's secret

    def __call__(self, ws: WebSocketRoute) -> None:
        self.sockets.append(ws)
        ws.on_message(lambda message: self._received(ws, str(message)))
        ws.send('0{"sid":"s","upgrades":[],"pingInterval":25000,"pingTimeout":20000}')

    def _received(self, ws: WebSocketRoute, packet: str) -> None:
        if packet == "40":
            ws.send('40{"sid":"n"}')
        elif packet.startswith("42"):
            name, data = json.loads(packet[2:])
            if name == "session_request":
                confirmed = self.conversation(data["session_id"])
                ws.send("42" + json.dumps(["session_confirm", confirmed]))
            elif name == "user_uttered":
                self.said.append(data["message"])

    def answer(self, message: dict[str, Any]) -> None:
        self.sockets[-1].send("42" + json.dumps(["bot_uttered", message]))


@contextmanager
def played_site(browser: Browser) -> Iterator[BrowserContext]:
    """A visitor at HERE who grants geolocation, on the played site."""
    ctx = browser.new_context(geolocation=HERE, permissions=["geolocation"], locale="fr-FR")
    ctx.set_default_timeout(10_000)
    widget = (ROOT / "connectors" / "widget" / "widget.js").read_text(encoding="utf-8")

    def site(route: Route) -> None:
        path = route.request.url[len(SITE):]
        if path == "/widget.js":
            route.fulfill(body=widget, content_type="text/javascript; charset=utf-8")
        elif path in ("", "/"):
            route.fulfill(body=PAGE, content_type="text/html; charset=utf-8")
        else:
            route.fulfill(status=204)  # the widget's click statistics

    ctx.route(f"{SITE}/**", site)
    yield ctx
    ctx.close()


def open_page(context: BrowserContext, rasa: FakeRasa) -> Page:
    page = context.pages[0] if context.pages else context.new_page()
    page.route_web_socket(re.compile(".*/socket.io/.*"), rasa)
    page.goto(SITE + "/")
    page.wait_for_function(CONNECTED)
    return page


def stored(page: Page) -> dict[str, Any]:
    raw = page.evaluate("localStorage.getItem(Object.keys(localStorage)[0])")
    return dict(json.loads(raw))
