"""The counting of bench/fault_injection.py on made-up turns (no cluster, no fault): each
message normal, apology, error or lost from what the tracker store holds, the turns of each
fault, the duplicates and slow turns, the recovery time; and its load against a fake
webhook, which records each reply's texts and the answering instance."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench import fault_injection as fi
from bench.conversation_turns import TURNS
from bench.turn_load import ThinkTime
from connectors.guard import APOLOGY

SHARE = TURNS[0][1]


def message(visitor: int, sender: str, text: str, t0: float, t1: float, status: int = 200,
            replies: list[str] | None = None) -> fi.Message:
    return fi.Message(visitor, sender, text, t0, t1, status,
                      ["Voici"] if replies is None else replies)


def test_a_message_is_lost_when_the_tracker_store_has_no_user_event_for_it() -> None:
    ok = message(0, "a", "bonjour", 1, 2)
    assert fi.classify(ok, 1) == fi.NORMAL
    assert fi.classify(ok, 0) == fi.LOST
    apology = message(0, "a", "bonjour", 1, 2, replies=[APOLOGY])
    assert fi.classify(apology, 1) == fi.APOLOGISED
    assert fi.classify(apology, 0) == fi.LOST          # apologised, but persisted nowhere
    assert fi.classify(message(0, "a", "x", 1, 2, replies=[]), 1) == fi.APOLOGISED
    assert fi.classify(message(0, "a", "x", 1, 2, status=502), 1) == fi.ERROR
    assert fi.classify(message(0, "a", "x", 1, 2, status=0, replies=[]), 0) == fi.LOST


def test_stored_texts_match_whatever_the_spacing_of_the_json_payload() -> None:
    compact = SHARE.replace(" ", "")
    stored = fi.stored_counts([("a", compact), ("a", "merci beaucoup"),
                               ("a", "merci beaucoup")])
    assert stored[("a", fi.same_text(SHARE))] == 1
    assert stored[("a", fi.same_text("merci beaucoup"))] == 2
    assert stored[("b", fi.same_text("merci beaucoup"))] == 0


def windows() -> list[fi.Window]:
    return [fi.Window("none", "sans panne", 100, 100),
            fi.Window("rasa", "kill -9 d'un serveur Rasa", 200, 200),
            fi.Window("redis", "redémarrage de Redis", 300, 301)]


def test_each_turn_counts_once_in_the_fault_it_ended_in() -> None:
    msgs = [
        message(0, "s0", "bonjour", 90, 91),                      # warm-up: not counted
        message(0, "s0", "encore", 150, 150.1),                   # quiet period
        message(1, "s1", "bonjour", 199.9, 200.3),                # in flight at the kill
        message(0, "s0", "plus près", 201, 201.05, status=502),   # lost
        message(0, "s0", "merci", 203, 203.1),
        message(1, "s1", "encore", 200.5, 206),                   # slow (5.5 s)
        message(1, "s1", "merci", 207, 207.2),
        message(0, "s2", "bonjour", 300.2, 300.3, replies=[APOLOGY]),  # apology, stored
        message(1, "s3", "bonjour", 300.4, 300.5, replies=[APOLOGY]),  # apology, lost
        message(0, "s2", "encore", 302, 302.1),
        message(1, "s3", "encore", 303, 303.4),
    ]
    stored = fi.stored_counts([("s0", "bonjour"), ("s0", "encore"), ("s1", "bonjour"),
                               ("s1", "bonjour"), ("s0", "merci"), ("s1", "encore"),
                               ("s1", "merci"), ("s2", "bonjour"), ("s2", "encore"),
                               ("s3", "encore")])
    quiet, kill, redis = fi.summarise(msgs, stored, windows(), slow_s=2.0)

    assert (quiet["turns"], quiet[fi.NORMAL], quiet["recovery_s"]) == (1, 1, 0.0)

    assert kill["turns"] == 5
    assert (kill[fi.NORMAL], kill[fi.LOST], kill[fi.APOLOGISED], kill[fi.ERROR]) == (4, 1, 0, 0)
    assert kill["duplicates"] == 1 and kill["slow"] == 1
    assert kill["errors"] == {"HTTP 502": 1}
    # visitor 0 answered normally at 203.1, visitor 1 (slow turn) at 207.2
    assert kill["recovery_s"] == pytest.approx(7.2)
    assert kill["recovery_answers_s"] == pytest.approx(3.1)  # the slow turn aside
    assert [m["text"] for m in kill["not_normal"]] == ["plus près"]

    assert (redis[fi.NORMAL], redis[fi.APOLOGISED], redis[fi.LOST]) == (2, 1, 1)
    assert redis["errors"] == {"excuses": 2}
    assert redis["fault_s"] == pytest.approx(1.0)
    assert redis["recovery_s"] == pytest.approx(303.4 - 301)   # from the fault's end


def test_a_visitor_never_answered_normally_again_means_no_recovery() -> None:
    msgs = [message(0, "s0", "bonjour", 201, 201.1, status=0, replies=[]),
            message(1, "s1", "bonjour", 201, 201.2)]
    rows = fi.summarise(msgs, fi.stored_counts([("s1", "bonjour")]), windows()[:2], 2.0)
    assert rows[1]["recovery_s"] is None and rows[1][fi.LOST] == 1
    assert rows[1]["recovery_answers_s"] is None
    lines: list[str] = []
    fi.report(rows, 2.0, lines.append)
    assert "perdus" in lines[1] and "rétabli s" in lines[1]
    assert lines[3].split()[-2:] == ["jamais", "jamais"]
    assert "kill -9 d'un serveur Rasa" in lines[3]


def test_no_disturbed_turn_is_a_recovery_of_zero() -> None:
    msgs = [message(0, "s0", "bonjour", 201, 201.1), message(0, "s0", "encore", 202, 203)]
    rows = fi.summarise(msgs, fi.stored_counts([("s0", "bonjour"), ("s0", "encore")]),
                        windows()[:2], 2.0)
    assert rows[1]["recovery_s"] == 0.0 and rows[1][fi.NORMAL] == 2
    assert rows[1]["recovery_answers_s"] == 0.0


async def test_the_load_records_each_reply_and_the_instance() -> None:
    """Two visitors against a fake webhook that apologises for 'encore' and fails for
    'merci beaucoup': every message is recorded with its status, texts and instance."""
    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        headers = {fi.INSTANCE: "rasa2"}
        if body["message"] == "merci beaucoup":
            return web.Response(status=503, headers=headers)
        text = APOLOGY if body["message"] == "encore" else f"ok {body['sender']}"
        return web.json_response([{"recipient_id": body["sender"], "text": text},
                                  {"recipient_id": body["sender"], "custom": {}}],
                                 headers=headers)

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    out: list[fi.Message] = []
    stop = asyncio.Event()
    try:
        import aiohttp

        async with aiohttp.ClientSession() as session:
            url = str(server.make_url("/webhooks/rest/webhook"))
            tasks = [asyncio.create_task(fi.visitor_loop(
                session, url, v, "t", ThinkTime(0.005, random.Random(v)), stop, out))
                for v in range(2)]
            await asyncio.sleep(0.6)
            stop.set()
            await asyncio.gather(*tasks)
    finally:
        await server.close()
    assert len(out) >= 12
    texts = [text for _name, text in TURNS]
    for v in range(2):
        mine = [m for m in out if m.visitor == v]
        assert [m.text for m in mine[:6]] == texts and mine[0].sender == f"t-{v}-0"
        assert mine[6].sender == f"t-{v}-1" if len(mine) > 6 else True
    by_text = {m.text: m for m in out}
    assert by_text["encore"].replies == [APOLOGY, ""]
    assert by_text["merci beaucoup"].status == 503
    assert by_text["merci beaucoup"].error == "HTTP 503"
    assert all(m.instance == "rasa2" for m in out)
    stored = Counter({(m.sender, fi.same_text(m.text)): 1 for m in out})
    kinds = Counter(fi.classify(m, stored[(m.sender, fi.same_text(m.text))]) for m in out)
    # (the last conversation of a visitor may stop between 'encore' and 'merci')
    assert kinds[fi.APOLOGISED] > 0 and kinds[fi.ERROR] > 0 and kinds[fi.LOST] == 0
    assert abs(kinds[fi.APOLOGISED] - kinds[fi.ERROR]) <= 2
