"""The opt-in timing of a turn (issue 18, `BENCH_TIMING`): the aggregator of
`knowledge/timing.py`, and its installation on Rasa's and rasa-sdk's own classes (off by
default, records per turn when on)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import text

from knowledge.config import VAR_DIR
from knowledge.timing import (
    Recorder,
    patch,
    read_records,
    recorded,
    timed,
    timed_async,
    timing_dir,
    unpatch,
)


def _records(directory: Path) -> list[dict[str, Any]]:
    return list(read_records(directory))


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), ("", None), ("0", None), ("1", VAR_DIR / "bench-timing"),
    ("/tmp/t", Path("/tmp/t"))])
def test_timing_is_off_unless_asked(monkeypatch: pytest.MonkeyPatch, value: str | None,
                                    expected: Path | None) -> None:
    monkeypatch.delenv("BENCH_TIMING", raising=False)
    if value is not None:
        monkeypatch.setenv("BENCH_TIMING", value)
    assert timing_dir() == expected


async def test_each_turn_gets_the_sums_of_its_own_calls(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, "rasa")

    async def parse(delay: float) -> str:
        await asyncio.sleep(delay)
        return "parsed"

    def predict() -> None:
        time.sleep(0.01)

    timed_parse, timed_predict = timed_async("nlu_ms", parse), timed("policy_ms", predict)

    async def turn(sender: str, delay: float, predictions: int) -> str:
        result = await timed_parse(delay)
        for _ in range(predictions):
            await asyncio.to_thread(timed_predict)  # a worker thread inherits the turn
        return result

    def describe(sender: str, *_: Any) -> dict[str, Any]:
        return {"sender": sender}

    handle = recorded(recorder, "turn_ms", turn, describe)
    assert await timed_parse(0) == "parsed"  # outside a turn: called, nothing recorded
    results = await asyncio.gather(handle("a", 0.12, 1), handle("b", 0.02, 3))
    assert results == ["parsed", "parsed"]
    records = {r["sender"]: r for r in _records(tmp_path)}
    assert set(records) == {"a", "b"}
    a, b = records["a"], records["b"]
    assert a["role"] == "rasa" and a["t0"] < a["t1"]
    assert 115 <= a["nlu_ms"] < 200 and 15 <= b["nlu_ms"] < 100  # not mixed
    assert a["n_policy_ms"] == 1 and b["n_policy_ms"] == 3
    assert b["policy_ms"] >= 29
    assert a["turn_ms"] >= a["nlu_ms"] + a["policy_ms"]
    assert 0 <= a["cpu_ms"] < a["turn_ms"]  # mostly asleep: little CPU


async def test_a_turn_records_the_cpu_its_process_spent(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, "rasa")

    async def turn(sender: str, busy_s: float) -> None:
        end = time.process_time() + busy_s
        while time.process_time() < end:
            pass
        await asyncio.sleep(0.05)

    handle = recorded(recorder, "turn_ms", turn, lambda sender, *_: {"sender": sender})
    await handle("busy", 0.08)
    await handle("idle", 0.0)
    records = {r["sender"]: r for r in _records(tmp_path)}
    assert 80 <= records["busy"]["cpu_ms"] < 80 + 40
    assert records["idle"]["cpu_ms"] < 40 <= records["idle"]["turn_ms"]


async def test_a_failed_turn_is_recorded_and_its_error_kept(tmp_path: Path) -> None:
    async def fails(sender: str) -> None:
        raise RuntimeError("boom")

    handle = recorded(Recorder(tmp_path, "rasa"), "turn_ms", fails,
                      lambda sender: {"sender": sender})
    with pytest.raises(RuntimeError, match="boom"):
        await handle("x")
    assert [r["sender"] for r in _records(tmp_path)] == ["x"]


async def test_a_nested_turn_only_adds_its_time(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, "rasa")

    async def inner() -> None:
        await asyncio.sleep(0.01)

    timed_inner = recorded(recorder, "processor_ms", inner, lambda: {})

    async def outer() -> None:
        await timed_inner()

    await recorded(recorder, "turn_ms", outer, lambda: {"sender": "s"})()
    (record,) = _records(tmp_path)
    assert record["n_processor_ms"] == 1 and record["processor_ms"] >= 9


def test_read_records_skips_torn_lines_and_older_turns(tmp_path: Path) -> None:
    lines = [json.dumps({"t0": 10.0, "sender": "old"}), json.dumps({"t0": 20.0, "sender": "new"}),
             '{"t0": 30.0, "sen']
    (tmp_path / "rasa-1.jsonl").write_text("\n".join(lines))
    assert [r["sender"] for r in read_records(tmp_path, since=15.0)] == ["new"]


def test_patch_wraps_once_and_unpatch_restores() -> None:
    class Thing:
        def work(self) -> int:
            return 1

    original = Thing.work
    patched: list[tuple[Any, str, Any]] = []
    patch(Thing, "work", lambda fn: timed("work_ms", fn), patched)
    patch(Thing, "work", lambda fn: timed("work_ms", fn), patched)
    assert len(patched) == 1 and Thing.work is not original
    assert Thing().work() == 1
    unpatch(patched)
    assert Thing.work is original and patched == []


# ----------------------------------------------------------------------- in the servers


@pytest.fixture
def restore() -> Iterator[list[tuple[Any, str, Any]]]:
    from bot.actions import timing as actions_timing
    from connectors import timing as rasa_timing

    yield rasa_timing._patched
    unpatch(rasa_timing._patched)
    unpatch(actions_timing._patched)


def test_off_by_default_nothing_of_rasa_is_patched(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor

    import bot.actions  # noqa: F401 - installs when BENCH_TIMING is set
    from bot.actions import timing as actions_timing
    from connectors import timing as rasa_timing
    from connectors.tracker_store import WalSQLTrackerStore
    from knowledge.aio import KnowledgeBase

    monkeypatch.delenv("BENCH_TIMING", raising=False)
    assert not rasa_timing.install_if_enabled(WalSQLTrackerStore)
    assert not actions_timing.install_if_enabled()
    for method in (Agent.handle_message, MessageProcessor.parse_message,
                   MessageProcessor._predict_next_with_tracker, WalSQLTrackerStore.save,
                   KnowledgeBase.call):
        assert not getattr(method, "__bench_timed__", False), method


async def test_a_rasa_turn_is_timed_on_rasas_own_classes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        restore: list[tuple[Any, str, Any]]) -> None:
    from rasa.core.agent import Agent
    from rasa.core.lock_store import InMemoryLockStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    from connectors import timing as rasa_timing
    from connectors.tracker_store import WalSQLTrackerStore

    monkeypatch.setenv("BENCH_TIMING", str(tmp_path / "timing"))
    assert rasa_timing.install_if_enabled(WalSQLTrackerStore)
    assert getattr(Agent.handle_message, "__bench_timed__", False)

    async def action_server(request: web.Request) -> web.Response:
        await asyncio.sleep(0.03)
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", action_server)
    store = WalSQLTrackerStore(domain=Domain.empty(), dialect="sqlite",
                               db=str(tmp_path / "tracker.sqlite3"))
    async with TestServer(app) as server:
        endpoint = EndpointConfig(str(server.make_url("/webhook")))

        async def handle_message(message: Any) -> list[Any]:
            tracker = await store.retrieve(message.sender_id) or DialogueStateTracker(
                message.sender_id, [])
            await endpoint.request(json={"next_action": "x"}, method="post")
            await store.save(tracker)
            return []

        agent = SimpleNamespace(is_ready=lambda: True, lock_store=InMemoryLockStore(),
                                processor=SimpleNamespace(handle_message=handle_message))
        message = SimpleNamespace(sender_id="visiteur-1")
        assert await Agent.handle_message(agent, message) == []
    (record,) = _records(tmp_path / "timing")
    assert record["role"] == "rasa" and record["sender"] == "visiteur-1"
    assert 30 <= record["action_http_ms"] < record["turn_ms"]
    assert record["n_store_read_ms"] == 1 and record["n_store_write_ms"] == 1
    assert record["store_read_ms"] > 0 and record["store_write_ms"] > 0


async def test_an_action_call_and_its_queries_are_timed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        restore: list[tuple[Any, str, Any]]) -> None:
    from rasa_sdk.executor import ActionExecutor

    from bot.actions import timing as actions_timing
    from knowledge.aio import KnowledgeBase

    monkeypatch.setenv("BENCH_TIMING", str(tmp_path))
    assert actions_timing.install_if_enabled()
    kb = KnowledgeBase("sqlite://")

    def query(session: Any) -> int:
        time.sleep(0.02)
        return int(session.execute(text("SELECT 1")).scalar())

    async def action(dispatcher: Any, tracker: Any, domain: Any) -> list[Any]:
        assert await kb.run(query) + await kb.run(query) == 2
        return []

    executor = ActionExecutor()
    executor.register_function("action_bench", action)
    tracker = {"sender_id": "visiteur-2", "slots": {}, "latest_message": {}, "events": [],
               "paused": False, "followup_action": None, "active_loop": {},
               "latest_action_name": None}
    await executor.run({"next_action": "action_bench", "tracker": tracker, "domain": {}})
    assert kb.call(query) == 1  # outside an action call: not recorded
    (record,) = _records(tmp_path)
    assert record["role"] == "actions" and record["sender"] == "visiteur-2"
    assert record["action"] == "action_bench" and record["n_queries_ms"] == 2
    assert 40 <= record["queries_ms"] <= record["action_ms"]
    kb.dispose()
