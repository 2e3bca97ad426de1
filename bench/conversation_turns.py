"""Time per turn of a six-turn recommendation conversation over the REST channel.

Starts the real action server and Rasa server (trained model, seeded SQLite knowledge
base) on 127.0.0.1, holds N conversations one after the other, and prints p50/p95/max
per turn and overall, and the resident memory (current and peak) of each process.

    .venv/bin/python bench/conversation_turns.py [--conversations 50]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.servers import running_servers  # noqa: E402

TURNS = [
    ("partage de position", '/share_location{"latitude": 50.2936, "longitude": 3.8031}'),
    ("demande", "je voudrais visiter un musée"),
    ("encore", "encore"),
    ("affinage", "plus près"),
    ("infos lieu", "c'est ouvert quand le forum antique ?"),
    ("merci", "merci beaucoup"),
]


def post(url: str, sender: str, text: str) -> list[dict[str, object]]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return list(json.loads(resp.read()))


def memory_kb(pid: int) -> tuple[int, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running_servers(Path(tmp)) as servers:
        post(servers.rest_webhook, "warm-up", "bonjour")  # first-call costs aside
        per_turn: dict[str, list[float]] = {name: [] for name, _ in TURNS}
        empty = 0
        for n in range(args.conversations):
            sender = f"bench-{n}"
            for name, text in TURNS:
                start = time.perf_counter()
                replies = post(servers.rest_webhook, sender, text)
                per_turn[name].append((time.perf_counter() - start) * 1000)
                empty += not replies
        all_ms = [v for values in per_turn.values() for v in values]
        print(f"{args.conversations} conversations × {len(TURNS)} tours, REST, 127.0.0.1")
        print(f"{'tour':<22}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
        for name, values in per_turn.items():
            print(f"{name:<22}{statistics.median(values):>9.0f}{pct(values, 0.95):>9.0f}"
                  f"{max(values):>9.0f}")
        print(f"{'tous les tours':<22}{statistics.median(all_ms):>9.0f}"
              f"{pct(all_ms, 0.95):>9.0f}{max(all_ms):>9.0f}")
        print(f"réponses vides : {empty}")
        for name, proc in servers.procs.items():
            rss, peak = memory_kb(proc.pid)
            print(f"mémoire {name:<8} RSS {rss / 1024:7.0f} Mo   pic {peak / 1024:7.0f} Mo")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
