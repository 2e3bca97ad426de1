"""The balancer of `make run-cluster` (issue 19): Debian's HAProxy on the configuration
`scripts/cluster.py haproxy` writes, in front of small stand-ins for two Rasa servers and
two action servers that answer with their name. Which request goes where, for every
channel's way of naming its conversation, and what happens when a server dies. No trained
model: seconds, where tests/cluster/ checks the same with the real bot. Fails (never
skips) when HAProxy is not installed (scripts/ensure-services.sh installs it)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.servers import ROOT, free_port

INSTANCE = "X-Rasa-Instance"


class Named(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, name: str) -> None:
        self.name = name
        super().__init__(("127.0.0.1", port), Answer)

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # HAProxy's health checks hang up without reading the answer


class Answer(BaseHTTPRequestHandler):
    """Every GET and POST answered 200 with the server's name (and the body read)."""

    def answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = self.server.name.encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = answer

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Stand:
    name: str
    port: int
    server: Named | None = None

    def start(self) -> None:
        self.server = Named(self.port, self.name)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def kill(self) -> None:
        """Gone at once, as after `kill -9`: connections are refused."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@dataclass
class Balancer:
    url: str
    actions_url: str
    socket_path: Path
    rasa: list[Stand]
    actions: list[Stand]
    proc: subprocess.Popen[bytes] | None = None
    log: list[str] = field(default_factory=list)

    def up(self, backend: str) -> set[str]:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(self.socket_path))
            s.sendall(b"show stat\n")
            data = b"".join(iter(lambda: s.recv(65536), b"")).decode()
        rows = [line.split(",") for line in data.splitlines()]
        return {r[1] for r in rows if len(r) > 17 and r[0] == backend and r[17] == "UP"
                and r[1] not in ("FRONTEND", "BACKEND")}

    def wait_up(self, backend: str, expected: set[str], timeout: float = 10) -> float:
        started = time.monotonic()
        while self.up(backend) != expected:
            assert time.monotonic() - started < timeout, (backend, self.up(backend))
            time.sleep(0.05)
        return time.monotonic() - started


@pytest.fixture
def balancer(tmp_path: Path) -> Iterator[Balancer]:
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    assert Path(haproxy).exists(), "HAProxy is not installed: run scripts/ensure-services.sh"
    rasa = [Stand(f"rasa{i}", free_port()) for i in (1, 2)]
    actions = [Stand(f"actions{i}", free_port()) for i in (1, 2)]
    for stand in rasa + actions:
        stand.start()
    listen, actions_listen = free_port(), free_port()
    socket_path = tmp_path / "haproxy.sock"
    config = subprocess.run(
        [sys.executable, "scripts/cluster.py", "haproxy", "--listen", f"127.0.0.1:{listen}",
         "--rasa", *[f"127.0.0.1:{s.port}" for s in rasa],
         "--actions-listen", f"127.0.0.1:{actions_listen}",
         "--actions", *[f"127.0.0.1:{s.port}" for s in actions], "--socket", str(socket_path)],
        cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True).stdout
    (tmp_path / "haproxy.cfg").write_text(config)
    proc = subprocess.Popen([haproxy, "-db", "-f", str(tmp_path / "haproxy.cfg")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    b = Balancer(f"http://127.0.0.1:{listen}", f"http://127.0.0.1:{actions_listen}",
                 socket_path, rasa, actions, proc)
    try:
        deadline = time.monotonic() + 10
        while not socket_path.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "HAProxy did not start"
            time.sleep(0.05)
        b.wait_up("rasa", {"rasa1", "rasa2"})
        b.wait_up("actions", {"actions1", "actions2"})
        yield b
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for stand in rasa + actions:
            stand.kill()


def send(url: str, body: bytes | None = None, content_type: str = "application/json",
         headers: dict[str, str] | None = None) -> str:
    """The name of the server that answered (the stand-in's body)."""
    req = urllib.request.Request(url, data=body, headers={
        **({"Content-Type": content_type} if body is not None else {}), **(headers or {})})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200
        answered = resp.read().decode()
        assert resp.headers.get(INSTANCE) in (None, answered)  # None: the actions' port
        return answered


def rest(sender: str) -> bytes:
    return json.dumps({"sender": sender, "message": "bonjour"}).encode()


def requests_of(b: Balancer, key: str) -> dict[str, tuple[str, bytes | None, str]]:
    """Each channel's request naming the conversation `key`: path, body, content type."""
    chat = int(key.rsplit("-", 1)[1]) + 4200
    message = {"chat": {"id": chat, "type": "private"}, "text": "bonjour"}
    return {
        "rest": ("/webhooks/rest/webhook", rest(key), "application/json"),
        "telegram": ("/webhooks/telegram/webhook",
                     json.dumps({"update_id": 1, "message": message}).encode(),
                     "application/json"),
        "telegram button": ("/webhooks/telegram/webhook", json.dumps(
            {"update_id": 2, "callback_query": {"id": "9", "data": "x", "message": message}}
        ).encode(), "application/json"),
        "whatsapp": ("/webhooks/whatsapp/webhook", json.dumps({"entry": [{"changes": [{
            "value": {"messages": [{"from": f"3361{chat}", "id": "w", "type": "text"}]}}]}]}
        ).encode(), "application/json"),
        "sms": ("/webhooks/sms/webhook", urllib.parse.urlencode(
            {"From": f"+3362{chat}", "Body": "bonjour", "MessageSid": "SM1"}).encode(),
                "application/x-www-form-urlencoded"),
        "http api": (f"/conversations/{key}/tracker/events", b"{}", "application/json"),
        "socket.io": (f"/socket.io/?EIO=4&transport=polling&session={key}", None, ""),
    }


def test_every_channel_keeps_a_conversation_on_one_server(balancer: Balancer) -> None:
    spread: dict[str, set[str]] = {}
    for i in range(12):
        key = f"visiteur-{i}"
        for kind, (path, body, content_type) in requests_of(balancer, key).items():
            served = {send(balancer.url + path, body, content_type) for _ in range(3)}
            assert len(served) == 1, (kind, key, served)
            spread.setdefault(kind, set()).update(served)
        # The web app's calls for a conversation reach the server its REST turns reach.
        path, body, content_type = requests_of(balancer, key)["rest"]
        assert send(balancer.url + path, body, content_type) == send(
            f"{balancer.url}/conversations/{key}/tracker/events", b"{}")
    assert all(servers == {"rasa1", "rasa2"} for servers in spread.values()), spread


def test_a_telegram_button_goes_where_the_chat_s_messages_go(balancer: Balancer) -> None:
    for i in range(8):
        asks = requests_of(balancer, f"visiteur-{i}")
        assert len({send(balancer.url + asks[kind][0], asks[kind][1])
                    for kind in ("telegram", "telegram button")}) == 1


def test_without_a_conversation_the_visitor_s_address_decides(balancer: Balancer) -> None:
    """A first visit's socket.io (no `session` yet) and Rasa's GET /: by the client's
    address, or the last X-Forwarded-For of the reverse proxy in front."""
    first = f"{balancer.url}/socket.io/?EIO=4&transport=polling"
    assert len({send(first) for _ in range(5)}) == 1
    assert len({send(f"{balancer.url}/") for _ in range(5)}) == 1
    by_address = {send(first, headers={"X-Forwarded-For": f"203.0.113.{i}"})
                  for i in range(12)}
    assert by_address == {"rasa1", "rasa2"}
    for i in range(12):
        proxy = {"X-Forwarded-For": f"198.51.100.7, 203.0.113.{i}"}
        assert send(first, headers=proxy) == send(
            first, headers={"X-Forwarded-For": f"203.0.113.{i}"})


def test_a_dead_server_s_conversations_move_at_once_and_come_back(balancer: Balancer) -> None:
    keys = [f"visiteur-{i}" for i in range(12)]
    home = {key: send(f"{balancer.url}/webhooks/rest/webhook", rest(key))
            for key in keys}
    dead = home[keys[0]]
    alive = ({"rasa1", "rasa2"} - {dead}).pop()
    stand = next(s for s in balancer.rasa if s.name == dead)
    stand.kill()
    started = time.monotonic()
    assert send(f"{balancer.url}/webhooks/rest/webhook", rest(keys[0])) == alive
    moved = time.monotonic() - started
    print(f"\n{dead} dead: its conversation answered by {alive} after {moved:.3f} s")
    assert moved < 1.0, moved
    for key in keys:  # every conversation is answered, by the live server
        assert send(f"{balancer.url}/webhooks/rest/webhook", rest(key)) == alive
    balancer.wait_up("rasa", {alive}, timeout=3)
    # Back: its conversations return to it (consistent hashing), the others never moved.
    stand.start()
    balancer.wait_up("rasa", {"rasa1", "rasa2"}, timeout=5)
    assert {key: send(f"{balancer.url}/webhooks/rest/webhook", rest(key))
            for key in keys} == home


def test_the_action_servers_share_the_calls_and_cover_for_each_other(
        balancer: Balancer) -> None:
    served = [send(f"{balancer.actions_url}/webhook", b"{}") for _ in range(20)]
    assert set(served) == {"actions1", "actions2"}
    balancer.actions[0].kill()
    assert {send(f"{balancer.actions_url}/webhook", b"{}") for _ in range(10)} == {"actions2"}
    balancer.actions[1].kill()
    with pytest.raises(urllib.error.HTTPError):  # none left: an error at once, not a hang
        send(f"{balancer.actions_url}/webhook", b"{}")
