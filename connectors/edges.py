"""The edges of the Rasa server: how large a request may be and which session ids a
channel accepts (issue 15, bounded input).

- Every request body, and every WebSocket or socket.io message, is capped at
  MAX_REQUEST_BYTES (64 KB): Sanic answers 413 from the Content-Length (or as soon as a
  chunked body passes the limit) before anything is parsed, instead of its default
  100 MB. The limit is the Sanic app's, so it also covers Rasa's HTTP API (nothing the
  project sends it comes near 64 KB); each channel's blueprint sets it when the server
  starts (`bound_requests`), whichever app serves it.
- A session id (`sender`) is 1 to 128 characters of [A-Za-z0-9_.:@-], starting with a
  letter or digit: what the widget (a UUID), the messaging channels (a keyed pseudonym)
  and any REST client need, and nothing that makes a tracker row or a log line large.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sanic import Blueprint, Sanic

MAX_REQUEST_BYTES = 64 * 1024
SENDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}")
BAD_SENDER = ("Identifiant de conversation invalide : de 1 à 128 caractères parmi lettres, "
              "chiffres et _ . : @ -")


def is_sender(value: Any) -> bool:
    return isinstance(value, str) and SENDER.fullmatch(value) is not None


def bound_requests(blueprint: Blueprint) -> Blueprint:
    """Caps the serving app's request and WebSocket message sizes at MAX_REQUEST_BYTES
    when the server starts (never raises a lower limit set elsewhere)."""

    async def limit(app: Sanic, _loop: Any) -> None:
        app.config.REQUEST_MAX_SIZE = min(app.config.REQUEST_MAX_SIZE, MAX_REQUEST_BYTES)
        app.config.WEBSOCKET_MAX_SIZE = min(app.config.WEBSOCKET_MAX_SIZE, MAX_REQUEST_BYTES)

    blueprint.listener("before_server_start")(limit)
    return blueprint
