"""Locust load test (issue 19, part 4): concurrent visitors, each holding the six-turn
recommendation conversation of `bench/conversation_turns.py` (its `TURNS`, imported:
one definition) again and again, a new visitor id each time, over REST or the widget's
socket.io channel, against a base URL (the load balancer of `make run-cluster`, or one
Rasa server).

Before every message a visitor pauses for an exponential think time of mean `--think`
seconds (0: no pause, the saturation throughput), as `conversation_turns.py` does.

- REST (`RestVisitor`): `POST /webhooks/rest/webhook`; a turn fails on an HTTP error, an
  unreadable body or an empty answer.
- socket.io (`SocketIOVisitor`), as the widget talks to Rasa's socketio channel
  (connectors/socketio.py): `session_request` with a device secret, `session_confirm`,
  then `user_uttered` / `bot_uttered`. The channel marks no end of turn: a turn ends when
  no `bot_uttered` came for `--sio-quiet` seconds after the last one, and its time is
  that of its last answer; a turn with no answer within `--sio-timeout` fails.

`--socketio-share` is the fraction of visitors on socket.io (0: REST only, 1: socket.io
only). Every turn is also written to `--turns-file` (JSON) with its exact time, for
`bench/locust_run.py`, which runs this file headless and prints turns/s and p50/p95/p99
per turn (Locust's own statistics round times above 100 ms).

    .venv/bin/python bench/locust_run.py --url http://127.0.0.1:5005 --users 20 --think 0
    .venv/bin/locust -f bench/locustfile.py --host http://127.0.0.1:5005 --headless \\
        -u 20 -r 20 -t 60s --think 5 --socketio-share 0.5
"""

from __future__ import annotations

import json
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import gevent
from gevent.event import AsyncResult
from gevent.queue import Empty, Queue
from locust import FastHttpUser, User, constant, events, task
from locust.env import Environment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.conversation_turns import TURNS  # noqa: E402
from bench.locust_run import mix  # noqa: E402
from bench.turn_load import ThinkTime  # noqa: E402

REST_PATH = "/webhooks/rest/webhook"
SOCKETIO = "socket.io"
CONNECT = "connexion"    # the socket.io connection and session: recorded, not a turn


class Record:
    """Every request of the run, with its wall-clock start and end (the turns file)."""

    start: float | None = None
    stop: float | None = None
    turns: list[dict[str, Any]] = []


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument("--think", type=float, default=0.0, env_var="BENCH_THINK",
                        help="mean think time before each message, s (0: saturation)")
    parser.add_argument("--socketio-share", type=float, default=0.0,
                        env_var="BENCH_SOCKETIO_SHARE",
                        help="fraction of the visitors on socket.io (the rest on REST)")
    parser.add_argument("--sio-quiet", type=float, default=0.3,
                        help="socket.io: seconds without bot_uttered that end a turn")
    parser.add_argument("--sio-timeout", type=float, default=60.0,
                        help="socket.io: seconds to wait for a turn's first answer")
    parser.add_argument("--sio-transport", default="websocket",
                        choices=["websocket", "polling"], help="socket.io transport")
    parser.add_argument("--turns-file", default="", env_var="BENCH_TURNS_FILE",
                        help="write every turn (exact times) to this JSON file")
    parser.add_argument("--seed", type=int, default=19, help="think times' seed")


@events.init.add_listener
def _setup(environment: Environment, **_kwargs: Any) -> None:
    options = environment.parsed_options
    if options is None:
        return
    weights = mix(options.socketio_share)
    for cls in (RestVisitor, SocketIOVisitor):
        cls.weight = weights[cls.__name__]
    environment.user_classes[:] = [c for c in environment.user_classes
                                   if weights.get(c.__name__, 1) > 0]
    Visitor.rng = random.Random(options.seed)


@events.test_start.add_listener
def _started(**_kwargs: Any) -> None:
    Record.start, Record.stop, Record.turns = time.time(), None, []


@events.request.add_listener
def _request(request_type: str, name: str, response_time: float, response_length: int,
             exception: BaseException | None = None, **_kwargs: Any) -> None:
    now = time.time()
    Record.turns.append({"channel": "rest" if request_type != SOCKETIO else "socketio",
                         "name": name, "t0": now - response_time / 1000, "t1": now,
                         "ms": response_time, "ok": exception is None,
                         "error": None if exception is None else str(exception)[:200]})


@events.test_stop.add_listener
def _stopped(environment: Environment, **_kwargs: Any) -> None:
    Record.stop = time.time()
    options = environment.parsed_options
    if options is not None and options.turns_file:
        Path(options.turns_file).write_text(json.dumps(
            {"start": Record.start, "stop": Record.stop, "turns": Record.turns},
            ensure_ascii=False), encoding="utf-8")


class Visitor:
    """What both channels share: the think time (seeded per visitor)."""

    rng = random.Random(19)
    think: ThinkTime

    def start_thinking(self, environment: Environment) -> None:
        mean = environment.parsed_options.think if environment.parsed_options else 0.0
        self.think = ThinkTime(mean, random.Random(Visitor.rng.random()))

    def pause(self) -> None:
        gevent.sleep(self.think.next())


class RestVisitor(FastHttpUser, Visitor):
    wait_time = constant(0)
    network_timeout = 120.0
    connection_timeout = 30.0

    def on_start(self) -> None:
        self.start_thinking(self.environment)

    @task
    def conversation(self) -> None:
        sender = f"locust-{uuid.uuid4().hex}"
        for name, text in TURNS:
            self.pause()
            with self.client.post(REST_PATH, json={"sender": sender, "message": text},
                                  name=name, catch_response=True) as resp:
                if resp.status_code != 200:
                    resp.failure(f"HTTP {resp.status_code}")
                    continue
                try:
                    body = resp.json()
                except ValueError:
                    resp.failure("réponse illisible")
                    continue
                if not body:
                    resp.failure("réponse vide")


class SocketIOVisitor(User, Visitor):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.start_thinking(self.environment)

    def _fire(self, name: str, started: float, ended: float, answers: int,
              exception: BaseException | None = None) -> None:
        self.environment.events.request.fire(
            request_type=SOCKETIO, name=name, response_time=(ended - started) * 1000,
            response_length=answers, exception=exception, context={})

    @task
    def conversation(self) -> None:
        import socketio  # python-socketio's client (Rasa's dependency), threads → greenlets

        options = self.environment.parsed_options
        quiet = options.sio_quiet if options else 0.3
        timeout = options.sio_timeout if options else 60.0
        transport = options.sio_transport if options else "websocket"
        client = socketio.Client(reconnection=False)
        answers: Queue[float] = Queue()
        confirmed: AsyncResult = AsyncResult()
        client.on("bot_uttered", lambda _message: answers.put(time.perf_counter()))
        client.on("session_confirm", confirmed.set)
        secret = uuid.uuid4().hex          # the device's secret (connectors/socketio.py)
        started = time.perf_counter()
        try:
            client.connect(self.host or "", socketio_path="/socket.io",
                           transports=[transport], wait_timeout=10)
            client.emit("session_request", {"session_id": secret})
            confirmed.get(timeout=30)
        except Exception as exc:  # noqa: BLE001 - any failure to connect is recorded
            self._fire(CONNECT, started, time.perf_counter(), 0, exc)
            client.disconnect()
            gevent.sleep(1.0)              # not a tight loop against a server that is down
            return
        self._fire(CONNECT, started, time.perf_counter(), 0)
        try:
            for name, text in TURNS:
                self.pause()
                while not answers.empty():  # a late answer to the previous turn
                    answers.get_nowait()
                sent = time.perf_counter()
                client.emit("user_uttered", {"message": text, "session_id": secret})
                try:
                    last = answers.get(timeout=timeout)
                except Empty:
                    self._fire(name, sent, time.perf_counter(), 0,
                               TimeoutError(f"aucune réponse en {timeout:g} s"))
                    continue
                count = 1
                while True:
                    try:
                        last = answers.get(timeout=quiet)
                    except Empty:
                        break
                    count += 1
                self._fire(name, sent, last, count)
        finally:
            client.disconnect()
