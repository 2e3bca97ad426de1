"""Creates the schema and loads the shipped data: communes, POIs, routes, events.

Example events are described by a schedule rule relative to the install day (see
`seed/README.md`) so that a fresh install always has upcoming events; they stay flagged
`is_example` until staff import real agendas.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from knowledge import yamlfile
from knowledge.commune_centres import place_at_commune_centres
from knowledge.config import PARIS, SEED_DIR
from knowledge.gazetteer import Gazetteer
from knowledge.models import Commune, Poi
from knowledge.store import Store
from knowledge.text import normalize

TERRITORY_CSV = "cc_pays_de_mormal_communes.csv"
REGION_CSV = "communes_hauts-de-france.csv"


OPEN_DATA = "open_data.yaml"


@dataclass
class SeedReport:
    communes: int = 0
    pois: int = 0
    routes: int = 0
    events: int = 0
    # Open-data records not loaded, with why (refused by the reader, out of reach, held).
    skipped: list[str] = field(default_factory=list)


@lru_cache(maxsize=4)
def commune_names(seed_dir: Path = SEED_DIR) -> dict[str, str]:
    """INSEE code → name of the communes of Hauts-de-France, from the seed file (no
    database needed: analytics name the communes of stored conversations with it)."""
    with open(seed_dir / REGION_CSV, encoding="utf-8") as fh:
        return {row["code_insee"]: row["nom"] for row in csv.DictReader(fh)}


def load_communes(session: Session, seed_dir: Path = SEED_DIR) -> int:
    """Upsert the 3,782 communes of Hauts-de-France, flagging the 52 of the territory.

    The stored communes are read as plain rows and only the new or changed ones are
    written, each kind in one statement: `init` on a loaded base writes nothing (loading
    every commune as an ORM object took most of the time of each `init`)."""
    with open(seed_dir / TERRITORY_CSV, encoding="utf-8") as fh:
        territory = {row["code_insee"]: row for row in csv.DictReader(fh)}
    stored = {row.insee: row._mapping for row in session.execute(select(Commune.__table__))}
    added: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    count = 0
    with open(seed_dir / REGION_CSV, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            own = territory.get(row["code_insee"], {})
            lat = own.get("lat") or row["lat"]
            lon = own.get("lon") or row["lon"]
            values = dict(
                insee=row["code_insee"], name=row["nom"], name_norm=normalize(row["nom"]),
                department=row["departement"], postcodes=row["codes_postaux"],
                population=int(row["population"]) if row["population"] else None,
                latitude=float(lat) if lat else None, longitude=float(lon) if lon else None,
                epci_siren=row["epci_siren"], epci_name=row["epci_nom"],
                in_territory=row["code_insee"] in territory,
            )
            current = stored.get(row["code_insee"])
            if current is None:
                added.append(values)
            elif any(current[key] != value for key, value in values.items()):
                changed.append(values)
            count += 1
    if added:
        session.execute(insert(Commune), added)
    if changed:
        session.bulk_update_mappings(Commune, changed)
    session.flush()
    return count


def read_yaml(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        data = yamlfile.safe_load(fh) or []
    if not isinstance(data, list):
        raise ValueError(f"{path.name} : une liste d'enregistrements est attendue.")
    return data


def _at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=PARIS)


def _span(day: date, rule: dict[str, Any]) -> dict[str, str]:
    """One occurrence from `day`, lasting `days` days (end time on the last day)."""
    start = _at(day, rule.get("start", "10:00"))
    last = day + timedelta(days=int(rule.get("days", 1)) - 1)
    end = _at(last, rule.get("end", "18:00"))
    if end <= start:  # ends past midnight
        end += timedelta(days=1)
    return {"start": start.isoformat(), "end": end.isoformat()}


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def expand_schedule(rule: dict[str, Any], today: date) -> list[dict[str, str]]:
    """Concrete timings of a schedule rule, from `today` on."""
    kind = rule.get("type")
    if kind == "weekly":
        first = today + timedelta(days=(int(rule["weekday"]) - today.weekday()) % 7)
        return [_span(first + timedelta(weeks=i), rule) for i in range(int(rule.get("count", 8)))]
    if kind == "relative":
        return [_span(today + timedelta(days=int(rule["in_days"])), rule)]
    if kind in ("annual", "annual_nth_weekday"):
        def on(year: int) -> date:
            if kind == "annual":
                return date(year, int(rule["month"]), int(rule["day"]))
            return _nth_weekday(year, int(rule["month"]), int(rule["weekday"]),
                                int(rule["nth"]))
        day = on(today.year)
        last_day = day + timedelta(days=int(rule.get("days", 1)) - 1)
        if last_day < today:
            day = on(today.year + 1)
        return [_span(day, rule)]
    raise ValueError(f"Règle de calendrier inconnue : {rule!r}")


def _events(seed_dir: Path, today: date) -> Iterator[dict[str, Any]]:
    for record in read_yaml(seed_dir / "events.yaml"):
        record = dict(record)
        schedule = record.pop("schedule", None)
        if schedule:
            record["timings"] = expand_schedule(schedule, today)
        yield record


def seed(session: Session, *, today: date | None = None, seed_dir: Path = SEED_DIR,
         ) -> SeedReport:
    """Upsert every shipped record (by id). Raises on the first invalid record; the
    caller's transaction then rolls everything back."""
    today = today or datetime.now(PARIS).date()
    report = SeedReport(communes=load_communes(session, seed_dir))
    store = Store.for_session(session, Gazetteer.from_session(session))
    linked: set[tuple[str, str]] = set()
    for record in read_yaml(seed_dir / "pois.yaml"):
        store.save_poi(record)
        report.pois += 1
        if record.get("source_id"):
            linked.add((str(record["source"]), str(record["source_id"])))
    _open_data(store, seed_dir, report, linked)
    # Places known only by their commune, loaded before its town hall or church
    place_at_commune_centres(session, store.gazetteer)
    for record in read_yaml(seed_dir / "routes.yaml"):
        store.save_route(record)
        report.routes += 1
    for record in _events(seed_dir, today):
        store.save_event(record)
        report.events += 1
    return report


def _open_data(store: Store, seed_dir: Path, report: SeedReport,
               linked: set[tuple[str, str]]) -> None:
    """Load the open data of `open_data.yaml` through the importers' readers and upsert:
    a source record linked to a record of pois.yaml (same source and source id) updates
    its position and provenance only; duplicates of one establishment stay unpublished."""
    from knowledge.importers import READERS, write_items
    from knowledge.importers.common import Context
    from knowledge.importers.mapping import load_mapping

    path = seed_dir / OPEN_DATA
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        config = yamlfile.safe_load(fh)
    reach = float(config["reach_km"])
    same_as = {str(k): v for k, v in (config.get("same_as") or {}).items()}
    held = {str(other): (str(group["keep"]), group["why"])
            for group in config.get("duplicates") or [] for other in group["others"]}
    ctx = Context(load_mapping(), store.gazetteer)
    for entry in config["files"]:
        feed = READERS[entry["format"]](seed_dir / entry["file"], ctx)
        items = []
        for item in feed:
            if item.data is None:
                report.skipped.append(f"{item.record_id or item.file} : "
                                      f"{item.rejection.reason if item.rejection else '?'}")
                continue
            data, sid = item.data, str(item.data["source_id"])
            away = store.gazetteer.distance_to_territory_km(data["latitude"], data["longitude"])
            if sid in same_as:
                report.skipped.append(f"{sid} : déjà dans la base ({same_as[sid]}).")
            elif away > reach:
                report.skipped.append(f"{sid} : à {away:.0f} km du territoire (plus de "
                                      f"{reach:g} km).")
            else:
                if entry.get("label"):
                    data["notes"] += f" Label « {entry['label']} »."
                    data["short_description"] = f"Labellisé « {entry['label']} »."
                if sid in held:
                    data["published"] = False
                    data["notes"] = (f"Non publié : doublon de la fiche {held[sid][0]} "
                                     f"({held[sid][1]}). {data['notes']}")
                items.append(item)
                report.pois += (str(data["source"]), sid) not in linked
        done = write_items(store, items, feed.label)
        if done.rejected:
            raise ValueError(f"{entry['file']} : {done.rejected[0]}")


def is_empty(session: Session) -> bool:
    return not session.execute(select(func.count()).select_from(Poi)).scalar()
