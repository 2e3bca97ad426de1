"""Where the Analyse page takes its figures from, and the French sentence saying so.

Two sources give the same figures for the same events (tests/integration/
test_analytics_page_source.py):

- the live daily counters the event broker's consumer keeps (analytics/live.py): read in
  time proportional to the number of counters, whatever the number of events, so the page
  renders in well under a second at millions of events (bench/analytics_report.py);
- the full rescan of the tracker store (analytics/report.py `build`), exact at the moment
  it runs but as slow as the store is large (16 s at 1 M events).

ANALYTICS_SOURCE chooses: `compteurs`, `conversations`, or `auto` (the default): the
counters as soon as a consumer has counted an event into them (`make run-cluster`), the
rescan otherwise (`make run`, where no broker runs). The misread messages' texts are not
counters: from the counters, the page says they are in the downloads (computed by rescan).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from analytics.live import LiveState, live_figures, live_state
from analytics.report import Filters, build
from knowledge.config import PARIS

log = logging.getLogger(__name__)

MODES = ("auto", "compteurs", "conversations")


@dataclass(frozen=True)
class Source:
    counters: bool                 # True: the live counters; False: the rescan
    state: LiveState | None = None

    def sentence(self, now: float | None = None) -> str:
        """What the page says about its figures' origin and freshness (French)."""
        if not self.counters:
            return ("Chiffres calculés à l'instant en relisant toutes les conversations "
                    "enregistrées.")
        said = ("Chiffres lus dans les compteurs journaliers tenus à jour par le "
                "consommateur des événements de Rasa (RabbitMQ). ")
        last = self.state.last_event if self.state else None
        if last is None:
            return said + "Aucun événement compté pour l'instant."
        moment = datetime.fromtimestamp(last, PARIS)
        ago = _ago((now if now is not None else time.time()) - last)
        return (said + f"Dernier événement compté : le {moment:%d/%m/%Y} à "
                f"{moment:%H:%M} (heure de Paris){ago}.")


def _ago(seconds: float) -> str:
    if seconds < 0:
        return ""
    if seconds < 60:
        return ", il y a moins d'une minute"
    if seconds < 3600:
        return f", il y a {int(seconds // 60)} min"
    if seconds < 2 * 86400:
        return f", il y a {int(seconds // 3600)} h"
    return f", il y a {int(seconds // 86400)} jours"


def choose(engine: Engine, mode: str = "auto") -> Source:
    """The source for `mode` (MODES; anything else is read as `auto`, with a warning)."""
    if mode not in MODES:
        log.warning("ANALYTICS_SOURCE=%r unknown (auto, compteurs, conversations): auto", mode)
        mode = "auto"
    if mode == "conversations":
        return Source(False)
    state = live_state(engine)
    if mode == "compteurs" or (state is not None and state.counted_at is not None):
        return Source(True, state)
    return Source(False)


def page_figures(engine: Engine, filters: Filters, mode: str = "auto",
                 ) -> tuple[dict[str, Any], Source]:
    """The page's figures and where they come from."""
    source = choose(engine, mode)
    fig = live_figures(engine, filters) if source.counters else build(engine, filters)
    return fig, source
