"""Exports: the figures (CSV or JSON), one row per conversation (pseudonymised, streamed),
the misunderstood messages (CSV, JSON or Rasa NLU YAML)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TextIO

from analytics.misunderstood import Group, nlu_yaml
from analytics.reader import PARIS
from analytics.tally import ConversationSummary

KINDS = ("summary", "conversations", "misunderstood", "nlu")
FORMATS = ("csv", "json")
SUMMARY_COLUMNS = ["section", "key", "label", "count", "up", "down", "ratio"]
CONVERSATION_COLUMNS = ["visitor", "channel", "start", "end", "user_messages",
                        "bot_messages", "recommendations", "fallbacks", "clicks",
                        "feedback_up", "feedback_down"]


def safe_cell(value: Any) -> Any:
    """Spreadsheets run cells starting with = + - @: a visitor's text never starts so."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def summary_rows(fig: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"section": "totals", "key": k, "count": v}
                                  for k, v in fig["totals"].items()]
    keyed = {"per_day": "day", "per_week": "week", "per_channel": "channel"}
    for section, key in keyed.items():
        for r in fig[section]:
            rows.append({"section": f"{section}:conversations", "key": r[key],
                         "count": r["conversations"]})
            rows.append({"section": f"{section}:messages", "key": r[key], "count": r["messages"]})
    for section in ("intents", "interests", "communes", "periods", "click_targets"):
        rows += [{"section": section, "key": r["key"], "count": r["count"]} for r in fig[section]]
    for section in ("recommended", "clicked"):
        rows += [{"section": section, "key": r["id"], "label": r["name"], "count": r["count"]}
                 for r in fig[section]]
    for section in ("feedback_places", "feedback_members"):
        rows += [{"section": section, "key": r["id"], "label": r["name"], "up": r["up"],
                  "down": r["down"], "ratio": r["ratio"]} for r in fig[section]]
    rows += [{"section": "misunderstood", "key": g["text"], "count": g["count"]}
             for g in fig["misunderstood"]]
    rows += [{"section": "cells", "key": c["cell"], "count": c["count"]} for c in fig["cells"]]
    return rows


def write_summary(fig: dict[str, Any], fmt: str, out: TextIO) -> None:
    if fmt == "json":
        json.dump(fig, out, ensure_ascii=False, indent=1)
        out.write("\n")
        return
    writer = csv.DictWriter(out, SUMMARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in summary_rows(fig):
        writer.writerow({k: safe_cell(v) for k, v in row.items()})


def write_misunderstood(groups: list[dict[str, Any]], fmt: str, out: TextIO) -> None:
    if fmt == "nlu":
        out.write(nlu_yaml([Group(g["text"], g["count"], list(g["examples"])) for g in groups]))
    elif fmt == "json":
        json.dump(groups, out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["message", "count", "similar"])
        for g in groups:
            writer.writerow([safe_cell(g["text"]), g["count"],
                             safe_cell(" | ".join(g["examples"]))])


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, PARIS).isoformat(timespec="seconds")


class ConversationWriter:
    """Writes each conversation as it is read (the export never holds them all)."""

    def __init__(self, out: TextIO, fmt: str, pseudonym: Callable[[str], str]) -> None:
        self.out, self.fmt, self.pseudonym, self.count = out, fmt, pseudonym, 0
        if fmt == "csv":
            self._csv = csv.writer(out, lineterminator="\n")
            self._csv.writerow(CONVERSATION_COLUMNS)
        else:
            out.write("[")

    def __call__(self, s: ConversationSummary) -> None:
        if not s.user_messages and not s.clicks:
            return
        row = [self.pseudonym(s.sender_id), s.channel, _iso(s.start), _iso(s.end),
               s.user_messages, s.bot_messages, s.recommendations, s.fallbacks, s.clicks,
               s.feedback_up, s.feedback_down]
        if self.fmt == "csv":
            self._csv.writerow([safe_cell(v) for v in row])
        else:
            record = dict(zip(CONVERSATION_COLUMNS, row, strict=True))
            self.out.write(("," if self.count else "") + "\n "
                           + json.dumps(record, ensure_ascii=False))
        self.count += 1

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write("\n]\n")
