"""SMS channel through Twilio (`/webhooks/sms/webhook`), for where mobile data is poor.

Configured by TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN (signs each request:
`X-Twilio-Signature`), TWILIO_FROM (the number, or a Messaging Service SID "MG…"),
TWILIO_WEBHOOK_URL (the public URL Twilio calls, which it signs — needed behind a proxy)
and TWILIO_API_URL for tests.

Replies are one compact text per turn: choices are numbered ("Répondez 1, 2 ou 3") and a
digit answers the last choices given to that number; at most 3 segments; characters that
would switch the whole SMS to UCS-2 (70 characters a segment instead of 160) are replaced
when a GSM-7 equivalent exists.
"""

from __future__ import annotations

import json
import logging
import math
import re
import unicodedata
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from multidict import MultiDict
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.dialogue.payloads import Item, Payload
from connectors.guard import Handler
from connectors.messaging import (
    BAD_POSITION,
    MessagingInput,
    PlatformClient,
    RetrySettings,
    buttons_of,
    env_settings,
    item_details,
    item_title,
    location_message,
    mapped_items,
    plan_of,
    stop_lines,
)
from connectors.state import SharedState
from knowledge.config import DEFAULTS
from knowledge.text import strip_accents

logger = logging.getLogger(__name__)

MAX_SEGMENTS = 3
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# A Twilio webhook form: 1,600 characters of text (each up to 12 bytes percent-encoded),
# the numbers, ids and a few media URLs fit well within 32 KB.
MAX_FORM_BYTES = 32 * 1024
SIGNATURE = re.compile(r"[A-Za-z0-9+/]{27}=")  # base64 of an HMAC-SHA1 (20 bytes)
UNSUPPORTED_SMS = ("Je ne sais lire que du texte. Écrivez-moi votre question, ou le nom de "
                   "la commune où vous êtes.")
SHARE_HINT = "Ou écrivez le nom de votre commune."

# GSM 03.38: the basic set (1 septet each) and its extension (2 septets: escape + char).
GSM_BASIC = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
             "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENSION = "\f^{}\\[~]|€"
GSM = set(GSM_BASIC) | set(GSM_EXTENSION)
REPLACEMENTS = {"’": "'", "‘": "'", "‚": ",", "“": '"', "”": '"', "«": '"', "»": '"',
                "…": "...", "–": "-", "—": "-", "·": "-", "•": "-", "≈": "~", "→": "->",
                "\u00a0": " ", "\u202f": " ", "\u2009": " ", "œ": "oe", "Œ": "OE",
                "ç": "c", "°": "o"}
DIGIT = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")
CHOICES_SECONDS = 24 * 3600  # a digit answers the choices of the last day's last reply


def gsm_text(text: str) -> str:
    """`text` with what forces UCS-2 replaced (quotes, ellipsis, emoji, ê → e…), unless a
    character has no GSM-7 equivalent (a name in another script): then `text` is kept."""
    out = []
    for char in re.sub(r"«[\s\u00a0\u202f]*|[\s\u00a0\u202f]*»", '"', text):
        if char in GSM:
            out.append(char)
        elif char in REPLACEMENTS:
            out.append(REPLACEMENTS[char])
        elif unicodedata.category(char) in ("So", "Sk", "Cs", "Mn", "Cf") or char == "\ufe0f":
            continue  # emoji, pictograms, joiners and variation selectors
        else:
            base = strip_accents(char)
            if not base or any(c not in GSM for c in base):
                return text
            out.append(base)
    return re.sub(r"[ \t]{2,}", " ", re.sub(r"(?m)^[ \t]+", "", "".join(out))).strip()


def segments(text: str) -> int:
    """How many SMS segments `text` takes (GSM-7 160/153, UCS-2 70/67)."""
    if all(c in GSM for c in text):
        units = len(text) + sum(c in GSM_EXTENSION for c in text)
        single, multi = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
    return 1 if units <= single else math.ceil(units / multi)


def map_link(item: Item) -> str:
    return f"https://osm.org/?mlat={float(item['latitude']):.4f}&mlon={float(item['longitude']):.4f}"


def choices_text(titles: list[str], share: bool) -> str:
    lines = [f"{i}. {gsm_text(t)}" for i, t in enumerate(titles, 1)]
    numbers = [str(i) for i in range(1, len(titles) + 1)]
    if numbers:
        ask = ", ".join(numbers[:-1]) + " ou " + numbers[-1] if len(numbers) > 1 else numbers[0]
        lines.append(f"Répondez {ask}.")
    if share:
        lines.append(SHARE_HINT)
    return "\n".join(lines)


def plan_sms(plan: Payload) -> str:
    """A day plan in at most 3 segments: its title, the stops and times, the link to the
    plan's page (where the legs, hours and the .ics are); stops are dropped from the end
    if the names are too long, never the link."""
    stops = [gsm_text(line) for line in stop_lines(plan)]
    head = gsm_text(plan.get("title") or "Votre journée") + " :"
    link = f"Le plan complet : {plan.get('link', '')}".strip()
    for keep in range(len(stops), 0, -1):
        body = "\n".join([head, *stops[:keep], link])
        if segments(body) <= MAX_SEGMENTS:
            return body
    return "\n".join([head, link])


def compose(messages: list[dict[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    """One SMS for a turn's messages (≤ 3 segments) and the numbered choices it offers.

    A message with places, events or routes is written from its items ("- name (commune ·
    distance)" and a map link when it fits) instead of its numbered text, so that numbers
    only ever mean choices."""
    plans = [p for p in map(plan_of, messages) if p is not None]
    if plans:  # a day plan: its stops and times, and the link to the whole plan
        return plan_sms(plans[-1]), []
    blocks: list[str | list[Item]] = []
    buttons: list[dict[str, str]] = []
    share = False
    for message in messages:
        items = mapped_items(message)
        if items:
            blocks.append(items)
        elif message.get("text"):
            blocks.append(str(message["text"]))
        if message.get("buttons"):
            buttons, share = buttons_of(message)
    tail = choices_text([b["title"] for b in buttons], share)

    def render(links: bool, keep: int) -> str:
        parts: list[str] = []
        for block in blocks:
            if isinstance(block, str):
                parts.append(gsm_text(block))
                continue
            for item in block[:keep]:
                details = item_details(item)
                line = f"- {item_title(item)}" + (f" ({details})" if details else "")
                parts.append(gsm_text(line) + (f" {map_link(item)}" if links else ""))
        return "\n".join(p for p in [*parts, tail] if p)

    most = max((len(b) for b in blocks if isinstance(b, list)), default=0)
    for links, keep in [(True, most), *((False, k) for k in range(most, 0, -1))]:
        body = render(links, keep)
        if segments(body) <= MAX_SEGMENTS:
            return body, buttons
    body = render(False, 1)
    # Still too long: cut the text before the choices at a word.
    head, tail_part = (body[:-len(tail)].rstrip(), tail) if tail else (body, "")
    while head and segments(f"{head}...\n{tail_part}".strip()) > MAX_SEGMENTS:
        head = head[:int(len(head) * 0.9)].rsplit(" ", 1)[0]
    return f"{head}...\n{tail_part}".strip(), buttons


class SmsInput(MessagingInput):
    platform = "SMS"

    @classmethod
    def name(cls) -> str:
        return "sms"

    def __init__(self, settings: dict[str, str] | None,
                 state: SharedState | None = None) -> None:
        settings = settings or {}
        client = None
        if settings:
            sid, token = settings["TWILIO_ACCOUNT_SID"], settings["TWILIO_AUTH_TOKEN"]
            client = PlatformClient("sms", RetrySettings.from_env(),
                                    auth=aiohttp.BasicAuth(sid, token))
            base = settings.get("TWILIO_API_URL") or DEFAULTS["TWILIO_API_URL"]
            self.messages_url = f"{base.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
            sender = settings["TWILIO_FROM"]
            self.sender = ({"MessagingServiceSid": sender} if sender.startswith("MG")
                           else {"From": sender})
            self.validator = RequestValidator(token)
        self.webhook_url = settings.get("TWILIO_WEBHOOK_URL", "")
        super().__init__(client, settings.get("TWILIO_AUTH_TOKEN", ""), state)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SmsInput:
        return cls(env_settings(("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"),
                                ("TWILIO_API_URL", "TWILIO_WEBHOOK_URL")))

    # ------------------------------------------------------------------ inbound
    def add_routes(self, blueprint: Blueprint, handle: Handler) -> None:
        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.enabled:
                return self.disabled()
            given = request.headers.get("X-Twilio-Signature")
            if given is None:
                return response.text("Signature manquante.", status=401)
            # Twilio signs the form's parameters, so the form is parsed to check the
            # signature: before that, the header must look like one and the body be of a
            # size Twilio sends (a forged body costs at most MAX_FORM_BYTES of parsing).
            if not SIGNATURE.fullmatch(given):
                return response.text("Signature invalide.", status=403)
            if len(request.body or b"") > MAX_FORM_BYTES:
                return response.text("Formulaire trop volumineux.", status=413)
            # Twilio signs blank parameters too, which Sanic's request.form drops.
            try:
                pairs = parse_qsl((request.body or b"").decode(), keep_blank_values=True)
            except (UnicodeDecodeError, ValueError):
                return response.text("Formulaire illisible.", status=400)
            form = dict(pairs)
            # A MultiDict, so that a repeated parameter is signed with all its values.
            signed = MultiDict(pairs)
            if not self.validator.validate(self.webhook_url or request.url, signed, given):
                return response.text("Signature invalide.", status=403)
            if not form.get("From") or not form.get("MessageSid"):
                return response.text("Message Twilio incomplet (From, MessageSid).", status=400)
            if await self.first_time(str(form["MessageSid"])):
                await self.accept(form, handle)
            return response.text(EMPTY_TWIML, content_type="text/xml")

    # ------------------------------------------------------------------ numbered choices
    def _choices_key(self, address: str) -> str:
        return f"sms:choices:{self.sender_id(address)}"  # the pseudonym, not the number

    async def offered(self, address: str) -> list[str]:
        """The payloads the last reply to `address` numbered (in the shared state, so that
        the digit may reach another instance than the reply)."""
        stored = await self.state.get(self._choices_key(address))
        return list(json.loads(stored)) if stored else []

    async def offer(self, address: str, payloads: list[str]) -> None:
        await self.state.put(self._choices_key(address), json.dumps(payloads), CHOICES_SECONDS)

    async def accept(self, form: dict[str, Any], handle: Handler) -> None:
        sender, body = str(form["From"]), str(form.get("Body") or "").strip()
        if form.get("Latitude") and form.get("Longitude"):  # a location over Twilio WhatsApp
            text = location_message(form["Latitude"], form["Longitude"])
            if text is None:
                self.reply(sender, BAD_POSITION)
            else:
                self.start_turn(handle, text, sender)
            return
        if not body:
            if int(form.get("NumMedia") or 0) > 0:
                self.reply(sender, UNSUPPORTED_SMS)
            return
        digit = DIGIT.match(body)
        offered = await self.offered(sender) if digit else []
        if digit and offered:
            index = int(digit.group(1))
            if not 1 <= index <= len(offered):
                self.reply(sender, f"Répondez par un chiffre de 1 à {len(offered)}, ou écrivez "
                                   "votre question.")
                return
            body = offered[index - 1]
        # A new turn: its reply says which choices hold.
        await self.state.forget(self._choices_key(sender))
        self.start_turn(handle, body, sender)

    # ------------------------------------------------------------------ outbound
    async def deliver(self, address: str, messages: list[dict[str, Any]]) -> None:
        body, buttons = compose(messages)
        if buttons:
            await self.offer(address, [b["payload"] for b in buttons])
        if not body:
            return
        assert self.client is not None
        await self.client.post(self.messages_url, "Messages.json",
                               data={"To": address, **self.sender, "Body": body})
