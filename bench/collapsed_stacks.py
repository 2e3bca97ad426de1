"""The top functions of a py-spy profile in collapsed-stack form (`py-spy record --format
raw`: one line per distinct stack, `frame;frame;…;leaf count`), for `profile_turns.sh`.

    .venv/bin/python bench/collapsed_stacks.py var/profile/rasa.txt [--top 25]
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

IDLE_LEAVES = ("serve (sanic/server/runners.py", "_worker (concurrent/futures/thread.py")
"""Leaves of a thread waiting in C that py-spy still samples as active: the event loop in
epoll (Sanic's `serve` is the last Python frame) and an idle worker thread of
`asyncio.to_thread` (blocked in its queue's `get`). Counted apart, not as work."""


def tally(lines: Iterable[str]) -> tuple[Counter[str], Counter[str], int, int]:
    """Samples per function (own: at the top of the stack; total: anywhere in it, counted
    once per stack for recursion), the number of samples of work and of idle waits."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = idle = 0
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        if frames[-1].startswith(IDLE_LEAVES):
            idle += n
            continue
        samples += n
        own[frames[-1]] += n
        for frame in set(frames):
            total[frame] += n
    return own, total, samples, idle


def top(lines: Iterable[str], n: int = 25) -> str:
    own, total, samples, idle = tally(lines)
    if not samples:
        return "aucun échantillon"
    out = [f"{samples} échantillons de travail (100 %), {idle} en attente non comptés"]
    for title, counter in (("temps propre", own), ("temps cumulé", total)):
        out.append(f"-- {title} --")
        for frame, count in counter.most_common(n):
            out.append(f"{100 * count / samples:6.1f} %  {frame}")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    with args.profile.open(encoding="utf-8") as f:
        print(top(f, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
