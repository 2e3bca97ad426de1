"""socket.io channel of the website widget, with the same guard as REST.

Built on Rasa 3.6's channel, with two of its handlers replaced because they do not work
with the python-socketio 5.x that Rasa installs:
- `session_request` called `AsyncServer.enter_room` without awaiting it (a coroutine in
  5.x): with session persistence the socket never joined its session's room, so the
  visitor never received a reply;
- custom payloads were spread as keyword arguments of `emit` (`emit(evt, type=...,
  items=...)`) and failed; here they are sent as `{"custom": payload}`, the same shape as
  the REST channel's.

Bounded like REST (connectors/edges.py): a session id that is not valid is replaced by a
new one (session_request) or the message ignored (user_uttered); the message must be a
text; `metadata` is dropped; a socket.io message over 64 KB closes the connection.

Sessions belong to the device that started them (issue 15: any socket could join any
session's room knowing its id, which the widget shows for erasure requests). The id a
client proposes in `session_request` is its secret, kept on the device; the conversation's
id (the tracker's sender, the room, what `session_confirm` returns and the widget shows) is
derived from it with a keyed HMAC. Proposing a shown id therefore opens another, fresh
conversation. The same proposal gives the same conversation after a restart: the key is
WIDGET_SESSION_KEY, or one generated once in var/. A socket may only speak in the session
it was confirmed: `user_uttered` from any other socket, or naming another session, is
ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from connectors.edges import MAX_REQUEST_BYTES, bound_requests, is_sender
from connectors.guard import Handler, guarded
from knowledge.config import setting, var_secret

logger = logging.getLogger(__name__)


def session_key() -> bytes:
    """WIDGET_SESSION_KEY, or a key generated once in var/ (stable across restarts, so
    that a visitor's device finds its conversation again)."""
    configured = setting("WIDGET_SESSION_KEY")
    if configured:
        return configured.encode()
    return var_secret("widget-session.key", lambda: secrets.token_urlsafe(32).encode())


def conversation_id(key: bytes, proposed: str) -> str:
    """The conversation of the device whose secret is `proposed` (32 hex characters)."""
    return hmac.new(key, b"widget-session:" + proposed.encode(), hashlib.sha256).hexdigest()[:32]


class WidgetSocketIOOutput(SocketIOOutput):
    """Sends custom payloads as `{"custom": payload}` to the session's room."""

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any],
                               **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class ApologeticSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def get_output_channel(self) -> WidgetSocketIOOutput | None:
        sio = getattr(self, "sio", None)
        return WidgetSocketIOOutput(sio, self.bot_message_evt) if sio else None

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        handle = guarded(on_new_message)
        blueprint = bound_requests(super().blueprint(handle))
        sio = self.sio
        sio.eio.max_http_buffer_size = MAX_REQUEST_BYTES

        key = session_key()

        async def session_request(sid: str, data: dict[str, Any] | None) -> None:
            given = data.get("session_id") if isinstance(data, dict) else None
            proposed = str(given) if is_sender(given) else uuid.uuid4().hex
            session_id = conversation_id(key, proposed)
            if self.session_persistence:
                for room in sio.rooms(sid, namespace=self.namespace):
                    if room != sid:  # a new session request on the same socket
                        await sio.leave_room(sid, room, namespace=self.namespace)
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.save_session(sid, {"session_id": session_id, "proposed": proposed},
                                   namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        async def user_uttered(sid: str, data: dict[str, Any] | None) -> None:
            data = data if isinstance(data, dict) else {}
            if self.session_persistence:
                bound = await sio.get_session(sid, namespace=self.namespace)
                if not bound:
                    logger.warning("socket.io message before any session_request ignored")
                    return
                if data.get("session_id") not in (bound["session_id"], bound["proposed"]):
                    logger.warning("socket.io message for another session ignored")
                    return
                sender_id = str(bound["session_id"])
            else:
                sender_id = sid
            text = data.get("message")
            if not isinstance(text, str):
                logger.warning("socket.io message without text ignored")
                return
            message = UserMessage(text, WidgetSocketIOOutput(sio, self.bot_message_evt),
                                  sender_id, input_channel=self.name())
            await handle(message)

        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, user_uttered, namespace=self.namespace)
        return blueprint
