"""Login attempts, counted before the password is checked.

`AttemptLimiter.attempt` checks and counts in one step of the shared state
(connectors/state.py): no `await` in between in memory, one Lua script in Redis. So two
concurrent requests can never both pass the last free place (the race of counting only
after the password check: 40 concurrent wrong passwords all got 401), and with REDIS_URL
set every web app instance counts in the same place.
"""

from __future__ import annotations

from connectors.state import SharedState


class AttemptLimiter:
    """At most `limit` attempts per `window` seconds per key, under `login:<name>:`."""

    def __init__(self, state: SharedState, name: str, limit: int = 5,
                 window: float = 300.0) -> None:
        self.state, self.name, self.limit, self.window = state, name, limit, window

    def _key(self, key: str) -> str:
        return f"login:{self.name}:{key}"

    async def count(self, key: str) -> int:
        return await self.state.attempts(self._key(key), self.window)

    async def attempt(self, key: str) -> bool:
        """Counts an attempt and says whether it is allowed; a refused one is not counted
        (it would push the end of the wait further)."""
        return await self.state.attempt(self._key(key), self.limit, self.window)

    async def forgive(self, key: str) -> None:
        """Takes back the latest attempt (it succeeded)."""
        await self.state.forgive(self._key(key))

    async def reset(self, key: str) -> None:
        await self.state.forget(self._key(key))

    async def retry_after(self, key: str) -> int:
        """Seconds until a blocked key has a free place again."""
        return await self.state.retry_after(self._key(key), self.limit, self.window)
