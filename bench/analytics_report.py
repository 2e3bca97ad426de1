"""Report time and peak memory over generated tracker events (1,000,000 by default).

For each size, one subprocess generates the events, another builds the report (so its
ru_maxrss is the report's own): report time untraced, then tracemalloc's peak on a
second, traced run. The events go into an SQLite tracker store in a temporary directory
(Rasa's `events` table and index, about 20 events per conversation: greetings, shared
positions, searches with cards, feedback, clicks, misunderstood messages); the report is
the full one (figures + HTML). The report streams conversations, so its memory
should not grow with the number of events: compare the sizes. What it holds is one
counter per distinct (day, channel, metric, key) — printed as "counters" — which grows
with the variety of the data (days × channels × places, cells…), up to a ceiling, not
with the number of events.

Then the same process writes those counters into the event broker's live counters table
(`analytics_live_daily`: what the consumer would hold for these events, which the tests
show equal to the rescan's) and times the console's Analyse page built from them
(analytics/source.py `page_figures` + the figures' HTML), first run and median of five:
"page (counters)", against "report" (the rescan).

    .venv/bin/python bench/analytics_report.py                    # 200,000 and 1,000,000
    .venv/bin/python bench/analytics_report.py --sizes 100000
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from analytics.tally import Tally

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def generate(size: int, path: Path) -> float:
    from analytics.reader import make_engine
    from analytics.synthetic import fill

    started = time.perf_counter()
    fill(make_engine(f"sqlite:///{path}"), size, start=time.time() - 60 * 86400, days=60)
    return time.perf_counter() - started


def measure(path: Path) -> dict[str, float]:
    """In its own process (after `generate` in another): ru_maxrss is the report's own."""
    from analytics.html import render_report
    from analytics.reader import make_engine
    from analytics.report import Filters, build, collect, figures, known_channels

    engine = make_engine(f"sqlite:///{path}")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    tally = collect(engine, Filters())
    fig = figures(tally, Filters(), known_channels(engine, tally))
    html = render_report(fig)
    elapsed = time.perf_counter() - started
    counters = len(tally.counts)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # a peak: kept tally or not
    tracemalloc.start()  # a second run, traced (tracemalloc slows Python down ~3×)
    render_report(build(engine, Filters()))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    page_first, page_median = page_from_counters(engine, tally)
    return {"report_s": round(elapsed, 2), "tracemalloc_peak_mb": round(peak / 2**20, 1),
            "ru_maxrss_before_mb": round(rss_before / 1024, 1),
            "ru_maxrss_mb": round(rss_after / 1024, 1),
            "conversations": fig["totals"]["conversations"], "html_kb": len(html) // 1024,
            "counters": counters, "page_first_s": round(page_first, 3),
            "page_s": round(page_median, 3)}


def page_from_counters(engine: Engine, tally: Tally) -> tuple[float, float]:
    """The Analyse page's figures and HTML from the live counters holding `tally`: the
    first run's time and the median of five."""
    from analytics.aggregates import add_to_aggregates, create_tables
    from analytics.html import render_fragment
    from analytics.live import LIVE_DAILY
    from analytics.report import Filters
    from analytics.source import page_figures

    create_tables(engine)
    with engine.begin() as conn:
        add_to_aggregates(conn, tally, LIVE_DAILY)
    times = []
    for _ in range(6):
        started = time.perf_counter()
        fig, source = page_figures(engine, Filters(), "compteurs")
        render_fragment(fig, texts_elsewhere=source.counters)
        times.append(time.perf_counter() - started)
    assert fig["totals"]["conversations"] and source.counters
    return times[0], statistics.median(times[1:])


def _child(*args: str) -> str:
    return subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True,
                          text=True).stdout.strip().splitlines()[-1]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="200000,1000000")
    p.add_argument("--generate", type=int, help=argparse.SUPPRESS)  # child: fill a store
    p.add_argument("--report", action="store_true", help=argparse.SUPPRESS)  # child: measure
    p.add_argument("--db", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.generate:
        print(json.dumps(generate(args.generate, Path(args.db))))
        return 0
    if args.report:
        print(json.dumps(measure(Path(args.db))))
        return 0
    print("events      generate  report   events/s  tracemalloc peak  maxrss (start→end)  "
          "conversations  counters  page (counters) first/median")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            db = str(Path(tmp) / f"tracker-{size}.sqlite3")
            gen = json.loads(_child("--generate", str(size), "--db", db))
            r = json.loads(_child("--report", "--db", db))
            print(f"{size:>9,}  {gen:>7.1f} s  {r['report_s']:>6} s  "
                  f"{round(size / r['report_s']):>8,}  {r['tracemalloc_peak_mb']:>11} MB  "
                  f"{r['ru_maxrss_before_mb']:>6} → {r['ru_maxrss_mb']} MB  "
                  f"{r['conversations']:>12,}  {r['counters']:>8,}  "
                  f"{r['page_first_s']:>7} s / {r['page_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
