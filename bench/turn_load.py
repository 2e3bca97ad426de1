"""The pure parts of `conversation_turns.py`: percentiles, think times, the CPU time and
memory of a server process read from /proc, the server processes found from their
listening ports, and the per-turn breakdown joined from the timing files
(`knowledge/timing.py`)."""

from __future__ import annotations

import math
import os
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th quantile (0 ≤ q ≤ 1), linear between the closest ranks (numpy's default);
    nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class ThinkTime:
    """A visitor's pause before each message: exponential of mean `mean_s` (a Poisson
    stream of messages per visitor); 0 for a mean of 0 (the saturation run)."""

    def __init__(self, mean_s: float, rng: random.Random) -> None:
        if mean_s < 0:
            raise ValueError("a think time cannot be negative")
        self.mean_s = mean_s
        self.rng = rng

    def next(self) -> float:
        return self.rng.expovariate(1 / self.mean_s) if self.mean_s > 0 else 0.0


def cpu_seconds(pid: int, proc: Path = Path("/proc")) -> float:
    """User + system CPU time the process has used (its threads included), in seconds."""
    stat = (proc / str(pid) / "stat").read_text()
    # The command name (field 2) may hold spaces and parentheses: split after the last ")".
    fields = stat[stat.rindex(")") + 2:].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / CLOCK_TICKS


def memory_mb(pid: int, proc: Path = Path("/proc")) -> tuple[float, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    fields = {}
    for line in (proc / str(pid) / "status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def listening_inodes(port: int, proc: Path = Path("/proc")) -> set[str]:
    """Socket inodes listening on TCP `port` (IPv4 or IPv6)."""
    inodes = set()
    for table in ("tcp", "tcp6"):
        path = proc / "net" / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            parts = line.split()
            local, state, inode = parts[1], parts[3], parts[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A = LISTEN
                inodes.add(inode)
    return inodes


def pids_listening(port: int, proc: Path = Path("/proc")) -> list[int]:
    """The processes holding a socket that listens on `port` (`scripts/run-all.sh` writes
    no pid file): several when a forked child inherited the socket."""
    targets = {f"socket:[{inode}]" for inode in listening_inodes(port, proc)}
    found: list[int] = []
    if not targets:
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fds = list((entry / "fd").iterdir())
            if any(os.readlink(fd) in targets for fd in fds):
                found.append(int(entry.name))
        except OSError:  # gone, or not ours to read
            continue
    return sorted(found)


@dataclass
class Turn:
    """One message of a visitor, as the bench saw it (wall-clock times, to join the
    servers' records)."""

    name: str
    sender: str
    t0: float
    t1: float
    ms: float
    ok: bool
    empty: bool


COMPONENTS = ("turn_ms", "lock_wait_ms", "nlu_ms", "policy_ms", "extract_slots_ms",
              "store_read_ms", "store_write_ms", "actions_ms", "action_payload_ms",
              "action_http_ms", "action_server_ms", "queries_ms", "other_ms", "rasa_cpu_ms")
"""The breakdown printed per turn. `lock_wait_ms`: the turn waiting for its sender's lock
(`turn_ms` − `processor_ms`); `action_server_ms`, `queries_ms`: the action server's
records of the turn summed; `other_ms`: the rest of `processor_ms` (events, the
channel's replies, the in-process actions); `rasa_cpu_ms`: the Rasa process's CPU time
during the turn (every thread) — the turn's own CPU when turns do not overlap (one
visitor), otherwise other turns' share too."""


def breakdown(turns: Iterable[Turn], records: Iterable[dict[str, Any]],
              slack_s: float = 0.05) -> list[dict[str, float]]:
    """One dict of `COMPONENTS` per turn of `turns` that Rasa recorded: the Rasa record of
    the same sender that started within the bench's request (± `slack_s`), plus the
    action server's records of that sender started within the Rasa turn."""
    rasa: dict[str, list[dict[str, Any]]] = {}
    actions: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_sender = rasa if record.get("role") == "rasa" else actions
        by_sender.setdefault(str(record.get("sender")), []).append(record)
    rows = []
    for turn in turns:
        match = next((r for r in rasa.get(turn.sender, ())
                      if turn.t0 - slack_s <= r["t0"] <= turn.t1 + slack_s), None)
        if match is None:
            continue
        calls = [a for a in actions.get(turn.sender, ())
                 if match["t0"] - slack_s <= a["t0"] <= match["t1"] + slack_s]
        row = {key: float(match.get(key, 0.0)) for key in COMPONENTS}
        processor = float(match.get("processor_ms", row["turn_ms"]))
        row["lock_wait_ms"] = row["turn_ms"] - processor
        row["rasa_cpu_ms"] = float(match.get("cpu_ms", float("nan")))
        row["action_server_ms"] = sum(float(a.get("action_ms", 0.0)) for a in calls)
        row["queries_ms"] = sum(float(a.get("queries_ms", 0.0)) for a in calls)
        row["other_ms"] = processor - sum(row[k] for k in (
            "nlu_ms", "policy_ms", "extract_slots_ms", "store_read_ms", "store_write_ms",
            "actions_ms"))
        rows.append(row)
    return rows
