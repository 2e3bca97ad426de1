"""The figures of a period and channel: raw conversations streamed from the tracker
store, plus the daily aggregates kept after retention, summed into one JSON-able dict."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from analytics.aggregates import load_aggregates, stored_channels
from analytics.known import commune_key, interest_key, period_key
from analytics.labels import channel_label, intent_label, interest_label
from analytics.misunderstood import group_messages
from analytics.reader import Period, stream_conversations
from analytics.tally import ConversationSummary, MessageNote, Tally, tally_conversation
from bot.dialogue.persona import FAMILY
from knowledge.config import PARIS

TOP = 20
TARGETS = {"website": "site web", "phone": "téléphone", "directions": "itinéraire",
           "calendar": "agenda"}


@dataclass(frozen=True)
class Filters:
    period: Period = Period()
    channel: str | None = None


def collect(engine: Engine, filters: Filters,
            on_conversation: Callable[[ConversationSummary], None] | None = None) -> Tally:
    """Streams the raw conversations of the filters into a tally, then adds the stored
    daily aggregates of the same days and channel."""
    tally = Tally()
    for conversation in stream_conversations(engine, filters.period):
        if filters.channel:
            one = Tally()
            summary = tally_conversation(one, conversation)
            if summary is None or summary.channel != filters.channel:
                continue
            tally.merge(one)
        else:
            summary = tally_conversation(tally, conversation)
        if summary is not None and on_conversation is not None:
            on_conversation(summary)
    tally.merge(load_aggregates(engine, filters.period, filters.channel))
    return tally


def _median(histogram: Counter[int]) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    lengths = sorted(histogram)

    def nth(n: int) -> int:  # the n-th smallest length, 0-based
        seen = 0
        for length in lengths:
            seen += histogram[length]
            if n < seen:
                return length
        return lengths[-1]

    if total % 2:
        return float(nth(total // 2))
    return float(statistics.mean((nth(total // 2 - 1), nth(total // 2))))


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _top(counter: Counter[str], limit: int = TOP) -> list[dict[str, Any]]:
    return [{"key": k, "count": v} for k, v in sorted(counter.items(),
                                                      key=lambda kv: (-kv[1], kv[0]))[:limit]]


def _rekey(counter: Counter[str], key: Callable[[str], str | None]) -> Counter[str]:
    """The counts under the keys that count (analytics/known.py), the others left out;
    stored counts of several raw keys add up under their common key."""
    out: Counter[str] = Counter()
    for raw, n in counter.items():
        found = key(raw)
        if found:
            out[found] += n
    return out


def _week(day: str) -> str:
    iso = date.fromisoformat(day).isocalendar()
    return f"{iso[0]}-S{iso[1]:02d}"


def figures(tally: Tally, filters: Filters, channels: list[str]) -> dict[str, Any]:
    """Everything the report, the page and the exports show (no sender id, no raw text
    other than scrubbed misunderstood messages, positions only as cells)."""
    by: dict[str, Counter[str]] = defaultdict(Counter)
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    per_channel: dict[str, Counter[str]] = defaultdict(Counter)
    for (day, channel, metric, key), value in tally.counts.items():
        by[metric][key] += value
        if metric in ("conversations", "user_messages"):
            per_day[day][metric] += value
            per_channel[channel][metric] += value
    total = by["conversations"][""]
    messages = by["user_messages"][""]
    lengths = Counter({int(k): v for k, v in by["length"].items()})
    days = _day_range(per_day, filters.period)
    weeks: dict[str, Counter[str]] = defaultdict(Counter)
    for day in days:
        weeks[_week(day)].update(per_day.get(day, Counter()))
    label = tally.labels.get

    def items(counter: Counter[str]) -> list[dict[str, Any]]:
        return [{"id": row["key"], "name": label(row["key"], row["key"]),
                 "type": label(f"type:{row['key']}", ""), "count": row["count"]}
                for row in _top(counter)]

    def recommended(counter: Counter[str]) -> list[dict[str, Any]]:
        """The most recommended items, each with its clicks and click-through rate."""
        return [{**row, "clicks": by["clicked"][row["id"]],
                 "click_rate": _ratio(by["clicked"][row["id"]], row["count"])}
                for row in items(counter)]

    def misread(counter: Counter[str]) -> list[dict[str, Any]]:
        """Misread messages grouped by similarity, with the day they were last seen, the
        channels and what the bot answered (the group leader's)."""
        out = []
        for g in group_messages(counter):
            note = tally.notes.get(g.text, MessageNote())
            channels = set(note.channels)
            for text in g.examples:
                channels |= tally.notes.get(text, MessageNote()).channels
            out.append({"text": g.text, "count": g.count, "examples": g.examples,
                        "last_day": note.day or None,
                        "channels": [channel_label(c) for c in sorted(channels)],
                        "reply": note.reply or None})
        return out

    def feedback(ups: Counter[str], downs: Counter[str], name: Callable[[str], str],
                 ) -> list[dict[str, Any]]:
        keys = sorted(set(ups) | set(downs), key=lambda k: (-(ups[k] + downs[k]), k))
        return [{"id": k, "name": name(k), "up": ups[k], "down": downs[k],
                 "ratio": _ratio(ups[k], ups[k] + downs[k])} for k in keys]

    now = datetime.now(PARIS)
    interests = _rekey(by["interest"], interest_key)
    periods = _rekey(by["period"], lambda k: period_key(k, now))
    communes = _rekey(by["commune"], commune_key)
    shown = sum(by["recommended"].values())
    return {
        "filters": {"start": filters.period.start.isoformat() if filters.period.start else None,
                    "end": filters.period.end.isoformat() if filters.period.end else None,
                    "channel": filters.channel},
        "channels": channels,
        "totals": {
            "conversations": total,
            "user_messages": messages,
            "bot_messages": by["bot_messages"][""],
            "median_length": _median(lengths),
            "with_recommendation": by["with_recommendation"][""],
            "recommendation_share": _ratio(by["with_recommendation"][""], total),
            "fallbacks": by["fallback"][""],
            "fallback_rate": _ratio(by["fallback"][""], messages),
            "out_of_scope": by["out_of_scope"][""],
            "out_of_scope_rate": _ratio(by["out_of_scope"][""], messages),
            "clicks": sum(by["clicked"].values()),
            "recommendations": shown,
            "click_rate": _ratio(sum(by["clicked"].values()), shown),
            "feedback_up": sum(by["feedback_up"].values()),
            "feedback_down": sum(by["feedback_down"].values()),
        },
        "per_day": [{"day": d, "conversations": per_day[d]["conversations"],
                     "messages": per_day[d]["user_messages"]} for d in days],
        "per_week": [{"week": w, "conversations": c["conversations"],
                      "messages": c["user_messages"]} for w, c in weeks.items()],
        "per_channel": [{"channel": ch, "label": channel_label(ch),
                         "conversations": c["conversations"], "messages": c["user_messages"]}
                        for ch, c in sorted(per_channel.items())],
        "intents": [{**r, "label": intent_label(r["key"])} for r in _top(by["intent"], 100)],
        "misunderstood": misread(tally.misunderstood),
        "off_topic": misread(tally.off_topic),
        "abusive": misread(tally.abusive),
        "misunderstood_not_kept": tally.dropped_misunderstood,
        "interests": [{**r, "label": interest_label(r["key"])} for r in _top(interests)],
        "communes": _top(communes),
        "periods": _top(periods),
        "recommended": recommended(by["recommended"]),
        "clicked": items(by["clicked"]),
        "click_targets": [{"key": TARGETS.get(r["key"], r["key"]), "count": r["count"]}
                          for r in _top(by["click_target"])],
        "feedback_places": feedback(by["feedback_up"], by["feedback_down"],
                                    lambda k: label(k, k)),
        "feedback_members": feedback(
            by["feedback_speaker_up"], by["feedback_speaker_down"],
            lambda k: FAMILY[k].name if k in FAMILY else k),
        "cells": [{"cell": r["key"], "count": r["count"]} for r in _top(by["cell"], 200)],
    }


def _day_range(per_day: dict[str, Counter[str]], period: Period) -> list[str]:
    """Every day from the first to the last (of the data, within the period): zeros show."""
    if not per_day:
        return []
    first = date.fromisoformat(min(per_day))
    last = date.fromisoformat(max(per_day))
    if period.start and period.start > first:
        first = period.start
    if period.end and period.end < last:
        last = period.end
    if (last - first).days > 3660:
        return sorted(per_day)
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def known_channels(engine: Engine, tally: Tally) -> list[str]:
    return sorted({ch for (_d, ch, _m, _k) in tally.counts} | stored_channels(engine))


def build(engine: Engine, filters: Filters,
          on_conversation: Callable[[ConversationSummary], None] | None = None,
          ) -> dict[str, Any]:
    tally = collect(engine, filters, on_conversation)
    channels = known_channels(engine, tally) if not filters.channel else sorted(
        stored_channels(engine) | {filters.channel})
    return figures(tally, filters, channels)
