"""The console's "Analyse" page (analyst and admin roles): the report's figures and
charts for a period and a channel, and downloads of the same data (CSV, JSON, the
misunderstood messages as Rasa NLU YAML). The figures come from `analytics`, computed in
a thread so the event loop never waits on the tracker store: from the event broker's live
counters once a consumer feeds them, else by a rescan of the tracker store
(analytics/source.py, ANALYTICS_SOURCE); the page says which, and how fresh. The downloads
always rescan (the conversations and the misread messages' texts are not counters)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections.abc import AsyncIterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from markupsafe import Markup

from analytics.config import RETENTION_DAYS, analytics_key
from analytics.exports import ConversationWriter, write_misunderstood, write_summary
from analytics.html import ENV as ANALYTICS_TEMPLATES
from analytics.html import render_fragment
from analytics.labels import channel_label
from analytics.privacy import Pseudonymiser
from analytics.reader import Period
from analytics.report import Filters, build
from analytics.retention import apply_retention
from analytics.source import page_figures
from knowledge.config import PARIS
from webapp.console.auth import require_role
from webapp.console.render import render
from webapp.keys import SETTINGS, TRACKER

log = logging.getLogger(__name__)

PATH = "/console/analyse"
RETENTION_FIRST_DELAY = 60.0   # seconds after start-up
RETENTION_EVERY = 24 * 3600.0
DEFAULT_DAYS = 30
# input_channel as Rasa records it (connectors/*.py name()): the widget, REST, messaging
CHANNELS = ("socketio", "rest", "telegram", "whatsapp", "sms")
ROLES = ("analyst", "admin")
KINDS = {"summary": "chiffres", "conversations": "conversations",
         "misunderstood": "messages-mal-compris"}


class FilterError(ValueError):
    """A filter that cannot be applied, with the French message shown on the page."""


def _day(value: str | None, which: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"{which} invalide « {value[:20]} » : choisissez-la dans le "
                          "calendrier (jour/mois/année).") from None


def read_filters(query: Mapping[str, str]) -> tuple[Filters, list[str]]:
    """?du=AAAA-MM-JJ&au=AAAA-MM-JJ&canal=… ; by default the last 30 days, all channels.
    A filter that cannot be read is left at its default and said (French messages); the
    others are kept."""
    errors: list[str] = []
    today = datetime.now(PARIS).date()  # the report's days are Paris days
    try:
        end = _day(query.get("au"), "Date de fin") or today
    except FilterError as exc:
        errors.append(str(exc))
        end = today
    default_start = end - timedelta(days=DEFAULT_DAYS - 1)
    try:
        start = _day(query.get("du"), "Date de début") if "du" in query else default_start
    except FilterError as exc:
        errors.append(str(exc))
        start = default_start
    if start and start > end:
        errors.append(f"La date de début ({start.strftime('%d/%m/%Y')}) est après la date "
                      f"de fin ({end.strftime('%d/%m/%Y')}) : les {DEFAULT_DAYS} jours "
                      "jusqu'à la date de fin sont montrés.")
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    channel = query.get("canal") or None
    if channel is not None and (len(channel) > 64 or not channel.isascii()
                                or not channel.replace("_", "").isalnum()):
        errors.append(f"Canal inconnu « {channel[:20]} » : tous les canaux sont montrés.")
        channel = None
    return Filters(Period(start, end), channel), errors


def filters_of(request: web.Request) -> Filters:
    """The filters of a download: one that cannot be read is refused (a file cannot show
    a message)."""
    filters, errors = read_filters(request.query)
    if errors:
        raise web.HTTPBadRequest(text=" ".join(errors))
    return filters


def _query(filters: Filters) -> str:
    """The filters as the downloads' query string (an open start stays open: `du=`)."""
    params = {"du": filters.period.start.isoformat() if filters.period.start else ""}
    if filters.period.end:
        params["au"] = filters.period.end.isoformat()
    if filters.channel:
        params["canal"] = filters.channel
    return urlencode(params)


@require_role(*ROLES)
async def page(request: web.Request) -> web.Response:
    """The figures of the filters; a filter that cannot be read is said on the page, the
    other filters kept (never an error page)."""
    filters, errors = read_filters(request.query)
    fig, source = await asyncio.to_thread(page_figures, request.app[TRACKER], filters,
                                          request.app[SETTINGS].analytics_source)
    channels = sorted(set(CHANNELS) | set(fig["channels"]))
    context: dict[str, Any] = {
        "fig": fig, "figures": Markup(render_fragment(fig, texts_elsewhere=source.counters)),
        "filters": filters, "channels": [(ch, channel_label(ch)) for ch in channels],
        "query": _query(filters), "errors": errors, "source": source.sentence(),
    }
    return await render(request, "console/analysis.html", context)


def _download(body: str, filename: str, content_type: str) -> web.Response:
    return web.Response(body=body.encode("utf-8"), headers={
        "Content-Type": f"{content_type}; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"'})


def _export(kind: str, fmt: str, request: web.Request, filters: Filters) -> str:
    out = io.StringIO()
    engine = request.app[TRACKER]
    if kind == "conversations":
        writer = ConversationWriter(out, fmt, Pseudonymiser(analytics_key()))
        build(engine, filters, writer)
        writer.close()
    elif kind == "summary":
        write_summary(build(engine, filters), fmt, out)
    else:
        write_misunderstood(build(engine, filters), fmt, out)
    return out.getvalue()


@require_role(*ROLES)
async def export(request: web.Request) -> web.Response:
    kind, fmt = request.match_info["kind"], request.match_info["fmt"]
    if kind not in KINDS or fmt not in ("csv", "json", "yml") or (fmt == "yml") != (
            kind == "misunderstood" and fmt == "yml"):
        raise web.HTTPNotFound(text="Cet export n'existe pas.")
    filters = filters_of(request)
    real_fmt = "nlu" if fmt == "yml" else fmt
    body = await asyncio.to_thread(_export, kind, real_fmt, request, filters)
    suffix = (filters.period.start.isoformat() if filters.period.start else "debut") + "_" + (
        filters.period.end.isoformat() if filters.period.end else "fin")
    name = f"{'nlu-a-revoir' if fmt == 'yml' else KINDS[kind]}_{suffix}.{fmt}"
    types = {"csv": "text/csv", "json": "application/json", "yml": "application/x-yaml"}
    return _download(body, name, types[fmt])


async def stylesheet(_request: web.Request) -> web.Response:
    """The report's own stylesheet, served from here: the console's CSP allows no inline
    style."""
    css = ANALYTICS_TEMPLATES.get_template("figures.css").render()
    return web.Response(text=css, content_type="text/css",
                        headers={"Cache-Control": "max-age=3600"})


async def daily_retention(app: web.Application) -> AsyncIterator[None]:
    """Retention once a day while the web app runs (first a minute after start-up), so the
    widget's promise — conversations deleted after 30 days — holds without a cron job.
    Safe next to one (analytics/retention.py: never counted twice). ANALYTICS_DAILY_RETENTION=0
    turns it off (retention then left to cron)."""

    async def run() -> None:
        await asyncio.sleep(RETENTION_FIRST_DELAY)
        while True:
            try:
                done = await asyncio.to_thread(apply_retention, app[TRACKER], RETENTION_DAYS)
                if done.deleted_events:
                    log.info("Retention: %s events before %s deleted, counts kept",
                             done.deleted_events, done.cutoff)
            except Exception:  # noqa: BLE001 - any failure: the daily loop must go on
                # (apply_retention records the failed run: the console shows a banner).
                log.warning("Retention failed; next try in %s s", RETENTION_EVERY,
                            exc_info=True)
            await asyncio.sleep(RETENTION_EVERY)

    task = asyncio.create_task(run())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def setup(app: web.Application) -> None:
    if app[SETTINGS].daily_retention:
        app.cleanup_ctx.append(daily_retention)
    app.router.add_get(PATH, page, name="analysis")
    app.router.add_get(PATH + "/figures.css", stylesheet)
    app.router.add_get(PATH + "/export/{kind}.{fmt}", export, name="analysis-export")
