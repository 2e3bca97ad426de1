"""Issue 16: DATAtourisme's CSV export of a label and SNCF's stations, read by the
project's importers, merged into the records the base holds (same source and source id),
idempotent; the shipped seed places the Bureau du Quesnoy, the Camping du lac Vauban and
the Le Quesnoy station at the source's point — on SQLite and PostgreSQL (`kb_factory`)."""

from __future__ import annotations

import csv
import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from knowledge import seeding
from knowledge.geo import haversine_km
from knowledge.importers import detect_format, import_file
from knowledge.importers.stations import station_name
from knowledge.models import Poi
from knowledge.store import Store
from tests.support.import_helpers import FIXTURES, get, snapshot

LABEL = FIXTURES / "open_data" / "accueil-velo.csv"
STATIONS = FIXTURES / "open_data" / "gares.geojson"


def _source_points() -> dict[str, tuple[float, float]]:
    """The source's point of each record of the fixtures, by source id."""
    with open(LABEL, encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    at = {name: header.index(name) for name in ("Identifiant", "Latitude", "Longitude")}
    points = {r[at["Identifiant"]]: (float(r[at["Latitude"]]), float(r[at["Longitude"]]))
              for r in rows[1:]}
    for feature in json.loads(STATIONS.read_text(encoding="utf-8"))["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        points[feature["properties"]["codes_uic"]] = (lat, lon)
    return points


def _project_records() -> list[dict[str, Any]]:
    """Records as the project wrote them before issue 16 (commune centre of Le Quesnoy),
    linked to the open data by source and source id."""
    base = {"commune_insee": "59481", "latitude": 50.250659, "longitude": 3.624862,
            "coord_precision": "commune", "interests": ["pratique"],
            "description": "Texte rédigé par le projet."}
    return [
        {**base, "id": "office", "name": "Office de tourisme – bureau du Quesnoy",
         "kinds": ["tourist_office"], "source": "DATAtourisme (export CSV)",
         "source_id": "6269162", "website": "https://www.tourisme-avesnois.com"},
        {**base, "id": "camping", "name": "Camping du Lac Vauban", "kinds": ["campsite"],
         "interests": ["hebergement"], "source": "DATAtourisme (export CSV)",
         "source_id": "6057858"},
        {**base, "id": "gare", "name": "Gare du Quesnoy", "kinds": ["train_station"],
         "source": "SNCF Gares & Connexions — Gares de voyageurs", "source_id": "87295857"},
    ]


def test_formats_are_recognised() -> None:
    assert detect_format(LABEL) == "datatourisme-csv"
    assert detect_format(STATIONS) == "gares"
    assert [station_name(n) for n in ("Le Quesnoy", "Les Bons Pères", "Ors", "Hachette")] == [
        "Gare du Quesnoy", "Gare des Bons Pères", "Gare d'Ors", "Gare de Hachette"]


def test_open_data_merges_into_held_records_and_is_idempotent(
        kb_factory: sessionmaker) -> None:
    with kb_factory() as session, session.begin():
        store = Store.for_session(session)
        for record in _project_records():
            store.save_poi(record)
    label = import_file(kb_factory, LABEL)
    # The activity product is refused with its reason; the rest is committed (partial).
    assert not label.committed and [r.record_id for r in label.rejected] == [
        "ASCHDF000V508SA6"]
    assert "ni lieu de visite" in label.rejected[0].reason
    label = import_file(kb_factory, LABEL, partial=True)
    stations = import_file(kb_factory, STATIONS)
    assert label.committed and stations.committed and not stations.rejected
    assert (sorted(label.changed), label.n_added) == (["camping", "office"], 3)
    assert (stations.changed, stations.n_added) == (["gare"], 2)
    points = _source_points()
    for rid, sid in (("office", "6269162"), ("camping", "6057858"), ("gare", "87295857")):
        poi = get(kb_factory, Poi, id=rid)
        assert poi.coord_precision == "exact" and poi.source_id == sid
        assert haversine_km(poi.latitude, poi.longitude, *points[sid]) <= 0.010
        # The project's name, text and website stay; the source gives point and provenance.
        assert poi.description == "Texte rédigé par le projet."
        assert poi.name == next(r["name"] for r in _project_records() if r["id"] == rid)
    office = get(kb_factory, Poi, id="office")
    assert office.website == "https://www.tourisme-avesnois.com"
    assert office.licence == ("Licence Ouverte / Etalab 2.0 — DATAtourisme – "
                              "Office de Tourisme de l'Avesnois")
    assert get(kb_factory, Poi, id="gare").licence == "ODbL 1.0 — SNCF Gares & Connexions"
    # New records: the missing stations, with their UIC code; a website that fits.
    ors = get(kb_factory, Poi, name="Gare d'Ors")
    assert (ors.source_id, ors.commune_insee, ors.in_territory) == ("87295667", "59450", False)
    hachette = get(kb_factory, Poi, name="Gare de Hachette")
    assert (hachette.commune_insee, hachette.in_territory) == ("59353", True)
    biau_ri = get(kb_factory, Poi, source_id="6051663")
    assert biau_ri.website.startswith("https://www.airbnb.fr/rooms/39518596")
    # A second run adds and changes nothing.
    before = snapshot(kb_factory)
    again = [import_file(kb_factory, LABEL, partial=True), import_file(kb_factory, STATIONS)]
    assert [(r.n_added, r.n_changed) for r in again] == [(0, 0), (0, 0)]
    assert snapshot(kb_factory) == before


def test_the_shipped_seed_places_them_at_the_source_point(kb_factory: sessionmaker) -> None:
    with kb_factory() as session, session.begin():
        report = seeding.seed(session)
    points = _source_points()
    for rid, sid in (("le-quesnoy-office-de-tourisme", "6269162"),
                     ("le-quesnoy-camping-du-lac-vauban", "6057858"),
                     ("le-quesnoy-gare", "87295857")):
        poi = get(kb_factory, Poi, id=rid)
        assert (poi.coord_precision, poi.source_id, poi.in_territory) == ("exact", sid, True)
        assert haversine_km(poi.latitude, poi.longitude, *points[sid]) <= 0.010
    # Every station has its UIC code and its point; Ors and Hachette are there.
    with kb_factory() as session:
        stations = session.execute(select(Poi).where(Poi.kind == "train_station")).scalars()
        names = set()
        for station in stations:
            assert station.source.startswith("SNCF") and station.source_id.startswith("87")
            assert station.coord_precision == "exact"
            names.add(station.name)
    assert {"Gare d'Ors", "Gare de Hachette", "Gare du Quesnoy"} <= names
    # One establishment, two records: the second is kept unpublished with the reason.
    licorne = get(kb_factory, Poi, source_id="HLOHDF000V507V3H")
    assert licorne.published is False and licorne.notes.startswith(
        "Non publié : doublon de la fiche 6051476")
    assert get(kb_factory, Poi, source_id="6051476").published is True
    assert any(s.startswith("ASCHDF000V508SA6 : ") for s in report.skipped)
    # Seeding again changes nothing; importing the rows again neither.
    before = snapshot(kb_factory)
    with kb_factory() as session, session.begin():
        seeding.seed(session)
    assert snapshot(kb_factory) == before
    again = [import_file(kb_factory, LABEL, partial=True), import_file(kb_factory, STATIONS)]
    assert [(r.n_added, r.n_changed) for r in again] == [(0, 0), (0, 0)]


@pytest.mark.parametrize("path", [LABEL, STATIONS])
def test_a_dry_run_of_the_fixtures_reads_every_row(kb_factory: sessionmaker, path: Any) -> None:
    report = import_file(kb_factory, path, dry_run=True, partial=True)
    assert report.n_added + len(report.rejected) == (6 if path == LABEL else 3)
