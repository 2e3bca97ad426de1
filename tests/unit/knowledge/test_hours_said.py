"""Issue 17: opening hours typed the way staff write them (several rules on one line,
separated by ";"), said back in one French sentence (`knowledge.hours.describe_fr`, the
console's preview and the bot's "Horaires :" line), and the next opening day
(`knowledge.hours.next_opening`) for a visitor asking outside the season."""

from __future__ import annotations

from datetime import date, time

import pytest

from knowledge.hours import describe_fr, next_opening, slots_phrase_fr
from knowledge.hours_text import HoursTextError, hours_to_text, parse_hours_text

TUE_SUN = ["tu", "we", "th", "fr", "sa", "su"]


# --------------------------------------------------------------------------- one line
def test_the_issue_example_on_one_line() -> None:
    one_line = parse_hours_text("du 1/04 au 31/10 : mardi-dimanche 10h-18h ; fermé le 1er mai")
    lines = parse_hours_text("du 1/04 au 31/10 : mardi-dimanche 10h-18h\nfermé le 1er mai")
    assert one_line == lines == {
        "specs": [{"days": TUE_SUN, "opens": "10:00", "closes": "18:00",
                   "valid_from": "04-01", "valid_through": "10-31"}],
        "closures": ["05-01"], "note": None}


@pytest.mark.parametrize(("typed", "specs", "closures"), [
    # a ";" followed by more hours stays in its rule
    ("samedi 10h-12h ; 14h-18h", [{"days": ["sa"], "opens": "10:00", "closes": "12:00"},
                                  {"days": ["sa"], "opens": "14:00", "closes": "18:00"}], []),
    # ... and followed by more dates, in its closure
    ("fermé le 25/12 ; 1/01", [], ["01-01", "12-25"]),
    # a period at the start of the line is the season of the rules after it
    ("du 1/04 au 31/10 : mardi-vendredi 10h-18h ; samedi, dimanche 10h-19h ; lundi fermé",
     [{"days": ["tu", "we", "th", "fr"], "opens": "10:00", "closes": "18:00",
       "valid_from": "04-01", "valid_through": "10-31"},
      {"days": ["sa", "su"], "opens": "10:00", "closes": "19:00", "valid_from": "04-01",
       "valid_through": "10-31"}], []),
    # two seasons on one line, each its own
    ("du 1/04 au 30/09 : tous les jours 10h-19h ; du 1/10 au 31/03 : week-end 14h-17h",
     [{"opens": "10:00", "closes": "19:00", "valid_from": "04-01", "valid_through": "09-30"},
      {"days": ["sa", "su"], "opens": "14:00", "closes": "17:00", "valid_from": "10-01",
       "valid_through": "03-31"}], []),
    # a closure does not take the season; the rules after it still do
    ("du 1/04 au 31/10 : mardi 10h-18h ; fermé le 14/07 ; mercredi 9h-12h",
     [{"days": ["tu"], "opens": "10:00", "closes": "18:00", "valid_from": "04-01",
       "valid_through": "10-31"},
      {"days": ["we"], "opens": "09:00", "closes": "12:00", "valid_from": "04-01",
       "valid_through": "10-31"}], ["07-14"]),
], ids=["more-hours", "more-dates", "one-season", "two-seasons", "closure-between"])
def test_rules_separated_by_semicolons(typed: str, specs: list[dict[str, object]],
                                       closures: list[str]) -> None:
    parsed = parse_hours_text(typed)
    assert parsed is not None
    assert parsed["specs"] == specs and parsed["closures"] == closures


def test_separate_lines_keep_their_own_period() -> None:
    """On separate lines, a rule without a period has none (the lines add up)."""
    parsed = parse_hours_text("du 1/04 au 31/10 : mardi 10h-18h\nmercredi 9h-12h")
    assert parsed is not None and "valid_from" not in parsed["specs"][1]


def test_errors_name_the_rule_of_the_line() -> None:
    with pytest.raises(HoursTextError) as caught:
        parse_hours_text("lundi 9h-12h ; mardi 25h-26h ; fermé le 31/02")
    assert caught.value.errors == [
        "Horaires, ligne 1 (« mardi 25h-26h ») : heure impossible dans « 25h-26h ».",
        "Horaires, ligne 1 (« fermé le 31/02 ») : date impossible « 31/02 ».",
    ]
    with pytest.raises(HoursTextError) as caught:
        parse_hours_text("lundi 9h-12h ; lundi 14h-18h")
    assert caught.value.errors[0].startswith(
        "Horaires, ligne 1 (« lundi 14h-18h ») : lundi figure déjà à la ligne 1 "
        "(« lundi 9h-12h »)")


def test_one_line_hours_are_shown_back_as_lines() -> None:
    parsed = parse_hours_text("du 1/04 au 31/10 : mardi-dimanche 10h-18h ; fermé le 1er mai")
    assert hours_to_text(parsed) == ("du 01/04 au 31/10 : mardi-dimanche 10h-18h\n"
                                     "fermé le 01/05", "")


# --------------------------------------------------------------------------- said
@pytest.mark.parametrize(("typed", "said"), [
    ("du 1/04 au 31/10 : mardi-dimanche 10h-18h ; fermé le 1er mai",
     "ouvert du 1er avril au 31 octobre, du mardi au dimanche de 10 h à 18 h ; "
     "fermé le 1er mai"),
    ("lundi-vendredi 9h-12h 14h-18h\nsamedi 10h-18h",
     "ouvert du lundi au vendredi de 9 h à 12 h et de 14 h à 18 h, le samedi de 10 h à 18 h"),
    ("lundi, mercredi et vendredi 14h-17h30",
     "ouvert le lundi, le mercredi et le vendredi de 14 h à 17 h 30"),
    ("week-end 10h-18h", "ouvert le samedi et le dimanche de 10 h à 18 h"),
    ("vendredi-lundi 10h-18h", "ouvert du vendredi au lundi de 10 h à 18 h"),
    ("tous les jours 0h-24h\nfermé le 25/12", "ouvert tous les jours 24 h sur 24 ; "
     "fermé le 25 décembre"),
    ("vendredi 19h-2h\nsamedi 20h-0h",
     "ouvert le vendredi de 19 h à 2 h, le samedi de 20 h à minuit"),
    ("mercredi ouvert", "ouvert le mercredi (horaires non précisés)"),
    ("du 01/04/2027 au 30/09/2027 : dimanche 10h-12h",
     "ouvert du 1er avril au 30 septembre 2027, le dimanche de 10 h à 12 h"),
    ("du 1/12/2026 au 31/01/2027 : samedi 14h-17h",
     "ouvert du 1er décembre 2026 au 31 janvier 2027, le samedi de 14 h à 17 h"),
    ("à partir du 1/04/2027 : lundi 9h-10h", "ouvert à partir du 1er avril 2027, le lundi "
     "de 9 h à 10 h"),
    ("du 1/10 au 31/03 : week-end 14h-17h\ndu 1/04 au 30/09 : mardi-dimanche 10h-19h",
     "ouvert du 1er avril au 30 septembre, du mardi au dimanche de 10 h à 19 h ; "
     "ouvert du 1er octobre au 31 mars, le samedi et le dimanche de 14 h à 17 h"),
    ("tous les jours 10h-18h\nfermé le 1/05\nfermé du 24/12 au 2/01\nfermé le 14/07/2027",
     "ouvert tous les jours de 10 h à 18 h ; fermé le 1er mai, du 24 décembre au "
     "2 janvier et le 14 juillet 2027"),
    ("fermé le 25/12", "fermé le 25 décembre"),
], ids=["issue", "two-slots", "list-of-days", "week-end", "over-sunday", "all-day",
        "past-midnight", "hours-unknown", "dated-season", "over-the-year", "open-ended",
        "two-seasons", "closures", "closures-only"])
def test_hours_said_in_one_sentence(typed: str, said: str) -> None:
    assert describe_fr(parse_hours_text(typed)) == said


@pytest.mark.parametrize("hours", [None, {}, {"specs": [], "note": "Sur rendez-vous"},
                                   {"specs": "nonsense"}])
def test_nothing_is_said_of_unknown_hours(hours: object) -> None:
    assert describe_fr(hours) is None  # type: ignore[arg-type]


def test_imported_specs_are_said_too() -> None:
    """Hours the text form cannot show (an untimed day and a timed one) are said anyway."""
    hours = {"specs": [{"days": ["mo"]}, {"days": ["mo"], "opens": "09:00", "closes": "10:00"},
                       {"days": ["tu"]}]}
    assert describe_fr(hours) == ("ouvert le lundi de 9 h à 10 h, le mardi (horaires non "
                                  "précisés)")


def test_slots_phrase() -> None:
    assert slots_phrase_fr([(time(9), time(12)), (time(14), time(18, 30))]) == \
        "de 9 h à 12 h et de 14 h à 18 h 30"
    assert slots_phrase_fr([]) == ""


# --------------------------------------------------------------------------- next opening
SEASON = parse_hours_text("du 1/04 au 31/10 : mardi-dimanche 10h-18h ; fermé le 1er mai")


@pytest.mark.parametrize(("today", "expected"), [
    (date(2026, 12, 3), date(2027, 4, 1)),    # out of season: its first day (a Thursday)
    (date(2027, 4, 1), date(2027, 4, 1)),     # that day itself
    (date(2027, 4, 5), date(2027, 4, 6)),     # a Monday: the Tuesday
    (date(2027, 4, 30), date(2027, 4, 30)),   # Friday 30 April: open
    (date(2027, 5, 1), date(2027, 5, 2)),     # 1 May: closed, the Sunday after
    (date(2027, 10, 31), date(2027, 10, 31)),  # the last day (a Sunday)
    (date(2027, 11, 1), date(2028, 4, 1)),    # the day after: next year's season
])
def test_next_opening(today: date, expected: date) -> None:
    found = next_opening(SEASON, today)
    assert found == (expected, [(time(10), time(18))])


def test_no_next_opening_when_none_is_known() -> None:
    old = parse_hours_text("du 01/04/2025 au 30/09/2025 : dimanche 10h-12h")
    assert next_opening(old, date(2026, 12, 3)) is None
    assert next_opening(None, date(2026, 12, 3)) is None
    untimed = parse_hours_text("mercredi ouvert")
    assert next_opening(untimed, date(2026, 12, 3)) == (date(2026, 12, 9), [])
