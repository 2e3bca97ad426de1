"""The journal as staff read it (webapp/console/journal.py): Paris time, names instead of
codes and ids, and only the fields that really changed, in French."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from webapp.console import journal
from webapp.console.reports import FIELD_LABELS

NAMES = journal.Names({"59053": "Bavay", "59481": "Le Quesnoy"},
                      {"poi-forum-antique": "Forum antique de Bavay"})


def test_stored_utc_instants_are_shown_in_paris_time() -> None:
    assert journal.paris_time(datetime(2026, 12, 4, 9, 30)).strftime("%d/%m %H:%M") == \
        "04/12 10:30"  # winter: UTC+1
    assert journal.paris_time(datetime(2026, 7, 14, 9, 30)).strftime("%H:%M") == "11:30"


def test_a_reordered_list_is_no_change() -> None:
    before = {"kinds": ["museum", "heritage_site"], "interests": ["culture", "patrimoine"],
              "phone": None, "updated_at": "2026-01-01", "timings": [
                  {"start": "2026-12-05T09:00:00+00:00", "end": "2026-12-05T17:00:00+00:00"},
                  {"start": "2026-12-06T09:00:00+00:00", "end": "2026-12-06T17:00:00+00:00"}]}
    after = {"kinds": ["heritage_site", "museum"], "interests": ["patrimoine", "culture"],
             "phone": "", "updated_at": "2026-02-01", "timings": before["timings"][::-1]}
    assert journal.changed_fields(before, after) == []
    assert journal.changed_fields(before, {**after, "kinds": ["museum"]}) == ["kinds"]


def test_changes_are_named_and_valued_in_french() -> None:
    before = {"name": "Forum", "commune_insee": "59053", "kinds": ["museum"],
              "wheelchair": None, "published": True, "prices": None, "latitude": 50.2936}
    after = {"name": "Forum", "commune_insee": "59481", "kinds": ["museum", "castle"],
             "wheelchair": True, "published": False, "prices": {"free": True},
             "latitude": 50.2936}
    got = {c.field: (c.label, c.before, c.after)
           for c in journal.changes(before, after, FIELD_LABELS, NAMES)}
    assert got == {
        "commune_insee": ("Commune", "Bavay", "Le Quesnoy"),
        "kinds": (FIELD_LABELS["kinds"], "Musée", "Musée, Château"),
        "wheelchair": (FIELD_LABELS["wheelchair"], "—", "oui"),
        "published": (FIELD_LABELS["published"], "oui", "non"),
        "prices": (FIELD_LABELS["prices"], "—", "gratuit"),
    }


def test_values_and_names_of_records() -> None:
    assert journal.value_text("venue_poi_id", "poi-forum-antique", NAMES) == \
        "Forum antique de Bavay"
    assert journal.value_text("timings", [{"start": "2026-12-05T09:00:00+00:00",
                                           "end": "2026-12-05T17:00:00+00:00"}], NAMES) == \
        "05/12/2026 à 10 h"
    assert journal.value_text("mode", "hike", NAMES) == "Randonnée à pied"
    assert journal.value_text("price", {"free": False, "text": "5 €"}, NAMES) == "5 €"
    assert journal.value_text("longitude", 3.8031, NAMES) == "3,8031"
    assert journal.record_name("poi", "poi-x", None, {"name": "Ferme"}, NAMES) == "Ferme"
    assert journal.record_name("event", "ev-1", {"title": "Fête"}, None, NAMES) == "Fête"
    assert journal.record_name("poi", "poi-forum-antique", None, None, NAMES) == \
        "Forum antique de Bavay"
    rows = [SimpleNamespace(record_type="event", record_id="ev-1", before=None,
                            after={"commune_insee": "59053", "venue_poi_id": "poi-a"}),
            SimpleNamespace(record_type="poi", record_id="poi-b", before=None, after=None)]
    assert journal.ids_to_name(rows) == ({"59053"}, {"poi-a", "poi-b"})
