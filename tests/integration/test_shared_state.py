"""The state several instances share (connectors/state.py), in memory and in the Redis
server at 127.0.0.1:6379 (database 15): the same tests on both implementations.

Each test gets two instances of the state, as two processes would open it: two Redis
clients on one key prefix (a prefix of the test's own, deleted afterwards); in memory,
one and the same object (`make run` is one process). Redis must be up: these tests fail,
never skip, when it is not.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
from redis.asyncio import Redis
from twilio.request_validator import RequestValidator

from connectors.messaging import ShortPayloads
from connectors.sms import SmsInput
from connectors.state import PREFIX, MemoryState, RedisState, SharedState, open_state
from tests.support.fake_platforms import FakePlatforms
from webapp.console.ratelimit import AttemptLimiter

REDIS_URL = "redis://127.0.0.1:6379/15"
LONG_PAYLOAD = '/refine{"accessibility": "fauteuil", "audience": "enfants", "radius": "10 km"}'


async def delete_prefix(prefix: str) -> None:
    client = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.close()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def states(request: pytest.FixtureRequest) -> AsyncIterator[tuple[SharedState, SharedState]]:
    if request.param == "memory":
        state = MemoryState()
        yield state, state
        return
    prefix = f"{PREFIX}test-{uuid.uuid4().hex[:12]}:"
    first, second = RedisState(REDIS_URL, prefix), RedisState(REDIS_URL, prefix)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()
        await delete_prefix(prefix)


# --------------------------------------------------------------------------- the store
async def test_a_redelivered_update_is_seen_once_whichever_instance_gets_it(
        states: tuple[SharedState, SharedState]) -> None:
    first, second = states
    assert await first.first_time("dedup:telegram:41", 60)
    assert not await second.first_time("dedup:telegram:41", 60)
    assert not await first.first_time("dedup:telegram:41", 60)
    assert await second.first_time("dedup:telegram:42", 60)
    # The same update delivered 20 times at once to both: one of them runs it.
    seen = await asyncio.gather(*(state.first_time("dedup:sms:SM43", 60)
                                  for _ in range(10) for state in states))
    assert seen.count(True) == 1


async def test_values_and_dedup_expire_after_their_ttl(
        states: tuple[SharedState, SharedState]) -> None:
    first, second = states
    assert await first.first_time("dedup:whatsapp:wamid.1", 0.3)
    await first.put("sms:choices:x", '["/a"]', 0.3)
    await first.put("sms:choices:y", '["/b"]', 60)
    assert await second.get("sms:choices:x") == '["/a"]'
    await asyncio.sleep(0.5)
    assert await second.get("sms:choices:x") is None
    assert await second.first_time("dedup:whatsapp:wamid.1", 0.3)  # forgotten: new again
    assert await second.get("sms:choices:y") == '["/b"]'
    await second.forget("sms:choices:y")
    assert await first.get("sms:choices:y") is None


async def test_a_token_minted_by_one_instance_resolves_in_another(
        states: tuple[SharedState, SharedState]) -> None:
    first, second = states
    token = await ShortPayloads(first, 64).encode(LONG_PAYLOAD)
    assert token.startswith("~") and len(token.encode()) <= 64
    assert await ShortPayloads(second, 64).decode(token) == LONG_PAYLOAD
    assert await ShortPayloads(second, 64).decode("~" + "0" * 24) is None
    assert await ShortPayloads(second, 64).decode("/find_places") == "/find_places"


async def test_attempts_are_shared_and_counted_exactly(
        states: tuple[SharedState, SharedState]) -> None:
    """5 attempts allowed: 3 through one instance and 2 through the other use them up."""
    first, second = (AttemptLimiter(state, "pair", limit=5) for state in states)
    for limiter in (first, first, first, second, second):
        assert await limiter.attempt("user:cible|ip:203.0.113.7")
    assert not await first.attempt("user:cible|ip:203.0.113.7")
    assert not await second.attempt("user:cible|ip:203.0.113.7")
    assert await first.count("user:cible|ip:203.0.113.7") == 5  # refused ones not counted
    assert 299 <= await second.retry_after("user:cible|ip:203.0.113.7") <= 301
    assert await first.retry_after("user:claire|ip:203.0.113.7") == 0
    await second.forgive("user:cible|ip:203.0.113.7")
    assert await first.count("user:cible|ip:203.0.113.7") == 4
    assert await first.attempt("user:cible|ip:203.0.113.7")
    await second.reset("user:cible|ip:203.0.113.7")
    assert await first.count("user:cible|ip:203.0.113.7") == 0


async def test_forty_concurrent_attempts_on_two_instances_let_five_pass(
        states: tuple[SharedState, SharedState]) -> None:
    limiters = [AttemptLimiter(state, "pair", limit=5) for state in states]
    allowed = await asyncio.gather(*(limiters[n % 2].attempt("user:cible|ip:10.0.0.1")
                                     for n in range(40)))
    assert allowed.count(True) == 5
    assert await limiters[1].count("user:cible|ip:10.0.0.1") == 5


async def test_attempts_leave_the_window(states: tuple[SharedState, SharedState]) -> None:
    first, second = (AttemptLimiter(state, "address", limit=2, window=0.4) for state in states)
    assert await first.attempt("ip:192.0.2.1") and await second.attempt("ip:192.0.2.1")
    assert not await first.attempt("ip:192.0.2.1")
    assert await second.retry_after("ip:192.0.2.1") == 1
    await asyncio.sleep(0.6)
    assert await second.count("ip:192.0.2.1") == 0
    assert await second.attempt("ip:192.0.2.1")


# --------------------------------------------------------------------------- the SMS channel
SMS = {"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "tok", "TWILIO_FROM": "+33700000000",
       "TWILIO_WEBHOOK_URL": "https://bot.example.org/webhooks/sms/webhook"}
VISITOR = "+33612345678"


@pytest.fixture
def fake() -> Iterator[FakePlatforms]:
    with FakePlatforms().running() as f:
        yield f


def sms_instance(state: SharedState, fake: FakePlatforms) -> tuple[SmsInput, list[str], Any]:
    """An SMS channel on `state` sending to the fake Twilio; the turns it would start, and
    its webhook handler."""
    channel = SmsInput(SMS | {"TWILIO_API_URL": f"{fake.url}/twilio"}, state)
    turns: list[str] = []
    channel.start_turn = lambda _handle, text, _address: turns.append(text)  # type: ignore
    blueprint = channel.blueprint(lambda message: None)  # type: ignore[arg-type,return-value]
    webhook = next(r.handler for r in blueprint._future_routes
                   if r.uri == "/webhook" and "POST" in (r.methods or ()))
    return channel, turns, webhook


def twilio_request(sid: str, body: str) -> SimpleNamespace:
    pairs = [("MessageSid", sid), ("From", VISITOR), ("Body", body)]
    signature = RequestValidator("tok").compute_signature(SMS["TWILIO_WEBHOOK_URL"], dict(pairs))
    return SimpleNamespace(headers={"X-Twilio-Signature": signature},
                           url=SMS["TWILIO_WEBHOOK_URL"], body=urlencode(pairs).encode())


async def test_sms_choices_sent_by_one_instance_are_answered_on_another(
        states: tuple[SharedState, SharedState], fake: FakePlatforms) -> None:
    first, _, _ = sms_instance(states[0], fake)
    second, turns, webhook = sms_instance(states[1], fake)
    try:
        await first.deliver(VISITOR, [{"text": "Que cherchez-vous ?", "buttons": [
            {"title": "Que visiter ?", "payload": "/find_places"},
            {"title": "Une balade", "payload": LONG_PAYLOAD}]}])
        assert fake.requests[-1].form["Body"].endswith("Répondez 1 ou 2.")
        assert await second.offered(VISITOR) == ["/find_places", LONG_PAYLOAD]
        # The pseudonym, not the phone number, is the key.
        assert VISITOR not in first._choices_key(VISITOR)
        assert (await webhook(twilio_request("SM100", "2"))).status == 200
        assert turns == [LONG_PAYLOAD]
        assert await first.offered(VISITOR) == []  # a new turn: the old choices are gone
        assert (await webhook(twilio_request("SM101", "2"))).status == 200
        assert turns == [LONG_PAYLOAD, "2"]  # no choice offered any more: the text itself
    finally:
        await first.client.close()  # type: ignore[union-attr]
        await second.client.close()  # type: ignore[union-attr]


async def test_a_redelivered_sms_webhook_is_answered_once_across_instances(
        states: tuple[SharedState, SharedState], fake: FakePlatforms) -> None:
    _, first_turns, first_webhook = sms_instance(states[0], fake)
    _, second_turns, second_webhook = sms_instance(states[1], fake)
    assert (await first_webhook(twilio_request("SM200", "Bavay"))).status == 200
    assert (await second_webhook(twilio_request("SM200", "Bavay"))).status == 200
    assert first_turns + second_turns == ["Bavay"]


# --------------------------------------------------------------------------- Redis itself
@pytest.mark.redis
async def test_redis_keys_are_namespaced_and_expire() -> None:
    prefix = f"{PREFIX}test-{uuid.uuid4().hex[:12]}:"
    state, raw = RedisState(REDIS_URL, prefix), Redis.from_url(REDIS_URL)
    try:
        await state.first_time("dedup:telegram:7", 3600)
        await state.put("payload:~abc", LONG_PAYLOAD, 7 * 24 * 3600)
        await state.attempt("login:pair:user:x|ip:1", 5, 300)
        assert 0 < await raw.pttl(f"{prefix}dedup:telegram:7") <= 3600_000
        assert 3600_000 < await raw.pttl(f"{prefix}payload:~abc") <= 7 * 24 * 3600_000
        assert 0 < await raw.pttl(f"{prefix}login:pair:user:x|ip:1") <= 300_000
        assert await state.get("payload:~abc") == LONG_PAYLOAD
    finally:
        await state.close()
        await raw.close()
        await delete_prefix(prefix)


def test_redis_only_when_redis_url_is_set() -> None:
    assert isinstance(open_state(""), MemoryState)
    state = open_state(REDIS_URL)
    assert isinstance(state, RedisState) and state.key("dedup:sms:SM1") == "mormal:dedup:sms:SM1"
