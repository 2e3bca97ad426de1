"""The figures of issue 19 for the several-servers layout: for each number of Rasa servers
asked, a cluster of its own (`scripts/run-cluster.sh` through tests/support/cluster.py:
databases, Redis database and RabbitMQ queue of its own, removed afterwards), the Locust
loads of `bench/locust_run.py` through the balancer (20 visitors T = 0; 50 and 100
visitors T = 5 s, REST), and after each load the memory of every process: each Rasa and
action server, HAProxy, the web app, the analytics consumer, and PostgreSQL, Redis and
RabbitMQ (shared by everything on the machine).

    .venv/bin/python bench/cluster_load.py --instances 1 2 --json var/cluster_load.json

Memory: RSS now and at its peak (VmRSS, VmHWM) per process; for PostgreSQL and RabbitMQ,
several processes, summed (PSS, so that PostgreSQL's shared buffers count once).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import locust_run  # noqa: E402
from bench.turn_load import memory_mb  # noqa: E402

LOADS = {"20x0": (20, 0.0), "50x5": (50, 5.0), "100x5": (100, 5.0)}
SERVICES = {"PostgreSQL": ("postgres",), "Redis": ("redis-server",),
            "RabbitMQ": ("beam.smp", "epmd", "erl_child_setup", "inet_gethost")}


def pss_mb(pid: int, proc: Path = Path("/proc")) -> float:
    """Proportional set size (shared pages divided among their users), in MB."""
    for line in (proc / str(pid) / "smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def processes_named(names: tuple[str, ...], proc: Path = Path("/proc")) -> list[int]:
    pids = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if comm in names:
            pids.append(int(entry.name))
    return sorted(pids)


def memory(directory: Path) -> list[dict[str, Any]]:
    """One row per cluster process (pid files of run-cluster.sh) and per service."""
    rows = []
    for pid_file in sorted(directory.glob("*.pid"),
                           key=lambda p: ("rasa actions haproxy web analytics".find(
                               p.stem.split("-")[0]), p.stem)):
        try:
            pid = int(pid_file.read_text())
            rss, peak = memory_mb(pid)
            pss = pss_mb(pid)
        except (OSError, KeyError, ValueError):
            continue
        rows.append({"process": pid_file.stem, "pids": [pid], "rss_mb": rss, "peak_mb": peak,
                     "pss_mb": pss})
    for service, names in SERVICES.items():
        read = []
        for pid in processes_named(names):
            try:  # a process may end (or be a zombie, without VmRSS) while being read
                read.append((pid, memory_mb(pid)[0], pss_mb(pid)))
            except (OSError, KeyError, ValueError):
                continue
        if not read:
            continue
        rows.append({"process": service, "pids": [pid for pid, _, _ in read],
                     "rss_mb": sum(rss for _, rss, _ in read), "peak_mb": float("nan"),
                     "pss_mb": sum(pss for _, _, pss in read)})
    return rows


def print_memory(rows: list[dict[str, Any]], print_: Callable[[str], None] = print) -> None:
    print_(f"{'processus':<14}{'nb':>4}{'RSS Mo':>9}{'pic Mo':>9}{'PSS Mo':>9}")
    for r in rows:
        print_(f"{r['process']:<14}{len(r['pids']):>4}{r['rss_mb']:>9.0f}{r['peak_mb']:>9.0f}"
               f"{r['pss_mb']:>9.0f}")
    cluster = [r for r in rows if r["process"] not in SERVICES]
    print_(f"{'total cluster':<14}{sum(len(r['pids']) for r in cluster):>4}"
           f"{sum(r['rss_mb'] for r in cluster):>9.0f}{'':>9}"
           f"{sum(r['pss_mb'] for r in cluster):>9.0f}")


def run_loads(instances: int, args: argparse.Namespace) -> list[dict[str, Any]]:
    from tests.support.cluster import running_cluster

    results = []
    with tempfile.TemporaryDirectory() as tmp, \
            running_cluster(Path(tmp), instances, args.actions, {}) as cluster:
        print(f"\n##### {instances} serveur(s) Rasa, {args.actions} serveurs d'actions, "
              f"HAProxy {cluster.balancer} — {time.strftime('%H:%M:%S', time.gmtime())} UTC",
              flush=True)
        for name in args.loads:
            users, think = LOADS[name]
            out = Path(tmp) / f"{name}.json"
            started = time.strftime("%H:%M:%S", time.gmtime())
            code = locust_run.main([
                "--url", cluster.balancer, "--users", str(users), "--think", f"{think:g}",
                "--duration", f"{args.duration:g}", "--warmup", f"{args.warmup:g}",
                "--json", str(out)])
            ended = time.strftime("%H:%M:%S", time.gmtime())
            print(f"({started} → {ended} UTC)")
            rows = memory(cluster.directory)
            print_memory(rows)
            figures = json.loads(out.read_text()) if out.exists() else {}
            results.append({"instances": instances, "load": name, "started": started,
                            "ended": ended, "exit_code": code, "figures": figures,
                            "memory": rows})
            sys.stdout.flush()
    return results


def summary(results: list[dict[str, Any]], print_: Callable[[str], None] = print) -> None:
    print_("\n== résumé ==")
    print_(f"{'Rasa':>5}{'visiteurs':>10}{'réflexion s':>12}{'tours/s':>9}{'échecs':>8}"
           f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
    for r in results:
        f = r["figures"]
        if not f:
            continue
        print_(f"{r['instances']:>5}{f['users']:>10}{f['think_s']:>12g}"
               f"{f['turns_per_s']:>9.2f}{f['failed']:>8}{f['all']['p50_ms']:>8.0f}"
               f"{f['all']['p95_ms']:>8.0f}{f['all']['p99_ms']:>8.0f}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--instances", type=int, nargs="+", default=[1, 2])
    p.add_argument("--actions", type=int, default=2, help="action servers (default 2)")
    p.add_argument("--loads", nargs="+", choices=list(LOADS), default=list(LOADS))
    p.add_argument("--duration", type=float, default=60.0)
    p.add_argument("--warmup", type=float, default=10.0)
    p.add_argument("--json", type=Path, default=ROOT / "var" / "cluster_load.json")
    args = p.parse_args(argv)
    results = []
    for n in args.instances:
        results += run_loads(n, args)
    summary(results)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
