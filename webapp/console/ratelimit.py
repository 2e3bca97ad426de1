"""Login attempts: at most `limit` failures per `window` seconds per IP and per account."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class FailureLimiter:
    """In memory, per process: enough for one web app process on 127.0.0.1."""

    def __init__(self, limit: int = 5, window: float = 300.0,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        self.limit, self.window, self.clock, self.max_keys = limit, window, clock, max_keys
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        now = self.clock()
        times = self._failures.get(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    def blocked(self, *keys: str) -> bool:
        return any(len(self._recent(k)) >= self.limit for k in keys)

    def retry_after(self, *keys: str) -> int:
        """Seconds until the oldest counted failure of a blocked key expires."""
        now = self.clock()
        waits = [self.window - (now - t[0]) for k in keys
                 if len(t := self._recent(k)) >= self.limit]
        return max(1, int(max(waits, default=0)) + 1)

    def fail(self, *keys: str) -> None:
        if len(self._failures) >= self.max_keys:  # forget the stalest keys first
            for key in list(self._failures)[: self.max_keys // 10]:
                del self._failures[key]
        now = self.clock()
        for key in keys:
            self._failures.setdefault(key, deque()).append(now)

    def reset(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)
