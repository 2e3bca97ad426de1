"""Validated writes (`knowledge.store.Store`): refusals in French with nothing written,
venue coordinates, upserts, edits and deletes — on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import transaction
from knowledge.gazetteer import Gazetteer
from knowledge.models import Event, EventTiming, Poi, Route
from knowledge.store import NotFound, Store
from knowledge.validation import ValidationError

BAVAY = (50.2936, 3.8031)
MAROILLES_INSEE = "59384"


def counts(factory: sessionmaker) -> dict[str, int]:
    with factory() as s:
        return {
            model.__tablename__: s.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Poi, Event, EventTiming, Route)
        }


def poi(**extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "name": "Musée test", "kinds": ["museum"], "interests": ["culture"],
        "latitude": BAVAY[0], "longitude": BAVAY[1], "source": "tests",
    }
    record.update(extra)
    return record


def event(**extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "title": "Concert test", "commune_insee": "59053", "interests": ["culture"],
        "start": "2027-07-14T20:00", "end": "2027-07-14T23:00", "source": "tests",
    }
    record.update(extra)
    return record


def route(**extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "name": "Circuit test", "mode": "hike", "length_km": 8,
        "start_latitude": BAVAY[0], "start_longitude": BAVAY[1], "source": "tests",
    }
    record.update(extra)
    return record


REFUSED: list[tuple[str, str, dict[str, Any], str]] = [
    ("latitude 95", "poi", poi(latitude=95), "Latitude impossible : 95"),
    ("longitude 200", "poi", poi(longitude=200), "Longitude impossible : 200"),
    ("text coordinates", "poi", poi(latitude="nord"), "Les coordonnées doivent être des nombres"),
    ("Atlantic", "poi", poi(latitude=47.0, longitude=-8.0), "km du Pays de Mormal"),
    ("Lille is too far", "route", route(start_latitude=50.6317, start_longitude=3.0478),
     "km du Pays de Mormal"),
    ("event ends before it starts", "event",
     event(start="2027-07-14T20:00", end="2027-07-14T18:00"),
     "l'événement se termine (14/07/2027 18:00) avant de commencer (14/07/2027 20:00)"),
    ("event with no date", "event", event(start=None, end=None),
     "Au moins une date (début et fin) est obligatoire"),
    ("unreadable date", "event", event(start="14 juillet"), "début ou fin illisible"),
    ("unknown interest", "poi", poi(interests=["culture", "karaoke"]),
     "Intérêt inconnu : « karaoke »"),
    ("no interest", "poi", poi(interests=[]), "Intérêt : au moins une valeur est obligatoire"),
    ("unknown kind", "poi", poi(kinds=["spaceport"]), "Type de lieu inconnu : « spaceport »"),
    ("no kind", "poi", poi(kinds=None), "Type de lieu : au moins une valeur est obligatoire"),
    ("no name", "poi", poi(name="  "), "Le nom est obligatoire"),
    ("bad URL", "poi", poi(website="www.forum-bavay.fr"),
     "Le site web est invalide : « www.forum-bavay.fr »"),
    ("javascript URL", "event", event(url="javascript:alert(1)"), "Le lien est invalide"),
    ("bad e-mail", "poi", poi(email="accueil@"), "L'adresse e-mail est invalide"),
    ("malformed hours", "poi",
     poi(opening_hours={"specs": [{"days": ["lundi"], "opens": "25:00", "closes": "18:00"}]}),
     "Horaires : specs[0].days : jour inconnu 'lundi'"),
    ("hours not an object", "poi", poi(opening_hours="10h-18h"), "Horaires :"),
    ("unknown commune", "poi", poi(commune_insee="99999"),
     "Commune inconnue : code INSEE « 99999 »"),
    ("unknown venue", "event", event(venue_poi="poi-inexistant"),
     "Lieu inconnu : « poi-inexistant »"),
    ("unknown route mode", "route", route(mode="kayak"), "Le mode inconnu : « kayak »"),
    ("negative length", "route", route(length_km=-3), "La longueur (km) doit être entre"),
    ("bad precision", "poi", poi(coord_precision="au pif"),
     "Précision des coordonnées inconnue"),
    ("bad id", "poi", poi(id="mon lieu !"), "Identifiant invalide"),
]


def test_refused_records_explain_in_french_and_write_nothing(kb_factory: sessionmaker,
                                                             ) -> None:
    with transaction(kb_factory) as s:
        gazetteer = Gazetteer.from_session(s)
        Store.for_session(s, gazetteer).save_poi(poi(id="existing"))
    before = counts(kb_factory)
    assert before["pois"] == 1

    problems = []
    for label, kind, record, message in REFUSED:
        with pytest.raises(ValidationError) as info, transaction(kb_factory) as s:
            store = Store.for_session(s, gazetteer)
            # A valid record first: the refusal must roll it back with the rest.
            store.save_poi(poi(id="written-before-the-error", name="Lieu valide"))
            store.save(kind, record)  # type: ignore[arg-type]
        errors = info.value.errors
        if not any(message in e for e in errors):
            problems.append(f"{label}: {message!r} not in {errors}")
        if message not in str(info.value):
            problems.append(f"{label}: str() lacks {message!r}: {info.value}")
        after = counts(kb_factory)
        if after != before:
            problems.append(f"{label}: rows changed {before} -> {after}")
    assert not problems, "\n".join(problems)

    # Every problem of a record is listed at once, prefixed by the record's id.
    with pytest.raises(ValidationError) as info, transaction(kb_factory) as s:
        Store.for_session(s, gazetteer).save_poi(poi(
            id="plein-de-fautes", name="", latitude=95, interests=["karaoke"],
            kinds=["spaceport"], website="ftp://x", phone="appelez-nous"))
    text = " | ".join(info.value.errors)
    for fragment in ("Le nom est obligatoire", "Latitude impossible", "Intérêt inconnu",
                     "Type de lieu inconnu", "Le site web est invalide",
                     "Le téléphone est invalide"):
        assert fragment in text
    # Each reason names its field, so forms and import reports can point at it.
    fields = {key for key, _message in info.value.fields}
    assert {"name", "latitude", "interests", "kinds", "website", "phone"} <= fields
    assert len(info.value.fields) == len(info.value.errors)
    assert info.value.record_id == "plein-de-fautes"
    assert str(info.value).startswith("plein-de-fautes : ")
    assert counts(kb_factory) == before


def test_commune_fallback_and_event_at_a_venue(session: Session) -> None:
    store = Store.for_session(session)
    # A POI with only its commune gets the commune's centre, flagged as such.
    fromage, created = store.save_poi(poi(id="fromagerie", name="Fromagerie test",
                                          kinds=["cheese_dairy"], interests=["terroir"],
                                          latitude=None, longitude=None,
                                          commune_insee=MAROILLES_INSEE))
    assert created and fromage.coord_precision == "commune"
    assert fromage.commune_insee == MAROILLES_INSEE and fromage.commune.name == "Maroilles"
    assert fromage.latitude == pytest.approx(50.1319, abs=1e-3)
    # A POI with exact coordinates and no commune is attached to the nearest commune.
    musee, _ = store.save_poi(poi(id="musee", latitude=50.2983, longitude=3.7944,
                                  coord_precision="exact"))
    assert musee.commune_insee == "59053" and musee.coord_precision == "exact"

    # An event at a venue POI takes the venue's coordinates and commune.
    concert, created = store.save_event(event(id="concert", venue_poi="musee",
                                              commune_insee=None))
    assert created
    assert (concert.latitude, concert.longitude) == (musee.latitude, musee.longitude)
    assert concert.commune_insee == "59053" and concert.coord_precision == "exact"
    assert concert.venue_poi_id == "musee" and concert.venue.name == "Musée test"
    # Paris wall time stored as UTC: 20:00 CEST on 14 July = 18:00 UTC.
    assert [(t.start.hour, t.end.hour) for t in concert.timings] == [(18, 21)]
    # Even when the event names another commune, the venue gives the coordinates.
    fete, _ = store.save_event(event(id="fete", venue_poi="fromagerie",
                                     commune_insee="59053"))
    assert (fete.latitude, fete.longitude) == (fromage.latitude, fromage.longitude)
    # ...and their precision: the venue is only known by its commune's centre, so the
    # event must not claim exact coordinates (DESIGN §7, data honesty).
    assert fete.coord_precision == "commune"


def test_upsert_by_id_and_by_source_id(session: Session) -> None:
    store = Store.for_session(session)

    def n(model: Any) -> int:
        return session.execute(select(func.count()).select_from(model)).scalar_one()

    first, created = store.save_poi(poi(id="musee", name="Musée A"))
    assert created and first.id == "musee"
    again, created = store.save_poi(poi(id="musee", name="Musée B", interests=["patrimoine"]))
    assert not created and again is first and n(Poi) == 1
    assert again.name == "Musée B" and again.name_norm == "musee b"
    assert again.interests == ["patrimoine"]

    # Without an id, the pair (source, source_id) identifies the record of a feed.
    feed = {"source": "DATAtourisme", "source_id": "https://data.datatourisme.fr/123"}
    a, created = store.save_poi(poi(name="Moulin de Bavay", kinds=["mill"], **feed))
    assert created and a.id == "poi-moulin-de-bavay"
    b, created = store.save_poi(poi(name="Moulin de Bavay (restauré)", kinds=["mill"],
                                    phone="03 27 00 00 00", **feed))
    assert not created and b.id == a.id and n(Poi) == 2
    assert b.name == "Moulin de Bavay (restauré)" and b.phone == "03 27 00 00 00"
    # The same source id in another source is another record.
    c, created = store.save_poi(poi(name="Moulin de Bavay", kinds=["mill"],
                                    source="OpenStreetMap", source_id=feed["source_id"]))
    assert created and c.id == "poi-moulin-de-bavay-2" and n(Poi) == 3

    # Events: re-importing replaces the timings instead of adding to them.
    ev_feed = {"source": "Agenda", "source_id": "evt-42"}
    ev, created = store.save_event(event(timings=[
        {"start": "2027-07-14T20:00", "end": "2027-07-14T23:00"},
        {"start": "2027-07-15T20:00", "end": "2027-07-15T23:00"},
    ], **ev_feed))
    assert created and n(EventTiming) == 2
    ev2, created = store.save_event(event(title="Concert déplacé", timings=[
        {"start": "2027-07-21T20:00", "end": "2027-07-21T23:00"},
    ], **ev_feed))
    assert not created and ev2.id == ev.id and n(Event) == 1 and n(EventTiming) == 1
    assert ev2.title == "Concert déplacé" and ev2.timings[0].start.day == 21

    r1, created = store.save_route(route(id="boucle"))
    r2, created2 = store.save_route(route(id="boucle", length_km=9.5, difficulty="easy"))
    assert created and not created2 and r1 is r2 and n(Route) == 1
    assert r2.length_km == 9.5 and r2.difficulty == "easy"


def test_edit_keeps_other_fields_and_delete(kb_factory: sessionmaker) -> None:
    full = poi(
        id="forum", name="Forum antique de Bavay", kinds=["museum", "archaeological_site"],
        interests=["patrimoine", "culture"], audiences=["famille", "enfants"],
        latitude=50.2983, longitude=3.7944, coord_precision="exact",
        address="2 allée Chanoine Bièvelet, 59570 Bavay", website="https://forum-bavay.fr",
        email="forum@example.fr", wheelchair=True, pushchair=None,
        opening_hours={"specs": [{"days": ["mo", "we", "th", "fr"], "opens": "09:00",
                                  "closes": "17:00"}], "closures": ["12-25"]},
        prices={"plein": 5}, short_description="Le plus grand forum romain au nord des Alpes",
        source="Forum antique (site officiel)", licence="Etalab-2.0",
        last_update="2027-01-15T10:00:00",
    )
    with kb_factory() as s:
        gazetteer = Gazetteer.from_session(s)

    def st(s: Session) -> Store:
        return Store.for_session(s, gazetteer)

    with transaction(kb_factory) as s:
        store = st(s)
        store.save_poi(full)
        store.save_event(event(id="visite", venue_poi="forum", commune_insee=None))

    with transaction(kb_factory) as s:
        before = _columns(st(s).get("poi", "forum"))
    with transaction(kb_factory) as s:
        edited = st(s).edit("poi", "forum", {"phone": "03 27 63 13 95"})
        assert edited.phone == "03 27 63 13 95"
    with transaction(kb_factory) as s:
        after = _columns(st(s).get("poi", "forum"))
    changed = {k for k in after if after[k] != before[k]}
    # (last_update is checked by test_edit_does_not_shift_last_update)
    assert changed - {"last_update"} == {"phone", "updated_at"}

    # An invalid edit is refused and leaves the record as it was.
    with pytest.raises(ValidationError, match="Latitude impossible"), \
            transaction(kb_factory) as s:
        st(s).edit("poi", "forum", {"latitude": 95, "phone": "00"})
    with transaction(kb_factory) as s:
        assert _columns(st(s).get("poi", "forum")) == after

    # Editing an event keeps its dates and venue.
    with transaction(kb_factory) as s:
        ev = st(s).edit("event", "visite", {"title": "Visite guidée"})
        assert ev.title == "Visite guidée" and ev.venue_poi_id == "forum"
        assert [(t.start.isoformat(), t.end.isoformat()) for t in ev.timings] == [
            ("2027-07-14T18:00:00", "2027-07-14T21:00:00")]
        assert ev.coord_precision == "exact" and ev.interests == ["culture"]

    with pytest.raises(NotFound, match="Aucun lieu avec l'identifiant « inconnu »"), \
            transaction(kb_factory) as s:
        st(s).edit("poi", "inconnu", {"phone": "03 27 00 00 00"})

    # Deleting the event removes its dates; deleting the POI removes it for good.
    with transaction(kb_factory) as s:
        st(s).delete("event", "visite")
    with transaction(kb_factory) as s:
        st(s).delete("poi", "forum")
    assert counts(kb_factory) == {"pois": 0, "events": 0, "event_timings": 0, "routes": 0}
    with pytest.raises(NotFound, match="Aucun lieu avec l'identifiant « forum »"), \
            transaction(kb_factory) as s:
        st(s).delete("poi", "forum")
    with pytest.raises(NotFound, match="Aucun événement"), transaction(kb_factory) as s:
        st(s).get("event", "visite")


def test_edit_does_not_shift_last_update(session: Session) -> None:
    """`last_update` is stored in UTC; an edit must not move it (naive ISO text from
    `to_dict` is read back as Paris time, which shifted it by 1–2 h per edit)."""
    store = Store.for_session(session)
    saved, _ = store.save_poi(poi(id="moulin", kinds=["mill"],
                                  last_update="2027-01-15T10:00:00+01:00"))
    assert saved.last_update.isoformat() == "2027-01-15T09:00:00"
    for phone in ("03 27 00 00 01", "03 27 00 00 02"):
        store.edit("poi", "moulin", {"phone": phone})
        assert store.get("poi", "moulin").last_update.isoformat() == "2027-01-15T09:00:00"
    ev, _ = store.save_event(event(id="bal", last_update="2027-07-01T12:00:00Z"))
    store.edit("event", "bal", {"title": "Grand bal"})
    assert store.get("event", "bal").last_update.isoformat() == "2027-07-01T12:00:00"


def test_deleting_a_venue_keeps_its_events(kb_factory: sessionmaker) -> None:
    with transaction(kb_factory) as s:
        store = Store.for_session(s)
        store.save_poi(poi(id="salle"))
        store.save_event(event(id="bal", venue_poi="salle", commune_insee=None))
    with transaction(kb_factory) as s:
        Store.for_session(s, store.gazetteer).delete("poi", "salle")
    with kb_factory() as s:
        bal = s.get(Event, "bal")
        assert bal is not None and bal.venue_poi_id is None and len(bal.timings) == 1


def _columns(obj: Any) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}
