"""The pure pieces of the Analyse page (issue 17): French labels, which values count as
interests, periods and communes, misread messages kept apart, and the CSV for a French
spreadsheet."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import datetime

from analytics import exports, known, labels
from analytics.reader import Conversation, Event
from analytics.report import Filters, figures
from analytics.tally import Tally, tally_conversation
from knowledge.config import PARIS

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=PARIS)  # a Friday


def test_channels_intents_and_interests_in_french() -> None:
    assert [labels.channel_label(c) for c in ("socketio", "telegram", "whatsapp", "sms")] == [
        "site web", "Telegram", "WhatsApp", "SMS"]
    assert labels.intent_label("find_places") == "chercher des lieux"
    assert labels.intent_label("nlu_fallback") == "non compris"
    assert labels.intent_label("new_intent") == "new intent"  # never a raw snake_case key
    assert labels.interest_label("randonnee") == "Randonnée à pied"


def test_only_real_interests_periods_and_communes_count() -> None:
    assert known.interest_key("patrimoine") == "patrimoine"
    assert [known.interest_key(v) for v in ("d'", "y", "from the", None)] == [None] * 4
    got = {t: known.period_key(t, NOW) for t in (
        "ce we", "demain soir", "samedi", "dimanche matin", "août 2027", "le 14/07",
        "du 10 au 15 août", "c'", "wilfred", "d'")}
    assert got == {"ce we": "ce week-end", "demain soir": "demain soir", "samedi": "samedi",
                   "dimanche matin": "dimanche matin", "août 2027": "en août",
                   "le 14/07": "une date précise", "du 10 au 15 août": "des dates précises",
                   "c'": None, "wilfred": None, "d'": None}
    for key in filter(None, got.values()):  # stored keys read again: the same
        assert known.period_key(key, NOW) == key
    assert [known.commune_key(c) for c in ("Bavay", "Maubeuge", "Contre", "Boué")] == [
        "Bavay", "Maubeuge", known.OTHER_COMMUNES, known.OTHER_COMMUNES]
    assert known.commune_key(known.OTHER_COMMUNES) == known.OTHER_COMMUNES
    assert known.commune_named("le quesnoy") == "Le Quesnoy"
    assert known.commune_named("Forum antique") is None
    assert known.is_abusive("bot de MERDE") and not known.is_abusive("le conseil municipal")


def _event(kind: str, data: dict[str, object], ts: float, action: str | None = None) -> Event:
    return Event("v", kind, ts, action, json.dumps(data))


def test_misread_messages_keep_day_channel_and_reply_apart_by_kind() -> None:
    ts = time.time()
    tally = Tally()

    def said(text: str, intent: str, reply: str, at: float) -> list[Event]:
        return [_event("user", {"text": text, "input_channel": "telegram", "parse_data": {
            "intent": {"name": intent}, "entities": [
                {"entity": "interest", "value": "from the"},
                {"entity": "period", "value": "wilfred"},
                {"entity": "period", "value": "ce week-end"}]}}, at),
                _event("bot", {"text": reply}, at + 1)]

    tally_conversation(tally, Conversation("v", [
        *said("où garer mon camping-car ?", "nlu_fallback", "Pardon, au 06 12 34 56 78 ?", ts),
        *said("un bon dentiste", "out_of_scope", "Ça, je ne sais pas.", ts + 5),
        *said("t'es nul, gros con", "nlu_fallback", "Restons polis.", ts + 9)]))
    fig = figures(tally, Filters(), ["telegram"])
    gap, = fig["misunderstood"]
    assert (gap["text"], gap["channels"], gap["reply"]) == (
        "où garer mon camping-car ?", ["Telegram"], "Pardon, au [téléphone] ?")
    assert gap["last_day"] == datetime.fromtimestamp(ts, PARIS).date().isoformat()
    assert [g["text"] for g in fig["off_topic"]] == ["un bon dentiste"]
    assert [(g["text"], g["reply"]) for g in fig["abusive"]] == [
        ("t'es nul, gros con", "Restons polis.")]
    assert fig["interests"] == [] and fig["periods"] == [{"key": "ce week-end", "count": 3}]
    assert fig["per_channel"][0]["label"] == "Telegram"


def test_csv_for_a_french_spreadsheet() -> None:
    fig = figures(Tally(), Filters(), [])
    fig["totals"]["fallback_rate"] = 0.25
    fig["recommended"] = [{"id": "poi-a", "name": "Forum", "type": "places", "count": 8,
                           "clicks": 2, "click_rate": 0.25}]
    out = io.StringIO()
    exports.write_summary(fig, "csv", out)
    text = out.getvalue()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == exports.SUMMARY_HEADERS
    assert rows[[r[1] for r in rows].index("fallback_rate")][:4] == \
        ["totaux", "fallback_rate", "Part des messages non compris", "0,25"]
    assert ["recommandés", "poi-a", "Forum", "8", "2", "0,25", "", "", ""] in rows
    assert exports.french_number(2.0) == "2" and exports.french_number(3) == 3
    assert exports.french_cell("=SOMME(A1)") == "'=SOMME(A1)"
