"""REST channel (`/webhooks/rest/webhook`) that apologises instead of staying silent, and
takes from the body only what it needs: a valid `sender` (connectors/edges.py, else 400),
the text; `input_channel` is always "rest" and `metadata` is dropped (nothing uses it,
and it was stored as sent in every tracker event)."""

from __future__ import annotations

from typing import Any

from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from connectors.edges import BAD_SENDER, bound_requests, is_sender
from connectors.guard import Handler, guarded


class ApologeticRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return bound_requests(super().blueprint(guarded(on_new_message)))

    async def _extract_sender(self, req: Request) -> str:
        body = req.json
        if not isinstance(body, dict):
            raise InvalidUsage("Le corps doit être un objet JSON : "
                               '{"sender": "…", "message": "…"}.')
        sender = body.get("sender")
        if not is_sender(sender):
            raise InvalidUsage(BAD_SENDER)
        return str(sender)

    def _extract_message(self, req: Request) -> str:
        message = req.json.get("message")
        if not isinstance(message, str):
            raise InvalidUsage("Le champ « message » doit être un texte.")
        return message

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        return None

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> ApologeticRestInput:
        return cls()
