"""Benchmark of the DATAtourisme feed import: throughput and peak memory.

Not a test: it prints figures. For each size (default 10,000 and 50,000 objects) it

1. generates a DATAtourisme feed export in a temp dir — `index.json` + `objects/…`, the
   platform's layout — from the 7 real samples of `tests/fixtures/samples/datatourisme`:
   each object is a copy of a sample with a unique `@id`, `dc:identifier` and label,
   moved to a random point of the Pays de Mormal (with the INSEE code of one of its
   communes). Bulky repeated parts are trimmed so that 50,000 objects fit on disk: at most
   6 opening-hours specs and 6 event periods, and the producer reduced to its name (the
   samples' `hasBeenCreatedBy` alone weighs up to 250 kB). Everything else is kept,
   translations included (about 40 kB per object on average);
2. imports it with `knowledge.importers.import_file` into a fresh SQLite base (schema
   and communes only), in a child process, and prints records per second and the child's
   max RSS;
3. runs the same import again in another child under tracemalloc and prints the peak of
   Python allocations (tracemalloc slows Python down, so it is not timed).

The import streams: the index is read with ijson and objects are loaded one at a time,
written by batches of 200, the source ids seen go to a temporary table and the report
keeps counts and the first 200 ids, so the peak must not grow with the feed: the last
line compares the peaks of the smallest and the largest size.

    .venv/bin/python bench/import_feed.py [--sizes 10000,50000] [--no-tracemalloc]
"""

from __future__ import annotations

import argparse
import copy
import json
import multiprocessing as mp
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLES = ROOT / "tests" / "fixtures" / "samples" / "datatourisme"
# Bounding box of the territory's communes (lat, lon), a little inside it.
LAT = (50.12, 50.33)
LON = (3.58, 3.86)
TERRITORY_INSEE = ["59053", "59481", "59331", "59384", "59315", "59363"]
TRIM = 6


def _templates() -> list[dict[str, Any]]:
    out = []
    for path in sorted(SAMPLES.glob("*.json")):
        obj = json.loads(path.read_text(encoding="utf-8"))
        for loc in obj.get("isLocatedAt") or []:
            specs = loc.get("schema:openingHoursSpecification")
            if isinstance(specs, list):
                loc["schema:openingHoursSpecification"] = specs[:TRIM]
        for key in ("takesPlaceAt", "schema:startDate", "schema:endDate"):
            if isinstance(obj.get(key), list):
                obj[key] = obj[key][:TRIM]
        creator = obj.get("hasBeenCreatedBy")
        if isinstance(creator, dict):
            obj["hasBeenCreatedBy"] = {"@id": creator.get("@id"),
                                       "schema:legalName": creator.get("schema:legalName")}
        out.append(obj)
    return out


def _texts(templates: list[dict[str, Any]]) -> list[str]:
    """Each template serialised once, with placeholders for what changes per object."""
    out = []
    for template in templates:
        obj = copy.deepcopy(template)
        obj["@id"] = "https://data.datatourisme.fr/99/@UID@"
        obj["dc:identifier"] = "@UID@"
        label = obj["rdfs:label"]
        for lang, names in label.items():
            if isinstance(names, list):
                label[lang] = [f"{n} @N@" for n in names]
        loc = obj["isLocatedAt"][0]
        loc["schema:geo"]["schema:latitude"] = "@LAT@"
        loc["schema:geo"]["schema:longitude"] = "@LON@"
        loc["schema:address"][0]["hasAddressCity"]["insee"] = "@INSEE@"
        out.append(json.dumps(obj, ensure_ascii=False))
    return out


def generate(root: Path, size: int, seed: int = 42) -> int:
    """Write a feed export of `size` objects; return its size in bytes."""
    rng = random.Random(seed)
    texts = _texts(_templates())
    objects = root / "objects"
    total = 0
    root.mkdir(parents=True)
    with open(root / "index.json", "w", encoding="utf-8") as index:
        index.write("[")
        for i in range(size):
            uid = f"bench-{i:06d}"
            text = (texts[i % len(texts)].replace("@UID@", uid).replace("@N@", str(i))
                    .replace("@LAT@", f"{rng.uniform(*LAT):.6f}")
                    .replace("@LON@", f"{rng.uniform(*LON):.6f}")
                    .replace("@INSEE@", rng.choice(TERRITORY_INSEE)))
            rel = f"{i % 10}/{i % 100:02d}/99-{uid}.json"
            target = objects / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            data = text.encode()
            target.write_bytes(data)
            total += len(data)
            index.write(("," if i else "") + json.dumps({"label": uid, "file": rel}))
        index.write("]")
    return total


def _child(feed: str, db: str, traced: bool, queue: Any) -> None:
    from knowledge.db import create_schema, make_engine, session_factory
    from knowledge.importers import import_file
    from knowledge.seeding import load_communes

    engine = make_engine(f"sqlite:///{db}")
    create_schema(engine)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        load_communes(session)
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    report = import_file(factory, Path(feed))
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    engine.dispose()
    queue.put({"seconds": elapsed, "added": report.n_added, "rejected": report.n_rejected,
               "committed": report.committed, "tracemalloc_peak": peak,
               "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})


def run_child(feed: Path, db: Path, traced: bool) -> dict[str, Any]:
    if db.exists():
        db.unlink()
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(str(feed), str(db), traced, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--no-tracemalloc", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("KNOWLEDGE_MAX_DISTANCE_KM", "40")
    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    rows = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            feed = tmp / f"feed-{size}"
            t0 = time.perf_counter()
            nbytes = generate(feed, size)
            gen_s = time.perf_counter() - t0
            print(f"{size:>7} objects generated in {gen_s:.0f} s "
                  f"({nbytes / 1e6:.0f} MB of JSON)", flush=True)
            timed = run_child(feed, tmp / "kb.sqlite3", traced=False)
            if not timed["committed"] or timed["added"] != size:
                print(f"  import failed: {timed}", file=sys.stderr)
                return 1
            traced = ({} if args.no_tracemalloc
                      else run_child(feed, tmp / "kb.sqlite3", traced=True))
            rate = size / timed["seconds"]
            rows.append((size, timed["seconds"], rate, timed["maxrss_kb"] / 1024,
                         traced.get("tracemalloc_peak", 0) / 1e6))
            print(f"  imported in {timed['seconds']:.1f} s: {rate:.0f} records/s, "
                  f"max RSS {timed['maxrss_kb'] / 1024:.0f} MB"
                  + ("" if args.no_tracemalloc else
                     f", tracemalloc peak {traced['tracemalloc_peak'] / 1e6:.1f} MB"),
                  flush=True)
            shutil.rmtree(feed)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n| objects | import (s) | records/s | max RSS (MB) | tracemalloc peak (MB) |")
    print("|---:|---:|---:|---:|---:|")
    for size, seconds, rate, rss, peak in rows:
        print(f"| {size:,} | {seconds:.1f} | {rate:.0f} | {rss:.0f} | "
              + (f"{peak:.1f} |" if peak else "— |"))
    if len(rows) > 1 and rows[0][4] and rows[-1][4]:
        (small, *_, p_small), (large, *_, p_large) = rows[0], rows[-1]
        print(f"\ntracemalloc peak: {p_small:.1f} MB at {small:,} objects, {p_large:.1f} MB at "
              f"{large:,} ({(p_large - p_small) / p_small:+.0%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
