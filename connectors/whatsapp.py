"""WhatsApp Cloud API channel (`/webhooks/whatsapp/webhook`); Rasa has none.

Configured by WHATSAPP_TOKEN (a system user's access token), WHATSAPP_APP_SECRET (signs
each POST: `X-Hub-Signature-256`), WHATSAPP_VERIFY_TOKEN (answers Meta's GET verification)
and WHATSAPP_PHONE_NUMBER_ID; WHATSAPP_API_URL for tests.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.guard import Handler
from connectors.messaging import (
    BAD_POSITION,
    UNSUPPORTED,
    MessagingInput,
    PlatformClient,
    RetrySettings,
    ShortPayloads,
    buttons_of,
    clip,
    env_settings,
    item_details,
    item_title,
    location_message,
    mapped_items,
    same_secret,
    split_text,
)
from connectors.state import SharedState
from knowledge.config import DEFAULTS

logger = logging.getLogger(__name__)

TEXT_LIMIT = 4096
BODY_LIMIT = 1024  # interactive message body
MAX_BUTTONS, BUTTON_TITLE = 3, 20
MAX_ROWS, ROW_TITLE, ROW_DESCRIPTION = 10, 24, 72
ID_LIMIT = 200  # list row ids (reply button ids allow 256)
SHARE_HINT = "📍 Pour partager votre position : touchez 📎 puis « Position »."


class WhatsAppInput(MessagingInput):
    platform = "WhatsApp"

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def __init__(self, settings: dict[str, str] | None,
                 state: SharedState | None = None) -> None:
        settings = settings or {}
        client = None
        if settings:
            client = PlatformClient("whatsapp", RetrySettings.from_env(), headers={
                "Authorization": f"Bearer {settings['WHATSAPP_TOKEN']}"})
            base = settings.get("WHATSAPP_API_URL") or DEFAULTS["WHATSAPP_API_URL"]
            number = settings["WHATSAPP_PHONE_NUMBER_ID"]
            self.messages_url = f"{base.rstrip('/')}/{number}/messages"
        self.app_secret = settings.get("WHATSAPP_APP_SECRET", "")
        self.verify_token = settings.get("WHATSAPP_VERIFY_TOKEN", "")
        super().__init__(client, self.app_secret, state)
        self.payloads = ShortPayloads(self.state, ID_LIMIT)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WhatsAppInput:
        return cls(env_settings(("WHATSAPP_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN",
                                 "WHATSAPP_PHONE_NUMBER_ID"), ("WHATSAPP_API_URL",)))

    def signature(self, body: bytes) -> str:
        return "sha256=" + hmac.new(self.app_secret.encode(), body, hashlib.sha256).hexdigest()

    # ------------------------------------------------------------------ inbound
    def add_routes(self, blueprint: Blueprint, handle: Handler) -> None:
        @blueprint.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.enabled:
                return self.disabled()
            args = request.args
            if args.get("hub.mode") == "subscribe" and same_secret(
                    args.get("hub.verify_token"), self.verify_token):
                return response.text(args.get("hub.challenge") or "")
            return response.text("Vérification refusée.", status=403)

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.enabled:
                return self.disabled()
            given = request.headers.get("X-Hub-Signature-256")
            if given is None:
                return response.text("Signature manquante.", status=401)
            if not same_secret(given, self.signature(request.body or b"")):
                return response.text("Signature invalide.", status=403)
            body = self.json_body(request)
            if body is None or not isinstance(body.get("entry"), list):
                return response.text("Notification WhatsApp illisible.", status=400)
            for message in self.messages_of(body):
                if await self.first_time(str(message["id"])):
                    await self.accept(message, handle)
            return response.json({})

    @staticmethod
    def messages_of(body: dict[str, Any]) -> list[dict[str, Any]]:
        """The visitors' messages (delivery statuses and the rest are skipped)."""
        found = []
        for entry in body["entry"]:
            changes = entry.get("changes") if isinstance(entry, dict) else None
            for change in changes if isinstance(changes, list) else []:
                value = change.get("value") if isinstance(change, dict) else None
                messages = value.get("messages") if isinstance(value, dict) else None
                for message in messages if isinstance(messages, list) else []:
                    if isinstance(message, dict) and message.get("id") and message.get("from"):
                        found.append(message)
        return found

    async def accept(self, message: dict[str, Any], handle: Handler) -> None:
        sender, kind = str(message["from"]), message.get("type")
        if kind == "reaction":  # an emoji put on one of our messages: nothing to answer
            return
        content = message.get(kind) if isinstance(kind, str) else None
        content = content if isinstance(content, dict) else {}
        text: str | None = None
        if kind == "text":
            text = str(content.get("body") or "").strip() or None
        elif kind == "location":
            text = location_message(content.get("latitude"), content.get("longitude"))
            if text is None:
                self.reply(sender, BAD_POSITION)
                return
        elif kind == "interactive":
            choice = content.get(str(content.get("type")))
            if isinstance(choice, dict) and isinstance(choice.get("id"), str):
                text = await self.payloads.decode(choice["id"]) or choice.get("title")
        elif kind == "button":  # a template's quick reply
            text = content.get("payload") or content.get("text")
        if text:
            self.start_turn(handle, str(text), sender)
        else:  # sticker, audio, image, document, contacts…
            self.reply(sender, UNSUPPORTED)

    # ------------------------------------------------------------------ outbound
    async def send(self, to: str, kind: str, content: dict[str, Any]) -> None:
        assert self.client is not None
        await self.client.post(self.messages_url, f"message {kind}", json={
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
            "type": kind, kind: content})

    async def interactive(self, body: str, buttons: list[dict[str, str]]) -> dict[str, Any]:
        if len(buttons) <= MAX_BUTTONS and all(len(b["title"]) <= BUTTON_TITLE
                                               for b in buttons):
            return {"type": "button", "body": {"text": body}, "action": {"buttons": [
                {"type": "reply", "reply": {"id": await self.payloads.encode(b["payload"]),
                                            "title": b["title"]}} for b in buttons]}}
        if len(buttons) > MAX_ROWS:
            logger.warning("WhatsApp : %d choix, seuls les %d premiers sont proposés",
                           len(buttons), MAX_ROWS)
        rows = []
        for b in buttons[:MAX_ROWS]:
            row = {"id": await self.payloads.encode(b["payload"]),
                   "title": clip(b["title"], ROW_TITLE)}
            if row["title"] != b["title"]:
                row["description"] = clip(b["title"], ROW_DESCRIPTION)
            rows.append(row)
        return {"type": "list", "body": {"text": body},
                "action": {"button": "Choisir", "sections": [{"title": "Vos choix",
                                                              "rows": rows}]}}

    async def deliver(self, address: str, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            buttons, share = buttons_of(message)
            text = str(message.get("text") or "")
            if share:
                text = f"{text}\n\n{SHARE_HINT}".strip()
            if buttons:
                pieces = split_text(text, BODY_LIMIT) or ["👇"]
                for piece in pieces[:-1]:
                    await self.send(address, "text", {"body": piece})
                choices = await self.interactive(pieces[-1], buttons)
                await self.send(address, "interactive", choices)
            else:
                for piece in split_text(text, TEXT_LIMIT):
                    await self.send(address, "text", {"body": piece, "preview_url": False})
            for item in mapped_items(message):
                where = {"latitude": float(item["latitude"]),
                         "longitude": float(item["longitude"]), "name": item_title(item)}
                details = item_details(item)
                await self.send(address, "location", where | ({"address": details}
                                                              if details else {}))
            if message.get("image"):
                await self.send(address, "image", {"link": str(message["image"])})
