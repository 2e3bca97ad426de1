"""The Telegram and WhatsApp channels (connectors/) served alone by Sanic, configured
with test secrets and an agent that is never reached by the requests the tests send: the
channels' request limits tested over a real server, without a trained model.

    python -m tests.support.messaging_channels PORT
"""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager

from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from connectors.telegram import TelegramInput
from connectors.whatsapp import WhatsAppInput
from tests.support.servers import module_server

ENV = {"TELEGRAM_BOT_TOKEN": "123:essai", "TELEGRAM_WEBHOOK_SECRET": "secret-telegram",
       "TELEGRAM_API_URL": "http://127.0.0.1:9", "WHATSAPP_TOKEN": "jeton-whatsapp",
       "WHATSAPP_APP_SECRET": "secret-whatsapp", "WHATSAPP_VERIFY_TOKEN": "verification",
       "WHATSAPP_PHONE_NUMBER_ID": "1234", "WHATSAPP_API_URL": "http://127.0.0.1:9"}


async def nobody(message: UserMessage) -> None:
    raise AssertionError("no message should reach the agent")


def main(port: int) -> None:
    app = Sanic("messaging_channels")
    for channel in (TelegramInput.from_credentials(None), WhatsAppInput.from_credentials(None)):
        app.blueprint(channel.blueprint(nobody), url_prefix=f"/webhooks/{channel.name()}")
    app.run(host="127.0.0.1", port=port, access_log=False, motd=False)


def messaging_channels() -> AbstractContextManager[str]:
    """The two channels' server, running; yields its address."""
    return module_server("tests.support.messaging_channels", ENV, "/webhooks/telegram/")


if __name__ == "__main__":
    main(int(sys.argv[1]))
