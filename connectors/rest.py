"""REST channel (`/webhooks/rest/webhook`) that apologises instead of staying silent."""

from __future__ import annotations

from typing import Any

from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from connectors.guard import Handler, guarded


class ApologeticRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return super().blueprint(guarded(on_new_message))

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> ApologeticRestInput:
        return cls()
