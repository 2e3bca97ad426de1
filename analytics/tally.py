"""What one conversation adds to the figures.

Every figure is a count keyed by (local day, channel, metric, key): counts of different
days add up, so the figures of a period are sums, raw conversations and the daily
aggregates kept after retention merge by addition, and memory grows with the number of
distinct keys (days × channels × places, intents, cells…), never with the events.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from analytics.known import commune_named, interest_key, is_abusive, period_key
from analytics.privacy import cell_key, scrub
from analytics.reader import Conversation, Event
from bot.dialogue.payloads import PAYLOAD_TYPES, Item, item_title, plan_items, read_payload
from knowledge.config import PARIS
from knowledge.seeding import commune_names
from knowledge.text import without_controls

FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE_INTENT = "out_of_scope"
CORE_FALLBACK_ACTION = "action_default_fallback"
SESSION_START_ACTION = "action_session_start"
RECOMMENDATION_TYPES = PAYLOAD_TYPES
UNKNOWN_CHANNEL = "inconnu"
# input_channel as Rasa records it (connectors/*.py name()); any other name a client sent
# (the REST body's input_channel before the connectors forced it) counts as UNKNOWN_CHANNEL.
CHANNELS = ("socketio", "rest", "telegram", "whatsapp", "sms")
# Lengths of the aggregates' columns (analytics/aggregates.py): every key and label is
# clipped to them, so that no visitor text can make retention's INSERT fail.
CHANNEL_CHARS, METRIC_CHARS, KEY_CHARS = 64, 40, 160
NO_ITEM = "(sans lieu)"
MAX_MISUNDERSTOOD = 20_000   # distinct misunderstood texts kept for grouping
MAX_TEXT = 300

Key = tuple[str, str, str, str]  # ISO day, channel, metric, key
# Where the visitor is: the slot position_commune (INSEE code, docs/contracts.md) names the
# commune. Conversations recorded before that slot existed only have position_label; for
# them a shared position's label "votre position (près de Bavay)" counts for Bavay, a bare
# "votre position" for nothing, and a typed place for itself.
POSITION_COMMUNE = "position_commune"
POSITION_LABEL = "position_label"
SHARED_LABEL = re.compile(r"votre position(?: \(près de (?P<commune>.+)\))?")


@dataclass
class ConversationSummary:
    """One conversation as the conversations export shows it (no raw id, no text)."""

    sender_id: str
    channel: str
    start: float
    end: float
    user_messages: int
    bot_messages: int
    recommendations: int
    fallbacks: int
    clicks: int
    feedback_up: int
    feedback_down: int


@dataclass
class MessageNote:
    """When and where a misread message was last seen, and what the bot answered."""

    day: str = ""                                 # ISO, Paris
    channels: set[str] = field(default_factory=set)
    reply: str = ""                               # the bot's first answer, scrubbed

    def merge(self, other: MessageNote) -> None:
        if other.day >= self.day:
            self.day, self.reply = other.day, other.reply or self.reply
        self.channels |= other.channels


@dataclass
class Tally:
    counts: Counter[Key] = field(default_factory=Counter)
    labels: dict[str, str] = field(default_factory=dict)          # item id → name
    # scrubbed text → count: the bot's gaps (fallbacks), the off-topic messages
    # (out_of_scope) and the abusive ones (an insult, whatever the intent), apart
    misunderstood: Counter[str] = field(default_factory=Counter)
    off_topic: Counter[str] = field(default_factory=Counter)
    abusive: Counter[str] = field(default_factory=Counter)
    notes: dict[str, MessageNote] = field(default_factory=dict)   # scrubbed text → note
    dropped_misunderstood: int = 0

    def add(self, day: date, channel: str, metric: str, key: str = "", n: int = 1) -> None:
        # Interned day and channel: the many counters of one day share one string. The key
        # may come from what a visitor typed: no control character (PostgreSQL refuses
        # NUL), never longer than its column.
        self.counts[(sys.intern(day.isoformat()), channel, metric, fit(key))] += n

    def label(self, item_id: str, label: str) -> None:
        self.labels[fit(item_id)] = fit(label)

    def note_misunderstood(self, text: str, *, off_topic: bool = False, day: date | None = None,
                           channel: str = "") -> str | None:
        """Counts a misread message (an off-topic one when `off_topic`; an abusive one
        apart, whatever the intent); the scrubbed text it is kept as, or None."""
        clean = without_controls(" ".join(scrub(text).split()))[:MAX_TEXT]
        if not clean:
            return None
        counter = (self.abusive if is_abusive(clean) else self.off_topic if off_topic
                   else self.misunderstood)
        if clean in counter or len(counter) < MAX_MISUNDERSTOOD:
            counter[clean] += 1
        else:
            self.dropped_misunderstood += 1
            return None
        note = self.notes.setdefault(clean, MessageNote())
        note.merge(MessageNote(day.isoformat() if day else "", {channel} if channel else set()))
        return clean

    def merge(self, other: Tally) -> None:
        self.counts.update(other.counts)
        self.labels.update(other.labels)
        self.misunderstood.update(other.misunderstood)
        self.off_topic.update(other.off_topic)
        self.abusive.update(other.abusive)
        for text, note in other.notes.items():
            self.notes.setdefault(text, MessageNote()).merge(note)
        self.dropped_misunderstood += other.dropped_misunderstood


def fit(text: str, limit: int = KEY_CHARS) -> str:
    """`text` as an aggregate's key or label: without control characters, clipped."""
    return without_controls(text)[:limit]


def channel_of(conversation: Conversation) -> str:
    """The channel of the conversation's first visitor message; a name that is not one of
    the project's channels counts as UNKNOWN_CHANNEL."""
    for event in conversation.events:
        if event.type_name == "user":
            channel = event.data.get("input_channel")
            return channel if channel in CHANNELS else UNKNOWN_CHANNEL
    return UNKNOWN_CHANNEL


def _items(data: dict[str, Any]) -> tuple[str, str | None, list[Item]] | None:
    """The recommendation payload of a bot event (kind, speaker, items), or None."""
    message = data.get("data")
    custom = read_payload(message.get("custom") if isinstance(message, dict) else None)
    if custom is None:
        return None
    return custom["type"], custom.get("speaker"), plan_items(custom)


@dataclass
class _State:
    """What is remembered while reading one conversation."""

    day: date
    channel: str
    summary: ConversationSummary
    last_action: str = ""
    last_user_text: str | None = None
    last_user_flagged: bool = True
    last_speaker: str | None = None
    rating: str | None = None
    speakers: dict[str, str] = field(default_factory=dict)
    awaiting_reply: str | None = None  # the misread message the bot answers next
    shown: set[str] = field(default_factory=set)     # ids of the items the bot showed
    # the latest 👍/👎 per item shown (NO_ITEM: feedback on no item): (day, rating, speaker)
    feedback: dict[str, tuple[date, str, str | None]] = field(default_factory=dict)
    # (day, commune) from the position_commune slot, and from labels (older conversations)
    communes_from_slot: list[tuple[date, str]] = field(default_factory=list)
    communes_from_label: list[tuple[date, str]] = field(default_factory=list)


def _user(tally: Tally, st: _State, event: Event, data: dict[str, Any]) -> None:
    day = event.day
    st.summary.user_messages += 1
    tally.add(day, st.channel, "user_messages")
    parse = data.get("parse_data") or {}
    intent = str((parse.get("intent") or {}).get("name") or "")
    text = str(data.get("text") or "")
    tally.add(day, st.channel, "intent", intent or "(aucune)")
    st.last_user_text, st.last_user_flagged = text, False
    st.awaiting_reply = None
    if intent in (FALLBACK_INTENT, OUT_OF_SCOPE_INTENT):
        metric = "fallback" if intent == FALLBACK_INTENT else "out_of_scope"
        tally.add(day, st.channel, metric)
        st.summary.fallbacks += metric == "fallback"
        st.awaiting_reply = tally.note_misunderstood(
            text, off_topic=metric == "out_of_scope", day=day, channel=st.channel)
        st.last_user_flagged = True
    position: dict[str, float] = {}
    for entity in parse.get("entities") or []:
        name, value = entity.get("entity"), entity.get("value")
        # Only what the bot understood counts (analytics/known.py): a taxonomy key, a
        # period its reader knows, never the span a visitor typed.
        key = (interest_key(value) if name == "interest"
               else period_key(value, datetime.fromtimestamp(event.timestamp, PARIS))
               if name == "period" else None)
        if key:
            tally.add(day, st.channel, str(name), key)
        elif name in ("latitude", "longitude") and intent == "share_location":
            with contextlib.suppress(TypeError, ValueError):
                position[name] = float(value)
    if len(position) == 2:
        key = cell_key(position["latitude"], position["longitude"])
        if key:
            tally.add(day, st.channel, "cell", key)


def _bot(tally: Tally, st: _State, event: Event, data: dict[str, Any]) -> None:
    st.summary.bot_messages += 1
    tally.add(event.day, st.channel, "bot_messages")
    if st.awaiting_reply is not None and data.get("text"):
        # what the bot answered a misread message (it may quote the visitor: scrubbed)
        note = tally.notes.get(st.awaiting_reply)
        if note is not None:
            note.reply = without_controls(" ".join(scrub(str(data["text"])).split()))[:MAX_TEXT]
        st.awaiting_reply = None
    found = _items(data)
    if found is None:
        return
    kind, speaker, items = found
    if speaker:
        st.last_speaker = speaker
    for item in items:
        item_id = fit(str(item["id"]), 120)
        st.summary.recommendations += 1
        st.shown.add(item_id)
        tally.add(event.day, st.channel, "recommended", item_id)
        name = item_title(item)
        if name:
            tally.label(item_id, fit(name, 120))
        if f"type:{item_id}" not in tally.labels:
            tally.label(f"type:{item_id}", kind)
        if speaker:
            st.speakers[item_id] = speaker


def _slot(tally: Tally, st: _State, event: Event, data: dict[str, Any]) -> None:
    if st.last_action == SESSION_START_ACTION:
        return  # slots carried over into a new session: already counted
    name, value = data.get("name"), data.get("value")
    if name == POSITION_COMMUNE and isinstance(value, str) and value:
        st.communes_from_slot.append((event.day, commune_names().get(value, value)))
    elif name == POSITION_LABEL and isinstance(value, str) and value:
        shared = SHARED_LABEL.fullmatch(value)
        # a commune's name only (the gazetteer's), never a word the visitor typed
        commune = commune_named(shared.group("commune") if shared else value)
        if commune:
            st.communes_from_label.append((event.day, commune))
    elif name == "feedback_rating":
        st.rating = str(value) if value else None
    elif name == "feedback_item" and st.rating is not None:
        if st.rating in ("up", "down"):
            # The item comes from the visitor's own /feedback payload: it counts only if
            # the bot showed it in this conversation, once (the latest rating wins); any
            # other id or text is left out.
            item = str(value) if value else NO_ITEM
            if item == NO_ITEM or item in st.shown:
                speaker = st.speakers.get(item) or st.last_speaker
                st.feedback[item] = (event.day, st.rating, speaker)
        st.rating = None


def _agent(tally: Tally, st: _State, event: Event, data: dict[str, Any]) -> None:
    payload = data.get("data")
    if isinstance(payload, dict) and payload.get("type") == "click" and payload.get("item"):
        st.summary.clicks += 1
        tally.add(event.day, st.channel, "clicked", str(payload["item"])[:120])
        tally.add(event.day, st.channel, "click_target", str(payload.get("target") or "")[:20])


def _count_feedback(tally: Tally, st: _State) -> None:
    for item, (day, rating, speaker) in st.feedback.items():
        tally.add(day, st.channel, f"feedback_{rating}", item)
        if speaker:
            tally.add(day, st.channel, f"feedback_speaker_{rating}", speaker)
        if rating == "up":
            st.summary.feedback_up += 1
        else:
            st.summary.feedback_down += 1


def _count_communes(tally: Tally, st: _State) -> None:
    """Each commune the visitor was in or near, once per conversation, on the day it was
    first set: from position_commune, or from the labels when the conversation predates
    that slot."""
    seen: set[str] = set()
    for day, commune in st.communes_from_slot or st.communes_from_label:
        if commune not in seen:
            seen.add(commune)
            tally.add(day, st.channel, "commune", commune[:80])


def tally_conversation(tally: Tally, conversation: Conversation) -> ConversationSummary | None:
    """Adds one conversation to `tally`; its summary, or None when it has no event."""
    if not conversation.events:
        return None
    first = conversation.events[0]
    channel = sys.intern(channel_of(conversation))
    st = _State(first.day, channel, ConversationSummary(
        conversation.sender_id, channel, first.timestamp, conversation.events[-1].timestamp,
        0, 0, 0, 0, 0, 0, 0))
    for event in conversation.events:
        if event.type_name == "action":
            st.last_action = event.action_name or ""
            if st.last_action == CORE_FALLBACK_ACTION and not st.last_user_flagged:
                tally.add(event.day, channel, "fallback")
                st.summary.fallbacks += 1
                st.awaiting_reply = tally.note_misunderstood(
                    st.last_user_text or "", day=event.day, channel=channel)
                st.last_user_flagged = True
            continue
        data = event.data
        if event.type_name == "user":
            _user(tally, st, event, data)
        elif event.type_name == "bot":
            _bot(tally, st, event, data)
        elif event.type_name == "slot":
            _slot(tally, st, event, data)
        elif event.type_name == "agent":
            _agent(tally, st, event, data)
    _count_communes(tally, st)
    _count_feedback(tally, st)
    if st.summary.user_messages:
        tally.add(st.day, channel, "conversations")
        tally.add(st.day, channel, "length", str(st.summary.user_messages))
        if st.summary.recommendations:
            tally.add(st.day, channel, "with_recommendation")
    return st.summary
