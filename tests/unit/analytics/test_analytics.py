"""Analytics without servers: privacy helpers, grouping, NLU YAML, the click validator,
and retention over a generated tracker store (counts kept exactly, idempotent)."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from analytics.aggregates import DAILY, LABELS, add_to_aggregates, create_tables
from analytics.exports import write_misunderstood
from analytics.misunderstood import group_messages, nlu_yaml
from analytics.privacy import Pseudonymiser, cell, cell_key, scrub
from analytics.reader import EVENTS, Conversation, Event, Period, local_day, make_engine
from analytics.report import Filters, build, figures
from analytics.retention import apply_retention
from analytics.synthetic import create_events_table, fill
from analytics.tally import Tally, tally_conversation
from webapp.app import SETTINGS, create_app
from webapp.interactions import parse_interaction
from webapp.settings import WebSettings


@pytest.mark.parametrize(("text", "expected"), [
    ("écrivez à marie.curie+test@exemple.fr svp", "écrivez à [courriel] svp"),
    ("mon 06 12 34 56 78", "mon [téléphone]"),
    ("mon 06.12.34.56.78 ou +33 6 12 34 56 78", "mon [téléphone] ou [téléphone]"),
    ("0033612345678", "[téléphone]"),
    ("+44 20 7946 0958", "[téléphone]"),
    ("ouvert de 10 à 18 h le 15/08/2026, 3 km", "ouvert de 10 à 18 h le 15/08/2026, 3 km"),
    ("je suis au 50.2936, 3.8031", "je suis au [position], [position]"),
    ("gps 50,293 3,803 svp", "gps [position] svp"),
    ('/share_location{"latitude": 50.2936, "longitude": 3.8031}',
     '/share_location{"latitude": [position], "longitude": [position]}'),
    ("lat=50.29 lon=3.8", "lat=[position] lon=[position]"),
    ("50°17'37\" N 3°48'11\" E", "[position] N [position] E"),
    ("10.000 pas, 1.500 habitants, 12,50 €, plat : 12", "10.000 pas, 1.500 habitants, 12,50 €, "
     "plat : 12"),
])
def test_scrub_masks_emails_phones_and_positions_only(text: str, expected: str) -> None:
    assert scrub(text) == expected


def _event(kind: str, data: dict[str, object], action: str | None = None) -> Event:
    return Event("visiteur-secret", kind, time.time(), action, json.dumps(data))


def test_what_a_visitor_typed_is_scrubbed_in_every_figure() -> None:
    """Misunderstood text, entity spans and a hand-written /feedback item: no email, phone
    or position gets into the figures, whatever the visitor typed."""
    tally = Tally()
    tally_conversation(tally, Conversation("visiteur-secret", [
        _event("user", {"text": "je suis au 50.2936, 3.8031 appelez le 0612345678",
                        "input_channel": "rest",
                        "parse_data": {"intent": {"name": "nlu_fallback"}, "entities": [
                            {"entity": "period", "value": "le 06 12 34 56 78"},
                            {"entity": "interest", "value": "a@b.fr"}]}}),
        _event("user", {"text": '/feedback{"rating": "up", "item": "moi@exemple.fr"}',
                        "input_channel": "rest",
                        "parse_data": {"intent": {"name": "feedback"}, "entities": []}}),
        _event("slot", {"name": "feedback_rating", "value": "up"}),
        _event("slot", {"name": "feedback_item", "value": "moi@exemple.fr"}),
    ]))
    fig = figures(tally, Filters(), ["rest"])
    text = json.dumps(fig, ensure_ascii=False)
    for secret in ("50.2936", "3.8031", "0612345678", "06 12 34 56 78", "a@b.fr",
                   "moi@exemple.fr", "visiteur-secret"):
        assert secret not in text, secret
    assert fig["misunderstood"][0]["text"] == \
        "je suis au [position], [position] appelez le [téléphone]"
    # neither a period nor an interest: what the visitor typed is not counted at all
    assert fig["periods"] == [] and fig["interests"] == []
    assert fig["feedback_places"] == []  # an item never shown is not counted at all


def test_pseudonyms_are_keyed_and_stable() -> None:
    one, other = Pseudonymiser(b"k" * 32), Pseudonymiser(b"x" * 32)
    assert one("abc") == one("abc") != one("abd")
    assert one("abc") != other("abc") and "abc" not in one("abc")
    with pytest.raises(ValueError):
        Pseudonymiser(b"short")


def test_cells_are_about_one_kilometre_and_never_the_point() -> None:
    assert cell(50.2936, 3.8031) == (50.295, 3.8025)
    assert cell_key(50.2936, 3.8031) == "50.2950,3.8025"
    assert cell(50.2901, 3.7951) == cell(50.2999, 3.8099)  # same cell
    assert cell(50.3001, 3.8031) != cell(50.2999, 3.8031)
    assert cell(95, 3) is None and cell(float("nan"), 3) is None


def test_similar_messages_group_and_become_review_yaml() -> None:
    # Rasa's reader, imported here: the only test of this module that needs Rasa.
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    groups = group_messages(Counter({"où garer le camping-car ?": 3,
                                     "ou garer mon camping car": 2, "wifi": 1}))
    assert [(g.text, g.count) for g in groups] == [("où garer le camping-car ?", 5),
                                                   ("wifi", 1)]
    assert groups[0].examples == ["ou garer mon camping car"]
    text = nlu_yaml(groups)
    examples = RasaYAMLReader().reads(text).training_examples
    assert [e.get("text") for e in examples] == ["où garer le camping-car ?",
                                                 "ou garer mon camping car", "wifi"]
    assert {e.get("intent") for e in examples} == {"a_revoir"}
    assert RasaYAMLReader().reads(nlu_yaml([])).training_examples == []


def test_nlu_export_of_hostile_messages_is_read_by_rasa_as_typed(tmp_path: Path) -> None:
    """Issue 15: a control character made the export unreadable YAML, and "[X](place)"
    became an annotated entity. Rasa's format has no escape: "](" is written "] (". """
    from rasa.shared.nlu.training_data.loading import load_data

    typed = ["venir à [Bavay](place) demain", "horaires\x00 du\x1b[31m musée\ufffe",
             "le [parc]{\"entity\": \"place\"} ouvert ?", "ligne\u2028deux\r\ntrois\x85",
             "a\ud800b"]
    fig = {"misunderstood": [{"text": typed[0], "count": 2, "examples": typed[1:3]}],
           "off_topic": [{"text": typed[3], "count": 1, "examples": typed[4:]}]}
    path = tmp_path / "nlu-a-revoir.yml"
    with path.open("w", encoding="utf-8") as out:
        write_misunderstood(fig, "nlu", out)
    examples = load_data(str(path)).training_examples
    assert [e.get("text") for e in examples] == [
        "venir à [Bavay] (place) demain", "horaires du[31m musée",
        'le [parc] {"entity": "place"} ouvert ?', "ligne deux trois", "ab"]
    assert all(not e.get("entities") for e in examples)


@pytest.mark.parametrize(("body", "reason"), [
    (b"pas du json", "objet JSON"),
    (b"[1, 2]", "objet JSON"),
    (b'{"sender": "s1", "type": "click", "item": "x"}', "Champs attendus"),
    (b'{"sender": "../etc", "type": "click", "item": "x", "target": "website"}', "session"),
    (b'{"sender": "s1", "type": "hover", "item": "x", "target": "website"}', "Type"),
    (b'{"sender": "s1", "type": "click", "item": "a b", "target": "website"}', "fiche"),
    (b'{"sender": "s1", "type": "click", "item": "x", "target": "fax"}', "Cible"),
])
def test_click_bodies_are_validated(body: bytes, reason: str) -> None:
    with pytest.raises(web.HTTPBadRequest) as err:
        parse_interaction(body)
    assert reason in (err.value.text or "")


def test_a_valid_click_body() -> None:
    assert parse_interaction(
        b'{"sender": "abc-123", "type": "click", "item": "bavay-forum", "target": "phone"}'
    ) == {"sender": "abc-123", "type": "click", "item": "bavay-forum", "target": "phone"}


def test_retention_keeps_counts_and_is_idempotent(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
    fill(engine, 20_000, start=time.time() - 59 * 86400, days=58)
    before = build(engine, Filters())
    recent_before = build(engine, Filters(Period(date.today() - timedelta(days=10), None)))
    result = apply_retention(engine, 30)
    assert result.deleted_events > 0
    with engine.connect() as conn:
        oldest = conn.execute(sa.select(sa.func.min(EVENTS.c.timestamp))).scalar_one()
    assert local_day(oldest) >= result.cutoff
    after = build(engine, Filters())
    for key in ("conversations", "user_messages", "bot_messages", "fallbacks", "clicks",
                "feedback_up", "feedback_down", "with_recommendation", "median_length"):
        assert after["totals"][key] == before["totals"][key], key
    for section in ("per_day", "per_channel", "intents", "recommended", "clicked", "cells",
                    "feedback_places", "feedback_members", "communes", "interests"):
        assert after[section] == before[section], section
    # Misunderstood texts are raw text: they go with the raw events.
    assert sum(g["count"] for g in after["misunderstood"]) < before["totals"]["fallbacks"]
    assert build(engine, Filters(Period(date.today() - timedelta(days=10), None))) == \
        recent_before
    again = apply_retention(engine, 30)
    assert again.deleted_events == 0
    assert build(engine, Filters())["totals"] == after["totals"]


def test_aggregates_add_to_the_counts_already_stored(tmp_path: Path) -> None:
    """A second tally over days already aggregated adds to the stored counts, and its new
    keys and labels are stored beside them (retention writes them all at once)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
    create_tables(engine)
    first = Tally()
    for offset in range(3):
        for key in ("a", "b"):
            first.add(date(2027, 1, 1) + timedelta(days=offset), "rest", "intents", key,
                      n=offset + 1)
    first.labels["poi-1"] = "Forum antique"
    second = Tally()
    second.add(date(2027, 1, 2), "rest", "intents", "a", n=10)
    second.add(date(2027, 1, 2), "telegram", "intents", "a", n=4)
    second.add(date(2027, 1, 9), "rest", "intents", "c", n=5)
    second.labels.update({"poi-1": "Forum antique", "poi-2": "Étang"})
    with engine.begin() as conn:
        assert add_to_aggregates(conn, first) == 6
    with engine.begin() as conn:
        assert add_to_aggregates(conn, second) == 3
    with engine.connect() as conn:
        stored = {(r.day, r.channel, r.key): r.value for r in conn.execute(sa.select(DAILY))}
        labels = {r.item_id: r.label for r in conn.execute(sa.select(LABELS))}
    assert stored == {
        ("2027-01-01", "rest", "a"): 1, ("2027-01-01", "rest", "b"): 1,
        ("2027-01-02", "rest", "a"): 12, ("2027-01-02", "rest", "b"): 2,
        ("2027-01-02", "telegram", "a"): 4,
        ("2027-01-03", "rest", "a"): 3, ("2027-01-03", "rest", "b"): 3,
        ("2027-01-09", "rest", "c"): 5}
    assert labels == {"poi-1": "Forum antique", "poi-2": "Étang"}


def test_two_retentions_at_once_never_count_the_same_events_twice(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two runs may meet (a cron job started twice, a slow one): both have counted the old
    events, the second deletes them first; the first then changes nothing and says so."""
    import analytics.retention as retention

    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
    fill(engine, 3000, start=time.time() - 59 * 86400, days=58)
    before = build(engine, Filters())["totals"]
    real_stream = retention.stream_conversations
    calls: list[int] = []

    def meanwhile(*args: Any, **kwargs: Any) -> Iterator[Conversation]:
        yield from real_stream(*args, **kwargs)
        if not calls:  # the other run, after this one has counted, before it deletes
            calls.append(1)
            assert apply_retention(engine, 30).deleted_events > 0

    monkeypatch.setattr(retention, "stream_conversations", meanwhile)
    with pytest.raises(retention.ConcurrentRetention):
        apply_retention(engine, 30)
    assert build(engine, Filters())["totals"] == before
    assert apply_retention(engine, 30).deleted_events == 0


@pytest.fixture
async def web_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                     ) -> AsyncIterator[TestClient]:
    """The real app on a generated tracker store; Rasa unreachable (port 1)."""
    monkeypatch.setenv("TRACKER_STORE_URL", "")
    tracker = tmp_path / "tracker.sqlite3"
    fill(make_engine(f"sqlite:///{tracker}"), 200, start=time.time() - 3600, days=0)
    settings = WebSettings(knowledge_url=f"sqlite:///{tmp_path / 'kb.sqlite3'}",
                           tracker_store_db=str(tracker), rasa_url="http://127.0.0.1:1",
                           rasa_api_token="t", secret_key=b"k" * 32, secure_cookies=False)
    async with TestClient(TestServer(create_app(settings))) as client:
        yield client


async def test_interactions_endpoint_edges(web_client: TestClient) -> None:
    pre = await web_client.options("/api/interactions", headers={
        "Origin": "https://www.tourisme-mormal.example", "Access-Control-Request-Method": "POST"})
    assert pre.status == 204 and pre.headers["Access-Control-Allow-Origin"] == "*"
    click = {"sender": "synthetic-00000000", "type": "click", "target": "website"}
    unknown = await web_client.post("/api/interactions", data=json.dumps(
        {**click, "sender": "personne"} | {"item": "poi-001"}))
    assert unknown.status == 204 and unknown.headers["Access-Control-Allow-Origin"] == "*"
    never_shown = await web_client.post("/api/interactions", data=json.dumps(
        {**click, "item": "jamais-vu"}))
    assert never_shown.status == 204  # nothing stored, Rasa not even called
    big = await web_client.post("/api/interactions", data="x" * 5000)
    assert big.status == 413
    bad = await web_client.post("/api/interactions", data="{")
    assert bad.status == 400 and "JSON" in (await bad.json())["detail"]
    assert web_client.app is not None
    with make_engine(f"sqlite:///{web_client.app[SETTINGS].tracker_store_db}").connect() as c:
        shown = json.loads(c.execute(sa.select(EVENTS.c.data).where(
            EVENTS.c.sender_id == "synthetic-00000000", EVENTS.c.type_name == "bot",
            EVENTS.c.data.contains('"custom"'))).scalars().first())
    item = shown["data"]["custom"]["items"][0]["id"]
    down = await web_client.post("/api/interactions", data=json.dumps({**click, "item": item}))
    assert down.status == 502  # shown, so recorded through Rasa, which is down: said
    assert "injoignable" in (await down.json())["detail"]


def test_forget_a_messaging_visitor_by_chat_id_or_phone_number(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Telegram, WhatsApp and SMS conversations are stored under a keyed pseudonym of the
    chat id or number (connectors/messaging.py): `forget --telegram/--telephone` finds
    them with the channels' own secrets, however the number is written."""
    from analytics.cli import main
    from connectors.sms import SmsInput
    from connectors.telegram import TelegramInput
    from connectors.whatsapp import WhatsAppInput

    for name, value in {"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_WEBHOOK_SECRET": "tg-secret",
                        "WHATSAPP_TOKEN": "t", "WHATSAPP_APP_SECRET": "wa-secret",
                        "WHATSAPP_VERIFY_TOKEN": "v", "WHATSAPP_PHONE_NUMBER_ID": "1",
                        "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "tw-secret",
                        "TWILIO_FROM": "+33300000000"}.items():
        monkeypatch.setenv(name, value)
    stored = {  # as each connector names the conversation
        "telegram": TelegramInput.from_credentials(None).sender_id("123456789"),
        "whatsapp": WhatsAppInput.from_credentials(None).sender_id("33612345678"),
        "sms": SmsInput.from_credentials(None).sender_id("+33612345678"),
        "other": SmsInput.from_credentials(None).sender_id("+33699999999"),
    }
    url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    engine = make_engine(url)
    create_events_table(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(EVENTS), [
            {"sender_id": s, "type_name": "user", "timestamp": time.time(), "data": "{}"}
            for s in stored.values() for _ in range(2)])

    def left() -> set[str]:
        with engine.connect() as conn:
            return set(conn.execute(sa.select(EVENTS.c.sender_id)).scalars())

    assert main(["--database", url, "forget", "--telephone", "06 12 34 56 78"]) == 0
    assert "4 événements" in capsys.readouterr().out
    assert left() == {stored["telegram"], stored["other"]}
    assert main(["--database", url, "forget", "--telegram", "123456789"]) == 0
    assert left() == {stored["other"]}
    assert main(["--database", url, "forget", "--telephone", "0033 6 12 34 56 78"]) == 0
    assert "rien n'a été supprimé" in capsys.readouterr().out
    assert main(["--database", url, "forget", "--telephone", "pas un numéro"]) == 2
    assert main(["--database", url, "forget"]) == 2
    assert "--telephone" in capsys.readouterr().err
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    assert main(["--database", url, "forget", "--telegram", "1"]) == 2
    assert "pas configuré" in capsys.readouterr().err


async def test_the_web_app_runs_retention_by_itself(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The widget promises deletion after 30 days: the web app deletes the older events
    by itself (counts kept), with no cron job."""
    import webapp.console.analysis

    monkeypatch.setenv("TRACKER_STORE_URL", "")
    monkeypatch.setattr(webapp.console.analysis, "RETENTION_FIRST_DELAY", 0.0)
    tracker = tmp_path / "tracker.sqlite3"
    engine = make_engine(f"sqlite:///{tracker}")
    fill(engine, 2000, start=time.time() - 50 * 86400, days=49)
    before = build(engine, Filters())["totals"]
    settings = WebSettings(knowledge_url=f"sqlite:///{tmp_path / 'kb.sqlite3'}",
                           tracker_store_db=str(tracker), rasa_url="http://127.0.0.1:1",
                           rasa_api_token="t", secret_key=b"k" * 32, secure_cookies=False)
    cutoff = time.time() - 31 * 86400
    async with TestClient(TestServer(create_app(settings))):
        for _ in range(100):
            with engine.connect() as conn:
                oldest = conn.execute(sa.select(sa.func.min(EVENTS.c.timestamp))).scalar_one()
            if oldest > cutoff:
                break
            await asyncio.sleep(0.1)
    assert oldest > cutoff
    assert build(engine, Filters())["totals"] == before
