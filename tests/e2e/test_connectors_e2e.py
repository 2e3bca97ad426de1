"""Telegram, WhatsApp and SMS webhooks through the real Rasa server (credentials.yml), with
the platforms' own payload shapes; the connectors send to a local fake of each platform's
API, and the tests assert on what it received. Servers start once for the module."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.messaging import UNSUPPORTED
from connectors.sms import GSM, UNSUPPORTED_SMS, gsm_text, segments
from tests.support.fake_platforms import FakePlatforms, Recorded
from tests.support.servers import Servers, running_servers

pytestmark = pytest.mark.e2e

BAVAY = {"latitude": 50.2936, "longitude": 3.8031}
TG_SECRET, WA_SECRET, WA_VERIFY, TW_TOKEN = "tg-secret-1", "wa-app-secret", "wa-verify", "tw-tok"
WA_PHONE_ID, TW_SID = "106540352242922", "AC" + "0" * 32
SMS_URL = "https://bot.example.org/webhooks/sms/webhook"  # what Twilio signs behind a proxy


@pytest.fixture(scope="module")
def fake() -> Iterator[FakePlatforms]:
    with FakePlatforms().running() as f:
        yield f


@pytest.fixture(scope="module")
def servers(fake: FakePlatforms, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    env = {
        "TELEGRAM_BOT_TOKEN": "123456:TEST", "TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
        "TELEGRAM_API_URL": f"{fake.url}/telegram",
        "WHATSAPP_TOKEN": "wa-token", "WHATSAPP_APP_SECRET": WA_SECRET,
        "WHATSAPP_VERIFY_TOKEN": WA_VERIFY, "WHATSAPP_PHONE_NUMBER_ID": WA_PHONE_ID,
        "WHATSAPP_API_URL": f"{fake.url}/whatsapp",
        "TWILIO_ACCOUNT_SID": TW_SID, "TWILIO_AUTH_TOKEN": TW_TOKEN,
        "TWILIO_FROM": "+33700000000", "TWILIO_API_URL": f"{fake.url}/twilio",
        "TWILIO_WEBHOOK_URL": SMS_URL,
        "MESSAGING_RETRY_ATTEMPTS": "3", "MESSAGING_RETRY_DELAY": "0.05",
    }
    with running_servers(tmp_path_factory.mktemp("connectors"), extra_env=env) as s:
        yield s


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def user_texts(servers: Servers) -> list[tuple[str, str]]:
    """(sender_id, text) of every user message in the tracker store."""
    with sqlite3.connect(Path(servers.env["TRACKER_STORE_DB"])) as db:
        rows = db.execute("SELECT sender_id, data FROM events WHERE type_name = 'user'")
        return [(sender, json.loads(data).get("text") or "") for sender, data in rows]


def texts(records: list[Recorded]) -> list[str]:
    return [str((r.json or {}).get("text") or ((r.json or {}).get("text") or {}) or
                r.form.get("Body") or "") for r in records]


def quiet(fake: FakePlatforms, seconds: float = 1.5) -> None:
    """Wait until no request has arrived for `seconds` (earlier turns have finished)."""
    fake.quiet(seconds)


# ------------------------------------------------------------------------- Telegram
def tg_chat() -> int:
    return int(uuid.uuid4().int % 10**9)


def tg_update(chat: int, **content: Any) -> dict[str, Any]:
    person = {"id": chat, "is_bot": False, "first_name": "Camille", "language_code": "fr"}
    return {"update_id": int(uuid.uuid4().int % 10**9), "message": {
        "message_id": 1365, "from": person, "date": 1441645532,
        "chat": {"id": chat, "first_name": "Camille", "type": "private"}, **content}}


def tg_post(servers: Servers, update: dict[str, Any] | bytes,
            secret: str | None = TG_SECRET) -> int:
    body = update if isinstance(update, bytes) else json.dumps(update).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return post(f"{servers.rasa_url}/webhooks/telegram/webhook", body, headers)[0]


def test_telegram_location_then_a_museum_gives_venues(servers: Servers,
                                                      fake: FakePlatforms) -> None:
    chat = tg_chat()
    assert tg_post(servers, tg_update(chat, location=BAVAY)) == 200
    first = fake.wait_for(lambda: fake.sent(chat, "telegram"))
    assert first[0].action == "sendMessage" and "Bavay" in texts(first)[0]
    assert tg_post(servers, tg_update(chat, text="je voudrais visiter un musée")) == 200
    # Venues come one after another: wait for the Forum's, not just the first.
    forum = fake.wait_for(lambda: [r.json for r in fake.sent(chat) if r.action == "sendVenue"
                                   and r.json["title"] == "Forum antique de Bavay"])  # type: ignore[index]
    assert "Bavay" in forum[0]["address"]
    keyboards = [r.json["reply_markup"]["inline_keyboard"] for r in fake.sent(chat)
                 if "reply_markup" in (r.json or {})]
    assert any(row[0]["callback_data"] == "/request_more" for k in keyboards for row in k)


def test_telegram_venue_and_button_press(servers: Servers, fake: FakePlatforms) -> None:
    chat = tg_chat()
    venue = {"location": BAVAY, "title": "Place Charles de Gaulle", "address": "Bavay"}
    assert tg_post(servers, tg_update(chat, location=BAVAY, venue=venue)) == 200
    fake.wait_for(lambda: fake.sent(chat))
    press = {"update_id": int(uuid.uuid4().int % 10**9), "callback_query": {
        "id": "4382bfdwdsb323b2d9", "chat_instance": "-123",
        "from": {"id": chat, "is_bot": False, "first_name": "Camille"},
        "message": {"message_id": 7, "date": 1441645532, "text": "Qu'aimez-vous ?",
                    "chat": {"id": chat, "type": "private"}},
        "data": '/inform_interests{"interest": "patrimoine"}'}}
    assert tg_post(servers, press) == 200
    assert fake.wait_for(lambda: [r for r in fake.sent(chat) if r.action == "sendVenue"])
    answered = [r for r in fake.sent() if r.action == "answerCallbackQuery"]
    assert any(r.json == {"callback_query_id": "4382bfdwdsb323b2d9"} for r in answered)
    said = [t for s, t in user_texts(servers) if t.startswith("/share_location")]
    assert '/share_location{"latitude": 50.2936, "longitude": 3.8031}' in said


def test_telegram_asks_for_a_position_with_a_location_button(servers: Servers,
                                                             fake: FakePlatforms) -> None:
    chat = tg_chat()
    tg_post(servers, tg_update(chat, text="qu'est-ce qu'il y a à visiter ?"))
    asks = fake.wait_for(lambda: [r for r in fake.sent(chat)
                                  if "keyboard" in (r.json or {}).get("reply_markup", {})])
    button = asks[0].json["reply_markup"]["keyboard"][0][0]  # type: ignore[index]
    assert button["request_location"] is True


@pytest.mark.parametrize("content", [
    {"sticker": {"file_id": "CAACAgIAAxkBAAIB", "file_unique_id": "AgADwQ", "type": "regular",
                 "width": 512, "height": 512, "is_animated": False, "is_video": False}},
    {"voice": {"file_id": "AwACAgQAAxkBAAIC", "file_unique_id": "AgADzQ", "duration": 2,
               "mime_type": "audio/ogg", "file_size": 7834}},
])
def test_telegram_sticker_or_voice_gets_a_polite_reply(servers: Servers, fake: FakePlatforms,
                                                       content: dict[str, Any]) -> None:
    chat = tg_chat()
    assert tg_post(servers, tg_update(chat, **content)) == 200
    sent = fake.wait_for(lambda: fake.sent(chat))
    assert texts(sent) == [UNSUPPORTED]


def test_telegram_bad_requests_are_refused_and_duplicates_ignored(
        servers: Servers, fake: FakePlatforms) -> None:
    chat, marker = tg_chat(), f"bonjour {uuid.uuid4().hex[:6]}"
    update = tg_update(chat, text=marker)
    assert tg_post(servers, update, secret=None) == 401
    assert tg_post(servers, update, secret="wrong") == 403
    assert tg_post(servers, b"{not json", secret=TG_SECRET) == 400
    assert tg_post(servers, update) == 200
    assert tg_post(servers, update) == 200  # Telegram redelivers
    fake.wait_for(lambda: fake.sent(chat))
    quiet(fake)
    senders = [s for s, t in user_texts(servers) if t == marker]
    assert len(senders) == 1 and str(chat) not in senders[0]  # once, under a pseudonym


def test_telegram_api_failing_is_retried_then_logged_and_webhook_acknowledged(
        servers: Servers, fake: FakePlatforms) -> None:
    quiet(fake)
    chat = tg_chat()
    fake.fail_next(100, 500)
    try:
        assert tg_post(servers, tg_update(chat, text="bonjour")) == 200
        assert not fake.sent(chat, ok=False)  # acknowledged before anything was sent
        fake.wait_for(lambda: len(fake.sent(chat, ok=False)) >= 3)
        quiet(fake)
    finally:
        fake.clear()
    log = (servers.workdir / "rasa.log").read_text(errors="replace")
    assert "telegram sendMessage: échec HTTP 500 après 3 tentative(s)" in log
    fake.fail_next(1, 429, retry_after="0")
    assert tg_post(servers, tg_update(chat, text="merci")) == 200
    sent = fake.wait_for(lambda: fake.sent(chat))
    assert [r.status for r in fake.sent(chat, ok=False)][:2] == [429, 200]
    assert sent[0].json == fake.sent(chat, ok=False)[0].json  # the same message, again


# ------------------------------------------------------------------------- WhatsApp
def wa_number() -> str:
    return "336" + str(uuid.uuid4().int % 10**8).zfill(8)


def wa_body(number: str, message: dict[str, Any]) -> dict[str, Any]:
    return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [
        {"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "33700000000", "phone_number_id": WA_PHONE_ID},
            "contacts": [{"profile": {"name": "Camille"}, "wa_id": number}],
            "messages": [{"from": number, "id": f"wamid.{uuid.uuid4().hex}",
                          "timestamp": "1717000000", **message}]}}]}]}


def wa_post(servers: Servers, body: dict[str, Any] | bytes, secret: str | None = WA_SECRET,
            ) -> int:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        headers["X-Hub-Signature-256"] = f"sha256={digest}"
    return post(f"{servers.rasa_url}/webhooks/whatsapp/webhook", raw, headers)[0]


def test_whatsapp_verification_challenge(servers: Servers) -> None:
    base = f"{servers.rasa_url}/webhooks/whatsapp/webhook?"
    query = {"hub.mode": "subscribe", "hub.verify_token": WA_VERIFY, "hub.challenge": "1158201444"}
    with urllib.request.urlopen(base + urllib.parse.urlencode(query), timeout=10) as resp:
        assert resp.read() == b"1158201444"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(base + urllib.parse.urlencode(
            query | {"hub.verify_token": "nope"}), timeout=10)
    assert refused.value.code == 403


def test_whatsapp_location_then_a_museum(servers: Servers, fake: FakePlatforms) -> None:
    number = wa_number()
    shared = {"type": "location", "location": BAVAY | {"name": "Bavay", "address": "Bavay"}}
    assert wa_post(servers, wa_body(number, shared)) == 200
    first = fake.wait_for(lambda: fake.sent(number, "whatsapp"))
    assert any("Bavay" in json.dumps(r.json, ensure_ascii=False) for r in first)
    assert wa_post(servers, wa_body(number, {"type": "text", "text": {
        "body": "je voudrais visiter un musée"}})) == 200
    places = fake.wait_for(lambda: [r for r in fake.sent(number) if r.action == "location"])
    assert "Forum antique de Bavay" in [p.json["location"]["name"] for p in places]  # type: ignore[index]
    menus = fake.wait_for(lambda: [r.json["interactive"] for r in fake.sent(number)  # type: ignore[index]
                                   if r.action == "interactive"])
    lists = [[row for s in m["action"]["sections"] for row in s["rows"]]
             for m in menus if m["type"] == "list"]
    buttons = [b for m in menus if m["type"] == "button" for b in m["action"]["buttons"]]
    assert any(r["id"] == "/request_more" for rows in lists for r in rows) or any(
        b["reply"]["id"] == "/request_more" for b in buttons)
    assert all(len(rows) <= 10 and all(len(r["title"]) <= 24 for r in rows) for rows in lists)
    assert all(len(b["reply"]["title"]) <= 20 for b in buttons)


@pytest.mark.parametrize("kind", ["button_reply", "list_reply"])
def test_whatsapp_interactive_replies_send_their_payload(servers: Servers, fake: FakePlatforms,
                                                         kind: str) -> None:
    number = wa_number()
    wa_post(servers, wa_body(number, {"type": "location", "location": BAVAY}))
    fake.wait_for(lambda: fake.sent(number))
    choice = {"id": '/inform_interests{"interest": "patrimoine"}', "title": "🏰 Patrimoine"}
    press = {"type": "interactive", "interactive": {"type": kind, kind: choice},
             "context": {"from": "33700000000", "id": "wamid.previous"}}
    assert wa_post(servers, wa_body(number, press)) == 200
    assert fake.wait_for(lambda: [r for r in fake.sent(number) if r.action == "location"])


@pytest.mark.parametrize("message", [
    {"type": "sticker", "sticker": {"mime_type": "image/webp", "sha256": "abc", "id": "1234",
                                    "animated": False}},
    {"type": "audio", "audio": {"mime_type": "audio/ogg; codecs=opus", "sha256": "abc",
                                "id": "5678", "voice": True}},
])
def test_whatsapp_sticker_or_voice_note_gets_a_polite_reply(
        servers: Servers, fake: FakePlatforms, message: dict[str, Any]) -> None:
    number = wa_number()
    assert wa_post(servers, wa_body(number, message)) == 200
    sent = fake.wait_for(lambda: fake.sent(number))
    assert [r.json["text"]["body"] for r in sent] == [UNSUPPORTED]  # type: ignore[index]


def test_whatsapp_bad_requests_are_refused_and_duplicates_ignored(
        servers: Servers, fake: FakePlatforms) -> None:
    number, marker = wa_number(), f"bonjour {uuid.uuid4().hex[:6]}"
    body = wa_body(number, {"type": "text", "text": {"body": marker}})
    assert wa_post(servers, body, secret=None) == 401
    assert wa_post(servers, body, secret="not-the-app-secret") == 403
    assert wa_post(servers, b'{"entry": [', secret=WA_SECRET) == 400
    assert wa_post(servers, body) == 200 and wa_post(servers, body) == 200
    statuses = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
        {"field": "messages", "value": {"messaging_product": "whatsapp", "statuses": [
            {"id": "wamid.x", "status": "delivered", "recipient_id": number}]}}]}]}
    assert wa_post(servers, statuses) == 200
    fake.wait_for(lambda: fake.sent(number))
    quiet(fake)
    assert [t for _, t in user_texts(servers)].count(marker) == 1
    assert not [s for s, t in user_texts(servers) if number in s]


# ------------------------------------------------------------------------- SMS
def sms_form(number: str, body: str, **extra: str) -> dict[str, str]:
    sid = "SM" + uuid.uuid4().hex
    return {"ToCountry": "FR", "ToState": "", "SmsMessageSid": sid, "NumMedia": "0",
            "ToCity": "", "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received",
            "FromCity": "", "Body": body, "FromCountry": "FR", "To": "+33700000000",
            "ToZip": "", "NumSegments": "1", "MessageSid": sid, "AccountSid": TW_SID,
            "From": number, "ApiVersion": "2010-04-01", **extra}


def twilio_signature(url: str, form: dict[str, str], token: str = TW_TOKEN) -> str:
    signed = url + "".join(k + form[k] for k in sorted(form))
    return base64.b64encode(hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
                            ).decode()


def sms_post(servers: Servers, form: dict[str, str], signature: str | None = "") -> int:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature or twilio_signature(SMS_URL, form)
    body = urllib.parse.urlencode(form).encode()
    return post(f"{servers.rasa_url}/webhooks/sms/webhook", body, headers)[0]


def sms_replies(fake: FakePlatforms, number: str, count: int) -> list[str]:
    return [r.form["Body"] for r in fake.wait_for(
        lambda: len(fake.sent(number, "twilio")) >= count and fake.sent(number, "twilio"))]


def test_sms_town_then_a_digit_sends_the_first_choice(servers: Servers,
                                                      fake: FakePlatforms) -> None:
    number = "+3361" + str(uuid.uuid4().int % 10**7).zfill(7)
    assert sms_post(servers, sms_form(number, "je suis à Bavay")) == 200
    first = sms_replies(fake, number, 1)[0]
    assert "Bavay" in first and "\n1. Patrimoine\n" in first and "Répondez 1, 2," in first
    assert sms_post(servers, sms_form(number, "1")) == 200
    second = sms_replies(fake, number, 2)[1]
    said = [t for s, t in user_texts(servers) if t.startswith("/inform_interests")]
    assert '/inform_interests{"interest": "patrimoine"}' in said
    assert "\n- " in second  # places as compact lines
    for body in (first, second):
        assert segments(body) <= 3 and all(c in GSM for c in body), body
    sent = fake.sent(number, "twilio")
    assert sent[0].path == f"/twilio/2010-04-01/Accounts/{TW_SID}/Messages.json"
    assert sent[0].form["From"] == "+33700000000"
    assert sent[0].headers["Authorization"] == "Basic " + base64.b64encode(
        f"{TW_SID}:{TW_TOKEN}".encode()).decode()


def test_sms_picture_gets_a_polite_reply(servers: Servers, fake: FakePlatforms) -> None:
    number = "+3362" + str(uuid.uuid4().int % 10**7).zfill(7)
    form = sms_form(number, "", NumMedia="1", MediaContentType0="image/jpeg",
                    MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/x/Media/y")
    assert sms_post(servers, form) == 200
    assert sms_replies(fake, number, 1) == [gsm_text(UNSUPPORTED_SMS)]


def test_sms_bad_requests_are_refused_and_duplicates_ignored(servers: Servers,
                                                             fake: FakePlatforms) -> None:
    number = "+3363" + str(uuid.uuid4().int % 10**7).zfill(7)
    marker = f"bonjour {uuid.uuid4().hex[:6]}"
    form = sms_form(number, marker)
    assert sms_post(servers, form, signature=None) == 401
    assert sms_post(servers, form, signature=twilio_signature(
        "https://evil.example.org/webhooks/sms/webhook", form)) == 403
    assert sms_post(servers, form | {"Body": "modifié"},
                    signature=twilio_signature(SMS_URL, form)) == 403
    incomplete = {k: v for k, v in form.items() if k != "From"}
    assert sms_post(servers, incomplete) == 400
    assert sms_post(servers, form) == 200 and sms_post(servers, form) == 200
    sms_replies(fake, number, 1)
    quiet(fake)
    assert [t for _, t in user_texts(servers)].count(marker) == 1
    assert len(fake.sent(number)) == 1
