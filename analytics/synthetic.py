"""Synthetic tracker events in the shape Rasa's SQL tracker store writes them, for the
benchmark and the browser test of the Analyse page (not used by the figures)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.dialogue.payloads import PlaceItem, payload

EVENTS_TABLE = sa.Table(
    "events", sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)
CHANNELS = ("socketio", "socketio", "socketio", "rest", "telegram", "sms")
COMMUNES = (("Bavay", "59053"), ("Le Quesnoy", "59481"), ("Landrecies", "59331"))
PLACES = [(f"poi-{n:03d}", f"Lieu exemple {n}") for n in range(120)]
SPEAKERS = ("jeannine", "franck", "sophie", "lea")
INTERESTS = ("patrimoine", "nature", "randonnee", "gastronomie", "famille", "velo")
MISUNDERSTOOD = ("ou garer mon camping car", "où garer le camping-car ?", "wifi gratuit",
                 "y a t il du wifi", "horaires de la piscine", "la piscine est ouverte ?",
                 "blablabla", "prix du parking")
# What a real tracker store also holds (issue 17): spans the model took for an interest or
# a period that are none, a word the bot took for a far village, off-topic and abusive
# messages. The figures must count none of them as interests, periods or communes.
STRAY_INTERESTS = ("d'", "y", "from the")
PERIODS = ("ce week-end", "ce we", "demain", "samedi", "en août", "le 14 juillet")
STRAY_PERIODS = ("c'", "wilfred")
STRAY_COMMUNES = (("Contre", "80210"), ("Boué", "02103"))
OFF_TOPIC = ("tu connais un bon dentiste ?", "quel temps à Tokyo")
ABUSIVE = ("t'es un gros con", "bot de merde")
REPLY = "🎈 Léa : Pardon, je n'ai pas bien compris. Vous cherchez une sortie, un lieu ?"


def create_events_table(engine: Engine) -> None:
    EVENTS_TABLE.metadata.create_all(engine)


def _row(sender: str, kind: str, ts: float, data: dict[str, Any], *, intent: str | None = None,
         action: str | None = None) -> dict[str, Any]:
    data = {"event": kind, "timestamp": ts, **data}
    return {"sender_id": sender, "type_name": kind, "timestamp": ts, "intent_name": intent,
            "action_name": action, "data": json.dumps(data, ensure_ascii=False)}


def _user(sender: str, ts: float, text: str, intent: str, channel: str,
          entities: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return _row(sender, "user", ts, {
        "text": text, "input_channel": channel, "message_id": f"{sender}-{ts}",
        "parse_data": {"intent": {"name": intent, "confidence": 0.9},
                       "entities": entities or [], "text": text}}, intent=intent)


def _action(sender: str, ts: float, name: str) -> dict[str, Any]:
    return _row(sender, "action", ts, {"name": name, "policy": "RulePolicy"}, action=name)


def _place(item_id: str, name: str, commune: str) -> PlaceItem:
    """A card as the bot sends it (docs/contracts.md), for a made-up place."""
    return {"id": item_id, "name": name, "kind": "museum", "kinds": ["museum"],
            "interests": ["patrimoine"], "commune": commune, "distance_km": 1.5,
            "latitude": 50.29, "longitude": 3.79, "coord_precision": "exact",
            "open_now": None, "price": None, "accessible": None, "pushchair": None,
            "accessibility_labels": [], "url": None, "phone": None, "image": None,
            "summary": None, "map_url": "https://www.openstreetmap.org/", "is_example": True,
            "in_territory": True}


def conversation(rng: random.Random, sender: str, start: float) -> list[dict[str, Any]]:
    """About 20 events: greeting, position, a search with cards, sometimes feedback,
    a click or a message the bot did not understand."""
    ch = rng.choice(CHANNELS)
    t = start
    out = [_action(sender, t, "action_session_start"), _row(sender, "session_started", t, {}),
           _action(sender, t, "action_listen"), _user(sender, t + 1, "bonjour", "greet", ch),
           _action(sender, t + 1, "utter_greet"), _row(sender, "bot", t + 1, {"text": "Bonjour"}),
           _action(sender, t + 1, "action_listen")]
    lat, lon = 50.2 + rng.random() * 0.2, 3.6 + rng.random() * 0.3
    commune, insee = rng.choice(COMMUNES)
    out += [_user(sender, t + 5, "/share_location", "share_location", ch,
                  [{"entity": "latitude", "value": lat}, {"entity": "longitude", "value": lon}]),
            _action(sender, t + 5, "action_set_location"),
            _row(sender, "slot", t + 5, {"name": "position_label", "value": commune}),
            _row(sender, "slot", t + 5, {"name": "position_commune", "value": insee}),
            _action(sender, t + 5, "action_listen")]
    interest = rng.choice(INTERESTS)
    items = rng.sample(PLACES, 4)
    speaker = rng.choice(SPEAKERS)
    out += [_user(sender, t + 9, f"je cherche {interest}", "find_places", ch,
                  [{"entity": "interest", "value": interest}]),
            _action(sender, t + 9, "action_recommend"),
            _row(sender, "bot", t + 9, {"text": "Voici", "data": {"custom": payload(
                "places", [_place(i, n, commune) for i, n in items], speaker=speaker)}}),
            _action(sender, t + 9, "action_listen")]
    if rng.random() < 0.3:
        item = rng.choice(items)[0]
        rating = rng.choice(("up", "up", "down"))
        out += [_user(sender, t + 12, f'/feedback{{"rating": "{rating}"}}', "feedback", ch),
                _action(sender, t + 12, "action_record_feedback"),
                _row(sender, "slot", t + 12, {"name": "feedback_rating", "value": rating}),
                _row(sender, "slot", t + 12, {"name": "feedback_item", "value": item})]
    if rng.random() < 0.4:
        out.append(_row(sender, "agent", t + 15, {"text": None, "data": {
            "type": "click", "item": rng.choice(items)[0], "target": "website"}}))
    if rng.random() < 0.25:
        out += [_user(sender, t + 20, rng.choice(MISUNDERSTOOD), "nlu_fallback", ch),
                _action(sender, t + 20, "action_default_fallback"),
                _row(sender, "bot", t + 20, {"text": REPLY})]
    return out + _noise(random.Random(sender), sender, t + 30, ch)


def _noise(rng: random.Random, sender: str, t: float, ch: str) -> list[dict[str, Any]]:
    """Stray entities, a far village, off-topic and abusive messages, from a generator
    of their own (the rest of the data does not change with them)."""
    out: list[dict[str, Any]] = []
    if rng.random() < 0.3:
        entities = [{"entity": "period", "value": rng.choice(PERIODS + STRAY_PERIODS)},
                    {"entity": "interest", "value": rng.choice(STRAY_INTERESTS)}]
        out += [_user(sender, t, "et pour ce week-end ?", "find_events", ch, entities),
                _action(sender, t, "action_find_events")]
    if rng.random() < 0.05:
        commune, insee = rng.choice(STRAY_COMMUNES)
        out += [_row(sender, "slot", t + 1, {"name": "position_label", "value": commune}),
                _row(sender, "slot", t + 1, {"name": "position_commune", "value": insee})]
    if rng.random() < 0.1:
        text, intent = rng.choice([(m, "out_of_scope") for m in OFF_TOPIC]
                                  + [(m, "nlu_fallback") for m in ABUSIVE])
        out += [_user(sender, t + 2, text, intent, ch),
                _row(sender, "bot", t + 2, {"text": REPLY})]
    return out


def generate(count: int, start: float, days: int = 60, seed: int = 7,
             ) -> Iterator[list[dict[str, Any]]]:
    """Batches of rows until `count` events, conversations spread over `days` days."""
    rng = random.Random(seed)
    produced, n, batch = 0, 0, []
    while produced < count:
        rows = conversation(rng, f"synthetic-{n:08d}", start + rng.random() * days * 86400)
        rows = rows[:count - produced]
        batch += rows
        produced += len(rows)
        n += 1
        if len(batch) >= 20_000:
            yield batch
            batch = []
    if batch:
        yield batch


def fill(engine: Engine, count: int, start: float, days: int = 60, seed: int = 7) -> None:
    create_events_table(engine)
    with engine.begin() as conn:
        for batch in generate(count, start, days, seed):
            conn.execute(sa.insert(EVENTS_TABLE), batch)
