"""What every channel does around Rasa: cap huge messages, check the entities of
`/intent{...}` messages (connectors/intent_payloads.py), and never leave a visitor in
silence. When a turn produced no reply (the action server is down, an action crashed),
the visitor gets a French apology instead."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

from connectors.intent_payloads import clean_intent_payload
from knowledge.text import without_controls

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
APOLOGY = ("Toutes nos excuses : nous avons un petit souci technique. 🙏 Réessayez dans un "
           "instant, ou contactez l'office de tourisme.")

Handler = Callable[[UserMessage], Awaitable[Any]]


def guarded(on_new_message: Handler) -> Handler:
    async def handle(message: UserMessage) -> None:
        if message.text and len(message.text) > MAX_MESSAGE_CHARS:
            message.text = message.text[:MAX_MESSAGE_CHARS]
        if message.text:
            # control characters and lone surrogates (which crash spaCy's tokenizer) become
            # spaces; then the entities of an /intent{...} message are checked
            message.text = clean_intent_payload(without_controls(message.text, " "))
        channel = message.output_channel
        sent = 0
        # Every built-in output channel funnels its sends through one of these.
        hook = next((h for h in ("_persist_message", "_send_message") if hasattr(channel, h)),
                    None)
        if hook is not None:
            original = getattr(channel, hook)

            async def counting(*args: Any, **kwargs: Any) -> Any:
                nonlocal sent
                sent += 1
                return await original(*args, **kwargs)

            setattr(channel, hook, counting)
        try:
            await on_new_message(message)
        except Exception:  # the visitor must not be left in silence
            logger.exception("Échec du traitement d'un message")
        if hook is not None and sent == 0:
            logger.warning("Aucune réponse produite pour %s : excuses envoyées", message.sender_id)
            await channel.send_text_message(message.sender_id, APOLOGY)

    return handle
