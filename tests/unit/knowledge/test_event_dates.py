"""Issue 17: event dates typed the way staff write them (knowledge.event_dates) — year
optional and inferred forward, a day name checked against the date, times as "10h-18h"
or "de 10 h à 18 h", spans of days — and written back so that they read the same."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from knowledge.event_dates import (
    EventDatesError,
    describe_event_dates,
    event_dates_text,
    parse_event_dates,
)

TODAY = date(2026, 12, 4)  # a Friday


def dt(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi)


@pytest.mark.parametrize(("typed", "expected"), [
    ("05/12 10h-18h", [(dt(2026, 12, 5, 10), dt(2026, 12, 5, 18))]),
    ("05/12/2026 10h-18h", [(dt(2026, 12, 5, 10), dt(2026, 12, 5, 18))]),
    ("5/12/26 9h30-12h", [(dt(2026, 12, 5, 9, 30), dt(2026, 12, 5, 12))]),
    ("samedi 5 décembre de 10 h à 18 h", [(dt(2026, 12, 5, 10), dt(2026, 12, 5, 18))]),
    ("Sam. 5 déc. 10h", [(dt(2026, 12, 5, 10), dt(2026, 12, 5, 23, 59))]),
    ("le 14 juillet à 21h", [(dt(2027, 7, 14, 21), dt(2027, 7, 14, 23, 59))]),
    ("1er janvier 14:00-17:00", [(dt(2027, 1, 1, 14), dt(2027, 1, 1, 17))]),
    # today is still to come; yesterday is next year's
    ("04/12", [(dt(2026, 12, 4), dt(2026, 12, 4, 23, 59))]),
    ("03/12", [(dt(2027, 12, 3), dt(2027, 12, 3, 23, 59))]),
    ("05/12 20h-2h", [(dt(2026, 12, 5, 20), dt(2026, 12, 6, 2))]),
    ("05/12 10h-12h 14h-18h", [(dt(2026, 12, 5, 10), dt(2026, 12, 5, 12)),
                               (dt(2026, 12, 5, 14), dt(2026, 12, 5, 18))]),
    ("du 5 au 7 décembre 10h-18h", [(dt(2026, 12, d, 10), dt(2026, 12, d, 18))
                                    for d in (5, 6, 7)]),
    ("du 24/12 au 2/01", [(dt(2026, 12, 24), dt(2027, 1, 2, 23, 59))]),
    ("du 28/12 au 3/01/2027 14h-16h", [(dt(2026, 12, 28, 14), dt(2026, 12, 28, 16)),
                                       (dt(2026, 12, 29, 14), dt(2026, 12, 29, 16)),
                                       (dt(2026, 12, 30, 14), dt(2026, 12, 30, 16)),
                                       (dt(2026, 12, 31, 14), dt(2026, 12, 31, 16)),
                                       (dt(2027, 1, 1, 14), dt(2027, 1, 1, 16)),
                                       (dt(2027, 1, 2, 14), dt(2027, 1, 2, 16)),
                                       (dt(2027, 1, 3, 14), dt(2027, 1, 3, 16))]),
    # the older form: a start and an end
    ("14/07/2027 10:00 ; 14/07/2027 18:00", [(dt(2027, 7, 14, 10), dt(2027, 7, 14, 18))]),
    ("15/07/2027 ; 15/07/2027", [(dt(2027, 7, 15), dt(2027, 7, 15, 23, 59))]),
    ("05/12 22h ; 06/12 2h", [(dt(2026, 12, 5, 22), dt(2026, 12, 6, 2))]),
    # a past year, when typed, is kept (the console warns about it)
    ("05/12/2025 10h-18h", [(dt(2025, 12, 5, 10), dt(2025, 12, 5, 18))]),
])
def test_dates_as_staff_type_them(typed: str, expected: list[tuple[datetime, datetime]]) -> None:
    assert parse_event_dates(typed, TODAY) == expected


def test_several_lines_add_up() -> None:
    got = parse_event_dates("05/12 10h-18h\n\n  samedi 12 décembre 14h-17h  ", TODAY)
    assert got == [(dt(2026, 12, 5, 10), dt(2026, 12, 5, 18)),
                   (dt(2026, 12, 12, 14), dt(2026, 12, 12, 17))]


@pytest.mark.parametrize(("typed", "message"), [
    ("samedi 14 décembre de 10 h à 18 h",
     "le 14 décembre 2026 est un lundi, pas un samedi (le samedi le plus proche : "
     "12 décembre 2026) : vérifiez le jour ou la date"),
    ("31/02", "date impossible « 31/02 »"),
    ("05/12 bla", "heure illisible « bla »"),
    ("05/12 25h-26h", "heure impossible « 25h »"),
    ("05/12 10h-10h", "le début et la fin sont à la même heure"),
    ("demain 10h", "date illisible au début"),
    ("du 7/12/2026 au 5/12/2026", "la période finit avant de commencer"),
    ("05/12 18h ; 05/12 10h", "la fin est avant le début"),
    ("du 1/01 au 31/03 10h-18h", "90 jours avec horaires : 62 au plus"),
])
def test_errors_name_the_line_and_the_problem(typed: str, message: str) -> None:
    with pytest.raises(EventDatesError) as caught:
        parse_event_dates(f"05/12 10h-18h\n{typed}", TODAY)
    [error] = caught.value.errors
    assert error.startswith(f"Dates, ligne 2 (« {typed} ») : "), error
    assert message in error, error


@pytest.mark.parametrize("typed", [
    "05/12 10h-18h", "05/12", "05/12 20h-2h", "05/12 21h", "du 24/12 au 2/01",
    "05/12 22h ; 07/12 2h", "05/12 10h-12h 14h-18h\n06/12 9h30-11h15",
])
def test_stored_dates_are_shown_back_the_same(typed: str) -> None:
    timings = parse_event_dates(typed, TODAY)
    text = event_dates_text(timings)
    assert parse_event_dates(text, TODAY) == timings
    assert parse_event_dates(text, date(2030, 1, 1)) == timings  # years written out


def test_dates_said_for_checking() -> None:
    timings = parse_event_dates("05/12 10h-18h\n06/12\n07/12 21h\ndu 24/12 au 2/01\n"
                                "05/12/2025 10h-18h", TODAY)
    assert describe_event_dates(timings, TODAY) == [
        "vendredi 5 décembre 2025, de 10 h à 18 h (passée)",
        "samedi 5 décembre 2026, de 10 h à 18 h",
        "dimanche 6 décembre 2026, toute la journée",
        "lundi 7 décembre 2026, à partir de 21 h",
        "du jeudi 24 décembre 2026 au samedi 2 janvier 2027",
    ]
