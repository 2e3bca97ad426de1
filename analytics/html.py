"""The figures as HTML: one fragment (cards, SVG charts, tables) shared by the report file
and the console's Analyse page, and the standalone report around it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from analytics import charts
from analytics.labels import channel_label

HERE = Path(__file__).resolve().parent
ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                         autoescape=jinja2.select_autoescape(default=True),
                         undefined=jinja2.StrictUndefined)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %".replace(".", ",")


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}".replace(".", ",")


def _day(value: str | None) -> str:
    """An ISO day as staff read it: "04/12/2026"."""
    return date.fromisoformat(value).strftime("%d/%m/%Y") if value else "—"


ENV.filters["percent"] = _percent
ENV.filters["day"] = _day
ENV.filters["channel"] = channel_label
ENV.filters["number"] = _number


def chart_set(fig: dict[str, Any]) -> dict[str, Markup]:
    def ranked(rows: list[dict[str, Any]], label: str = "key") -> list[tuple[str, int]]:
        return [(str(r[label]), int(r["count"])) for r in rows]

    cells = []
    for row in fig["cells"]:
        lat, lon = (float(x) for x in row["cell"].split(","))
        cells.append((lat, lon, int(row["count"])))
    return {
        "days": charts.columns([(r["day"], r["conversations"], r["messages"])
                                for r in fig["per_day"]], "Conversations et messages par jour"),
        "weeks": charts.columns([(r["week"], r["conversations"], r["messages"])
                                 for r in fig["per_week"]],
                                "Conversations et messages par semaine"),
        "channels": charts.bars([(r["label"], r["conversations"]) for r in fig["per_channel"]],
                                "Conversations par canal"),
        "intents": charts.bars(ranked(fig["intents"], "label"), "Intentions les plus fréquentes"),
        "misunderstood": charts.bars(ranked(fig["misunderstood"], "text"),
                                     "Messages mal compris les plus fréquents"),
        "interests": charts.bars(ranked(fig["interests"], "label"), "Centres d'intérêt demandés"),
        "communes": charts.bars(ranked(fig["communes"]), "Communes demandées"),
        "recommended": charts.bars(ranked(fig["recommended"], "name"),
                                   "Lieux les plus recommandés"),
        "clicked": charts.bars(ranked(fig["clicked"], "name"), "Lieux les plus cliqués"),
        "cells": charts.cells(cells, "Positions partagées (mailles d'environ 1 km)"),
    }


def render_fragment(fig: dict[str, Any], texts_elsewhere: bool = False) -> Markup:
    """The figures; `texts_elsewhere`: they come from the live counters, which hold no
    misread message's text (the tables say where to find them)."""
    template = ENV.get_template("figures.html")
    return Markup(template.render(fig=fig, charts=chart_set(fig),
                                  texts_elsewhere=texts_elsewhere))


def render_report(fig: dict[str, Any]) -> str:
    return ENV.get_template("report.html").render(
        fig=fig, body=render_fragment(fig),
        generated=datetime.now().astimezone().strftime("%d/%m/%Y %H:%M"))
