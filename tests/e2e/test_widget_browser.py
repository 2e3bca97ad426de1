"""The website widget in a real headless Chromium, against the real servers (actions, Rasa,
web app): conversation with the mouse and with the keyboard only, geolocation granted at
Bavay and refused, reload and another page of the site, HTML injection, long-polling
fallback, reconnection after a network drop, axe-core audit, 200 % text, screenshots.
Slow: the servers start once for the module."""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
import urllib.request
import zlib
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from markupsafe import escape
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Dialog,
    Geolocation,
    Locator,
    Page,
    ViewportSize,
    WebSocketRoute,
    expect,
)

from analytics.config import CELL_LAT_STEP, CELL_LON_STEP, RETENTION_DAYS
from tests.support.browser import HostRecorder, chromium, describe, serious_violations
from tests.support.servers import ROOT, Servers, running_servers

pytestmark = pytest.mark.e2e

BAVAY: Geolocation = {"latitude": 50.2936, "longitude": 3.8031}
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_PHONE = "03 00 00 00 00"   # obviously not a real number
SCREENSHOTS = ROOT / "docs" / "screenshots"
DOTS_ANIMATION = ("() => getComputedStyle(document.querySelector('#mormal-chat-widget')"
                  ".shadowRoot.querySelector('.dots'), '::after').animationName")
CONNECTED = "document.querySelector('#mormal-chat-widget')?.dataset.state === 'connected'"
TIMEOUT = 30_000  # ms: a turn of the bot, with the action server and the model
PHONE: ViewportSize = {"width": 360, "height": 740}   # a typical phone
expect.set_options(timeout=TIMEOUT)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    workdir = tmp_path_factory.mktemp("widget")
    with running_servers(workdir, web=True) as s:
        # A museum whose name is an HTML injection, a few metres from the visitor, always
        # open, free, accessible with a label, with a phone, flagged as an example: its card
        # shows every badge.
        record = workdir / "hostile.json"
        record.write_text(json.dumps({
            "id": "poi-xss-test", "name": HOSTILE_NAME, "kinds": ["museum"],
            "interests": ["patrimoine", "culture"], "commune": "Bavay",
            "latitude": 50.29365, "longitude": 3.80315, "coord_precision": "exact",
            "opening_hours": {"specs": [{"days": ["mo", "tu", "we", "th", "fr", "sa", "su"],
                                         "opens": "00:00", "closes": "24:00"}]},
            "prices": {"free": True}, "phone": HOSTILE_PHONE,
            "accessibility": {"wheelchair": True, "pushchair": True,
                              "labels": ["Tourisme & Handicap"]},
            "is_example": True}))
        subprocess.run([sys.executable, "-m", "knowledge", "add", "lieu", "--file", str(record)],
                       cwd=ROOT, env=s.env, check=True, capture_output=True)
        yield s


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh visitor (empty storage) at Bavay who grants geolocation."""
    ctx = browser.new_context(geolocation=BAVAY, permissions=["geolocation"], locale="fr-FR",
                              viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(TIMEOUT)
    yield ctx
    ctx.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh visitor at Bavay who grants geolocation, on a typical 360×740 touch phone."""
    ctx = browser.new_context(geolocation=BAVAY, permissions=["geolocation"], locale="fr-FR",
                              viewport=PHONE, has_touch=True)
    ctx.set_default_timeout(TIMEOUT)
    yield ctx
    ctx.close()


class Visit:
    """A page of the demo site, with the dialogs and JS errors it produced."""

    def __init__(self, context: BrowserContext, url: str) -> None:
        self.page: Page = context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.hosts = HostRecorder()
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", self.hosts)
        self.page.goto(url)
        self.page.wait_for_function(CONNECTED, timeout=TIMEOUT)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    @property
    def panel(self) -> Locator:
        return self.page.locator("#mw-panel")

    @property
    def log(self) -> Locator:
        return self.page.locator("#mw-panel .log")

    def open(self) -> None:
        self.page.get_by_role("button", name="Discuter avec la famille").click()
        expect(self.panel).to_be_visible()

    def type(self, text: str) -> None:
        self.page.get_by_label("Votre message").fill(text)
        self.page.keyboard.press("Enter")

    def quick_reply(self, title: str) -> Locator:
        return self.page.locator(".qr").get_by_role("button", name=title, exact=True)

    def card(self, name: str) -> Locator:
        return self.page.locator(".card").filter(
            has=self.page.get_by_role("heading", name=name, exact=True))

    def focused(self) -> str:
        """Name of the element focused inside the widget's shadow root (its aria-label, or
        its text without the decorative parts, or its id)."""
        return str(self.page.evaluate("""() => {
            const a = document.querySelector('#mormal-chat-widget').shadowRoot.activeElement;
            if (!a) return '';
            const copy = a.cloneNode(true);
            copy.querySelectorAll('[aria-hidden]').forEach(e => e.remove());
            return a.getAttribute('aria-label') || copy.textContent || a.id;
        }"""))

    def tab_to(self, text: str, backwards: bool = False, limit: int = 60) -> None:
        for _ in range(limit):
            if self.focused().strip() == text:
                return
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
        raise AssertionError(f"never reached {text!r} with the keyboard")


def audit(visit: Visit, what: str) -> None:
    found = serious_violations(visit.page)
    assert not found, f"axe-core, {what}:\n{describe(found)}"


def socket_tap(context: BrowserContext) -> list[WebSocketRoute]:
    """The widget's socket.io connections, passed through to Rasa: a test can slip a
    `bot_uttered` message into the real stream with `send_custom`."""
    sockets: list[WebSocketRoute] = []

    def through(ws: WebSocketRoute) -> None:
        ws.connect_to_server()
        sockets.append(ws)

    context.route_web_socket(re.compile(".*/socket.io/.*"), through)
    return sockets


def send_custom(sockets: list[WebSocketRoute], payload: Mapping[str, object]) -> None:
    sockets[-1].send("42" + json.dumps(["bot_uttered", {"custom": payload}]))


def test_conversation_cards_reload_and_other_page(servers: Servers,
                                                   context: BrowserContext) -> None:
    v = Visit(context, servers.web_url + "/")
    audit(v, "closed widget")
    v.open()
    assert v.focused() == "mw-input"  # focus moves into the conversation
    audit(v, "open conversation")
    expect(v.log).to_contain_text("Conversation conservée 30 jours")  # privacy, first layer

    v.type("bonjour")
    expect(v.page.get_by_text("La famille écrit")).to_be_visible()
    expect(v.log.locator(".bot").nth(1)).to_contain_text("famille Dumoulin")
    expect(v.page.get_by_text("La famille écrit")).to_be_hidden()
    v.quick_reply("🏰 Que visiter ?").click()
    v.quick_reply("📍 Partager ma position").click()   # the browser's Geolocation API
    expect(v.log).to_contain_text("Position partagée")
    v.quick_reply("🖼️ Musées").click()
    forum = v.card("Forum antique de Bavay")
    expect(forum).to_be_visible()
    expect(forum).to_contain_text("Bavay")
    expect(forum).to_contain_text(re.compile(r"Bavay · à \d+(,\d)? k?m"))
    expect(v.log).to_contain_text("Les idées de Mamie Jeannine")
    # The bot's numbered list (for text-only channels) is not shown again above the cards,
    # and the next-step buttons come after the cards.
    expect(v.log.locator(".bot", has_text="Forum antique de Bavay")).to_have_count(0)
    expect(v.log.locator(".cards").last.locator("xpath=..").locator(
        "xpath=following-sibling::*[1]")).to_have_class("qr")
    assert v.page.evaluate(DOTS_ANIMATION) == "mw-blink"   # no reduced motion asked here
    route = forum.get_by_role("link", name=re.compile("^Itinéraire"))
    assert "openstreetmap.org/directions?route=50.2936%2C3.8031%3B50.2986%2C3.7911" in (
        route.get_attribute("href") or "")
    assert forum.get_by_role("link", name=re.compile("^Appeler")).get_attribute(
        "href") == "tel:0359731550"
    assert forum.get_by_role("link", name=re.compile("^Site web")).get_attribute(
        "href") == "https://forumantique.fr/"
    audit(v, "cards")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    expect(v.page.locator(".typing")).to_be_hidden()
    forum.scroll_into_view_if_needed()
    v.page.screenshot(path=SCREENSHOTS / "widget-desktop.png")

    forum.get_by_role("button", name=re.compile("^Cette idée me plaît")).click()
    expect(v.log.locator(".user").last).to_have_text(re.compile("👍$"))
    expect(v.log.locator(".bot").last).to_contain_text("Merci")
    assert v.hosts.hosts == {"127.0.0.1"}, v.hosts.hosts  # no third-party host
    keys = v.page.evaluate("Object.keys(localStorage)")
    assert len(keys) == 1 and keys[0].startswith("mormal-chat:")
    stored = json.loads(v.page.evaluate(f"localStorage.getItem({keys[0]!r})"))
    # The transcript is kept as data (re-rendered as text), never as HTML.
    assert {k for entry in stored["log"] for k in entry} <= {
        "who", "text", "payload", "pending", "buttons", "custom", "image", "rated", "covered"}
    assert {e["who"] for e in stored["log"]} == {"user", "bot"}

    v.page.reload()
    v.page.wait_for_function(CONNECTED)
    expect(v.panel).to_be_visible()  # still open, same conversation
    expect(v.card("Forum antique de Bavay")).to_be_visible()
    expect(v.log).to_contain_text("🖼️ Musées")

    v.page.goto(servers.web_url + "/decouvrir")
    v.page.wait_for_function(CONNECTED)
    expect(v.card("Forum antique de Bavay")).to_be_visible()
    v.type("encore")  # the bot remembers the position and the interest: same session
    expect(v.log.locator(".cards")).to_have_count(2)
    assert not v.errors and not v.dialogs, (v.errors, v.dialogs)


def test_keyboard_only_on_a_360_px_phone(servers: Servers, phone: BrowserContext) -> None:
    v = Visit(phone, servers.web_url + "/")
    kb = v.page.keyboard
    v.tab_to("Discuter avec la famille")
    kb.press("Enter")
    assert v.focused() == "mw-input"
    panel = v.panel.bounding_box()
    assert panel and panel["width"] <= 360 and panel["x"] >= 0  # full width on a phone
    kb.type("bonjour")
    kb.press("Enter")
    expect(v.quick_reply("🏰 Que visiter ?")).to_be_visible()
    v.tab_to("🏰 Que visiter ?", backwards=True)
    kb.press("Enter")
    expect(v.quick_reply("📍 Partager ma position")).to_be_visible()
    assert v.focused() == "mw-input"  # focus is not lost when the buttons go
    v.tab_to("📍 Partager ma position", backwards=True)
    kb.press("Enter")
    expect(v.quick_reply("🖼️ Musées")).to_be_visible()
    v.tab_to("🖼️ Musées", backwards=True)
    kb.press("Space")
    expect(v.card("Forum antique de Bavay")).to_be_visible()
    expect(v.page.locator(".typing")).to_be_hidden()
    v.card("Forum antique de Bavay").scroll_into_view_if_needed()
    v.page.screenshot(path=SCREENSHOTS / "widget-mobile-360.png")
    audit(v, "cards on a 360 px phone")
    v.page.set_viewport_size({"width": 320, "height": 640})   # the narrowest phones
    assert v.log.evaluate("el => el.scrollWidth - el.clientWidth") <= 0
    expect(v.page.get_by_role("button", name="Envoyer")).to_be_in_viewport()
    v.tab_to("Itinéraire : Forum antique de Bavay (nouvelle fenêtre)", backwards=True)
    # Full screen, the panel is modal: Tab does not wander to the page hidden behind it.
    assert v.panel.get_attribute("aria-modal") == "true"
    v.tab_to("Envoyer")
    kb.press("Tab")
    assert v.focused() == "Vie privée"
    kb.press("Shift+Tab")
    assert v.focused() == "Envoyer"
    v.tab_to("Vie privée")
    kb.press("Enter")
    # The notice states the figures analytics/ applies (retention, position cells).
    expect(v.page.locator("#mw-privacy")).to_contain_text(
        f"conservée {RETENTION_DAYS} jours")
    assert round(CELL_LAT_STEP * 111.2) == 1 and round(CELL_LON_STEP * 71.5) == 1
    expect(v.page.locator("#mw-privacy")).to_contain_text("zone d'environ 1 km")
    expect(v.page.locator("#mw-privacy")).to_contain_text(
        "uniquement à vous recommander")
    kb.press("Escape")   # closes the notice, focus back on its button
    assert v.focused() == "Vie privée"
    kb.press("Escape")   # closes the widget, focus back on the launcher
    expect(v.panel).to_be_hidden()
    assert v.focused() == "Discuter avec la famille"
    # Reload (F5): the conversation is still there, reached with the keyboard again.
    v.page.reload()
    v.page.wait_for_function(CONNECTED)
    v.tab_to("Discuter avec la famille")
    kb.press("Enter")
    assert v.focused() == "mw-input"
    expect(v.card("Forum antique de Bavay")).to_be_visible()
    kb.type("encore")
    kb.press("Enter")   # same session: the bot remembers the position and the interest
    expect(v.log.locator(".cards")).to_have_count(2)
    assert not v.errors, v.errors


def test_refused_geolocation_invites_to_type_the_town(servers: Servers,
                                                      browser: Browser) -> None:
    # No permission: the browser refuses. This visitor also asks for reduced motion.
    ctx = browser.new_context(locale="fr-FR", reduced_motion="reduce")
    ctx.set_default_timeout(TIMEOUT)
    try:
        v = Visit(ctx, servers.web_url + "/")
        v.open()
        assert v.page.evaluate(DOTS_ANIMATION) == "none"   # the typing dots do not blink
        v.page.locator(".tools").get_by_role("button", name="📍 Partager ma position").click()
        expect(v.log).to_contain_text("Votre position n'a pas été partagée")
        expect(v.log).to_contain_text("Écrivez simplement le nom de votre ville")
        assert v.focused() == "mw-input"
        v.type("je suis à Bavay")
        expect(v.log).to_contain_text("près de Bavay")
    finally:
        ctx.close()


def test_html_in_a_place_name_is_shown_as_text(servers: Servers,
                                               context: BrowserContext) -> None:
    v = Visit(context, servers.web_url + "/")
    v.open()
    v.page.locator(".tools").get_by_role("button", name="📍 Partager ma position").click()
    v.quick_reply("🖼️ Musées").click()
    hostile = v.card(HOSTILE_NAME)
    expect(hostile).to_be_visible()
    expect(hostile.get_by_role("heading")).to_have_text(HOSTILE_NAME)
    for badge in ("ouvert", "gratuit", "♿ fauteuil roulant", "🚼 poussette",
                  "Tourisme & Handicap", "exemple"):
        expect(hostile.locator(".badge", has_text=badge)).to_be_visible()
    assert v.panel.locator("img").count() == 0  # neither the seed nor the name has a photo
    hrefs = v.panel.locator("a").evaluate_all("els => els.map(e => e.href)")
    assert hrefs and all(re.match(r"(https?:|tel:|mailto:)", h) for h in hrefs), hrefs
    v.page.wait_for_timeout(500)
    assert not v.dialogs and not v.errors, (v.dialogs, v.errors)


def test_events_go_to_the_calendar(servers: Servers, context: BrowserContext,
                                   tmp_path: Path) -> None:
    v = Visit(context, servers.web_url + "/")
    v.open()
    v.type("je suis à Bavay")
    expect(v.log).to_contain_text("près de Bavay")
    v.type("quels événements le mois prochain ?")
    event = v.page.locator(".card").filter(has_text="Ajouter à mon agenda").first
    expect(event).to_be_visible()
    expect(event).to_contain_text("exemple")   # demo events are flagged
    title = event.get_by_role("heading").inner_text()
    with v.page.expect_download() as info, v.page.expect_request(
            lambda r: r.url == servers.web_url + "/api/interactions") as beacon:
        event.get_by_role("button", name="Ajouter à mon agenda").click()
    # The click is reported for analytics (text/plain body: no CORS preflight).
    click = json.loads(beacon.value.post_data or "{}")
    # the conversation's id the server confirmed (shown for erasure), not the device's secret
    session = v.page.evaluate(
        "JSON.parse(localStorage.getItem(Object.keys(localStorage)[0])).session")
    assert click["sender"] == session and click["type"] == "click"
    assert click["target"] == "calendar" and click["item"]
    path = tmp_path / "event.ics"
    info.value.save_as(path)
    ics = path.read_bytes().decode()
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert re.search(r"\r\nDTSTART:\d{8}T\d{6}Z\r\n", ics), ics
    assert re.search(r"\r\nDTEND:\d{8}T\d{6}Z\r\n", ics), ics
    unfolded = ics.replace("\r\n ", "")
    escaped = title.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    assert f"\r\nSUMMARY:{escaped}\r\n" in unfolded, ics
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n")), ics


def test_long_polling_when_websocket_is_unavailable(servers: Servers,
                                                    context: BrowserContext) -> None:
    context.add_init_script("window.WebSocket = undefined;")
    v = Visit(context, servers.web_url + "/")   # waits until connected
    v.open()
    v.type("je suis à Bavay")
    expect(v.log).to_contain_text("près de Bavay")
    assert not v.errors, v.errors


def test_reconnects_after_a_network_drop_and_sends_what_was_typed(
        servers: Servers, context: BrowserContext) -> None:
    sockets: list[WebSocketRoute] = []
    network = {"up": True}

    def through(ws: WebSocketRoute) -> None:
        if network["up"]:
            ws.connect_to_server()
            sockets.append(ws)
        else:
            ws.close()

    context.route_web_socket(re.compile(".*/socket.io/.*"), through)
    context.route(re.compile(".*/socket.io/.*"),   # the long-polling fallback too
                  lambda r: r.continue_() if network["up"] else r.abort())
    v = Visit(context, servers.web_url + "/")
    v.open()
    network["up"] = False
    for ws in sockets:
        ws.close()
    v.page.wait_for_function(
        "document.querySelector('#mormal-chat-widget').dataset.state !== 'connected'")
    v.type("je suis à Bavay")
    expect(v.page.locator(".status")).to_contain_text("dès le retour du réseau")
    network["up"] = True
    v.page.wait_for_function(CONNECTED)
    expect(v.log).to_contain_text("près de Bavay")   # the message was not lost
    expect(v.page.locator(".status")).to_have_text("")


def test_text_enlarged_to_200_percent(servers: Servers, context: BrowserContext) -> None:
    v = Visit(context, servers.web_url + "/")
    v.page.add_style_tag(content="html { font-size: 200% !important; }")
    v.open()
    v.type("je suis à Bavay")
    expect(v.log).to_contain_text("près de Bavay")
    size = v.page.evaluate("() => getComputedStyle(document.querySelector('#mormal-chat-widget')"
                           ".shadowRoot.querySelector('.mw')).fontSize")
    assert size == "32px"
    box = v.panel.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 1280
    overflow = v.log.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 0   # lines wrap; nothing is cut on the side
    send = v.page.get_by_role("button", name="Envoyer")
    expect(send).to_be_in_viewport()
    audit(v, "200 % text")


def test_fields_the_knowledge_base_would_refuse_are_still_neutralised(
        servers: Servers, context: BrowserContext, tmp_path: Path) -> None:
    """Defence in depth: a payload with hostile links and special characters, slipped
    into the real socket.io stream, renders only safe links and a well-escaped .ics."""
    sockets = socket_tap(context)
    photo = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64   # served by the test, never fetched outside
    context.route("https://photos.example/**",
                  lambda r: r.fulfill(status=200, content_type="image/png", body=photo))
    v = Visit(context, servers.web_url + "/")
    v.open()
    payloads = [
        {"type": "places", "speaker": "sophie", "items": [{
            "id": "p1", "name": "Ferme « test »", "commune": "Bavay", "distance_km": 0.45,
            "coord_precision": "exact", "url": "javascript:alert(3)",
            "phone": "03 27 <script>", "image": "https://photos.example/ferme.png",
            "map_url": "javascript:alert(4)", "open_now": False}]},
        {"type": "events", "speaker": "lea", "items": [{
            "id": "ev-1", "title": "Fête, marché; et \\ veillée\nnocturne",
            "start": "2030-07-14T21:00:00+02:00", "end": "2030-07-14T23:30:00+02:00",
            "url": "data:text/html,<script>alert(5)</script>", "commune": "Bavay",
            "venue": "Place <b>du</b> marché", "price": {"free": True},
            "latitude": 50.2936, "longitude": 3.8031}]},
    ]
    for payload in payloads:
        send_custom(sockets, payload)
    farm = v.card("Ferme « test »")
    expect(farm).to_contain_text("Bavay · à 500 m")
    expect(farm.locator(".badge")).to_have_text("fermé en ce moment")
    expect(v.log).to_contain_text("Les idées de Sophie")
    assert farm.get_by_role("link").evaluate_all("els => els.map(e => e.href)") == [
        "tel:0327"]   # no website, no directions from a javascript: map link
    assert farm.locator("img").get_attribute("src") == "https://photos.example/ferme.png"
    assert farm.locator("img").get_attribute("alt") == ""   # decorative: the name is text
    event = v.page.locator(".card").filter(has_text="Ajouter à mon agenda")
    expect(event).to_contain_text("dimanche 14 juillet, 21:00 – 23:30")
    expect(event).to_contain_text("Place <b>du</b> marché")
    expect(event).to_contain_text("gratuit")
    assert [link.get_attribute("href") for link in event.get_by_role("link").all()] == [
        "https://www.openstreetmap.org/directions?route=%3B50.2936%2C3.8031"]
    with v.page.expect_download() as info:
        event.get_by_role("button", name="Ajouter à mon agenda").click()
    info.value.save_as(tmp_path / "e.ics")
    ics = (tmp_path / "e.ics").read_bytes().decode().replace("\r\n ", "")
    assert "\r\nSUMMARY:Fête\\, marché\\; et \\\\ veillée\\nnocturne\r\n" in ics, ics
    assert "\r\nDTSTART:20300714T190000Z\r\nDTEND:20300714T213000Z\r\n" in ics, ics
    assert "\r\nLOCATION:Place <b>du</b> marché\\, Bavay\r\n" in ics, ics
    assert "URL:" not in ics and "data:" not in ics
    assert not v.dialogs and not v.errors, (v.dialogs, v.errors)


# ------------------------------------------------- cards worth reading, and their map (issue 14)
MEASURED = re.compile(r"\d+(,\d+)? ?k?m\b")  # a distance to the metre or the tenth of a km


def tiny_png() -> bytes:
    """A valid 8×8 PNG, answered by the test for a card's photo (never fetched outside)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x2e\x7d\x32" * 8 for _ in range(8))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def font_px(locator: Locator) -> float:
    return float(locator.evaluate("el => getComputedStyle(el).fontSize").removesuffix("px"))


def test_cards_and_their_map_on_a_phone_with_the_keyboard_only(servers: Servers,
                                                                phone: BrowserContext) -> None:
    """The museums around Bavay, as the bot finds them in the seeded base: what each card
    says, three cards on one phone screen, and the numbered map, reached with the keyboard."""
    v = Visit(phone, servers.web_url + "/")
    kb = v.page.keyboard
    v.tab_to("Discuter avec la famille")
    kb.press("Enter")
    v.tab_to("📍 Partager ma position")
    kb.press("Enter")
    expect(v.quick_reply("🖼️ Musées")).to_be_visible()
    v.tab_to("🖼️ Musées", backwards=True)
    kb.press("Enter")
    hostile, forum = v.card(HOSTILE_NAME), v.card("Forum antique de Bavay")
    hypocauste = v.card("Hypocauste de Bavay")   # known by its commune's centre only
    expect(forum).to_be_visible()
    expect(v.page.locator(".typing")).to_be_hidden()

    # What the base knows, and only that.
    expect(hostile.locator(".meta")).to_contain_text("Bavay · tout près")
    for badge in ("ouvert", "gratuit", "♿ fauteuil roulant", "🚼 poussette",
                  "Tourisme & Handicap", "exemple"):
        expect(hostile.locator(".badge", has_text=badge)).to_be_visible()
    call = hostile.get_by_role("link", name=f"Appeler : {HOSTILE_NAME}, {HOSTILE_PHONE}")
    expect(call).to_have_text(f"📞 {HOSTILE_PHONE}")
    assert call.get_attribute("href") == "tel:0300000000"
    expect(forum.locator(".meta")).to_contain_text(re.compile(r"^Bavay · à \d+(,\d)? km "))
    expect(forum.locator(".badge")).to_have_text(["horaires non communiqués"])  # no price
    expect(forum.get_by_role("link", name=re.compile("^Appeler"))).to_have_text(
        "📞 03 59 73 15 50")
    meta = hypocauste.locator(".meta")
    expect(meta).to_contain_text("à Bavay")
    assert not MEASURED.search(meta.inner_text()), meta.inner_text()
    expect(hypocauste.locator(".badge")).to_have_text(["horaires non communiqués"])
    route = hypocauste.get_by_role("link", name=re.compile("^Itinéraire"))
    expect(route).to_have_accessible_name(
        "Itinéraire (centre de la commune) : Hypocauste de Bavay (nouvelle fenêtre)")
    expect(forum.get_by_role("link", name=re.compile("^Itinéraire"))).to_have_text("Itinéraire")

    # Three cards on one screen of a 360×740 phone; 👍/👎 smaller than the words.
    cards = v.log.locator(".cards").last.locator(".card")
    n = cards.count()
    assert n >= 3
    expect(cards.locator(".num")).to_have_text([str(i) for i in range(1, n + 1)])
    cards.first.evaluate("el => el.scrollIntoView({block: 'start'})")
    first, third = cards.nth(0).bounding_box(), cards.nth(2).bounding_box()
    visible = v.log.evaluate("el => el.clientHeight")
    assert first and third
    assert third["y"] + third["height"] - first["y"] <= visible, (first, third, visible)
    for i in range(3):
        expect(cards.nth(i)).to_be_in_viewport(ratio=1)
    up = forum.get_by_role("button", name="Cette idée me plaît : Forum antique de Bavay")
    box = up.bounding_box()
    assert box and 24 <= box["height"] <= 32 and 24 <= box["width"] <= 32, box  # WCAG 2.5.8
    assert font_px(up) < font_px(forum.locator(".meta")) < font_px(forum.get_by_role("heading"))
    v.page.screenshot(path=SCREENSHOTS / "widget-cards-360.png")

    # The map: opened with the keyboard, one numbered marker per card, on the communes.
    v.tab_to(f"Voir sur la carte ({n} idées)", backwards=True)
    kb.press("Enter")
    svg = v.log.locator(".map").last.locator("svg")
    expect(svg).to_be_visible()
    expect(svg.locator(".mk")).to_have_count(n)   # every place of the seed has coordinates
    expect(svg.locator(".mk text")).to_have_text([str(i) for i in range(1, n + 1)])
    expect(svg.locator(".mk.approx")).not_to_have_count(0)   # the Hypocauste at least
    expect(svg.locator("circle.t")).to_have_count(52)        # the communes of the territory
    expect(svg.locator("text.l", has_text="Le Quesnoy")).to_have_count(1)
    expect(svg.locator("rect.you")).to_have_count(1)          # the shared position
    names = cards.get_by_role("heading").all_inner_texts()
    label = svg.get_attribute("aria-label") or ""
    assert label.startswith(f"Carte : 1. {names[0]}") and f"{n}. {names[-1]}" in label
    assert "Hypocauste de Bavay (centre de la commune)" in label
    expect(v.log.locator(".map figcaption").last).to_contain_text("centre de la commune")
    svg.scroll_into_view_if_needed()
    v.page.screenshot(path=SCREENSHOTS / "widget-map-360.png")
    audit(v, "cards and map on a 360 px phone")
    assert v.log.evaluate("el => el.scrollWidth - el.clientWidth") <= 0

    v.tab_to("Cette idée me plaît : Forum antique de Bavay", backwards=True)
    kb.press("Enter")
    expect(v.log.locator(".user").last).to_have_text(re.compile("👍$"))
    assert v.hosts.hosts == {"127.0.0.1"}, v.hosts.hosts   # the map's data included
    assert not v.errors, v.errors


def test_every_field_of_a_card_and_the_map_at_200_percent(servers: Servers,
                                                          context: BrowserContext) -> None:
    """A payload with every field the contract allows, slipped into the real stream: photo,
    closed, a price as text, not accessible, a label, an international phone number, a place
    known by its commune farther than 3 km, one with no coordinates; text at 200 %."""
    sockets = socket_tap(context)
    photo = servers.web_url + "/photo-de-test.png"   # 127.0.0.1, answered by the test
    context.route(photo, lambda r: r.fulfill(status=200, content_type="image/png",
                                             body=tiny_png()))
    v = Visit(context, servers.web_url + "/")
    v.page.add_style_tag(content="html { font-size: 200% !important; }")
    v.open()
    base = {"kind": "mill", "kinds": ["mill"], "interests": ["patrimoine"], "url": None,
            "summary": None, "map_url": None, "is_example": False, "pushchair": None,
            "accessibility_labels": []}
    send_custom(sockets, {"type": "places", "speaker": "jeannine", "items": [
        {**base, "id": "t-moulin", "name": "Moulin de test", "commune": "Le Quesnoy",
         "distance_km": 12.64, "latitude": 50.2483, "longitude": 3.6386,
         "coord_precision": "commune", "open_now": False, "price": {"text": "de 3 à 5 €"},
         "accessible": False, "accessibility_labels": ["Tourisme & Handicap"],
         "phone": "+33 3 27 00 00 00", "image": photo},
        {**base, "id": "t-ferme", "name": "Ferme sans coordonnées", "commune": "Bavay",
         "distance_km": None, "coord_precision": None, "open_now": None, "price": None,
         "accessible": None, "phone": None, "image": None},
        {**base, "id": "t-jardin", "name": "Jardin précis", "commune": "Bavay",
         "distance_km": 2.44, "latitude": 50.3, "longitude": 3.78, "coord_precision": "exact",
         "open_now": True, "price": {"free": True, "text": "sauf expositions"},
         "accessible": True, "pushchair": True, "phone": None, "image": None}]})
    mill, farm, garden = (v.card("Moulin de test"), v.card("Ferme sans coordonnées"),
                          v.card("Jardin précis"))
    expect(mill.locator(".meta")).to_contain_text("au Quesnoy, environ 13 km")
    assert "12,6" not in mill.inner_text()
    for badge in ("fermé en ce moment", "tarif : de 3 à 5 €", "♿ pas accessible en fauteuil",
                  "🏅 Tourisme & Handicap"):
        expect(mill.locator(".badge", has_text=badge)).to_be_visible()
    expect(mill.locator(".sr", has_text="Label d'accessibilité")).to_have_count(1)
    assert mill.get_by_role("link", name="Appeler : Moulin de test, +33 3 27 00 00 00"
                            ).get_attribute("href") == "tel:+33327000000"
    expect(mill.get_by_role("link", name=re.compile("^Itinéraire"))).to_have_text(
        "Itinéraire (centre de la commune)")
    assert mill.locator("img").get_attribute("src") == photo
    expect(mill.locator("img")).to_have_js_property("naturalWidth", 8)   # the photo is shown
    expect(farm.locator(".meta")).to_have_text("Bavay horaires non communiqués")
    expect(farm.get_by_role("link")).to_have_count(0)   # no coordinates, no map link: no route
    expect(garden.locator(".meta")).to_contain_text("Bavay · à 2,4 km")
    expect(garden.locator(".badge", has_text="gratuit (sauf expositions)")).to_be_visible()

    summary = v.log.locator(".map summary").last
    expect(summary).to_have_text("🗺️ Voir sur la carte (2 idées)")   # the farm has no point
    summary.click()
    svg = v.log.locator(".map svg").last
    expect(svg.locator(".mk")).to_have_count(2)
    expect(svg.locator(".mk text")).to_have_text(["1", "3"])   # the numbers of their cards
    expect(svg.locator(".mk.approx text")).to_have_text("1")   # the mill: its commune's centre
    expect(svg.locator("rect.you")).to_have_count(0)           # no position shared here
    assert v.page.evaluate("() => getComputedStyle(document.querySelector('#mormal-chat-widget')"
                           ".shadowRoot.querySelector('.mw')).fontSize") == "32px"
    assert v.log.evaluate("el => el.scrollWidth - el.clientWidth") <= 0   # nothing cut
    map_box, log_box = svg.bounding_box(), v.log.bounding_box()
    assert map_box and log_box and map_box["width"] <= log_box["width"]
    audit(v, "every field of a card and the map at 200 %")
    assert v.hosts.hosts == {"127.0.0.1"}, v.hosts.hosts
    assert not v.errors and not v.dialogs, (v.errors, v.dialogs)


# ------------------------------------------------------------------ a day plan (issue 14)
PLAN_ASK = "on a une journée à Bavay, vous proposez quoi ?"


def clock(iso: str) -> str:
    """"10 h", "12 h 30": the hour written in the ISO string (its Paris offset)."""
    at = datetime.fromisoformat(iso)
    return f"{at.hour} h" + (f" {at.minute:02d}" if at.minute else "")


def leg_words(stop: dict[str, Any], before: dict[str, Any] | None) -> str | None:
    """The leg from the stop `before`, as a visitor reads it ("800 m à pied", "sur place";
    "environ 16 km en voiture", "dans la même commune" when either end is commune-level)."""
    km = stop.get("leg_km")
    if km is None:
        return None
    how = "à pied" if stop.get("leg_mode") == "pied" else "en voiture"
    if any(s and s["item"].get("coord_precision") == "commune" for s in (stop, before)):
        commune = stop["item"].get("commune")
        if km < 1 and before and commune and commune == before["item"].get("commune"):
            return "dans la même commune"
        return f"environ {max(1, round(km))} km {how}"
    if km < 0.2:
        return "sur place"
    length = (f"{round(km * 10) * 100} m" if km < 1
              else f"{km:.1f}".removesuffix(".0").replace(".", ",") + " km")
    return f"{length} {how}"


def located(stop: dict[str, Any]) -> bool:
    return all(isinstance(stop["item"].get(k), float | int) for k in ("latitude", "longitude"))


def stored_plan(v: Visit) -> dict[str, Any]:
    """The last plan the widget received, as it keeps it (its transcript in localStorage)."""
    (raw,) = v.page.evaluate("Object.values(localStorage)")
    plans = [e["custom"] for e in json.loads(raw)["log"]
             if (e.get("custom") or {}).get("type") == "plan"]
    assert plans, raw
    return dict(plans[-1])


def check_timeline(v: Visit, plan: dict[str, Any]) -> Locator:
    """The last plan of the conversation shows `plan`: its title, one entry per stop in
    order (time, label, name, unknown hours, the leg before it), its gaps. Returns it."""
    box = v.log.locator(".plan").last
    stops = plan["items"]
    expect(box.get_by_role("heading", name=plan["title"], exact=True)).to_be_visible()
    entries = box.locator("ol > li")
    expect(entries).to_have_count(len(stops))
    times = entries.locator("time")
    expect(times).to_have_text([clock(s["at"]) for s in stops])
    assert times.evaluate_all("els => els.map(e => e.dateTime)") == [s["at"] for s in stops]
    expect(entries.locator(".at")).to_have_text([f"{clock(s['at'])} · {s['label']}"
                                                 for s in stops])
    expect(entries.get_by_role("heading")).to_have_text(
        [s["item"].get("name") or s["item"]["title"] for s in stops])
    expect(entries.locator(".num")).to_have_text([str(i) for i in range(1, len(stops) + 1)])
    for n, (entry, stop) in enumerate(zip(entries.all(), stops, strict=True)):
        expect(entry.locator(".badge", has_text="horaires non communiqués")).to_have_count(
            0 if stop["hours_known"] else 1)
        leg = leg_words(stop, stops[n - 1] if n else None)
        expect(entry.locator(".leg")).to_have_count(1 if leg else 0)
        if leg:
            expect(entry.locator(".leg")).to_have_text(f"↓ Trajet : {leg}")
    expect(box.locator(".gap")).to_have_text(
        [f"Je ne connais pas {g} : l'office de tourisme saura vous conseiller."
         for g in plan["gaps"]])
    return box


def test_a_day_plan_as_a_timeline_on_a_phone_with_the_keyboard_only(
        servers: Servers, phone: BrowserContext, tmp_path: Path) -> None:
    """The real bot's plan for a day at Bavay, typed and read with the keyboard only on a
    360×740 phone: the timeline, its calendar file from the web app, its numbered map."""
    v = Visit(phone, servers.web_url + "/")
    kb = v.page.keyboard
    v.tab_to("Discuter avec la famille")
    kb.press("Enter")
    assert v.focused() == "mw-input"
    kb.type(PLAN_ASK)
    kb.press("Enter")
    expect(v.log.locator(".plan")).to_be_visible()
    expect(v.page.locator(".typing")).to_be_hidden()
    plan = stored_plan(v)
    stops = plan["items"]
    assert 2 <= len(stops) <= 4, stops
    starts = [datetime.fromisoformat(s["at"]) for s in stops]
    assert starts == sorted(set(starts)), starts   # in increasing order
    box = check_timeline(v, plan)
    expect(v.log).to_contain_text("Le plan de Léa")
    # The numbered lines sent for text-only channels are not shown again above it.
    first = stops[0]["item"].get("name") or stops[0]["item"]["title"]
    expect(v.log.locator(".msg.bot", has_text=first)).to_have_count(0)

    # Its page and its calendar file, on the web app the servers run (WEB_PUBLIC_URL).
    page = box.get_by_role("link", name="Voir le plan complet (nouvelle fenêtre)")
    ics = box.get_by_role("link", name="Ajouter à mon agenda (.ics)", exact=True)
    assert page.get_attribute("href") == plan["link"]
    assert ics.get_attribute("href") == plan["ics"]
    assert ics.get_attribute("download") == f"plan-{plan['day']}.ics"
    for url, path in ((plan["link"], "/plan"), (plan["ics"], "/plan.ics")):
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == servers.web_url and parts.path == path
        assert f"jour={plan['day']}" in parts.query and "etapes=" in parts.query
    with urllib.request.urlopen(plan["link"], timeout=30) as r:   # the page names the stops
        assert r.headers.get_content_type() == "text/html"
        assert str(escape(first)) in r.read().decode()

    # One 360 px phone screen: nothing cut on the side; the title and first stop in view.
    panel = v.panel.bounding_box()
    assert panel and panel["width"] <= 360
    assert v.log.evaluate("el => el.scrollWidth - el.clientWidth") <= 0
    box.evaluate("el => el.scrollIntoView({block: 'start'})")
    expect(box.locator("ol > li").first.locator(".at")).to_be_in_viewport(ratio=1)
    v.page.screenshot(path=SCREENSHOTS / "widget-plan-360.png")
    audit(v, "a day plan on a 360 px phone")

    # The keyboard only: the calendar file (from the web app), then the map.
    v.tab_to("Ajouter à mon agenda (.ics)", backwards=True)
    with v.page.expect_download() as info:
        kb.press("Enter")
    info.value.save_as(tmp_path / "plan.ics")
    text = (tmp_path / "plan.ics").read_bytes().decode().replace("\r\n ", "")
    assert text.count("BEGIN:VEVENT") == len(stops), text
    assert all(s["id"] in text for s in stops), text
    with urllib.request.urlopen(plan["ics"], timeout=30) as r:
        assert r.headers.get_content_type() == "text/calendar"
    n = sum(located(s) for s in stops)
    v.tab_to(f"Voir sur la carte ({n} étape{'s' if n > 1 else ''})")
    kb.press("Enter")
    svg = box.locator(".map svg")
    expect(svg).to_be_visible()
    expect(svg.locator(".mk")).to_have_count(n)   # one marker per stop with coordinates
    expect(svg.locator(".mk text")).to_have_text(
        [str(i) for i, s in enumerate(stops, 1) if located(s)])
    expect(svg.locator("polyline.way")).to_have_count(1 if n > 1 else 0)   # in their order
    assert (svg.get_attribute("aria-label") or "").startswith(f"Carte : 1. {first}")
    expect(box.locator("figcaption")).to_contain_text("les étapes ci-dessus")
    audit(v, "the plan's map on a 360 px phone")
    assert v.log.evaluate("el => el.scrollWidth - el.clientWidth") <= 0
    assert v.hosts.hosts == {"127.0.0.1"}, v.hosts.hosts
    assert not v.errors and not v.dialogs, (v.errors, v.dialogs)


def test_a_day_plan_at_200_percent_in_another_time_zone(servers: Servers,
                                                        browser: Browser) -> None:
    """Text at 200 %, in a browser set to New York time: the real plan, then one slipped into
    the stream with what the bot's did not have (a lunch known only by its commune, an
    event, a stop without coordinates, a gap, a link that is not http)."""
    ctx = browser.new_context(locale="fr-FR", timezone_id="America/New_York",
                              viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(TIMEOUT)
    try:
        sockets = socket_tap(ctx)
        v = Visit(ctx, servers.web_url + "/")
        v.page.add_style_tag(content="html { font-size: 200% !important; }")
        v.open()
        v.type(PLAN_ASK)
        expect(v.log.locator(".plan")).to_be_visible()
        check_timeline(v, stored_plan(v))   # Paris times, whatever the browser's zone

        place = {"kind": "museum", "kinds": ["museum"], "interests": [], "commune": "Bavay",
                 "distance_km": 0.3, "coord_precision": "exact", "open_now": False,
                 "price": None, "accessible": True, "pushchair": None,
                 "accessibility_labels": [], "url": None, "phone": None, "image": None,
                 "summary": "Ne s'affiche pas dans un plan.", "map_url": None,
                 "is_example": False}

        def stop(at: str, label: str, kind: str, item: dict[str, Any],
                 leg: float | None, mode: str | None, known: bool) -> dict[str, Any]:
            return {"id": item["id"], "slot": "visit", "label": label, "item_type": kind,
                    "at": f"2030-07-14T{at}:00+02:00", "end": f"2030-07-14T{at}:00+02:00",
                    "item": item, "leg_km": leg, "leg_mode": mode, "hours_known": known}

        plan = {"type": "plan", "speaker": "lea", "title": "Journée de test, 14 juillet",
                "day": "2030-07-14", "span": "day",
                "gaps": ["une balade ou une sortie pour l'après-midi à moins de 12 km"],
                "link": "javascript:alert(1)",
                "ics": servers.web_url + "/plan.ics?jour=2030-07-14",
                "items": [
                    stop("09:30", "Visite", "places", {
                        **place, "id": "t-musee", "name": "Musée <b>test</b>",
                        "latitude": 50.2936, "longitude": 3.8031}, None, None, True),
                    stop("12:30", "Déjeuner", "places", {
                        **place, "id": "t-estaminet", "name": "Estaminet « test »",
                        "latitude": 50.2983, "longitude": 3.7932,
                        "coord_precision": "commune"}, 0.8, "pied", False),
                    stop("14:00", "Événement", "events", {
                        "id": "t-fete", "title": "Fête sans coordonnées",
                        "start": "2030-07-14T14:00:00+02:00",
                        "end": "2030-07-14T17:00:00+02:00", "venue": "Grand-Place",
                        "commune": "Bavay", "url": None}, 0.1, "pied", True),
                    stop("20:00", "Balade", "routes", {
                        "id": "t-balade", "name": "Balade du soir", "mode": "hike",
                        "length_km": 4.0, "duration_min": 70, "commune": "Houdain-lez-Bavay",
                        "latitude": 50.33, "longitude": 3.78}, 6.0, "voiture", True),
                ]}
        send_custom(sockets, plan)
        box = check_timeline(v, plan)
        expect(box.locator("time")).to_have_text(["9 h 30", "12 h 30", "14 h", "20 h"])
        # the lunch is known only by its commune: its legs are not measured to 100 m
        # (tests/e2e/test_widget_plan_legs.py has "800 m à pied" and "sur place")
        expect(box.locator(".leg")).to_have_text(["↓ Trajet : dans la même commune",
                                                  "↓ Trajet : dans la même commune",
                                                  "↓ Trajet : 6 km en voiture"])
        expect(box.get_by_role("heading", name="Musée <b>test</b>")).to_be_visible()
        # A stop is a compact card: no summary, no "open now", no event date, no second
        # calendar button (the plan has one), no distance (its leg says it).
        expect(box).not_to_contain_text("Ne s'affiche pas")
        expect(box).not_to_contain_text("fermé en ce moment")
        expect(box).not_to_contain_text("juillet, 14:00")
        expect(box.get_by_role("button", name="Ajouter à mon agenda")).to_have_count(0)
        expect(box.locator(".meta").first).to_have_text("Bavay ♿ fauteuil roulant")
        expect(box.get_by_role("link", name=re.compile("^Voir le plan"))).to_have_count(0)
        expect(box.get_by_role("link", name="Ajouter à mon agenda (.ics)")).to_have_count(1)
        summary = box.locator(".map summary")
        expect(summary).to_have_text("🗺️ Voir sur la carte (3 étapes)")
        summary.click()
        expect(box.locator(".map .mk text")).to_have_text(["1", "2", "4"])
        assert v.page.evaluate("() => getComputedStyle(document.querySelector("
                               "'#mormal-chat-widget').shadowRoot.querySelector('.mw'))"
                               ".fontSize") == "32px"
        assert v.log.evaluate("el => el.scrollWidth - el.clientWidth") <= 0   # nothing cut
        for entry in box.locator("ol > li").all():
            entry_box, log_box = entry.bounding_box(), v.log.bounding_box()
            assert entry_box and log_box and entry_box["width"] <= log_box["width"]
        audit(v, "a day plan at 200 %")
        assert v.hosts.hosts == {"127.0.0.1"}, v.hosts.hosts
        assert not v.errors and not v.dialogs, (v.errors, v.dialogs)
    finally:
        ctx.close()
