"""What the Telegram, WhatsApp and SMS channels share.

A messaging platform posts a webhook and expects a quick answer; the reply goes back through
the platform's HTTP API. So each channel: checks the request, forgets nothing twice (a
platform redelivers an update it thinks was lost), answers the webhook at once, then runs
the agent in a background task and sends what the bot said, retrying when the platform is
busy (429, honouring Retry-After) or failing (5xx), and logging when it gives up.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import aiohttp
from aiohttp_retry import ExponentialRetry, RetryClient
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.dialogue.french import distance_fr, french_date, time_fr
from bot.dialogue.payloads import Item, Payload, item_title, plan_items, read_payload
from bot.dialogue.voice import SHARE_POSITION
from connectors.edges import bound_requests
from connectors.guard import Handler, guarded
from connectors.state import SharedState, open_state
from knowledge.config import Settings, get_settings, setting, settings_of
from knowledge.geo import CoordinateError, check_coordinates

logger = logging.getLogger(__name__)

UNSUPPORTED = ("Je ne sais lire que du texte et les positions partagées. 🙂 Écrivez-moi votre "
               "question, ou partagez votre position.")
BAD_POSITION = "Je n'ai pas pu lire cette position. Pouvez-vous m'écrire le nom de votre commune ?"
SHARE_PAYLOAD = SHARE_POSITION["payload"]
DEDUP_SECONDS = 24 * 3600  # platforms redeliver for hours when they got no 200


# --------------------------------------------------------------------------- payloads
class ShortPayloads:
    """Button payloads longer than a platform allows travel as a short token, kept in the
    shared state (connectors/state.py) so that any instance can read the button back."""

    TTL = 7 * 24 * 3600

    def __init__(self, state: SharedState, max_bytes: int) -> None:
        self.state, self.max_bytes = state, max_bytes

    async def encode(self, payload: str) -> str:
        if len(payload.encode()) <= self.max_bytes:
            return payload
        token = "~" + hashlib.sha256(payload.encode()).hexdigest()[:24]
        await self.state.put(f"payload:{token}", payload, self.TTL)
        return token

    async def decode(self, data: str) -> str | None:
        """The payload, or None for a token the state does not know (expired, or a restart
        without Redis)."""
        return await self.state.get(f"payload:{data}") if data.startswith("~") else data


# --------------------------------------------------------------------------- inbound
def location_message(lat: object, lon: object) -> str | None:
    """`/share_location{"latitude": …, "longitude": …}` (docs/DESIGN.md §5), None if impossible."""
    try:
        flat, flon = check_coordinates(lat, lon)
    except CoordinateError:
        return None
    return "/share_location" + json.dumps({"latitude": flat, "longitude": flon})


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at a paragraph, a line or a word."""
    text = text.strip()
    pieces: list[str] = []
    while len(text) > limit:
        window = text[:limit + 1]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- outbound
def item_details(item: Mapping[str, Any]) -> str:
    """"Bavay · 0,3 km", with the date first for an event."""
    parts: list[str] = []
    if item.get("start"):
        with contextlib.suppress(ValueError):
            parts.append(french_date(datetime.fromisoformat(str(item["start"]))))
    if item.get("commune"):
        parts.append(str(item["commune"]))
    distance = distance_fr(item.get("distance_km"), item.get("coord_precision"))
    if distance:
        parts.append(distance)
    return " · ".join(parts)


def plan_of(message: dict[str, Any]) -> Payload | None:
    """The day plan a message carries (`type: "plan"`), if any."""
    custom = read_payload(message.get("custom"))
    return custom if custom is not None and custom["type"] == "plan" else None


def stop_lines(plan: Payload) -> list[str]:
    """A plan's stops as "10 h - Forum antique de Bavay", in order."""
    out = []
    for stop in cast(Sequence[Mapping[str, Any]], plan["items"]):
        with contextlib.suppress(ValueError, TypeError):
            at = time_fr(datetime.fromisoformat(str(stop["at"])))
            out.append(f"{at} - {item_title(stop['item'])}")
    return out


def mapped_items(message: dict[str, Any]) -> list[Item]:
    """The places, events or routes of a message (its `custom` payload, docs/contracts.md)
    that have coordinates and a name; a plan's stops are named with their time."""
    custom = read_payload(message.get("custom"))
    if custom is None:
        return []
    items = plan_items(custom)
    if custom["type"] == "plan":
        named = dict(zip([i.get("id") for i in items], stop_lines(custom), strict=False))
        items = [cast(Item, {**i, ("title" if "title" in i else "name"): named[i["id"]]})
                 for i in items if i.get("id") in named]
    return [i for i in items
            if location_message(i.get("latitude"), i.get("longitude")) and item_title(i)]


def buttons_of(message: dict[str, Any]) -> tuple[list[dict[str, str]], bool]:
    """The message's buttons without "share my position" (each platform offers that its own
    way), and whether it was there."""
    buttons = [b for b in message.get("buttons") or []
               if isinstance(b, dict) and b.get("title") and b.get("payload")]
    kept = [b for b in buttons if b["payload"] != SHARE_PAYLOAD]
    return kept, len(kept) != len(buttons)


class _Backoff(ExponentialRetry):
    """Exponential backoff that waits at least what a 429 asks (capped): the `Retry-After`
    header (Twilio, Meta), or Telegram's `parameters.retry_after` in the JSON body."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(evaluate_response_callback=self._settled, **kwargs)
        self._asked: dict[int, float] = {}

    async def _settled(self, response: aiohttp.ClientResponse) -> bool:
        """Called for statuses below 500: False (retry) for a 429, after reading its wait."""
        if response.status != 429:
            return True
        asked: Any = response.headers.get("Retry-After")
        if asked is None:
            with contextlib.suppress(Exception):
                body = json.loads(await response.read())
                asked = body["parameters"]["retry_after"]
        with contextlib.suppress(TypeError, ValueError):
            self._asked[id(response)] = float(asked)
        return False

    def get_timeout(self, attempt: int, response: aiohttp.ClientResponse | None = None,
                    ) -> float:
        wait = super().get_timeout(attempt, response)
        if response is not None:
            asked = self._asked.pop(id(response), None)
            if asked is not None and asked >= 0:
                wait = max(wait, min(asked, self._max_timeout))
            response.release()  # the retry loop drops it without releasing the connection
        return wait


@dataclass(frozen=True)
class RetrySettings:
    attempts: int = 4
    first_delay: float = 0.5
    max_delay: float = 30.0

    @classmethod
    def from_env(cls, settings: Settings | None = None) -> RetrySettings:
        """MESSAGING_RETRY_ATTEMPTS and MESSAGING_RETRY_DELAY (the project's settings)."""
        settings = settings or get_settings()
        return cls(settings.messaging_retry_attempts, settings.messaging_retry_delay)


class PlatformClient:
    """The channel's one aiohttp session (opened in the server's loop on first use)."""

    def __init__(self, platform: str, retry: RetrySettings, *,
                 headers: dict[str, str] | None = None,
                 auth: aiohttp.BasicAuth | None = None) -> None:
        self.platform, self.retry = platform, retry
        self._headers, self._auth = headers or {}, auth
        self._client: RetryClient | None = None

    def _session(self) -> RetryClient:
        if self._client is None:
            session = aiohttp.ClientSession(headers=self._headers, auth=self._auth,
                                            timeout=aiohttp.ClientTimeout(total=30))
            options = _Backoff(attempts=self.retry.attempts, start_timeout=self.retry.first_delay,
                               max_timeout=self.retry.max_delay,
                               exceptions={aiohttp.ClientError, asyncio.TimeoutError})
            self._client = RetryClient(client_session=session, retry_options=options,
                                       logger=logger)
        return self._client

    async def post(self, url: str, what: str, **kwargs: Any) -> dict[str, Any] | None:
        """POST (json= or data=); the decoded answer, or None once retries are spent.
        `what` names the call in logs (URLs may hold a token)."""
        try:
            async with self._session().post(url, **kwargs) as resp:
                body = await resp.text()
                if resp.status == 429 or resp.status >= 500:
                    logger.error("%s %s: échec HTTP %s après %d tentative(s) : %s",
                                 self.platform, what, resp.status, self.retry.attempts,
                                 body[:300])
                    return None
                if resp.status >= 400:  # not retried: the platform refuses this message
                    logger.error("%s %s: refusé, HTTP %s : %s", self.platform, what,
                                 resp.status, body[:300])
                    return None
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            logger.error("%s %s: plateforme injoignable après %d tentative(s) : %r",
                         self.platform, what, self.retry.attempts, exc)
            return None
        try:
            answer = json.loads(body) if body else {}
        except ValueError:
            answer = {}
        return answer if isinstance(answer, dict) else {}

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


class WholeMessages(CollectingOutputChannel):
    """Collects each bot message whole (text, buttons and custom payload together), so
    that a platform can render them as one."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        kept = {k: message[k] for k in ("text", "buttons", "quick_replies", "custom", "image")
                if message.get(k)}
        if "quick_replies" in kept:
            kept["buttons"] = kept.pop("quick_replies")
        if kept:
            await self._persist_message(kept)


class BackgroundTasks:
    """Tasks started after a webhook was answered; kept so that they are not garbage
    collected mid-way and can be awaited on shutdown."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("Échec d'un envoi en arrière-plan", exc_info=task.exception())

    async def drain(self, timeout: float = 15.0) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)


def env_settings(required: Iterable[str], optional: Iterable[str] = ()) -> dict[str, str] | None:
    """The variables' values ("" for an unset optional one), or None when a required one
    is missing: the channel stays disabled, and the log says which."""
    values = settings_of(required, optional)
    if values is None:
        missing = [name for name in required if not setting(name)]
        logger.info("Canal désactivé, variables manquantes : %s", ", ".join(missing))
    return values


def same_secret(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


class MessagingInput(InputChannel, abc.ABC):
    """A webhook channel that answers at once and sends the bot's replies afterwards.

    Subclasses set `platform` (a French name for messages), implement `add_routes` (the
    webhook itself) and `deliver` (native rendering), and call `start_turn` / `reply`."""

    platform = ""

    def __init__(self, client: PlatformClient | None, pseudonym_key: str,
                 state: SharedState | None = None) -> None:
        self.client = client
        self.tasks = BackgroundTasks()
        # Redis when REDIS_URL is set: every instance sees the dedup, tokens and choices.
        self.state = state if state is not None else open_state(setting("REDIS_URL"))
        self._key = pseudonym_key.encode()

    @property
    def enabled(self) -> bool:
        return self.client is not None

    def sender_id(self, address: str) -> str:
        """A stable pseudonym for the conversation: trackers never hold a phone number."""
        digest = hmac.new(self._key, address.encode(), hashlib.sha256).hexdigest()[:24]
        return f"{self.name()}-{digest}"

    async def first_time(self, platform_id: str) -> bool:
        """True the first time the platform delivers this update (by its id) in
        DEDUP_SECONDS, on whichever instance: a redelivery is not answered twice."""
        return await self.state.first_time(f"dedup:{self.name()}:{platform_id}", DEDUP_SECONDS)

    def disabled(self) -> HTTPResponse:
        return response.text(f"Canal {self.platform} non configuré.", status=503)

    @staticmethod
    def json_body(request: Request) -> dict[str, Any] | None:
        try:
            body = json.loads(request.body or b"")
        except (ValueError, UnicodeDecodeError):
            return None
        return body if isinstance(body, dict) else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        handle = guarded(on_new_message)
        blueprint = Blueprint(f"{self.name()}_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "disabled"})

        async def stop(*_: Any) -> None:
            await self.tasks.drain()
            if self.client is not None:
                await self.client.close()
            await self.state.close()

        blueprint.listener("before_server_stop")(stop)
        self.add_routes(blueprint, handle)
        return bound_requests(blueprint)

    def start_turn(self, handle: Handler, text: str, address: str) -> None:
        """Run the agent on `text` and send its replies to `address`, after the webhook."""
        self.tasks.spawn(self._turn(handle, text, address))

    async def _turn(self, handle: Handler, text: str, address: str) -> None:
        collector = WholeMessages()
        await handle(UserMessage(text, collector, self.sender_id(address),
                                 input_channel=self.name()))
        await self.deliver(address, collector.messages)

    def reply(self, address: str, text: str) -> None:
        """Answer without the agent (unsupported content)."""
        self.tasks.spawn(self.deliver(address, [{"text": text}]))

    @abc.abstractmethod
    def add_routes(self, blueprint: Blueprint, handle: Handler) -> None: ...

    @abc.abstractmethod
    async def deliver(self, address: str, messages: list[dict[str, Any]]) -> None: ...
