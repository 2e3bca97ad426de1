"""Time per turn of a six-turn recommendation conversation over the REST channel, with N
visitors chatting at once.

Each visitor holds the same six-turn conversation again and again (a new sender each
time), pausing before every message for an exponential think time of mean T (T = 0: no
pause, the saturation throughput). Prints turns/s and p50/p95/p99 per turn, the CPU time
per turn and the memory of each server process (/proc), and, when the servers run with
`BENCH_TIMING=1`, where a turn's time goes (NLU, policies, tracker store, action server,
queries; `knowledge/timing.py`).

    # against the running system (`BENCH_TIMING=1 make run` for the breakdown)
    .venv/bin/python bench/conversation_turns.py --url http://127.0.0.1:5005 --preset all
    .venv/bin/python bench/conversation_turns.py --url http://127.0.0.1:5005 \\
        --visitors 5 --think 0 --duration 30
    # starting its own servers (trained model), one visitor, as before issue 18
    .venv/bin/python bench/conversation_turns.py --conversations 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.turn_load import (  # noqa: E402
    COMPONENTS,
    ThinkTime,
    Turn,
    breakdown,
    cpu_seconds,
    memory_mb,
    percentile,
    pids_listening,
)
from knowledge.timing import read_records  # noqa: E402

TURNS = [
    ("partage de position", '/share_location{"latitude": 50.2936, "longitude": 3.8031}'),
    ("demande", "je voudrais visiter un musée"),
    ("encore", "encore"),
    ("affinage", "plus près"),
    ("infos lieu", "c'est ouvert quand le forum antique ?"),
    ("merci", "merci beaucoup"),
]
PRESETS = {"single": (1, 0.0), "saturation": (20, 0.0), "50x5": (50, 5.0),
           "100x5": (100, 5.0)}
"""(visitors, mean think time in s): the loads issue 18 asks for, and one visitor alone,
whose turns never overlap: the median of the Rasa process's CPU per turn (`rasa_cpu_ms`
of the breakdown) is read there."""


@dataclass
class Load:
    visitors: int
    think_s: float
    duration_s: float | None = 60.0   # measured window; None: `conversations` each
    warmup_s: float = 10.0
    conversations: int | None = None
    seed: int = 18


@dataclass
class Outcome:
    load: Load
    turns: list[Turn]
    window_s: float
    completed: int
    cpu: dict[str, float]
    memory: dict[str, tuple[float, float]]
    records: list[dict[str, Any]] = field(default_factory=list)


async def post_turn(session: aiohttp.ClientSession, url: str, name: str, sender: str,
                    text: str) -> Turn:
    t0, start = time.time(), time.perf_counter()
    ok, empty = False, True
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as resp:
            body = await resp.json(content_type=None)
            ok = resp.status == 200
            empty = not body
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        pass
    return Turn(name, sender, t0, time.time(), (time.perf_counter() - start) * 1000, ok, empty)


async def visitor(session: aiohttp.ClientSession, url: str, prefix: str, think: ThinkTime,
                  stop_at: float, conversations: int | None, out: list[Turn]) -> None:
    """Conversations one after the other until `stop_at` (monotonic) or `conversations`;
    no message is started after `stop_at`, the one in flight is awaited."""
    n = 0
    while conversations is None or n < conversations:
        sender = f"{prefix}-{n}"
        for name, text in TURNS:
            pause = think.next()
            if time.monotonic() + pause >= stop_at:
                return
            await asyncio.sleep(pause)
            out.append(await post_turn(session, url, name, sender, text))
        n += 1


def cpu_of(pids: dict[str, list[int]]) -> dict[str, float]:
    out = {}
    for role, ids in pids.items():
        try:
            out[role] = sum(cpu_seconds(pid) for pid in ids)
        except OSError:
            out[role] = float("nan")
    return out


async def run_load(url: str, load: Load, pids: dict[str, list[int]],
                   timing_dir: Path | None) -> Outcome:
    """One load on the REST webhook at `url`; CPU read at the edges of the measured
    window (after the warm-up)."""
    rng = random.Random(load.seed)
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    turns: list[Turn] = []
    now = time.monotonic()
    warmup = load.warmup_s if load.duration_s is not None else 0.0
    stop_at = now + warmup + (load.duration_s if load.duration_s is not None else 1e9)
    connector = aiohttp.TCPConnector(limit=load.visitors + 2)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await post_turn(session, url, "warm-up", f"{prefix}-warm-up", "bonjour")
        tasks = [asyncio.create_task(visitor(
            session, url, f"{prefix}-{v}", ThinkTime(load.think_s, random.Random(rng.random())),
            stop_at, load.conversations, turns)) for v in range(load.visitors)]
        await asyncio.sleep(warmup)
        window_start, cpu_before = time.time(), cpu_of(pids)
        started = time.monotonic()
        if load.duration_s is None:
            await asyncio.gather(*tasks)
        else:
            await asyncio.sleep(max(0.0, stop_at - time.monotonic()))
        window_end, cpu_after = time.time(), cpu_of(pids)
        window_s = time.monotonic() - started
        await asyncio.gather(*tasks)
    measured = [t for t in turns if window_start <= t.t0 < window_end]
    # Turns answered in the window: an error is not a turn served.
    completed = sum(1 for t in turns if t.ok and window_start <= t.t1 < window_end)
    memory = {}
    for role, ids in pids.items():
        try:
            memory[role] = memory_mb(ids[0])
        except (OSError, IndexError):
            continue
    records = []
    if timing_dir is not None and timing_dir.is_dir():
        records = [r for r in read_records(timing_dir, since=window_start - 1)
                   if str(r.get("sender", "")).startswith(prefix)]
    return Outcome(load, measured, window_s, completed,
                   {role: cpu_after[role] - cpu_before[role] for role in pids}, memory,
                   records)


def _row(label: str, values: list[float]) -> str:
    return (f"{label:<24}{len(values):>6}{percentile(values, 0.5):>9.0f}"
            f"{percentile(values, 0.95):>9.0f}{percentile(values, 0.99):>9.0f}"
            f"{max(values, default=float('nan')):>9.0f}")


def report(outcome: Outcome, print_: Callable[[str], None] = print) -> dict[str, Any]:
    """Prints the outcome; returns its figures (for `--json`)."""
    load, turns = outcome.load, outcome.turns
    ok = [t for t in turns if t.ok]
    think = f"{load.think_s:g} s" if load.think_s else "aucune (saturation)"
    rate = outcome.completed / outcome.window_s if outcome.window_s else float("nan")
    print_(f"\n== {load.visitors} visiteurs, réflexion moyenne {think}, "
           f"{outcome.window_s:.0f} s mesurées ==")
    print_(f"tours/s : {rate:.2f}   tours mesurés : {len(turns)}   erreurs : "
           f"{len(turns) - len(ok)}   réponses vides : {sum(t.empty for t in ok)}")
    print_(f"{'tour':<24}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, _ in TURNS:
        print_(_row(name, [t.ms for t in ok if t.name == name]))
    all_ms = [t.ms for t in ok]
    print_(_row("tous les tours", all_ms))
    figures: dict[str, Any] = {
        "visitors": load.visitors, "think_s": load.think_s, "window_s": outcome.window_s,
        "turns_per_s": rate, "turns": len(turns), "errors": len(turns) - len(ok),
        "p50_ms": percentile(all_ms, 0.5), "p95_ms": percentile(all_ms, 0.95),
        "p99_ms": percentile(all_ms, 0.99), "cpu_ms_per_turn": {}, "memory_mb": {},
    }
    print_(f"{'processus':<12}{'CPU s':>8}{'% cœur':>8}{'CPU ms/tour':>13}"
           f"{'RSS Mo':>9}{'pic Mo':>9}")
    for role, seconds in outcome.cpu.items():
        per_turn = seconds * 1000 / outcome.completed if outcome.completed else float("nan")
        rss, peak = outcome.memory.get(role, (float("nan"), float("nan")))
        print_(f"{role:<12}{seconds:>8.1f}{100 * seconds / outcome.window_s:>8.0f}"
               f"{per_turn:>13.1f}{rss:>9.0f}{peak:>9.0f}")
        figures["cpu_ms_per_turn"][role] = per_turn
        figures["memory_mb"][role] = rss
    rows = breakdown(ok, outcome.records)
    if not rows:
        print_("décomposition : aucun relevé (serveurs lancés sans BENCH_TIMING=1 ?)")
        return figures
    print_(f"décomposition de {len(rows)} tours (ms, relevés des serveurs) :")
    print_(f"{'partie':<20}{'p50':>8}{'p95':>8}{'moyenne':>9}")
    figures["breakdown"] = {}
    for key in COMPONENTS:
        values = [row[key] for row in rows]
        mean = sum(values) / len(values)
        print_(f"{key:<20}{percentile(values, 0.5):>8.1f}{percentile(values, 0.95):>8.1f}"
               f"{mean:>9.1f}")
        figures["breakdown"][key] = {"p50": percentile(values, 0.5),
                                     "p95": percentile(values, 0.95), "mean": mean}
    return figures


def wait_ready(url: str, timeout_s: float) -> bool:
    """True once Rasa answers on `/` (it listens only after loading its model): the bench
    must not count the refusals of a server still loading as turns."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/", timeout=5) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(1.0)


def ports_from_env() -> dict[str, int]:
    return {"rasa": int(os.environ.get("RASA_PORT", "5005")),
            "actions": int(os.environ.get("ACTIONS_PORT", "5055")),
            "web": int(os.environ.get("WEB_PORT", "8080"))}


def loads_of(args: argparse.Namespace) -> list[Load]:
    if args.conversations is not None:
        return [Load(args.visitors or 1, args.think or 0.0, None, 0.0, args.conversations,
                     args.seed)]
    if args.preset:
        names = list(PRESETS) if args.preset == "all" else [args.preset]
        return [Load(*PRESETS[name], args.duration, args.warmup, None, args.seed)
                for name in names]
    return [Load(args.visitors or 20, args.think or 0.0, args.duration, args.warmup, None,
                 args.seed)]


def summary(figures: list[dict[str, Any]], before: list[dict[str, Any]] | None = None,
            print_: Callable[[str], None] = print) -> None:
    """One line per load; with `before` (an earlier run's `--json`), its line for the same
    load first, so that before and after read side by side."""
    print_("\n== résumé ==")
    print_(f"{'':<7}{'visiteurs':>9}{'réflexion s':>12}{'tours/s':>9}{'p50 ms':>8}"
           f"{'p95 ms':>8}{'p99 ms':>8}{'Rasa CPU ms/tour':>18}{'médiane/tour':>14}")
    earlier = {(f["visitors"], f["think_s"]): f for f in before or []}
    for f in figures:
        rows = [("avant", earlier[key])] if (key := (f["visitors"], f["think_s"])) in earlier \
            else []
        for label, row in [*rows, ("après" if rows else "", f)]:
            print_(f"{label:<7}{row['visitors']:>9}{row['think_s']:>12g}"
                   f"{row['turns_per_s']:>9.2f}{row['p50_ms']:>8.0f}{row['p95_ms']:>8.0f}"
                   f"{row['p99_ms']:>8.0f}"
                   f"{row['cpu_ms_per_turn'].get('rasa', float('nan')):>18.1f}"
                   f"{_cpu_median(row):>14}")


def _cpu_median(figures: dict[str, Any]) -> str:
    """The median of the Rasa process's CPU per turn, for one visitor alone (turns that
    overlap share the process's CPU: the mean per turn above is their figure)."""
    cpu = figures.get("breakdown", {}).get("rasa_cpu_ms")
    if figures["visitors"] != 1 or not cpu:
        return "—"
    return f"{cpu['p50']:.1f}"


async def run_all(url: str, loads: list[Load], pids: dict[str, list[int]],
                  timing_dir: Path | None) -> list[dict[str, Any]]:
    return [report(await run_load(url, load, pids, timing_dir)) for load in loads]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", help="Rasa server already running (e.g. http://127.0.0.1:5005);"
                        " without it, the bench starts its own servers (trained model)")
    parser.add_argument("--preset", choices=[*PRESETS, "all"],
                        help="saturation = 20 visitors, T=0; 50x5, 100x5 = 50/100, T=5 s")
    parser.add_argument("--visitors", type=int, help="visitors at once (default 20)")
    parser.add_argument("--think", type=float, help="mean think time in s (default 0)")
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds not measured")
    parser.add_argument("--conversations", type=int,
                        help="instead of a duration: conversations per visitor")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--timing-dir", type=Path, default=ROOT / "var" / "bench-timing",
                        help="the servers' BENCH_TIMING directory (with --url)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--compare", type=Path,
                        help="an earlier run's --json file, printed beside this run's figures")
    parser.add_argument("--wait", type=float, default=180.0,
                        help="with --url: seconds to wait for Rasa to load its model")
    args = parser.parse_args(argv)
    loads = loads_of(args)
    if args.url:
        if not wait_ready(args.url.rstrip("/"), timeout_s=args.wait):
            print(f"Rasa ne répond pas sur {args.url} après {args.wait:.0f} s : rien mesuré.")
            return 1
        pids = {role: pids_listening(port) for role, port in ports_from_env().items()}
        pids = {role: ids for role, ids in pids.items() if ids}
        print("processus : " + ", ".join(f"{r} {ids}" for r, ids in pids.items()))
        figures = asyncio.run(run_all(args.url.rstrip("/") + "/webhooks/rest/webhook", loads,
                                      pids, args.timing_dir))
    else:
        from tests.support.servers import running_servers

        with tempfile.TemporaryDirectory() as tmp:
            timing = Path(tmp) / "timing"
            with running_servers(Path(tmp), {"BENCH_TIMING": str(timing)}) as servers:
                pids = {name: [proc.pid] for name, proc in servers.procs.items()}
                figures = asyncio.run(run_all(servers.rest_webhook, loads, pids, timing))
    before = json.loads(args.compare.read_text()) if args.compare else None
    if len(figures) > 1 or before:
        summary(figures, before)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
