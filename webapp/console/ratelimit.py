"""Login attempts, counted before the password is checked.

`AttemptLimiter.attempt` checks and counts in one call with no `await` in between, so on
one event loop two concurrent requests can never both pass the last free place (the race
of counting only after the password check: 40 concurrent wrong passwords all got 401).
In memory, per process: enough for one web app process; several instances would share
it through Redis (docs/DESIGN.md), not done yet.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class AttemptLimiter:
    """At most `limit` attempts per `window` seconds per key."""

    def __init__(self, limit: int = 5, window: float = 300.0,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        self.limit, self.window, self.clock, self.max_keys = limit, window, clock, max_keys
        self._attempts: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        now = self.clock()
        times = self._attempts.get(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        if not times:
            self._attempts.pop(key, None)
        return times

    def count(self, key: str) -> int:
        return len(self._recent(key))

    def attempt(self, key: str) -> bool:
        """Counts an attempt and says whether it is allowed; a refused one is not counted
        (it would push the end of the wait further)."""
        if len(self._recent(key)) >= self.limit:
            return False
        if key not in self._attempts and len(self._attempts) >= self.max_keys:
            for stale in list(self._attempts)[: self.max_keys // 10]:  # the stalest first
                del self._attempts[stale]
        self._attempts.setdefault(key, deque()).append(self.clock())
        return True

    def forgive(self, key: str) -> None:
        """Takes back the latest attempt (it succeeded)."""
        times = self._attempts.get(key)
        if times:
            times.pop()
            if not times:
                del self._attempts[key]

    def reset(self, key: str) -> None:
        self._attempts.pop(key, None)

    def retry_after(self, key: str) -> int:
        """Seconds until a blocked key has a free place again."""
        times = self._recent(key)
        if len(times) < self.limit:
            return 0
        return max(1, int(self.window - (self.clock() - times[-self.limit])) + 1)
