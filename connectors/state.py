"""State that every instance of a channel or of the web app must see: the messaging dedup,
the SMS numbered choices, the tokens of long button payloads and the console's login
attempts.

With several Rasa or web app instances behind a load balancer (docs/DESIGN.md §4), a
redelivered webhook, a visitor's "2" or a guesser's next password may reach another
process than the first: so this state lives in Redis when REDIS_URL is set
(`RedisState`), and in the process's memory otherwise (`MemoryState`, for `make run`).
Both implement `SharedState`; the same tests run on both
(tests/integration/test_shared_state.py).

Keys are namespaced (`mormal:dedup:telegram:42`); every value expires. What must be
atomic is: `first_time` (SET NX PX) so that two instances given the same webhook run it
once, and `attempt` (one Lua script) so that 40 concurrent wrong passwords are counted
exactly. Attempt times are Redis's clock, the same for every instance.
"""

from __future__ import annotations

import abc
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from redis.asyncio import Redis

PREFIX = "mormal:"


class SharedState(abc.ABC):
    """Short-lived values and attempt counters under string keys."""

    @abc.abstractmethod
    async def first_time(self, key: str, ttl: float) -> bool:
        """True the first time `key` is seen within `ttl` seconds (and remembers it)."""

    @abc.abstractmethod
    async def put(self, key: str, value: str, ttl: float) -> None: ...

    @abc.abstractmethod
    async def get(self, key: str) -> str | None: ...

    @abc.abstractmethod
    async def forget(self, key: str) -> None:
        """Drops the value or the attempts under `key`."""

    @abc.abstractmethod
    async def attempt(self, key: str, limit: int, window: float) -> bool:
        """Counts an attempt and says whether it is allowed (fewer than `limit` in the last
        `window` seconds); a refused one is not counted (it would push the end of the wait
        further). Checking and counting are one step: concurrent attempts never all pass."""

    @abc.abstractmethod
    async def forgive(self, key: str) -> None:
        """Takes back the latest attempt (it succeeded, or another check refused it)."""

    @abc.abstractmethod
    async def attempts(self, key: str, window: float) -> int:
        """How many attempts in the last `window` seconds."""

    @abc.abstractmethod
    async def retry_after(self, key: str, limit: int, window: float) -> int:
        """Seconds until a blocked key has a free place again (0 when it is not blocked)."""

    async def close(self) -> None:  # noqa: B027 (nothing to close in memory)
        """Releases the connections."""


def wait_seconds(now: float, nth_latest: float, window: float) -> int:
    """The wait of a blocked key, whose `limit`-th latest attempt was at `nth_latest`."""
    return max(1, int(window - (now - nth_latest)) + 1)


class MemoryState(SharedState):
    """In this process (`make run`): bounded, `max_items` values per kind of key (its first
    segment: dedup, payload, sms…) and `max_keys` attempt counters, the oldest dropped."""

    def __init__(self, max_items: int = 50_000, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_items, self.max_keys, self.clock = max_items, max_keys, clock
        self._values: dict[str, OrderedDict[str, tuple[float, str]]] = {}
        self._attempts: dict[str, deque[float]] = {}

    def _kind(self, key: str) -> OrderedDict[str, tuple[float, str]]:
        return self._values.setdefault(key.split(":", 1)[0], OrderedDict())

    def _live(self, key: str) -> str | None:
        values = self._kind(key)
        now = self.clock()
        while values and (len(values) > self.max_items or next(iter(values.values()))[0] <= now):
            values.popitem(last=False)
        entry = values.get(key)
        return entry[1] if entry is not None and entry[0] > now else None

    async def first_time(self, key: str, ttl: float) -> bool:
        if self._live(key) is not None:
            return False
        await self.put(key, "1", ttl)
        return True

    async def put(self, key: str, value: str, ttl: float) -> None:
        values = self._kind(key)
        values.pop(key, None)
        values[key] = (self.clock() + ttl, value)
        self._live(key)  # applies the bound

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def forget(self, key: str) -> None:
        self._kind(key).pop(key, None)
        self._attempts.pop(key, None)

    def _recent(self, key: str, window: float) -> deque[float]:
        now = self.clock()
        times = self._attempts.get(key, deque())
        while times and now - times[0] > window:
            times.popleft()
        if not times:
            self._attempts.pop(key, None)
        return times

    async def attempt(self, key: str, limit: int, window: float) -> bool:
        # No await in here: on one event loop, checking and counting are one step.
        if len(self._recent(key, window)) >= limit:
            return False
        if key not in self._attempts and len(self._attempts) >= self.max_keys:
            for stale in list(self._attempts)[: self.max_keys // 10]:  # the stalest first
                del self._attempts[stale]
        self._attempts.setdefault(key, deque()).append(self.clock())
        return True

    async def forgive(self, key: str) -> None:
        times = self._attempts.get(key)
        if times:
            times.pop()
            if not times:
                del self._attempts[key]

    async def attempts(self, key: str, window: float) -> int:
        return len(self._recent(key, window))

    async def retry_after(self, key: str, limit: int, window: float) -> int:
        times = self._recent(key, window)
        if len(times) < limit:
            return 0
        return wait_seconds(self.clock(), times[-limit], window)


# Attempts are a sorted set of times (ms, Redis's clock) with unique members.
_NOW = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"
ATTEMPT = _NOW + """
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - window))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 1
"""
# {now, attempts within the window, time of the ARGV[2]-th latest or -1}
RECENT = _NOW + """
local n = redis.call('ZCOUNT', KEYS[1], now - tonumber(ARGV[1]), '+inf')
local nth = redis.call('ZRANGE', KEYS[1], -tonumber(ARGV[2]), -tonumber(ARGV[2]), 'WITHSCORES')
return {now, n, nth[2] or -1}
"""


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class RedisState(SharedState):
    """In Redis (REDIS_URL), shared by every process; keys under `prefix`."""

    def __init__(self, url: str, prefix: str = PREFIX) -> None:
        self.prefix = prefix
        # Short timeouts: a dead Redis fails a request in seconds instead of hanging it.
        self.redis = Redis.from_url(url, decode_responses=True, socket_connect_timeout=2,
                                    socket_timeout=2)
        self._attempt = self.redis.register_script(ATTEMPT)
        self._recent = self.redis.register_script(RECENT)

    def key(self, key: str) -> str:
        return self.prefix + key

    async def first_time(self, key: str, ttl: float) -> bool:
        return bool(await self.redis.set(self.key(key), "1", nx=True, px=_ms(ttl)))

    async def put(self, key: str, value: str, ttl: float) -> None:
        await self.redis.set(self.key(key), value, px=_ms(ttl))

    async def get(self, key: str) -> str | None:
        value: str | None = await self.redis.get(self.key(key))
        return value

    async def forget(self, key: str) -> None:
        await self.redis.delete(self.key(key))

    async def attempt(self, key: str, limit: int, window: float) -> bool:
        return bool(await self._attempt(keys=[self.key(key)],
                                        args=[limit, _ms(window), secrets.token_hex(8)]))

    async def forgive(self, key: str) -> None:
        await self.redis.zpopmax(self.key(key))

    async def _window(self, key: str, limit: int, window: float) -> tuple[float, int, float]:
        now, count, nth = await self._recent(keys=[self.key(key)], args=[_ms(window), limit])
        return int(now) / 1000, int(count), float(nth) / 1000

    async def attempts(self, key: str, window: float) -> int:
        return (await self._window(key, 1, window))[1]

    async def retry_after(self, key: str, limit: int, window: float) -> int:
        now, count, nth = await self._window(key, limit, window)
        return 0 if count < limit else wait_seconds(now, nth, window)

    async def close(self) -> None:
        await self.redis.close()


def open_state(redis_url: str) -> SharedState:
    """Redis when `redis_url` (REDIS_URL) is set, this process's memory otherwise."""
    return RedisState(redis_url) if redis_url else MemoryState()
