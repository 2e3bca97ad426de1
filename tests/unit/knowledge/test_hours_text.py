"""Opening hours typed by staff in plain French (knowledge.hours_text), and the console's
price fields (webapp.console.forms): parsing, errors, and the way back for editing."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from knowledge.hours import from_datatourisme, is_open, validate_hours
from knowledge.hours_text import (
    HoursTextError,
    hours_summary,
    hours_to_text,
    parse_hours_text,
    same_hours,
)
from tests.support.paths import SAMPLES as SAMPLES_ROOT
from webapp.console.forms import FormError, prices_from_form, prices_to_form

PARIS = ZoneInfo("Europe/Paris")
SAMPLES = SAMPLES_ROOT / "datatourisme"
WEEK = ["mo", "tu", "we", "th", "fr"]
DAYS_ALL = ["mo", "tu", "we", "th", "fr", "sa", "su"]


def specs(text: str) -> list[dict[str, Any]]:
    parsed = parse_hours_text(text)
    assert parsed is not None
    return parsed["specs"]


@pytest.mark.parametrize("text, expected", [
    ("lundi-vendredi 9h-12h 14h-18h",
     [{"days": WEEK, "opens": "09:00", "closes": "12:00"},
      {"days": WEEK, "opens": "14:00", "closes": "18:00"}]),
    ("Du lundi au vendredi de 9h30 à 12h, 14:00-18:00",
     [{"days": WEEK, "opens": "09:30", "closes": "12:00"},
      {"days": WEEK, "opens": "14:00", "closes": "18:00"}]),
    ("samedi 10h-18h", [{"days": ["sa"], "opens": "10:00", "closes": "18:00"}]),
    ("Sam. 10h - 18h", [{"days": ["sa"], "opens": "10:00", "closes": "18:00"}]),
    ("lundi, mercredi et vendredi 14h-17h30",
     [{"days": ["mo", "we", "fr"], "opens": "14:00", "closes": "17:30"}]),
    ("week-end 10h-18h", [{"days": ["sa", "su"], "opens": "10:00", "closes": "18:00"}]),
    ("vendredi-lundi 10h-18h",
     [{"days": ["mo", "fr", "sa", "su"], "opens": "10:00", "closes": "18:00"}]),
    ("tous les jours 0h-24h", [{"opens": "00:00", "closes": "24:00"}]),
    ("Tous les jours 10h-18h", [{"opens": "10:00", "closes": "18:00"}]),
    ("vendredi 19h-2h", [{"days": ["fr"], "opens": "19:00", "closes": "02:00"}]),
    ("samedi 20h-0h", [{"days": ["sa"], "opens": "20:00", "closes": "24:00"}]),
    ("mercredi ouvert", [{"days": ["we"]}]),
    ("du 1/04 au 30/09 : mardi-dimanche 10h-19h",
     [{"days": ["tu", "we", "th", "fr", "sa", "su"], "opens": "10:00", "closes": "19:00",
       "valid_from": "04-01", "valid_through": "09-30"}]),
    ("du 1er novembre au 31 mars : samedi 14h-17h",
     [{"days": ["sa"], "opens": "14:00", "closes": "17:00", "valid_from": "11-01",
       "valid_through": "03-31"}]),
    ("du 01/04/2027 au 30/09/2027 : dimanche 10h-12h",
     [{"days": ["su"], "opens": "10:00", "closes": "12:00", "valid_from": "2027-04-01",
       "valid_through": "2027-09-30"}]),
    ("à partir du 1/04/2027 : lundi 9h-10h",
     [{"days": ["mo"], "opens": "09:00", "closes": "10:00", "valid_from": "2027-04-01"}]),
    ("jusqu'au 30/09 : lundi 9h-10h",
     [{"days": ["mo"], "opens": "09:00", "closes": "10:00", "valid_through": "09-30"}]),
])
def test_lines_become_specs(text: str, expected: list[dict[str, Any]]) -> None:
    assert specs(text) == expected


def test_closures_and_note() -> None:
    parsed = parse_hours_text(
        "tous les jours 10h-18h\nfermé le 25/12\nfermé les 1/01, 1er mai et 14/07/2027\n"
        "fermé du 30/12 au 2/01\ndu 10/02/2027 au 12/02/2027 : fermé\n\n",
        "  Visites guidées sur réservation ")
    assert parsed is not None and validate_hours(parsed) == []
    assert parsed["closures"] == ["01-01", "01-02", "05-01", "12-25", "12-30", "12-31",
                                  "2027-02-10", "2027-02-11", "2027-02-12", "2027-07-14"]
    assert parsed["note"] == "Visites guidées sur réservation"


def test_empty_is_no_hours_and_note_alone_is_kept() -> None:
    assert parse_hours_text("  \n ") is None
    assert parse_hours_text("", "Sur rendez-vous") == {
        "specs": [], "closures": [], "note": "Sur rendez-vous"}


def test_closed_day_is_only_said() -> None:
    parsed = parse_hours_text("lundi-samedi 10h-18h\ndimanche fermé")
    assert parsed is not None and parsed["specs"] == [
        {"days": ["mo", "tu", "we", "th", "fr", "sa"], "opens": "10:00", "closes": "18:00"}]


@pytest.mark.parametrize("text, message", [
    ("lundi", "ligne 1 (« lundi ») : horaires manquants"),
    ("9h-12h", "ligne 1 (« 9h-12h ») : jours manquants"),
    ("lundi 9h-25h", "heure impossible"),
    ("lundi 9h-9h", "à la même heure"),
    ("lundi 24h-2h", "ouvrir à 24h"),
    ("lundi blabla", "horaires illisibles « blabla »"),
    ("lundi 9h-12h 11h-13h", "9h-12h et 11h-13h se chevauchent"),
    ("lundi 19h-2h 20h-21h", "se chevauchent"),
    ("lundi-", "jour manquant"),
    ("fermé le 31/02", "date impossible « 31/02 »"),
    ("fermé le 32 mai", "date impossible « 32 mai »"),
    ("fermé le 25 decembr", "date illisible"),
    ("fermé", "dates de fermeture manquantes"),
    ("fermé les jours fériés", "jours fériés ne sont pas gérés"),
    ("du 1/04/2027 au 30/09 : lundi 9h-10h", "aucune des deux"),
    ("du 30/09/2027 au 1/04/2027 : lundi 9h-10h", "finit avant de commencer"),
    ("à partir du 1/04 : fermé", "indiquez le début et la fin"),
    ("fermé du 1/01/2027 au 1/01/2029", "un an ou plus"),
    ("du 1/04 au 30/09 : fermé le 14/07", "sur la même ligne"),
    ("dimanche fermé", "aucun jour d'ouverture"),
    ("tous les jours 10h-18h\ndimanche fermé",
     "ligne 2 : dimanche est dit fermé, mais la ligne 1 l'ouvre"),
    ("tous les jours 10h-18h\ndu 1/11 au 31/03 : dimanche fermé",
     "donnez à chaque saison sa période"),
    ("samedi 10h-12h\nsamedi 14h-18h", "ligne 2 : samedi figure déjà à la ligne 1"),
    ("x" * 400, "ligne trop longue"),
])
def test_errors_name_the_line_and_the_problem(text: str, message: str) -> None:
    with pytest.raises(HoursTextError) as caught:
        parse_hours_text(text)
    assert any(message in e for e in caught.value.errors), caught.value.errors
    assert all(e.startswith("Horaires") for e in caught.value.errors)


def test_every_bad_line_is_reported() -> None:
    with pytest.raises(HoursTextError) as caught:
        parse_hours_text("lundi 9h-12h\nmardi 25h-26h\n\nmercredi truc")
    assert [e.split(" (")[0] for e in caught.value.errors] == [
        "Horaires, ligne 2", "Horaires, ligne 4"]


def test_seasons_add_up_and_the_bot_reads_them() -> None:
    parsed = parse_hours_text(
        "du 1/10 au 31/03 : samedi, dimanche 14h-17h\n"
        "du 1/04 au 30/09 : mardi-dimanche 10h-19h\nfermé le 25/12")
    assert is_open(parsed, datetime(2027, 7, 13, 11, 0, tzinfo=PARIS)) is True  # a Tuesday
    assert is_open(parsed, datetime(2027, 7, 12, 11, 0, tzinfo=PARIS)) is False  # Monday
    assert is_open(parsed, datetime(2027, 1, 9, 15, 0, tzinfo=PARIS)) is True  # Saturday
    assert is_open(parsed, datetime(2027, 1, 9, 11, 0, tzinfo=PARIS)) is False
    assert is_open(parsed, datetime(2027, 12, 25, 15, 0, tzinfo=PARIS)) is False  # Saturday
    night = parse_hours_text("vendredi 19h-2h")
    assert is_open(night, datetime(2027, 7, 17, 1, 30, tzinfo=PARIS)) is True  # Sat. 1:30


@pytest.mark.parametrize("text", [
    "lundi-vendredi 9h-12h 14h-18h\nsamedi 10h-18h",
    "du 01/04 au 30/09 : mardi-dimanche 10h-19h\ndu 01/10 au 31/03 : samedi 14h-17h",
    "tous les jours 0h-24h\nfermé du 24/12 au 02/01\nfermé le 14/07/2027",
    "mercredi ouvert\nvendredi 19h-2h",
    "à partir du 01/04/2027 : lundi, mercredi, vendredi 9h30-12h",
])
def test_text_round_trips(text: str) -> None:
    parsed = parse_hours_text(text, "Note")
    assert hours_to_text(parsed) == (text, "Note")


def test_storage_written_otherwise_is_shown_the_same() -> None:
    stored = {"specs": [{"days": ["mo", "tu"], "opens": "09:00", "closes": "12:00"},
                        {"days": ["tu"], "opens": "14:00", "closes": "00:00"},
                        {"days": DAYS_ALL, "opens": "07:00", "closes": "08:00"}],
              "closures": ["12-25", "12-26", "12-24"], "note": None}
    shown = hours_to_text(stored)
    assert shown is not None
    assert shown[0] == ("lundi 7h-8h 9h-12h\nmardi 7h-8h 9h-12h 14h-24h\n"
                        "mercredi-dimanche 7h-8h\nfermé du 24/12 au 26/12")
    assert same_hours(parse_hours_text(*shown), stored)


def test_what_the_text_cannot_say_is_not_offered_for_editing() -> None:
    assert hours_to_text(None) == ("", "")
    malformed = {"specs": [{"days": ["lundi"], "opens": "9h"}]}
    assert hours_to_text(malformed) is None
    assert "lundi" in hours_summary(malformed)
    both = {"specs": [{"days": ["mo"]}, {"days": ["mo"], "opens": "09:00", "closes": "10:00"}]}
    assert hours_to_text(both) is None  # "open, hours unknown" and hours the same day
    assert hours_summary(both) == "lundi ouvert\nlundi 9h-10h"


def _datatourisme_hours() -> list[dict[str, Any]]:
    found = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "schema:openingHoursSpecification" in node:
                value = node["schema:openingHoursSpecification"]
                found.append(from_datatourisme(value if isinstance(value, list) else [value]))
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    for path in sorted(SAMPLES.rglob("*.json")):
        try:
            walk(json.loads(path.read_text(encoding="utf-8")))
        except ValueError:
            continue
    return found


def test_imported_datatourisme_hours_round_trip() -> None:
    samples = _datatourisme_hours()
    assert samples, f"no DATAtourisme sample in {SAMPLES}"
    for hours in samples:
        shown = hours_to_text(hours)
        assert shown is not None, hours
        assert same_hours(parse_hours_text(*shown), hours)


# --------------------------------------------------------------------------- prices


def test_prices_from_the_form() -> None:
    assert prices_from_form(False, {}, "") is None
    assert prices_from_form(True, {"price_child": "0"}, "") == {"free": True}
    assert prices_from_form(False, {"price_adult": "8,50 €", "price_child": "5",
                                    "price_reduced": "6.5"}, "Gratuit pour les moins de 6 ans") \
        == {"adult": 8.5, "child": 5.0, "reduced": 6.5, "note": "Gratuit pour les moins de 6 ans",
            "text": "Adulte 8,50 €, enfant 5 €, tarif réduit 6,50 €. "
                    "Gratuit pour les moins de 6 ans"}
    assert prices_from_form(False, {}, "Participation libre") == {"text": "Participation libre"}


@pytest.mark.parametrize("free, amounts, message", [
    (True, {"price_adult": "5"}, "Tarifs : « Entrée gratuite » est cochée"),
    (False, {"price_adult": "-5"}, "Tarif adulte : montant illisible « -5 »"),
    (False, {"price_child": "cinq"}, "Tarif enfant : montant illisible"),
    (False, {"price_reduced": "8,555"}, "Tarif réduit : montant illisible"),
    (False, {"price_adult": "99999"}, "Tarif adulte : montant trop élevé"),
])
def test_price_errors(free: bool, amounts: dict[str, str], message: str) -> None:
    with pytest.raises(FormError) as caught:
        prices_from_form(free, amounts, "")
    assert any(e.startswith(message) for e in caught.value.errors), caught.value.errors


@pytest.mark.parametrize("stored", [
    {"free": True}, {"text": "de 3 à 8 €"}, {"free": True, "text": "sauf expositions"},
    {"adult": 8.5, "child": 0.0, "text": "Adulte 8,50 €, enfant gratuit."},
])
def test_prices_round_trip(stored: dict[str, Any]) -> None:
    values = prices_to_form(stored)
    assert values is not None
    assert prices_from_form(values["prices_free"], values, values["price_note"]) == stored


def test_prices_the_form_cannot_show_are_kept_apart() -> None:
    assert prices_to_form({"adulte": "5 €"}) is None
    assert prices_to_form({"adult": 5.0, "text": "Autre chose"}) is None
