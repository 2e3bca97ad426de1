"""Interleaved A/B of `nearby_pois`: another version of knowledge/queries.py against the
working tree's, in one process, on the queries of nearby_pois.py and its 500k catalogue.

    git show REV:knowledge/queries.py > /tmp/old_queries.py
    .venv/bin/python bench/nearby_pois.py --sizes 500000 --db-dir var/bench  # the catalogue
    .venv/bin/python bench/nearby_pois_ab.py /tmp/old_queries.py [QUERIES=200]

Each query runs with both versions, in alternating order, so that the load of a shared
machine hits both alike; their pages must be identical (ids and scores). Prints wall-clock
and CPU p50/p95 of each, and the after/before ratio of the p95s.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "bench"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import nearby_pois as bench  # noqa: E402  (the benchmark's own query points)

from knowledge import queries as new  # noqa: E402
from knowledge.aio import KnowledgeBase  # noqa: E402
from knowledge.db import make_engine  # noqa: E402

SIZE, SEED = 500_000, 42


def _load(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("old_queries", path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_queries"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _p(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100)[percent - 1]


def main() -> None:
    old = _load(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    db = ROOT / "var" / "bench" / f"nearby_pois_{SIZE}_seed{SEED}_v4.sqlite3"
    kb = KnowledgeBase(engine=make_engine(f"sqlite:///{db}"))
    versions: dict[str, ModuleType] = {"before": old, "after": new}

    def run(name: str, q: object) -> list[tuple[str, float]]:
        m = versions[name]
        query = m.PoiQuery(q.latitude, q.longitude,  # type: ignore[attr-defined]
                           interests=q.interests, radius_km=20)  # type: ignore[attr-defined]
        page = kb.call(m.nearby_pois, query, limit=10)
        return [(h.poi.id, h.score) for h in page.items]

    for q in bench.query_points(20, SEED, SIZE, "warmup"):
        for name in versions:
            run(name, q)
    wall: dict[str, list[float]] = {name: [] for name in versions}
    cpu: dict[str, list[float]] = {name: [] for name in versions}
    queries = bench.query_points(count, SEED, SIZE, "timed")
    for i, q in enumerate(queries):
        pages = {}
        for name in ("before", "after") if i % 2 == 0 else ("after", "before"):
            c0, t0 = time.process_time(), time.perf_counter()
            pages[name] = run(name, q)
            wall[name].append((time.perf_counter() - t0) * 1000)
            cpu[name].append((time.process_time() - c0) * 1000)
        assert pages["before"] == pages["after"], (q, pages)
    for name in versions:
        print(f"{name:6s} wall p50 {_p(wall[name], 50):6.2f} ms p95 {_p(wall[name], 95):6.2f} ms"
              f" | cpu p50 {_p(cpu[name], 50):6.2f} ms p95 {_p(cpu[name], 95):6.2f} ms")
    print(f"after/before p95: wall {_p(wall['after'], 95) / _p(wall['before'], 95):.3f}, "
          f"cpu {_p(cpu['after'], 95) / _p(cpu['before'], 95):.3f}; "
          f"identical pages on {len(queries)} queries")


if __name__ == "__main__":
    main()
