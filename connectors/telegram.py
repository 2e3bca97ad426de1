"""Telegram channel (`/webhooks/telegram/webhook`), through the Bot API over HTTP.

Replaces Rasa's own, which reads a shared location as plain text. Configured by
TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET (the `secret_token` given to setWebhook,
sent back in `X-Telegram-Bot-Api-Secret-Token`); TELEGRAM_API_URL for tests.
"""

from __future__ import annotations

import logging
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.dialogue.voice import SHARE_POSITION
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
CALLBACK_DATA_BYTES = 64
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SHARE_HINT = "Ou touchez le bouton ci-dessous pour partager votre position."


def chat_of(message: object) -> int | str | None:
    """The id of the chat a Message (or InaccessibleMessage) belongs to, if it has one."""
    chat = message.get("chat") if isinstance(message, dict) else None
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    return chat_id if isinstance(chat_id, (int, str)) and str(chat_id) else None


def button_text(message: object, data: object) -> str | None:
    """The text of the inline button of `message` whose callback_data is `data`."""
    markup = message.get("reply_markup") if isinstance(message, dict) else None
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    for row in rows if isinstance(rows, list) else []:
        for button in row if isinstance(row, list) else []:
            if isinstance(button, dict) and button.get("callback_data") == data:
                text = button.get("text")
                return text if isinstance(text, str) else None
    return None


class TelegramInput(MessagingInput):
    platform = "Telegram"

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, settings: dict[str, str] | None,
                 state: SharedState | None = None) -> None:
        settings = settings or {}
        client = None
        if settings:
            client = PlatformClient("telegram", RetrySettings.from_env())
            base = settings.get("TELEGRAM_API_URL") or DEFAULTS["TELEGRAM_API_URL"]
            self.api = f"{base.rstrip('/')}/bot{settings['TELEGRAM_BOT_TOKEN']}"
        self.secret = settings.get("TELEGRAM_WEBHOOK_SECRET", "")
        super().__init__(client, self.secret, state)
        self.payloads = ShortPayloads(self.state, CALLBACK_DATA_BYTES)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        return cls(env_settings(("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"),
                                ("TELEGRAM_API_URL",)))

    async def call(self, method: str, **params: Any) -> dict[str, Any] | None:
        assert self.client is not None
        return await self.client.post(f"{self.api}/{method}", method, json=params)

    # ------------------------------------------------------------------ inbound
    def add_routes(self, blueprint: Blueprint, handle: Handler) -> None:
        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.enabled:
                return self.disabled()
            given = request.headers.get(SECRET_HEADER)
            if given is None:
                return response.text("Jeton secret manquant.", status=401)
            if not same_secret(given, self.secret):
                return response.text("Jeton secret invalide.", status=403)
            update = self.json_body(request)
            if update is None or not isinstance(update.get("update_id"), int):
                return response.text("Mise à jour Telegram illisible.", status=400)
            if await self.first_time(str(update["update_id"])):
                await self.accept(update, handle)
            return response.json({})

    async def accept(self, update: dict[str, Any], handle: Handler) -> None:
        if isinstance(update.get("callback_query"), dict):
            await self.accept_button(update["callback_query"], handle)
            return
        message = update.get("message")
        chat_id = chat_of(message)
        if not isinstance(message, dict) or chat_id is None:
            return  # edited messages, channel posts, member updates: nothing to answer
        chat = str(chat_id)
        place = message.get("venue", {}).get("location") if isinstance(
            message.get("venue"), dict) else message.get("location")
        if isinstance(place, dict):
            text = location_message(place.get("latitude"), place.get("longitude"))
            if text is None:
                self.reply(chat, BAD_POSITION)
            else:
                self.start_turn(handle, text, chat)
        elif isinstance(message.get("text"), str) and message["text"].strip():
            text = message["text"].strip()
            self.start_turn(handle, "bonjour" if text.split("@")[0] == "/start" else text, chat)
        else:  # sticker, voice, photo, document, contact…
            self.reply(chat, UNSUPPORTED)

    async def accept_button(self, query: dict[str, Any], handle: Handler) -> None:
        message = query.get("message")
        chat = chat_of(message)
        if query.get("id"):  # stops the button's spinner
            self.tasks.spawn(self._answer_callback(str(query["id"])))
        if chat is None:
            return
        data = query.get("data")
        payload = await self.payloads.decode(data) if isinstance(data, str) else None
        if payload is None:  # a token from before a restart: the button's title will do
            payload = button_text(message, data)
        if payload:
            self.start_turn(handle, payload, str(chat))
        else:
            self.reply(str(chat), UNSUPPORTED)

    async def _answer_callback(self, query_id: str) -> None:
        await self.call("answerCallbackQuery", callback_query_id=query_id)

    # ------------------------------------------------------------------ outbound
    async def deliver(self, address: str, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            buttons, share = buttons_of(message)
            text = str(message.get("text") or "")
            if text or buttons:
                pieces = split_text(text, TEXT_LIMIT) or ["👇"]
                for piece in pieces[:-1]:
                    await self.call("sendMessage", chat_id=address, text=piece)
                extra: dict[str, Any] = {}
                if buttons:
                    extra["reply_markup"] = {"inline_keyboard": [
                        [{"text": clip(b["title"], 64),
                          "callback_data": await self.payloads.encode(b["payload"])}]
                        for b in buttons]}
                await self.call("sendMessage", chat_id=address, text=pieces[-1], **extra)
            if share:
                await self.call("sendMessage", chat_id=address, text=SHARE_HINT, reply_markup={
                    "keyboard": [[{"text": SHARE_POSITION["title"], "request_location": True}]],
                    "one_time_keyboard": True, "resize_keyboard": True})
            for item in mapped_items(message):
                details = item_details(item)
                where = {"chat_id": address, "latitude": float(item["latitude"]),
                         "longitude": float(item["longitude"])}
                if details:
                    await self.call("sendVenue", **where, title=clip(item_title(item), 100),
                                    address=clip(details, 100))
                else:
                    await self.call("sendLocation", **where)
            if message.get("image"):
                await self.call("sendPhoto", chat_id=address, photo=str(message["image"]))
