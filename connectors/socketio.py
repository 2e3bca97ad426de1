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
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from connectors.edges import MAX_REQUEST_BYTES, bound_requests, is_sender
from connectors.guard import Handler, guarded

logger = logging.getLogger(__name__)


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

        async def session_request(sid: str, data: dict[str, Any] | None) -> None:
            given = data.get("session_id") if isinstance(data, dict) else None
            session_id = given if is_sender(given) else uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        async def user_uttered(sid: str, data: dict[str, Any] | None) -> None:
            data = data if isinstance(data, dict) else {}
            if self.session_persistence:
                if not is_sender(data.get("session_id")):
                    logger.warning("socket.io message without a valid session_id ignored")
                    return
                sender_id = str(data["session_id"])
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
