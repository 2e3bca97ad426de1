"""Exports: the figures (CSV or JSON), one row per conversation (pseudonymised, streamed),
the misread messages (CSV, JSON or Rasa NLU YAML). CSV is for a French spreadsheet (";",
UTF-8 BOM, French headers and labels, decimal commas, Paris times); JSON keeps the keys
and numbers as they are, for machines."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TextIO

from analytics.labels import channel_label
from analytics.misunderstood import Group, nlu_yaml
from analytics.reader import PARIS
from analytics.tally import ConversationSummary

KINDS = ("summary", "conversations", "misunderstood", "nlu")
FORMATS = ("csv", "json")
# CSV files are for a French spreadsheet: ";" between cells, UTF-8 with its BOM (Excel
# then reads the accents), French headers, decimal commas. JSON stays for machines.
SEPARATOR = ";"
BOM = "\ufeff"
SUMMARY_COLUMNS = ["section", "key", "label", "count", "clicks", "click_rate", "up", "down",
                   "ratio"]
SUMMARY_HEADERS = ["rubrique", "clé", "libellé", "nombre", "clics", "taux de clic",
                   "avis positifs", "avis négatifs", "part d'avis positifs"]
CONVERSATION_COLUMNS = ["visitor", "channel", "start", "end", "user_messages",
                        "bot_messages", "recommendations", "fallbacks", "clicks",
                        "feedback_up", "feedback_down"]
CONVERSATION_HEADERS = ["visiteur", "canal", "début", "fin", "messages du visiteur",
                        "messages du robot", "recommandations", "non compris", "clics",
                        "avis positifs", "avis négatifs"]
MISUNDERSTOOD_HEADERS = ["catégorie", "message", "fois", "dernier jour", "canaux",
                         "réponse du robot", "formulations proches"]
MISREAD = {"misunderstood": "non compris", "off_topic": "hors sujet", "abusive": "injurieux"}
TOTALS = {
    "conversations": "Conversations", "user_messages": "Messages des visiteurs",
    "bot_messages": "Messages du robot", "median_length": "Longueur médiane (messages)",
    "with_recommendation": "Conversations avec une recommandation",
    "recommendation_share": "Part des conversations avec une recommandation",
    "fallbacks": "Messages non compris", "fallback_rate": "Part des messages non compris",
    "out_of_scope": "Messages hors sujet", "out_of_scope_rate": "Part des messages hors sujet",
    "clicks": "Clics sur les fiches", "recommendations": "Fiches recommandées",
    "click_rate": "Taux de clic", "feedback_up": "Avis positifs",
    "feedback_down": "Avis négatifs",
}
SECTIONS = {
    "totals": "totaux", "per_day": "par jour", "per_week": "par semaine",
    "per_channel": "par canal", "intents": "intentions", "interests": "centres d'intérêt",
    "communes": "communes", "periods": "périodes", "click_targets": "liens suivis",
    "recommended": "recommandés", "clicked": "cliqués", "feedback_places": "avis par lieu",
    "feedback_members": "avis par membre de la famille", "cells": "mailles",
    **MISREAD,
}


def safe_cell(value: Any) -> Any:
    """Spreadsheets run cells starting with = + - @: a visitor's text never starts so."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def french_number(value: Any) -> Any:
    """A number as a French spreadsheet reads it: 0.25 → "0,25", 2.0 → "2"."""
    if isinstance(value, bool) or not isinstance(value, float):
        return value
    return (f"{value:.4f}".rstrip("0").rstrip(".") or "0").replace(".", ",")


def french_cell(value: Any) -> Any:
    return safe_cell(french_number(value))


def french_csv(out: TextIO, headers: list[str]) -> Any:
    """A csv writer for a French spreadsheet, its BOM and headers written."""
    out.write(BOM)
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow(headers)
    return writer


def summary_rows(fig: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"section": "totals", "key": k, "label": TOTALS.get(k, k),
                                   "count": v} for k, v in fig["totals"].items()]
    keyed = {"per_day": "day", "per_week": "week", "per_channel": "channel"}
    for section, key in keyed.items():
        for r in fig[section]:
            label = r.get("label", r[key])
            rows.append({"section": f"{section}:conversations", "key": r[key],
                         "label": label, "count": r["conversations"]})
            rows.append({"section": f"{section}:messages", "key": r[key], "label": label,
                         "count": r["messages"]})
    for section in ("intents", "interests", "communes", "periods", "click_targets"):
        rows += [{"section": section, "key": r["key"], "label": r.get("label", r["key"]),
                  "count": r["count"]} for r in fig[section]]
    rows += [{"section": "recommended", "key": r["id"], "label": r["name"], "count": r["count"],
              "clicks": r["clicks"], "click_rate": r["click_rate"]} for r in fig["recommended"]]
    rows += [{"section": "clicked", "key": r["id"], "label": r["name"], "count": r["count"]}
             for r in fig["clicked"]]
    for section in ("feedback_places", "feedback_members"):
        rows += [{"section": section, "key": r["id"], "label": r["name"], "up": r["up"],
                  "down": r["down"], "ratio": r["ratio"]} for r in fig[section]]
    for section in MISREAD:
        rows += [{"section": section, "key": g["text"], "count": g["count"]}
                 for g in fig[section]]
    rows += [{"section": "cells", "key": c["cell"], "count": c["count"]} for c in fig["cells"]]
    return rows


def _section_fr(section: str) -> str:
    base, _, what = section.partition(":")
    name = SECTIONS.get(base, base)
    return f"{name} : {'messages' if what == 'messages' else 'conversations'}" if what else name


def write_summary(fig: dict[str, Any], fmt: str, out: TextIO) -> None:
    if fmt == "json":
        json.dump(fig, out, ensure_ascii=False, indent=1)
        out.write("\n")
        return
    writer = french_csv(out, SUMMARY_HEADERS)
    for row in summary_rows(fig):
        row = {**row, "section": _section_fr(row["section"])}
        writer.writerow([french_cell(row.get(c, "")) for c in SUMMARY_COLUMNS])


def write_misunderstood(fig: dict[str, Any], fmt: str, out: TextIO) -> None:
    """The misread messages of the figures: the bot's gaps, off-topic and abusive apart.
    The NLU YAML (training data to review) holds the gaps and the off-topic ones."""
    if fmt == "nlu":
        out.write(nlu_yaml([Group(g["text"], g["count"], list(g["examples"]))
                            for section in ("misunderstood", "off_topic")
                            for g in fig[section]]))
    elif fmt == "json":
        json.dump({section: fig[section] for section in MISREAD}, out, ensure_ascii=False,
                  indent=1)
        out.write("\n")
    else:
        writer = french_csv(out, MISUNDERSTOOD_HEADERS)
        for section, category in MISREAD.items():
            for g in fig[section]:
                day = g.get("last_day")
                writer.writerow([category, safe_cell(g["text"]), g["count"],
                                 date.fromisoformat(day).strftime("%d/%m/%Y") if day else "",
                                 ", ".join(g.get("channels") or []),
                                 safe_cell(g.get("reply") or ""),
                                 safe_cell(" | ".join(g["examples"]))])


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, PARIS).isoformat(timespec="seconds")


def _french_time(ts: float) -> str:
    return datetime.fromtimestamp(ts, PARIS).strftime("%d/%m/%Y %H:%M:%S")


class ConversationWriter:
    """Writes each conversation as it is read (the export never holds them all)."""

    def __init__(self, out: TextIO, fmt: str, pseudonym: Callable[[str], str]) -> None:
        self.out, self.fmt, self.pseudonym, self.count = out, fmt, pseudonym, 0
        if fmt == "csv":
            self._csv = french_csv(out, CONVERSATION_HEADERS)
        else:
            out.write("[")

    def __call__(self, s: ConversationSummary) -> None:
        if not s.user_messages and not s.clicks:
            return
        counts = [s.user_messages, s.bot_messages, s.recommendations, s.fallbacks, s.clicks,
                  s.feedback_up, s.feedback_down]
        if self.fmt == "csv":
            self._csv.writerow([french_cell(v) for v in [
                self.pseudonym(s.sender_id), channel_label(s.channel), _french_time(s.start),
                _french_time(s.end), *counts]])
        else:
            row = [self.pseudonym(s.sender_id), s.channel, _iso(s.start), _iso(s.end), *counts]
            record = dict(zip(CONVERSATION_COLUMNS, row, strict=True))
            self.out.write(("," if self.count else "") + "\n "
                           + json.dumps(record, ensure_ascii=False))
        self.count += 1

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write("\n]\n")
