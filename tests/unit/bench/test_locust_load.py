"""The Locust load test (bench/locustfile.py through bench/locust_run.py), run headless for
a few seconds against a fake Rasa served here (never the real bot): its REST webhook, and
for the socket.io mix a python-socketio server speaking as Rasa's socketio channel. Every
visitor holds the six-turn conversation in order, turns are counted, failures are counted
per turn."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import socketio
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench import locust_run
from bench.conversation_turns import TURNS

ROOT = Path(__file__).resolve().parents[3]
TEXTS = [text for _name, text in TURNS]


def fake_socketio(app: web.Application, said: dict[str, list[str]]) -> None:
    """Rasa's socketio channel as the widget sees it: session_request → session_confirm,
    each user_uttered → two bot_uttered, 20 ms apart."""
    sio = socketio.AsyncServer(async_mode="aiohttp")
    sio.attach(app, socketio_path="/socket.io")

    async def session_request(sid: str, data: dict[str, Any]) -> None:
        await sio.emit("session_confirm", f"conversation-{data['session_id']}", room=sid)

    async def user_uttered(sid: str, data: dict[str, Any]) -> None:
        said[f"sio-{data['session_id']}"].append(data["message"])
        for text in ("Voici", "Et aussi"):
            await asyncio.sleep(0.02)
            await sio.emit("bot_uttered", {"text": text}, room=sid)

    sio.on("session_request", session_request)
    sio.on("user_uttered", user_uttered)


async def run_against(answer: Any, tmp_path: Path, *extra: str,
                      ) -> tuple[dict[str, Any], dict[str, list[str]], str]:
    """bench/locust_run.py against a fake webhook answering with `answer(message)` (and a
    fake socket.io channel): its figures (--json), what each sender said, and what it
    printed."""
    said: dict[str, list[str]] = defaultdict(list)

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        said[body["sender"]].append(body["message"])
        await asyncio.sleep(0.01)
        return answer(body["message"])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    fake_socketio(app, said)
    out = tmp_path / "figures.json"
    async with TestServer(app, host="127.0.0.1") as server:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "bench" / "locust_run.py"),
            "--url", str(server.make_url("")), "--users", "4", "--think", "0",
            "--duration", "3", "--warmup", "0", "--json", str(out), *extra,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=ROOT)
        printed, _ = await asyncio.wait_for(proc.communicate(), timeout=90)
    text = printed.decode()
    assert proc.returncode == 0, text
    return json.loads(out.read_text()), said, text


async def test_visitors_hold_the_conversation_and_every_turn_counts(tmp_path: Path) -> None:
    fig, said, printed = await run_against(
        lambda _m: web.json_response([{"recipient_id": "x", "text": "Bonjour !"}]), tmp_path)
    assert fig["failed"] == 0 and fig["connections_failed"] == 0
    assert fig["turns"] >= 60                       # 4 visitors × 3 s, 10 ms a turn
    assert fig["turns_per_s"] > 10
    received = sum(len(v) for v in said.values())
    assert fig["turns"] <= received <= fig["turns"] + 4   # at most one in flight each
    assert len(said) >= 4 * 2                       # new visitors after each conversation
    for messages in said.values():                  # the six turns, in order, from each
        assert messages == TEXTS[:len(messages)]
    finished = [m for m in said.values() if len(m) == len(TEXTS)]
    assert finished
    for name, _text in TURNS:
        row = fig["per_turn"][name]
        assert row["n"] >= len(finished) and row["failed"] == 0
        assert 10 <= row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"]
    assert fig["per_channel"].keys() == {"rest"}
    assert "tours/s :" in printed and "tours échoués : 0" in printed


async def test_failed_turns_are_counted_per_turn(tmp_path: Path) -> None:
    """An HTTP error and an empty answer both fail the turn, and only that turn."""

    def answer(message: str) -> web.Response:
        if message == "encore":
            return web.json_response({"erreur": "x"}, status=500)
        if message == "plus près":
            return web.json_response([])
        return web.json_response([{"text": "ok"}])

    fig, said, printed = await run_against(answer, tmp_path)
    turns = fig["per_turn"]
    assert turns["encore"]["n"] == 0 and turns["encore"]["failed"] > 0
    assert turns["affinage"]["n"] == 0 and turns["affinage"]["failed"] > 0
    assert all(turns[name]["failed"] == 0 for name in ("demande", "infos lieu", "merci"))
    assert fig["failed"] == turns["encore"]["failed"] + turns["affinage"]["failed"]
    assert fig["errors"].keys() == {"HTTP 500", "réponse vide"}
    assert f"tours échoués : {fig['failed']}" in printed
    # a failed turn does not end the conversation: the visitor goes on
    assert any(m == TEXTS for m in said.values())


async def test_socketio_visitors_count_a_turn_at_its_last_answer(tmp_path: Path) -> None:
    """Half the visitors on socket.io (websocket): a turn is timed to its last
    bot_uttered (two, 20 ms apart), then ends after the quiet window."""
    fig, said, _printed = await run_against(
        lambda _m: web.json_response([{"text": "ok"}]), tmp_path, "--socketio", "0.5")
    assert fig["failed"] == 0 and fig["connections_failed"] == 0
    assert fig["per_channel"].keys() == {"rest", "socketio"}
    sio = fig["per_channel"]["socketio"]
    assert sio["n"] >= 2 * 6                        # 2 visitors, 3 s, ~0.35 s a turn
    assert 40 <= sio["p50_ms"] < 300                # both answers, not the first one only
    sessions = [m for sender, m in said.items() if sender.startswith("sio-")]
    assert len(sessions) >= 2
    for messages in sessions:
        assert messages == TEXTS[:len(messages)]


def test_the_mix_sets_the_user_weights() -> None:
    """(bench/locustfile.py itself is not imported here: Locust patches the standard
    library with gevent on import.)"""
    mix = locust_run.mix
    assert mix(0.0) == {"RestVisitor": 100, "SocketIOVisitor": 0}
    assert mix(0.25) == {"RestVisitor": 75, "SocketIOVisitor": 25}
    assert mix(1.0) == {"RestVisitor": 0, "SocketIOVisitor": 100}
    cmd = locust_run.locust_command(argparse.Namespace(
        url="http://127.0.0.1:8000/", users=5, spawn_rate=None, warmup=2.0, duration=3.0,
        think=5.0, socketio=0.5, transport="polling", seed=1), Path("/tmp/t.json"))
    assert cmd[cmd.index("-t") + 1] == "5s" and cmd[cmd.index("-r") + 1] == "5"
    assert cmd[cmd.index("--host") + 1] == "http://127.0.0.1:8000"
