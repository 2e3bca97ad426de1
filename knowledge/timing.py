"""Opt-in timing of the parts of a conversation turn, for `bench/conversation_turns.py`
(issue 18: nothing measured where a turn's time goes).

Off unless `BENCH_TIMING` is set (`1`: files in `var/bench-timing/`, or a directory):
the servers then patch nothing and run their code unchanged. When on, the Rasa process
(`connectors/timing.py`) and the action server (`bot/actions/timing.py`) wrap a few
methods: a wrapper adds its elapsed milliseconds to the accumulator of the turn (or
action call) in progress, found through a context variable, so concurrent turns never
mix; the outermost wrapper writes one JSON line per turn to a file of its process.
Rasa knows nothing of this module beyond those wrappers.
"""

from __future__ import annotations

import functools
import json
import os
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from knowledge.config import VAR_DIR, setting

T = TypeVar("T")
Sums = dict[str, float]

_current: ContextVar[Sums | None] = ContextVar("bench_timing_sums", default=None)


def timing_dir() -> Path | None:
    """Where the timing files go, or None when timing is off (the default)."""
    value = setting("BENCH_TIMING")
    if value in ("", "0"):
        return None
    return VAR_DIR / "bench-timing" if value == "1" else Path(value)


def add(name: str, ms: float) -> None:
    """Adds `ms` to `name` (and 1 to `n_<name>`) in the turn in progress, if any."""
    sums = _current.get()
    if sums is not None:
        sums[name] = sums.get(name, 0.0) + ms
        sums["n_" + name] = sums.get("n_" + name, 0.0) + 1


def timed(name: str, fn: Callable[..., T]) -> Callable[..., T]:
    """`fn` (synchronous), its time added to `name` when called within a turn."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        if _current.get() is None:
            return fn(*args, **kwargs)
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            add(name, (time.perf_counter() - start) * 1000)

    return wrapper


def timed_async(name: str, fn: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """`fn` (a coroutine function), its time added to `name` when awaited within a turn."""

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> T:
        if _current.get() is None:
            return await fn(*args, **kwargs)
        start = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            add(name, (time.perf_counter() - start) * 1000)

    return wrapper


class Recorder:
    """Appends one JSON object per line to `<directory>/<role>-<pid>.jsonl` (thread-safe:
    the action server's queries run in worker threads)."""

    def __init__(self, directory: Path, role: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{role}-{os.getpid()}.jsonl"
        self.role = role
        self._lock = threading.Lock()

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps({"role": self.role, **record}, ensure_ascii=False) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as f:
            f.write(line)


def recorded(recorder: Recorder, name: str, fn: Callable[..., Awaitable[T]],
             describe: Callable[..., dict[str, Any]]) -> Callable[..., Awaitable[T]]:
    """`fn` (a coroutine function) as the outermost timed call: a fresh accumulator while it
    runs, then one record with its wall-clock start and end (`t0`, `t1`, seconds since the
    epoch, to join records of two processes), `<name>` in ms, `cpu_ms` (the CPU time of the
    whole process, every thread, meanwhile: the call's own cost when nothing else runs
    beside it), the sums of the inner timed calls and what `describe(*args, **kwargs)`
    says (the sender). Nested calls (already in a turn) only add their time."""

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> T:
        if _current.get() is not None:
            return await timed_async(name, fn)(*args, **kwargs)
        sums: Sums = {}
        token = _current.set(sums)
        t0, start, cpu = time.time(), time.perf_counter(), time.process_time()
        try:
            return await fn(*args, **kwargs)
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            cpu_ms = (time.process_time() - cpu) * 1000
            _current.reset(token)
            try:
                about = describe(*args, **kwargs)
            except Exception:  # a record without its sender rather than a failed turn
                about = {}
            recorder.write({**about, "t0": t0, "t1": time.time(), name: elapsed,
                            "cpu_ms": cpu_ms, **sums})

    return wrapper


def read_records(directory: Path, since: float = 0.0) -> Iterator[dict[str, Any]]:
    """The records of every process in `directory` whose turn started at or after `since`
    (a line being written at that moment is skipped)."""
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for line in f:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict) and record.get("t0", 0.0) >= since:
                    yield record


def patch(owner: Any, attribute: str, wrap: Callable[[Any], Any],
          patched: list[tuple[Any, str, Any]]) -> None:
    """Replaces `owner.attribute` by `wrap(original)`, noting the original in `patched`
    (for `unpatch`); an attribute already patched is left as it is."""
    original = owner.__dict__.get(attribute, getattr(owner, attribute))
    if getattr(original, "__bench_timed__", False):
        return
    wrapped = wrap(original)
    wrapped.__bench_timed__ = True
    setattr(owner, attribute, wrapped)
    patched.append((owner, attribute, original))


def unpatch(patched: list[tuple[Any, str, Any]]) -> None:
    """Puts back what `patch` replaced (tests)."""
    for owner, attribute, original in reversed(patched):
        setattr(owner, attribute, original)
    patched.clear()
