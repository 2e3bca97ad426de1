"""The messaging connectors' pieces without Rasa: SMS encoding and fitting, text splitting,
short button payloads, the dedup memory, WhatsApp's interactive choice, and the sender's
retries against the local fake platform."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from multidict import MultiDict
from twilio.request_validator import RequestValidator

from connectors.messaging import (
    UNSUPPORTED,
    MessagingInput,
    PlatformClient,
    RetrySettings,
    ShortPayloads,
    location_message,
    split_text,
)
from connectors.sms import GSM, SmsInput, compose, gsm_text, segments
from connectors.state import MemoryState
from connectors.telegram import TelegramInput
from connectors.whatsapp import WhatsAppInput
from tests.support.fake_platforms import FakePlatforms

PLACE = {"id": "p1", "name": "Forum antique de Bavay", "commune": "Bavay", "distance_km": 0.34,
         "latitude": 50.2983, "longitude": 3.7939, "coord_precision": "exact",
         "summary": "Un très long résumé " * 20}
BUTTONS = [{"title": "➕ Encore", "payload": "/request_more"},
           {"title": "📍 Plus près", "payload": '/refine{"radius": "plus près"}'},
           {"title": "🧒 Pour les enfants", "payload": '/refine{"audience": "enfants"}'},
           {"title": "♿ Accessible", "payload": '/refine{"accessibility": "fauteuil"}'}]


def test_sms_text_avoids_ucs2_when_a_gsm_equivalent_exists() -> None:
    text = gsm_text("Mamie Jeannine : l’église « Saint-Martin »… 🏰 à la forêt, ça vaut ≈ 3 km !")
    assert all(c in GSM for c in text), text
    assert text == ('Mamie Jeannine : l\'église "Saint-Martin"... à la foret, ca vaut ~ 3 km !')
    assert gsm_text("Москва") == "Москва"  # no equivalent: the text needs UCS-2


def test_segments_gsm_and_ucs2() -> None:
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2 and segments("a" * 459) == 3
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2  # extension: 2 septets
    assert segments("ж" * 70) == 1 and segments("ж" * 71) == 2 and segments("ж" * 201) == 3


def test_sms_turn_is_compact_numbered_and_at_most_three_segments() -> None:
    places = [dict(PLACE, id=f"p{i}", name=f"{PLACE['name']} n°{i}") for i in range(5)]
    body, choices = compose([
        {"text": "Mamie Jeannine : voici ce que je vous conseille près de Bavay 🏰"},
        {"text": "1. Forum (0,3 km, Bavay)\n2. …", "buttons": BUTTONS,
         "custom": {"type": "places", "items": places}},
    ])
    assert segments(body) <= 3 and all(c in GSM for c in body), body
    assert "- Forum antique de Bavay" in body and "1. Forum (" not in body
    assert body.endswith("1. Encore\n2. Plus près\n3. Pour les enfants\n4. Accessible\n"
                         "Répondez 1, 2, 3 ou 4.")
    assert [c["payload"] for c in choices] == [b["payload"] for b in BUTTONS]


def test_sms_short_turn_keeps_map_links_and_offers_to_type_a_town() -> None:
    body, choices = compose([{"text": "Où êtes-vous ?", "buttons": [
        {"title": "📍 Partager ma position", "payload": "/share_location"},
        {"title": "Bavay", "payload": '/inform_location{"place": "Bavay"}'}]},
        {"custom": {"type": "places", "items": [PLACE]}}])
    assert "Partager" not in body and "Ou écrivez le nom de votre commune." in body
    assert [c["title"] for c in choices] == ["Bavay"]
    assert "https://osm.org/?mlat=50.2983&mlon=3.7939" in body


def test_sms_overlong_text_is_cut_but_choices_stay() -> None:
    body, _ = compose([{"text": "mot " * 600, "buttons": BUTTONS[:2]}])
    assert segments(body) <= 3
    assert "...\n1. Encore\n2. Plus près\nRépondez 1 ou 2." in body


def test_split_text_respects_the_limit_and_loses_no_word() -> None:
    text = "\n\n".join(f"Paragraphe {i} " + "mot " * 50 for i in range(30))
    pieces = split_text(text, 500)
    assert all(len(p) <= 500 for p in pieces) and len(pieces) > 1
    assert " ".join(pieces).split() == text.split()
    assert split_text("x" * 1200, 500) == ["x" * 500, "x" * 500, "x" * 200]


async def test_long_button_payloads_travel_as_short_tokens() -> None:
    short = ShortPayloads(MemoryState(), 64)
    payload = '/refine{"accessibility": "fauteuil", "audience": "enfants", "radius": "10 km"}'
    token = await short.encode(payload)
    assert len(token.encode()) <= 64 and token != payload
    assert await short.decode(token) == payload
    assert await short.encode("/find_places") == "/find_places"
    # unknown after a restart without Redis
    assert await ShortPayloads(MemoryState(), 64).decode(token) is None


async def test_dedup_memory_remembers_then_forgets() -> None:
    seen = MemoryState(max_items=3)
    assert await seen.first_time("dedup:a", 0.2) and not await seen.first_time("dedup:a", 0.2)
    await asyncio.sleep(0.3)
    assert await seen.first_time("dedup:a", 0.2)
    for key in "bcd":
        await seen.first_time(f"dedup:{key}", 10)
    assert await seen.first_time("dedup:a", 10)  # pushed out by the bound


def test_location_message_is_valid_json_or_nothing() -> None:
    text = location_message(50.2936, "3.8031")
    assert text is not None and text.startswith("/share_location{")
    assert json.loads(text[len("/share_location"):]) == {"latitude": 50.2936,
                                                          "longitude": 3.8031}
    assert location_message(95, 3.8) is None and location_message(True, 3.8) is None
    assert location_message(None, "x") is None


async def test_whatsapp_offers_buttons_up_to_three_then_a_list() -> None:
    channel = WhatsAppInput(None, MemoryState())
    three = await channel.interactive("Que cherchez-vous ?", [
        {"title": "🏰 Que visiter ?", "payload": "/find_places"},
        {"title": "📅 Les événements", "payload": "/find_events"},
        {"title": "🥾 Une balade", "payload": "/find_routes"}])
    assert three["type"] == "button" and len(three["action"]["buttons"]) == 3
    many = await channel.interactive("Choisissez", [
        {"title": f"Choix numéro {i} avec un titre long", "payload": f"/p{i}"}
        for i in range(12)])
    rows = many["action"]["sections"][0]["rows"]
    assert many["type"] == "list" and len(rows) == 10
    assert all(len(r["title"]) <= 24 and len(r["description"]) <= 72 for r in rows)


@pytest.fixture
def fake() -> Iterator[FakePlatforms]:
    with FakePlatforms().running() as f:
        yield f


@pytest.mark.parametrize(("failures", "in_body", "statuses", "waited"), [
    (2, False, [429, 429, 200], 0.6),  # `Retry-After: 0.3`, twice
    (1, True, [429, 200], 1.0),  # Telegram: no header, `parameters.retry_after: 1` in the body
])
async def test_sender_honours_retry_after_then_succeeds(
        fake: FakePlatforms, failures: int, in_body: bool, statuses: list[int],
        waited: float) -> None:
    client = PlatformClient("telegram", RetrySettings(attempts=3, first_delay=0.01))
    fake.fail_next(failures, 429, retry_after="1" if in_body else "0.3", in_body=in_body)
    start = time.monotonic()
    try:
        answer = await client.post(f"{fake.url}/telegram/botT/sendMessage", "sendMessage",
                                   json={"chat_id": 1, "text": "bonjour"})
    finally:
        await client.close()
    assert answer == {"ok": True, "result": {"message_id": len(statuses)}}
    assert [r.status for r in fake.requests] == statuses
    assert time.monotonic() - start >= waited


@pytest.mark.parametrize(("status", "statuses", "logged"), [
    (503, [503, 503, 503], "sms Messages.json: échec HTTP 503 après 3 tentative(s)"),
    (400, [400], "sms Messages.json: refusé, HTTP 400"),  # the platform refuses it: no retry
])
async def test_sender_gives_up_after_its_attempts_and_logs(
        fake: FakePlatforms, caplog: pytest.LogCaptureFixture, status: int,
        statuses: list[int], logged: str) -> None:
    client = PlatformClient("sms", RetrySettings(attempts=3, first_delay=0.01))
    fake.fail_next(10, status)
    with caplog.at_level(logging.ERROR, logger="connectors.messaging"):
        answer = await client.post(f"{fake.url}/twilio/x/Messages.json", "Messages.json",
                                   data={"To": "+33600000000", "Body": "x"})
    await client.close()
    assert answer is None
    assert [r.status for r in fake.requests] == statuses
    assert logged in caplog.text


async def test_not_configured_channel_answers_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s")
    channel = TelegramInput.from_credentials({})
    assert not channel.enabled
    answer = await post_handler(channel)(SimpleNamespace(headers={}, body=b"{}"))
    assert answer.status == 503 and "non configuré" in answer.body.decode()


# ------------------------------------------------------------------ webhook handlers
WA_SETTINGS = {"WHATSAPP_TOKEN": "t", "WHATSAPP_APP_SECRET": "app-secret",
               "WHATSAPP_VERIFY_TOKEN": "v", "WHATSAPP_PHONE_NUMBER_ID": "1",
               "WHATSAPP_API_URL": "http://127.0.0.1:9"}
TG_SETTINGS = {"TELEGRAM_BOT_TOKEN": "1:T", "TELEGRAM_WEBHOOK_SECRET": "tg-secret",
               "TELEGRAM_API_URL": "http://127.0.0.1:9"}


def recording(channel: MessagingInput, monkeypatch: pytest.MonkeyPatch,
              ) -> tuple[list[tuple[str, str]], Any]:
    """The channel's POST webhook, and what it would do: ("turn", text), ("reply", text) or
    ("call", Bot API method); nothing is sent."""
    done: list[tuple[str, str]] = []
    monkeypatch.setattr(channel, "start_turn", lambda _h, text, _a: done.append(("turn", text)))
    monkeypatch.setattr(channel, "reply", lambda _a, text: done.append(("reply", text)))

    async def call(method: str, **params: object) -> None:
        done.append(("call", method))

    monkeypatch.setattr(channel, "call", call, raising=False)
    return done, post_handler(channel)


def post_handler(channel: MessagingInput) -> Any:
    blueprint = channel.blueprint(lambda message: None)  # type: ignore[arg-type,return-value]
    return next(r.handler for r in blueprint._future_routes
                if r.uri == "/webhook" and "POST" in r.methods)


def wa_request(body: bytes, signed: bytes | None = None) -> SimpleNamespace:
    digest = hmac.new(b"app-secret", body if signed is None else signed, hashlib.sha256)
    return SimpleNamespace(headers={"X-Hub-Signature-256": "sha256=" + digest.hexdigest()},
                           body=body)


async def test_whatsapp_signature_is_checked_on_the_raw_body(
        monkeypatch: pytest.MonkeyPatch) -> None:
    channel = WhatsAppInput(WA_SETTINGS)
    done, webhook = recording(channel, monkeypatch)
    message = {"from": "33612345678", "id": "wamid.raw", "timestamp": "1717000000",
               "type": "text", "text": {"body": "Bonjour, où est l’église ?"}}
    body = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
        {"field": "messages", "value": {"messaging_product": "whatsapp", "messages": [message]}}]}]}
    raw = json.dumps(body, indent=2).encode()  # Meta's bytes, not Python's re-encoding
    same_json_other_bytes = json.dumps(body, ensure_ascii=False).encode()
    assert (await webhook(wa_request(same_json_other_bytes, signed=raw))).status == 403
    assert done == []
    assert (await webhook(wa_request(raw))).status == 200
    assert done == [("turn", "Bonjour, où est l’église ?")]


async def test_whatsapp_odd_notifications_are_skipped_and_reactions_not_answered(
        monkeypatch: pytest.MonkeyPatch) -> None:
    channel = WhatsAppInput(WA_SETTINGS)
    done, webhook = recording(channel, monkeypatch)
    reaction = {"from": "33612345678", "id": "wamid.re", "timestamp": "1717000000",
                "type": "reaction", "reaction": {"message_id": "wamid.bot", "emoji": "👍"}}
    body = {"object": "whatsapp_business_account", "entry": [
        "x", {"changes": "x"}, {"changes": [{"value": "x"}, {"value": {"messages": 5}},
                                            {"value": {"messages": ["x", {"id": "no-from"}]}},
                                            {"value": {"messages": [reaction]}}]}]}
    assert (await webhook(wa_request(json.dumps(body).encode()))).status == 200
    assert done == []


async def test_telegram_odd_updates_are_skipped_without_an_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    channel = TelegramInput(TG_SETTINGS)
    done, webhook = recording(channel, monkeypatch)

    async def send(update: dict[str, Any]) -> int:
        request = SimpleNamespace(headers={"X-Telegram-Bot-Api-Secret-Token": "tg-secret"},
                                  body=json.dumps(update).encode())
        return int((await webhook(request)).status)

    assert await send({"update_id": 1, "message": {"message_id": 1, "chat": "x"}}) == 200
    assert await send({"update_id": 2, "message": {"message_id": 1, "chat": {}}}) == 200
    assert await send({"update_id": 3, "callback_query": {
        "id": "q3", "data": "/x", "message": {"chat": "x"}}}) == 200
    await asyncio.sleep(0)  # the spinner is stopped even so
    assert done == [("call", "answerCallbackQuery")]
    done.clear()
    # A token from before a restart, in a message whose keyboard is malformed or not.
    press = {"id": "q4", "data": "~unknown", "message": {
        "message_id": 7, "date": 0, "chat": {"id": 5, "type": "private"},
        "reply_markup": {"inline_keyboard": ["x", [{"text": "➕ Encore",
                                                     "callback_data": "~unknown"}]]}}}
    assert await send({"update_id": 4, "callback_query": press}) == 200
    press["message"]["reply_markup"] = {"inline_keyboard": "x"}  # type: ignore[index]
    assert await send({"update_id": 5, "callback_query": press}) == 200
    await asyncio.sleep(0)
    assert ("turn", "➕ Encore") in done and ("reply", UNSUPPORTED) in done


async def test_sms_signature_covers_every_value_of_a_repeated_parameter(
        monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://bot.example.org/webhooks/sms/webhook"
    channel = SmsInput({"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "tok",
                        "TWILIO_FROM": "+33700000000", "TWILIO_API_URL": "http://127.0.0.1:9",
                        "TWILIO_WEBHOOK_URL": url})
    done, webhook = recording(channel, monkeypatch)
    pairs = [("MessageSid", "SM1"), ("From", "+33612345678"), ("Body", "Bavay"),
             ("Tag", "b"), ("Tag", "a"), ("ToCity", "")]
    signature = RequestValidator("tok").compute_signature(url, MultiDict(pairs))
    request = SimpleNamespace(headers={"X-Twilio-Signature": signature}, url=url,
                              body=urllib.parse.urlencode(pairs).encode())
    assert (await webhook(request)).status == 200
    assert done == [("turn", "Bavay")]
