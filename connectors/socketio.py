"""socket.io channel of the website widget, with the same guard as REST.

Built on Rasa 3.6's channel, with two of its handlers replaced because they do not work
with the python-socketio 5.x that Rasa installs:
- `session_request` called `AsyncServer.enter_room` without awaiting it (a coroutine in
  5.x): with session persistence the socket never joined its session's room, so the
  visitor never received a reply;
- custom payloads were spread as keyword arguments of `emit` (`emit(evt, type=...,
  items=...)`) and failed; here they are sent as `{"custom": payload}`, the same shape as
  the REST channel's.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

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
        blueprint = super().blueprint(handle)
        sio = self.sio

        async def session_request(sid: str, data: dict[str, Any] | None) -> None:
            session_id = (data or {}).get("session_id") or uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        async def user_uttered(sid: str, data: dict[str, Any] | None) -> None:
            data = data if isinstance(data, dict) else {}
            if self.session_persistence:
                if not data.get("session_id"):
                    logger.warning("socket.io message without session_id ignored (%s)", sid)
                    return
                sender_id = str(data["session_id"])
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            message = UserMessage(
                str(data.get("message") or ""),
                WidgetSocketIOOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=metadata if isinstance(metadata, dict) else {},
            )
            await handle(message)

        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, user_uttered, namespace=self.namespace)
        return blueprint
