"""Report time and peak memory over generated tracker events (1,000,000 by default).

Each size is measured in a fresh subprocess (so ru_maxrss is that size's own peak):
report time untraced, then tracemalloc's peak on a second, traced run;
the events are generated into an SQLite tracker store in a temporary directory (Rasa's
`events` table and index, about 20 events per conversation: greetings, shared positions,
searches with cards, feedback, clicks, misunderstood messages), then the full report
(figures + HTML) is built and timed. The report streams conversations, so its memory
should not grow with the number of events: compare the sizes.

    .venv/bin/python bench/analytics_report.py                    # 200,000 and 1,000,000
    .venv/bin/python bench/analytics_report.py --sizes 100000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(size: int, workdir: Path) -> dict[str, float]:
    from analytics.html import render_report
    from analytics.reader import make_engine
    from analytics.report import Filters, build
    from analytics.synthetic import fill

    engine = make_engine(f"sqlite:///{workdir / f'tracker-{size}.sqlite3'}")
    started = time.perf_counter()
    fill(engine, size, start=time.time() - 60 * 86400, days=60)
    generated = time.perf_counter() - started
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    fig = build(engine, Filters())
    html = render_report(fig)
    elapsed = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()  # a second run, traced (tracemalloc slows Python down ~3×)
    render_report(build(engine, Filters()))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"events": size, "generate_s": round(generated, 1), "report_s": round(elapsed, 2),
            "events_per_s": round(size / elapsed), "tracemalloc_peak_mb": round(peak / 2**20, 1),
            "ru_maxrss_before_mb": round(rss_before / 1024, 1),
            "ru_maxrss_mb": round(rss_after / 1024, 1),
            "conversations": fig["totals"]["conversations"], "html_kb": len(html) // 1024}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="200000,1000000")
    p.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process: one size
    p.add_argument("--dir", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, Path(args.dir))))
        return 0
    print("events      generate  report   events/s  tracemalloc peak  maxrss (before→after)  "
          "conversations")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            out = subprocess.run([sys.executable, __file__, "--one", str(size), "--dir", tmp],
                                 check=True, capture_output=True, text=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(f"{r['events']:>9,}  {r['generate_s']:>7} s  {r['report_s']:>6} s  "
                  f"{r['events_per_s']:>8,}  {r['tracemalloc_peak_mb']:>11} MB  "
                  f"{r['ru_maxrss_before_mb']:>8} → {r['ru_maxrss_mb']} MB  "
                  f"{r['conversations']:>12,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
