"""The widget's side of Rasa's socket.io channel, for tests: connect by long-polling as
the widget falls back to, ask for a session, send one message, collect the answers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import socketio


async def widget_turn(rasa_url: str, session_id: str, message: dict[str, Any] | None,
                      wait: float = 60,
                      until: Callable[[list[dict[str, Any]]], bool] = bool,
                      ) -> tuple[str, list[dict[str, Any]]]:
    """The conversation id the server confirmed for the device secret `session_id`
    (derived from it, connectors/socketio.py), and the `bot_uttered`
    answers to `message` (sent as is) that came within `wait` seconds (returns as soon as
    `until` holds for them, by default once one came; none if `message` is None)."""
    client = socketio.AsyncClient(reconnection=False)
    received: list[dict[str, Any]] = []
    client.on("bot_uttered", received.append)
    confirmed: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def on_confirm(sid: str) -> None:
        if not confirmed.done():
            confirmed.set_result(sid)

    client.on("session_confirm", on_confirm)
    await client.connect(rasa_url, socketio_path="/socket.io", transports=["polling"])
    try:
        await client.emit("session_request", {"session_id": session_id})
        got = await asyncio.wait_for(confirmed, timeout=30)
        if message is not None:
            await client.emit("user_uttered", message)
            deadline = asyncio.get_running_loop().time() + wait
            while not until(received) and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.1)
    finally:
        # Hang up without waiting for the pending long-poll, which the server answers
        # only at its next ping (25 s later): the close packet is sent all the same.
        await client.eio.disconnect(abort=True)
    return got, received
