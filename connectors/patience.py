"""Waiting out a restart of PostgreSQL or Redis inside a turn (issue 19, faults).

A turn that meets a store restarting (connection refused, a pooled connection the server
closed) is not given up at once: the same call is tried again, with short pauses on the
event loop, for up to `STORE_RETRY_SECONDS` seconds (default 15; 0: no retry). A restart
takes about a second here; without this, Rasa's tracker store fell back to memory (the
visitor's message persisted nowhere) and the Redis lock store raised (the apology, the
message not stored either).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from knowledge.config import DEFAULTS, setting

logger = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_PAUSE_S = 0.05
LONGEST_PAUSE_S = 0.5


def retry_seconds() -> float:
    try:
        return max(0.0, float(setting("STORE_RETRY_SECONDS")))
    except ValueError:
        return float(DEFAULTS["STORE_RETRY_SECONDS"])


def caused_by(exc: BaseException, kinds: tuple[type[BaseException], ...]) -> bool:
    """Whether `exc`, or an exception it was raised from or during, is one of `kinds`."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kinds):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


async def patiently(call: Callable[[], Awaitable[T]], transient: Callable[[BaseException], bool],
                    what: str, seconds: float | None = None) -> T:
    """`await call()`, called again while it raises a `transient` error, until `seconds`
    have passed since the first try (then the last error is raised)."""
    budget = retry_seconds() if seconds is None else seconds
    deadline = time.monotonic() + budget
    pause, tries = FIRST_PAUSE_S, 0
    while True:
        try:
            result = await call()
        except Exception as exc:
            tries += 1
            if not transient(exc) or time.monotonic() + pause > deadline:
                if tries > 1:
                    logger.error("%s : toujours en échec après %d essais (%s)", what, tries, exc)
                raise
            if tries == 1:
                logger.warning("%s : %s ; nouvel essai pendant %.0f s au plus", what,
                               type(exc).__name__, budget)
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE_S)
            continue
        if tries:
            logger.warning("%s : réussi après %d essai(s) manqué(s)", what, tries)
        return result
