"""Runs `bench/locustfile.py` headless (Locust) for a duration with N visitors and prints
turns/s, p50/p95/p99 per turn and the turns failed, from the exact time of every turn.

    .venv/bin/python bench/locust_run.py --url http://127.0.0.1:5005 --users 20 --think 0
    .venv/bin/python bench/locust_run.py --url http://127.0.0.1:8000 --users 100 --think 5 \\
        --socketio 0.5 --duration 120 --json var/locust-100x5.json

The first `--warmup` seconds are run but not measured. turns/s counts the turns answered
within the measured window; a turn failed is an HTTP error, an empty or unreadable answer,
or (socket.io) no answer in time; turns still in flight when the run stops are neither.
Locust's own output goes to `--log` (default: a temporary file, printed on failure).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.conversation_turns import TURNS  # noqa: E402
from bench.turn_load import percentile  # noqa: E402

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
CONNECT = "connexion"   # bench/locustfile.py: a socket.io connection, not a turn


def mix(share: float) -> dict[str, int]:
    """bench/locustfile.py's user class weights for a socket.io share in [0, 1] (a class
    of weight 0 is left out of the run)."""
    if not 0.0 <= share <= 1.0:
        raise ValueError("--socketio-share doit être entre 0 et 1")
    socketio = round(share * 100)
    return {"RestVisitor": 100 - socketio, "SocketIOVisitor": socketio}


def locust_command(args: argparse.Namespace, turns_file: Path) -> list[str]:
    run_s = args.warmup + args.duration
    return [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
            "--host", args.url.rstrip("/"), "-u", str(args.users),
            "-r", str(args.spawn_rate or args.users), "-t", f"{run_s:g}s",
            "--think", f"{args.think:g}", "--socketio-share", f"{args.socketio:g}",
            "--sio-transport", args.transport, "--turns-file", str(turns_file),
            "--seed", str(args.seed), "--only-summary", "--loglevel", "WARNING",
            "--exit-code-on-error", "0"]


def figures(run: dict[str, Any], warmup_s: float) -> dict[str, Any]:
    """The run's figures over its measured window (after the warm-up)."""
    start = float(run["start"]) + warmup_s
    stop = float(run["stop"])
    window = max(stop - start, 1e-9)
    measured = [t for t in run["turns"] if t["t0"] >= start and t["name"] != CONNECT]
    ok = [t for t in measured if t["ok"]]
    answered = sum(1 for t in ok if t["t1"] <= stop)

    def row(rows: list[dict[str, Any]]) -> dict[str, Any]:
        ms = [t["ms"] for t in rows if t["ok"]]
        return {"n": len(ms), "failed": sum(not t["ok"] for t in rows),
                "p50_ms": percentile(ms, 0.5), "p95_ms": percentile(ms, 0.95),
                "p99_ms": percentile(ms, 0.99), "max_ms": max(ms, default=float("nan"))}

    connections = [t for t in run["turns"] if t["name"] == CONNECT]
    return {
        "window_s": window, "turns_per_s": answered / window, "turns": len(measured),
        "failed": len(measured) - len(ok),
        "errors": dict(Counter(t["error"] for t in measured if not t["ok"]).most_common(5)),
        "connections_failed": sum(not t["ok"] for t in connections),
        "per_turn": {name: row([t for t in measured if t["name"] == name])
                     for name, _ in TURNS},
        "per_channel": {ch: row([t for t in measured if t["channel"] == ch])
                        for ch in sorted({t["channel"] for t in measured})},
        "all": row(measured),
    }


def report(args: argparse.Namespace, fig: dict[str, Any],
           print_: Callable[[str], None] = print) -> None:
    think = f"{args.think:g} s" if args.think else "aucune (saturation)"
    print_(f"\n== Locust : {args.users} visiteurs ({100 * args.socketio:.0f} % socket.io), "
           f"réflexion moyenne {think}, {fig['window_s']:.0f} s mesurées, {args.url} ==")
    print_(f"tours/s : {fig['turns_per_s']:.2f}   tours mesurés : {fig['turns']}   "
           f"tours échoués : {fig['failed']}"
           + (f"   connexions socket.io échouées : {fig['connections_failed']}"
              if fig["connections_failed"] else ""))
    for error, count in fig["errors"].items():
        print_(f"  échec × {count} : {error}")
    print_(f"{'tour':<24}{'n':>6}{'échecs':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
           f"{'max ms':>9}")

    def line(label: str, r: dict[str, Any]) -> None:
        print_(f"{label:<24}{r['n']:>6}{r['failed']:>8}{r['p50_ms']:>9.0f}{r['p95_ms']:>9.0f}"
               f"{r['p99_ms']:>9.0f}{r['max_ms']:>9.0f}")

    for name, r in fig["per_turn"].items():
        line(name, r)
    for channel, r in fig["per_channel"].items():
        line(f"canal {channel}", r)
    line("tous les tours", fig["all"])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--url", required=True, help="the load balancer or one Rasa server")
    p.add_argument("--users", type=int, default=20, help="visitors at once (default 20)")
    p.add_argument("--think", type=float, default=0.0, help="mean think time, s (0)")
    p.add_argument("--duration", type=float, default=60.0, help="measured seconds (60)")
    p.add_argument("--warmup", type=float, default=10.0, help="seconds run first, unmeasured")
    p.add_argument("--socketio", type=float, default=0.0,
                   help="fraction of visitors on socket.io (0: REST only)")
    p.add_argument("--transport", default="websocket", choices=["websocket", "polling"])
    p.add_argument("--spawn-rate", type=float, help="visitors started per second (all in 1 s)")
    p.add_argument("--seed", type=int, default=19)
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    p.add_argument("--log", type=Path, help="Locust's own output (default: temporary)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        turns_file = Path(tmp) / "turns.json"
        log = args.log or Path(tmp) / "locust.log"
        with open(log, "w", encoding="utf-8") as out:
            done = subprocess.run(locust_command(args, turns_file), stdout=out,
                                  stderr=subprocess.STDOUT, cwd=ROOT, check=False)
        if done.returncode != 0 or not turns_file.exists():
            print(f"Locust s'est arrêté en erreur (code {done.returncode}) :\n"
                  + log.read_text(encoding="utf-8")[-3000:], file=sys.stderr)
            return 1
        fig = figures(json.loads(turns_file.read_text(encoding="utf-8")), args.warmup)
    report(args, fig)
    if args.json:
        args.json.write_text(json.dumps({"users": args.users, "think_s": args.think,
                                         "socketio_share": args.socketio, **fig},
                                        indent=2, ensure_ascii=False), encoding="utf-8")
    return 0 if fig["turns"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
