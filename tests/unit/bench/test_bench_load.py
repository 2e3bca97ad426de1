"""The pure parts of the turn bench (issue 18): percentiles, think times, the /proc readers,
the breakdown joined from the servers' records, py-spy's collapsed stacks, and the load
loop itself against a fake REST webhook."""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import socket
import statistics
import time
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from bench.collapsed_stacks import tally, top
from bench.conversation_turns import TURNS, Load, report, run_load, summary
from bench.turn_load import (
    ThinkTime,
    Turn,
    breakdown,
    cpu_seconds,
    memory_mb,
    percentile,
    pids_listening,
)


def test_percentile_interpolates_between_ranks() -> None:
    values = [float(v) for v in range(100, 0, -1)]  # 1..100, unsorted
    assert percentile(values, 0.5) == 50.5
    assert math.isclose(percentile(values, 0.95), 95.05)
    assert math.isclose(percentile(values, 0.99), 99.01)
    assert percentile(values, 0.0) == 1.0 and percentile(values, 1.0) == 100.0
    assert percentile([7.0], 0.95) == 7.0
    assert math.isnan(percentile([], 0.5))


def test_think_time_is_exponential_and_seeded() -> None:
    first, again = ThinkTime(5.0, random.Random(3)), ThinkTime(5.0, random.Random(3))
    assert [first.next() for _ in range(5)] == [again.next() for _ in range(5)]
    think = ThinkTime(5.0, random.Random(18))
    samples = [think.next() for _ in range(40_000)]
    assert min(samples) >= 0
    assert abs(statistics.fmean(samples) - 5.0) < 0.1
    # Exponential: the median is mean·ln 2 (3.47 s), well below the mean.
    assert abs(statistics.median(samples) - 5.0 * math.log(2)) < 0.1
    # and its standard deviation equals its mean (a uniform of mean 5 would give 2.9).
    assert abs(statistics.pstdev(samples) - 5.0) < 0.15


def test_no_think_time_at_saturation() -> None:
    think = ThinkTime(0.0, random.Random(1))
    assert {think.next() for _ in range(100)} == {0.0}


def test_cpu_seconds_of_this_process_follow_the_work_done() -> None:
    before, times_before = cpu_seconds(os.getpid()), os.times()
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        sum(i * i for i in range(1000))
    after, times_after = cpu_seconds(os.getpid()), os.times()
    spent = (times_after.user + times_after.system) - (times_before.user + times_before.system)
    assert after - before >= 0.25
    assert abs((after - before) - spent) < 0.05


def test_cpu_seconds_reads_a_command_name_with_parentheses(tmp_path: Path) -> None:
    (tmp_path / "42").mkdir()
    fields = ["S"] + ["0"] * 10 + ["250", "50"] + ["0"] * 30  # utime 250, stime 50 ticks
    (tmp_path / "42" / "stat").write_text("42 (rasa (x) y) " + " ".join(fields) + "\n")
    assert math.isclose(cpu_seconds(42, tmp_path), 300 / os.sysconf("SC_CLK_TCK"))


def test_memory_of_this_process() -> None:
    rss, peak = memory_mb(os.getpid())
    assert 1 < rss <= peak


def test_the_process_listening_on_a_port_is_found() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        assert pids_listening(port) == []  # bound, not listening yet
        s.listen()
        assert pids_listening(port) == [os.getpid()]


def _turn(sender: str, t0: float, t1: float) -> Turn:
    return Turn("demande", sender, t0, t1, (t1 - t0) * 1000, True, False)


def test_breakdown_joins_the_servers_records_to_the_turns() -> None:
    records = [
        {"role": "rasa", "sender": "a", "t0": 100.01, "t1": 100.20, "turn_ms": 190.0,
         "cpu_ms": 21.5, "processor_ms": 150.0, "nlu_ms": 30.0, "policy_ms": 40.0,
         "store_read_ms": 10.0, "store_write_ms": 5.0, "actions_ms": 50.0, "action_http_ms": 45.0},
        {"role": "actions", "sender": "a", "t0": 100.10, "action_ms": 20.0, "queries_ms": 8.0},
        {"role": "actions", "sender": "a", "t0": 100.15, "action_ms": 10.0, "queries_ms": 2.0},
        {"role": "actions", "sender": "a", "t0": 107.00, "action_ms": 99.0, "queries_ms": 99.0},
        {"role": "rasa", "sender": "b", "t0": 100.02, "t1": 100.3, "turn_ms": 999.0},
        {"role": "rasa", "sender": "a", "t0": 107.0, "t1": 107.1, "turn_ms": 100.0},
    ]
    rows = breakdown([_turn("a", 100.0, 100.21), _turn("c", 100.0, 100.2)], records)
    assert len(rows) == 1  # sender c has no record
    row = rows[0]
    assert row["turn_ms"] == 190.0 and row["lock_wait_ms"] == 40.0
    assert row["action_server_ms"] == 30.0 and row["queries_ms"] == 10.0
    assert row["other_ms"] == 150.0 - (30 + 40 + 10 + 5 + 50)
    assert row["extract_slots_ms"] == 0.0
    assert row["rasa_cpu_ms"] == 21.5


def test_collapsed_stacks_count_own_and_total_time() -> None:
    lines = ["main (a.py:1);parse (b.py:2) 30\n", "main (a.py:1);predict (c.py:3) 60\n",
             "main (a.py:1);f (d.py:1);f (d.py:1) 10\n", "garbage\n",
             "main (a.py:1);serve (sanic/server/runners.py:37) 500\n"]
    own, total, samples, idle = tally(lines)
    assert samples == 100 and idle == 500
    assert own["predict (c.py:3)"] == 60 and own["main (a.py:1)"] == 0
    assert total["main (a.py:1)"] == 100 and total["f (d.py:1)"] == 10  # once per stack
    assert "60.0 %  predict (c.py:3)" in top(lines)


async def load_against(webhook: Any, load: Load, timing_dir: Path | None) -> Any:
    """`run_load` against a fake REST webhook served on 127.0.0.1."""
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    async with TestServer(app) as server:
        url = str(server.make_url("/webhooks/rest/webhook"))
        return await run_load(url, load, {"bench": [os.getpid()]}, timing_dir)


async def test_the_load_runs_visitors_at_once_against_a_rest_webhook(tmp_path: Path) -> None:
    seen: list[dict[str, str]] = []
    in_flight = peak = 0

    async def webhook(request: web.Request) -> web.Response:
        nonlocal in_flight, peak
        body = await request.json()
        seen.append(body)
        in_flight += 1
        peak = max(peak, in_flight)
        t0 = time.time()
        await asyncio.sleep(0.02)
        in_flight -= 1
        with (tmp_path / "rasa-1.jsonl").open("a") as f:
            f.write(json.dumps({"role": "rasa", "sender": body["sender"], "t0": t0,
                                "t1": time.time(), "turn_ms": 20.0, "nlu_ms": 5.0}) + "\n")
        return web.json_response([{"text": "ok"}] if body["message"] != "merci beaucoup" else [])

    load = Load(visitors=4, think_s=0.0, duration_s=1.0, warmup_s=0.2)
    outcome = await load_against(webhook, load, tmp_path)
    assert peak == 4  # four visitors at once, never more
    assert seen[0]["message"] == "bonjour"  # the warm-up
    by_sender: dict[str, list[str]] = {}
    for body in seen[1:]:
        by_sender.setdefault(body["sender"], []).append(body["message"])
    texts = [text for _, text in TURNS]
    for messages in by_sender.values():  # each visitor holds the conversation in order
        assert messages == texts[:len(messages)]
    assert 0.9 < outcome.window_s < 1.3
    assert 80 < outcome.completed <= 4 / 0.02
    assert all(t.ok for t in outcome.turns)
    assert {t.empty for t in outcome.turns if t.name == "merci"} == {True}
    assert outcome.cpu["bench"] > 0
    lines: list[str] = []
    figures = report(outcome, lines.append)
    assert math.isclose(figures["turns_per_s"], outcome.completed / outcome.window_s)
    assert figures["p50_ms"] >= 20
    assert figures["breakdown"]["nlu_ms"]["p95"] == 5.0
    assert any(line.startswith("tours/s") for line in lines)


def test_the_summary_puts_an_earlier_run_beside_this_one() -> None:
    def figures(visitors: int, think: float, rate: float) -> dict[str, object]:
        return {"visitors": visitors, "think_s": think, "turns_per_s": rate, "p50_ms": 100.0,
                "p95_ms": 200.0, "p99_ms": 300.0, "cpu_ms_per_turn": {"rasa": 110.0}}

    lines: list[str] = []
    summary([figures(20, 0.0, 41.5), figures(100, 5.0, 19.0)],
            [figures(20, 0.0, 8.2), figures(50, 5.0, 6.8)], lines.append)
    rows = [line.split() for line in lines[2:]]
    assert rows[0][:4] == ["avant", "20", "0", "8.20"]
    assert rows[1][:4] == ["après", "20", "0", "41.50"]
    assert rows[2][:3] == ["100", "5", "19.00"]  # no earlier figure for this load
    assert len(rows) == 3
    assert rows[1][-1] == "—"  # a median CPU per turn only where turns do not overlap


def test_the_summary_gives_the_median_cpu_per_turn_of_one_visitor_alone() -> None:
    alone = {"visitors": 1, "think_s": 0.0, "turns_per_s": 40.0, "p50_ms": 20.0,
             "p95_ms": 30.0, "p99_ms": 40.0, "cpu_ms_per_turn": {"rasa": 23.0},
             "breakdown": {"rasa_cpu_ms": {"p50": 21.4, "p95": 30.0, "mean": 23.0}}}
    lines: list[str] = []
    summary([alone], None, lines.append)
    assert lines[2].split()[-2:] == ["23.0", "21.4"]


async def test_refused_turns_are_errors_not_turns_served() -> None:
    async def webhook(request: web.Request) -> web.Response:
        return web.json_response({"error": "loading"}, status=503)

    load = Load(visitors=2, think_s=0.0, duration_s=0.5, warmup_s=0.1)
    outcome = await load_against(webhook, load, None)
    assert outcome.turns and not any(t.ok for t in outcome.turns)
    assert outcome.completed == 0
    assert report(outcome, lambda _line: None)["turns_per_s"] == 0


def test_the_bench_waits_for_rasa_and_gives_up_on_a_closed_port() -> None:
    from bench.conversation_turns import wait_ready

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    assert wait_ready(f"http://127.0.0.1:{port}", timeout_s=1.5) is False
    assert time.monotonic() - started >= 1.5
