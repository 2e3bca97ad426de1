"""The widget's socket.io channel (connectors/socketio.py) served alone by Sanic, with an
echo in place of Rasa's agent: the channel's sessions tested over a real server, without
a trained model. Each reply says which conversation it belongs to.

    python -m tests.support.widget_channel PORT
"""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager

from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from connectors.socketio import ApologeticSocketIOInput
from tests.support.servers import module_server

CREDENTIALS = {"user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered",
               "session_persistence": True}  # as credentials.yml


async def echo(message: UserMessage) -> None:
    assert message.output_channel is not None
    await message.output_channel.send_text_message(
        message.sender_id, f"{message.sender_id} : {message.text}")


def main(port: int) -> None:
    channel = ApologeticSocketIOInput.from_credentials(CREDENTIALS)
    app = Sanic("widget_channel")
    app.blueprint(channel.blueprint(echo), url_prefix="/webhooks/socketio")
    # A long-polling client's disconnect waits for the pending poll: pings every second
    # and a 1 s timeout end it quickly (Rasa's defaults made each disconnect take 21 s).
    channel.sio.eio.ping_interval = channel.sio.eio.ping_timeout = 1
    app.run(host="127.0.0.1", port=port, access_log=False, motd=False)


def widget_channel(env: dict[str, str]) -> AbstractContextManager[str]:
    """The channel's server running with `env`; yields its address."""
    return module_server("tests.support.widget_channel", env,
                         "/socket.io/?EIO=4&transport=polling")


if __name__ == "__main__":
    main(int(sys.argv[1]))
