"""Fault injection under a steady load (issue 19, part 5): what visitors see while the
several-servers layout (`make run-cluster`) loses one of its parts, one fault at a time.

A steady load over REST through the balancer (`--visitors` visitors, each holding the
six-turn conversation of `bench/conversation_turns.py` again and again, exponential think
time of mean `--think` s) runs the whole time; after a warm-up, the faults are injected
one after the other, with a recovery time in between:

- `rasa`      kill -9 of the first Rasa server (run-cluster.sh starts it again; the
              next fault waits until it answers and HAProxy sees it up again);
- `redis`     Redis shut down (nosave) and started again with the settings it had;
- `postgres`  PostgreSQL restarted (pg_ctlcluster … restart: fast shutdown);
- `actions`   every action server stopped (SIGSTOP) for `--actions-stop` s, then SIGCONT:
              the processes are frozen, not killed, so the supervisor does not restart
              them — HAProxy's health checks find them dead;
- `rabbitmq`  RabbitMQ stopped (rabbitmqctl stop_app) for `--rabbitmq-stop` s, start_app.

Every message sent is then looked up in the PostgreSQL tracker store, and each is counted
once, as:

- normal    HTTP 200, an answer, not the apology (connectors/guard.py);
- apology   the apology (or no answer), the message stored;
- error     an HTTP error or no HTTP answer, the message stored all the same;
- lost      no `user` event for it in the tracker store: persisted nowhere, whatever the
            visitor saw (an apology included).

A turn is disturbed when it is not normal or took more than `--slow` s. The recovery time
of a fault is counted from its end (the kill itself; the service answering again; the
SIGCONT / start_app): for each visitor disturbed, the end of its first undisturbed turn
after its last disturbed one; the recovery is the latest of those (0 when no turn was
disturbed; « jamais » when a visitor never got an undisturbed turn before the next fault).

    # against a running `make run-cluster` (its CLUSTER_DIR, tracker store, balancer)
    .venv/bin/python bench/fault_injection.py --url http://127.0.0.1:5005
    # starting its own cluster (2 Rasa servers, databases of its own, removed afterwards)
    .venv/bin/python bench/fault_injection.py --start 2 --faults rasa redis

Prints a French table and writes the figures (and every message that was not normal)
to `--json` (default var/fault_injection.json). Needs root for PostgreSQL, Redis and
RabbitMQ (as on this machine).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.conversation_turns import TURNS  # noqa: E402
from bench.turn_load import ThinkTime, percentile  # noqa: E402
from connectors.guard import APOLOGY  # noqa: E402

NORMAL, APOLOGISED, ERROR, LOST = "normal", "excuses", "erreur", "perdu"
KINDS = (NORMAL, APOLOGISED, ERROR, LOST)
INSTANCE = "X-Rasa-Instance"  # the Rasa server HAProxy chose (scripts/cluster.py)


# --------------------------------------------------------------------- the load
@dataclass
class Message:
    """One visitor message as the load saw it."""

    visitor: int
    sender: str
    text: str
    t0: float              # wall clock, sent
    t1: float              # wall clock, answered (or failed)
    status: int            # 0: no HTTP answer (connection error, timeout)
    replies: list[str]     # the texts of the bot's messages ("" for a card, buttons…)
    instance: str = ""
    error: str = ""

    @property
    def seconds(self) -> float:
        return self.t1 - self.t0


async def send(session: aiohttp.ClientSession, url: str, visitor: int, sender: str,
               text: str) -> Message:
    t0 = time.time()
    status, replies, instance, error = 0, [], "", ""
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as resp:
            status, instance = resp.status, resp.headers.get(INSTANCE, "")
            body = await resp.json(content_type=None)
            if isinstance(body, list):
                replies = [str(item.get("text") or "") for item in body
                           if isinstance(item, dict)]
            if status != 200:
                error = f"HTTP {status}"
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:200]
    return Message(visitor, sender, text, t0, time.time(), status, replies, instance, error)


async def visitor_loop(session: aiohttp.ClientSession, url: str, visitor: int, prefix: str,
                       think: ThinkTime, stop: asyncio.Event, out: list[Message]) -> None:
    """Conversations one after the other (a new sender each), until `stop`."""
    n = 0
    while not stop.is_set():
        sender = f"{prefix}-{visitor}-{n}"
        for _name, text in TURNS:
            try:
                await asyncio.wait_for(stop.wait(), think.next())
                return
            except asyncio.TimeoutError:
                pass
            out.append(await send(session, url, visitor, sender, text))
        n += 1


# --------------------------------------------------------------------- counting
def same_text(text: str) -> str:
    return "".join(text.split())


def stored_counts(rows: list[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """(sender, text) → how many `user` events the tracker store holds for it."""
    return Counter((sender, same_text(text)) for sender, text in rows)


def classify(message: Message, stored: int) -> str:
    if stored == 0:
        return LOST
    if message.status != 200:
        return ERROR
    if not message.replies or APOLOGY in message.replies:
        return APOLOGISED
    return NORMAL


@dataclass
class Window:
    """A fault (or the quiet period before the first one) and the turns it owns: those
    answered from its start until the next one's."""

    key: str
    label: str
    start: float           # fault injected
    end: float             # fault over (service answering again, process resumed…)
    how: str = ""
    notes: list[str] = field(default_factory=list)


def what_went_wrong(message: Message, kind: str) -> str:
    """What the visitor saw of a turn that was not normal."""
    if message.error:
        return message.error
    if message.status != 200:
        return f"HTTP {message.status}"
    if not message.replies:
        return "réponse vide"
    if APOLOGY in message.replies:
        return "excuses"
    return "réponse normale, message non gardé"


def recovery(messages: list[tuple[Message, str]], since: float, slow_s: float
             ) -> float | None:
    """Seconds from `since` until every disturbed visitor had an undisturbed turn after
    its last disturbed one; None if one never did."""
    by_visitor: dict[int, list[tuple[Message, str]]] = defaultdict(list)
    for item in sorted(messages, key=lambda item: item[0].t0):
        by_visitor[item[0].visitor].append(item)
    worst = 0.0
    for items in by_visitor.values():
        disturbed = [i for i, (m, kind) in enumerate(items)
                     if kind != NORMAL or m.seconds > slow_s]
        if not disturbed:
            continue
        after = items[disturbed[-1] + 1:]
        if not after:
            return None
        worst = max(worst, after[0][0].t1 - since)
    return worst


def summarise(messages: list[Message], stored: Counter[tuple[str, str]],
              windows: list[Window], slow_s: float) -> list[dict[str, Any]]:
    """One row of figures per window, from every message of the run."""
    starts = sorted(windows, key=lambda w: w.start)
    owned: dict[str, list[tuple[Message, str]]] = {w.key: [] for w in starts}
    for m in messages:
        owner = None
        for w in starts:
            if m.t1 >= w.start:
                owner = w
        if owner is None:
            continue  # answered during the warm-up
        count = stored[(m.sender, same_text(m.text))]
        owned[owner.key].append((m, classify(m, count)))
    rows = []
    for w in starts:
        items = owned[w.key]
        kinds = Counter(kind for _, kind in items)
        ms = [m.seconds * 1000 for m, _ in items if m.status == 200]
        duplicates = sum(1 for m, _ in items if stored[(m.sender, same_text(m.text))] > 1)
        errors = Counter(what_went_wrong(m, kind) for m, kind in items if kind != NORMAL)
        rows.append({
            "fault": w.key, "label": w.label, "how": w.how, "notes": w.notes,
            "start": w.start, "end": w.end, "fault_s": w.end - w.start,
            "turns": len(items), **{kind: kinds[kind] for kind in KINDS},
            "duplicates": duplicates,
            "slow": sum(1 for m, kind in items if kind == NORMAL and m.seconds > slow_s),
            "p95_ms": percentile(ms, 0.95), "max_ms": max(ms, default=float("nan")),
            "recovery_s": recovery(items, w.end, slow_s) if w.key != "none" else 0.0,
            # slowness aside: until every visitor had a proper answer again
            "recovery_answers_s": recovery(items, w.end, float("inf"))
            if w.key != "none" else 0.0,
            "errors": dict(errors.most_common(5)),
            "not_normal": [{**asdict(m), "kind": kind} for m, kind in items
                           if kind != NORMAL][:5000],
        })
    return rows


def report(rows: list[dict[str, Any]], slow_s: float,
           print_: Callable[[str], None] = print) -> None:
    print_(f"\n== Pannes sous charge (tour lent : plus de {slow_s:g} s ; rétabli : lents "
           "compris ; réponses : erreurs et excuses seules) ==")
    print_(f"{'panne':<34}{'durée s':>8}{'tours':>7}{'normaux':>9}{'excuses':>9}"
           f"{'erreurs':>9}{'perdus':>8}{'doublons':>10}{'lents':>7}{'p95 ms':>8}"
           f"{'max ms':>8}{'rétabli s':>11}{'réponses s':>12}")
    for r in rows:
        rec_text, answers_text = (
            "jamais" if value is None else f"{value:.1f}"
            for value in (r["recovery_s"], r["recovery_answers_s"]))
        print_(f"{r['label']:<34}{r['fault_s']:>8.1f}{r['turns']:>7}{r[NORMAL]:>9}"
               f"{r[APOLOGISED]:>9}{r[ERROR]:>9}{r[LOST]:>8}{r['duplicates']:>10}"
               f"{r['slow']:>7}{r['p95_ms']:>8.0f}{r['max_ms']:>8.0f}{rec_text:>11}"
               f"{answers_text:>12}")
    for r in rows:
        details = [f"{what} × {n}" for what, n in r["errors"].items()]
        if r["how"] or details or r["notes"]:
            print_(f"- {r['label']} : {r['how']}"
                   + (f" ; non normaux : {', '.join(details)}" if details else "")
                   + "".join(f" ; {note}" for note in r["notes"]))


# --------------------------------------------------------------------- the cluster
@dataclass
class Target:
    url: str               # the balancer
    tracker_url: str       # the PostgreSQL tracker store
    directory: Path        # run-cluster.sh's CLUSTER_DIR (pid files)
    rasa: list[str]        # each Rasa server, directly

    def pids(self, prefix: str) -> list[int]:
        return [int(p.read_text()) for p in sorted(self.directory.glob(f"{prefix}-*.pid"))]

    def pid(self, name: str) -> int:
        return int((self.directory / f"{name}.pid").read_text())

    def pid_or_none(self, name: str) -> int | None:
        """None while the supervisor has not written the new pid (or for no such file)."""
        try:
            return self.pid(name)
        except (OSError, ValueError):
            return None


def answers(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


async def until(check: Callable[[], bool], timeout_s: float, step_s: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout_s
    while not await asyncio.to_thread(check):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step_s)
    return True


async def run(*command: str, timeout: float = 120) -> str:
    done = await asyncio.to_thread(subprocess.run, list(command), capture_output=True,
                                   text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} : code {done.returncode} "
                           f"{done.stderr.strip()[-300:]}")
    return done.stdout


async def fault_rasa(target: Target, args: argparse.Namespace, w: Window) -> None:
    pid = target.pid("rasa-1")
    w.start = time.time()
    os.kill(pid, signal.SIGKILL)
    w.end = time.time()
    w.how = f"kill -9 de rasa-1 (pid {pid}), relancé par run-cluster.sh"
    started = time.monotonic()
    if await until(lambda: target.pid_or_none("rasa-1") not in (None, pid)
                   and answers(f"{target.rasa[0]}/"), args.restart_wait, 1.0):
        w.notes.append(f"rasa-1 relancé et prêt en {time.monotonic() - started:.0f} s")
        await asyncio.sleep(3)  # HAProxy: two health checks (rise 2, every 1 s)
    else:
        w.notes.append(f"rasa-1 pas revenu en {args.restart_wait:.0f} s")


async def redis_settings() -> list[str]:
    """redis-server options giving the running server's own settings back."""
    out = await run("redis-cli", "CONFIG", "GET", "*")
    lines = out.splitlines()
    config = dict(zip(lines[::2], lines[1::2], strict=False))
    options = ["--daemonize", "yes", "--bind", config.get("bind", "127.0.0.1"),
               "--port", config.get("port", "6379"), "--save", config.get("save", ""),
               "--appendonly", config.get("appendonly", "no")]
    if config.get("dir"):
        options += ["--dir", config["dir"]]
    if config.get("logfile"):
        options += ["--logfile", config["logfile"]]
    return options


async def fault_redis(target: Target, args: argparse.Namespace, w: Window) -> None:
    options = await redis_settings()
    w.start = time.time()
    await run("redis-cli", "shutdown", "nosave")
    await run("redis-server", *options)
    ok = await until(lambda: subprocess.run(["redis-cli", "ping"], capture_output=True,
                                            text=True).stdout.strip() == "PONG", 30)
    w.end = time.time()
    w.how = "redis-cli shutdown nosave puis redis-server " + " ".join(
        repr(o) if o == "" else o for o in options)
    if not ok:
        w.notes.append("Redis ne répond pas après 30 s")


async def fault_postgres(target: Target, args: argparse.Namespace, w: Window) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    w.start = time.time()
    await run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart")
    ok = await until(lambda: subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"],
                                            check=False).returncode == 0, 60)
    w.end = time.time()
    w.how = f"pg_ctlcluster --skip-systemctl-redirect {version} main restart (arrêt fast)"
    if not ok:
        w.notes.append("PostgreSQL ne répond pas après 60 s")


async def fault_actions(target: Target, args: argparse.Namespace, w: Window) -> None:
    pids = target.pids("actions")
    w.start = time.time()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        await asyncio.sleep(args.actions_stop)
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    w.end = time.time()
    w.how = (f"SIGSTOP des {len(pids)} serveurs d'actions pendant {args.actions_stop:g} s, "
             "puis SIGCONT (figés, pas tués : pas de relance)")


async def fault_rabbitmq(target: Target, args: argparse.Namespace, w: Window) -> None:
    consumer = target.pid_or_none("analytics")
    w.start = time.time()
    await run("rabbitmqctl", "stop_app")
    try:
        await asyncio.sleep(max(0.0, args.rabbitmq_stop - (time.time() - w.start)))
    finally:
        await run("rabbitmqctl", "start_app")
    w.end = time.time()
    w.how = f"rabbitmqctl stop_app, {args.rabbitmq_stop:g} s, rabbitmqctl start_app"
    if consumer is not None:
        await asyncio.sleep(2)
        now = target.pid_or_none("analytics")
        w.notes.append("consommateur d'analyse toujours le même processus"
                       if now == consumer and _alive(consumer)
                       else f"consommateur d'analyse relancé (pid {consumer} → {now})")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


FAULTS = {
    "rasa": ("kill -9 d'un serveur Rasa", fault_rasa),
    "redis": ("redémarrage de Redis", fault_redis),
    "postgres": ("redémarrage de PostgreSQL", fault_postgres),
    "actions": ("serveurs d'actions arrêtés", fault_actions),
    "rabbitmq": ("RabbitMQ arrêté", fault_rabbitmq),
}


def stored_rows(tracker_url: str, prefix: str) -> list[tuple[str, str]]:
    import sqlalchemy as sa

    engine = sa.create_engine(tracker_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT sender_id, data FROM events WHERE type_name = 'user' "
                "AND sender_id LIKE :p"), {"p": f"{prefix}-%"}).all()
    finally:
        engine.dispose()
    return [(sender, json.loads(data).get("text") or "") for sender, data in rows]


async def inject(target: Target, args: argparse.Namespace) -> tuple[list[Message],
                                                                     list[Window], str]:
    prefix = f"panne-{uuid.uuid4().hex[:8]}"
    rng = random.Random(args.seed)
    messages: list[Message] = []
    stop = asyncio.Event()
    url = target.url.rstrip("/") + "/webhooks/rest/webhook"
    connector = aiohttp.TCPConnector(limit=args.visitors + 2)
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    windows: list[Window] = []
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        tasks = [asyncio.create_task(visitor_loop(
            session, url, v, prefix, ThinkTime(args.think, random.Random(rng.random())),
            stop, messages)) for v in range(args.visitors)]
        await asyncio.sleep(args.warmup)
        quiet = Window("none", "sans panne", time.time(), time.time(),
                       f"{args.quiet:g} s de charge seule")
        windows.append(quiet)
        await asyncio.sleep(args.quiet)
        for key in args.faults:
            label, action = FAULTS[key]
            if key == "actions":
                label += f" {args.actions_stop:g} s"
            if key == "rabbitmq":
                label += f" {args.rabbitmq_stop:g} s"
            w = Window(key, label, time.time(), time.time())
            windows.append(w)
            print(f">> {time.strftime('%H:%M:%S', time.gmtime())} UTC : {label}", flush=True)
            await action(target, args, w)
            await asyncio.sleep(args.settle)
        stop.set()
        await asyncio.gather(*tasks)
    return messages, windows, prefix


@contextmanager
def own_cluster(instances: int, log_dir: Path) -> Iterator[Target]:
    from tests.support.cluster import running_cluster

    log_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, \
            running_cluster(Path(tmp), instances, 2, {"CLUSTER_RESTART": "1",
                                                      "LOG_DIR": str(log_dir)}) as cluster:
        yield Target(cluster.balancer, cluster.tracker_url, cluster.directory, cluster.rasa)


def running_target(args: argparse.Namespace) -> Target:
    directory = args.cluster_dir
    count = len(list(directory.glob("rasa-*.pid")))
    if not count:
        raise SystemExit(f"Aucun serveur Rasa dans {directory} : « make run-cluster » "
                         "tourne-t-il ? (ou --start 2)")
    first = int(os.environ.get("RASA_FIRST_PORT", "5101"))
    tracker = args.tracker_url or os.environ.get("TRACKER_STORE_URL", "") \
        or "postgresql://postgres@127.0.0.1:5432/mormal_conversations"
    return Target(args.url, tracker, directory,
                  [f"http://127.0.0.1:{first + i}" for i in range(count)])


def measure(target: Target, args: argparse.Namespace) -> list[dict[str, Any]]:
    print(f">> charge : {args.visitors} visiteurs, réflexion moyenne {args.think:g} s, "
          f"sur {target.url} ; pannes : {', '.join(args.faults)}", flush=True)
    messages, windows, prefix = asyncio.run(inject(target, args))
    time.sleep(2)  # the last turns' saves
    stored = stored_counts(stored_rows(target.tracker_url, prefix))
    rows = summarise(messages, stored, windows, args.slow)
    report(rows, args.slow)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}",
                   help="the balancer of a running `make run-cluster`")
    p.add_argument("--cluster-dir", type=Path,
                   default=ROOT / os.environ.get("CLUSTER_DIR", "var/cluster"))
    p.add_argument("--tracker-url", help="the tracker store (default: TRACKER_STORE_URL)")
    p.add_argument("--start", type=int, metavar="N",
                   help="start a cluster of N Rasa servers of its own instead")
    p.add_argument("--faults", nargs="+", choices=list(FAULTS), default=list(FAULTS))
    p.add_argument("--visitors", type=int, default=20)
    p.add_argument("--think", type=float, default=1.0, help="mean think time, s")
    p.add_argument("--warmup", type=float, default=10.0)
    p.add_argument("--quiet", type=float, default=20.0, help="s of load before the faults")
    p.add_argument("--settle", type=float, default=20.0, help="s after each fault is over")
    p.add_argument("--slow", type=float, default=2.0, help="a turn slower is disturbed, s")
    p.add_argument("--actions-stop", type=float, default=10.0)
    p.add_argument("--rabbitmq-stop", type=float, default=10.0)
    p.add_argument("--restart-wait", type=float, default=240.0,
                   help="s to wait for the killed Rasa server to come back")
    p.add_argument("--timeout", type=float, default=70.0, help="HTTP timeout per turn, s")
    p.add_argument("--seed", type=int, default=19)
    p.add_argument("--json", type=Path, default=ROOT / "var" / "fault_injection.json")
    p.add_argument("--log-dir", type=Path, default=ROOT / "var" / "log" / "fault_injection",
                   help="with --start: the cluster's logs (HAProxy's errors, each server's)")
    args = p.parse_args(argv)
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    if args.start:
        with own_cluster(args.start, args.log_dir) as target:
            rows = measure(target, args)
    else:
        rows = measure(running_target(args), args)
    ended = time.strftime("%H:%M:%S UTC", time.gmtime())
    print(f"({started} → {ended})")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(
        {"started": started, "ended": ended, "visitors": args.visitors, "think_s": args.think,
         "slow_s": args.slow, "rows": rows}, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
