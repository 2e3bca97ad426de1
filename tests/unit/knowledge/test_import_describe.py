"""How staff recognise an imported record (knowledge/importers/describe.py): title, place
and dates read from the source, in Paris time; a record simply elsewhere is said so."""

from __future__ import annotations

from knowledge.importers import describe


def test_dates_are_paris_time_written_the_french_way() -> None:
    assert describe.dates_fr(["2022-09-16T16:30:00Z"]) == "16/09/2022 à 18 h 30"
    assert describe.dates_fr(["2022-09-18T15:30:00+02:00", "2022-09-18T17:00:00+02:00",
                              "2022-09-18T15:30:00+02:00"]) == "18/09/2022 à 15 h 30 et 17 h"
    assert describe.dates_fr(["2027-10-31T10:00", "2027-04-01T10:00", "2027-05-01T10:00"]
                             ) == "du 01/04/2027 au 31/10/2027 (3 dates)"
    assert describe.dates_fr(["2027-07-14"]) == "14/07/2027"
    assert describe.dates_fr(["pas une date", None]) is None


def test_openagenda_event_named_by_title_venue_and_town() -> None:
    event = {"uid": 1, "title": {"en": "Reading", "fr": "Lecture"},
             "location": {"name": "Bibliothèque Alexis de Tocqueville",
                          "address": "15 quai François Mitterrand, 14000 Caen"},
             "firstTiming": {"begin": "2022-09-16T18:30:00+02:00"}}
    named = describe.from_openagenda(event)
    assert (named.title, named.town, named.dates) == ("Lecture", "Caen", "16/09/2022 à 18 h 30")
    assert named.place == "Bibliothèque Alexis de Tocqueville, Caen"
    assert str(named) == "Lecture — Bibliothèque Alexis de Tocqueville, Caen — 16/09/2022 à 18 h 30"
    assert describe.from_openagenda({"location": {"city": "Bavay", "name": "Bavay"}}
                                    ).place == "Bavay"  # the town once
    assert describe.from_openagenda("pas un objet") == describe.Described()


def test_csv_row_and_far_reason() -> None:
    row = {"titre": " Marché de Noël ", "commune": "Le Quesnoy", "debut": "2026-12-05T10:00"}
    assert str(describe.from_csv(row)) == "Marché de Noël — Le Quesnoy — 05/12/2026 à 10 h"
    assert describe.far_reason("Caen", 302.4, 40) == (
        "hors du territoire : Caen, à 302 km du Pays de Mormal (le chatbot propose ce qui "
        "est à 40 km au plus).")
    assert describe.far_reason(None, 80, 40).startswith("hors du territoire : à 80 km")
