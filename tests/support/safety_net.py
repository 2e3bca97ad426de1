"""The NLU safety net (bot/nlu/safety_net.py) for its unit tests, built at the first test
that runs it, and the Rasa `Message` those tests hand it.

Importing the component registers it with Rasa's recipe, which imports TensorFlow: seconds
that every pytest-xdist worker paid while collecting, whatever tests it then ran, when the
test modules built it at import time. It is imported here when a test first runs it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.safety_net import SafetyNet


@cache
def safety_net(overrule_confident: bool = False) -> SafetyNet:
    """SafetyNet({}), or SafetyNet({"overrule_confident": True}); one of each per worker."""
    from bot.nlu.safety_net import SafetyNet

    return SafetyNet({"overrule_confident": True} if overrule_confident else {})


def nlu_message(data: dict[str, Any]) -> Message:
    """A Rasa NLU message as DIET would leave it."""
    from rasa.shared.nlu.training_data.message import Message

    return Message(data=data)
