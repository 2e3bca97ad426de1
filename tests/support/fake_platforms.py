"""A local stand-in for the Telegram Bot API, the WhatsApp Cloud API and Twilio's REST API.

An aiohttp app on 127.0.0.1, in a thread of its own (so that synchronous tests and the Rasa
server in another process can both use it), that records every request the connectors send
and answers like the platform would; `fail_next` makes it answer 429 or 5xx a few times.
Routes: /telegram/bot<token>/<method>, /whatsapp/<phone id>/messages,
/twilio/2010-04-01/Accounts/<sid>/Messages.json.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    json: dict[str, Any] | None = None
    form: dict[str, str] = field(default_factory=dict)
    status: int = 200

    @property
    def platform(self) -> str:
        return self.path.strip("/").split("/", 1)[0]

    @property
    def action(self) -> str:
        """The Bot API method, the WhatsApp message type, or "sms"."""
        if self.platform == "telegram":
            return self.path.rsplit("/", 1)[1]
        if self.platform == "whatsapp":
            return str((self.json or {}).get("type"))
        return "sms"

    @property
    def to(self) -> str:
        """Who the message is for."""
        body = self.json or {}
        return str(body.get("chat_id") or body.get("to") or self.form.get("To") or "")


class FakePlatforms:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._failures: list[tuple[int, str | None, bool]] = []
        self._lock = threading.Lock()
        self.url = ""

    def fail_next(self, times: int, status: int = 500, retry_after: str | None = None,
                  in_body: bool = False) -> None:
        """The next `times` requests fail; a 429's wait goes in the `Retry-After` header, or
        with `in_body` where Telegram puts it: `parameters.retry_after` (and no header)."""
        with self._lock:
            self._failures = [(status, retry_after, in_body)] * times

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
            self._failures.clear()

    def sent(self, to: str | int | None = None, platform: str | None = None,
             ok: bool = True) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if (to is None or r.to == str(to))
                    and (platform is None or r.platform == platform)
                    and (not ok or r.status < 400)]

    def wait_for(self, check: Callable[[], Any], timeout: float = 90) -> Any:
        """Poll until `check()` is truthy; its value, or AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"nothing after {timeout:.0f} s; received: {self.requests}")

    def quiet(self, seconds: float = 1.5) -> int:
        """Wait until no request has arrived for `seconds` (earlier turns have finished);
        how many requests have arrived then."""
        count, since = -1, time.monotonic()
        while time.monotonic() - since < seconds:
            if len(self.requests) != count:
                count, since = len(self.requests), time.monotonic()
            time.sleep(0.1)
        return count

    async def _handle(self, request: web.Request) -> web.Response:
        record = Recorded(request.method, request.path, dict(request.headers))
        if request.content_type == "application/json":
            record.json = await request.json()
        else:
            record.form = {k: str(v) for k, v in (await request.post()).items()}
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
            if failure:
                record.status = failure[0]
            self.requests.append(record)
        if failure:
            status, retry_after, in_body = failure
            if in_body and retry_after is not None:  # the Bot API's flood-control answer
                return web.json_response({
                    "ok": False, "error_code": status,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": int(float(retry_after))}}, status=status)
            headers = {"Retry-After": retry_after} if retry_after is not None else {}
            return web.json_response({"ok": False, "error": "fake failure"},
                                     status=status, headers=headers)
        if record.platform == "telegram":
            return web.json_response({"ok": True, "result": {"message_id": len(self.requests)}})
        if record.platform == "whatsapp":
            return web.json_response({"messaging_product": "whatsapp",
                                      "contacts": [{"input": record.to, "wa_id": record.to}],
                                      "messages": [{"id": f"wamid.fake{len(self.requests)}"}]})
        return web.json_response({"sid": f"SM{len(self.requests):032d}", "status": "queued"},
                                 status=201)

    @contextmanager
    def running(self) -> Iterator[FakePlatforms]:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(app)
        started = threading.Event()

        async def start() -> None:
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self.url = f"http://127.0.0.1:{port}"
            started.set()

        thread = threading.Thread(target=loop.run_forever, daemon=True)
        thread.start()
        asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
        started.wait(10)
        try:
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)


def dumps(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()
