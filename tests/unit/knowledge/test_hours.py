"""Tests of knowledge.hours: schedules, seasons, closures, DST, past midnight, DATAtourisme."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from knowledge.hours import (
    DAYS,
    format_slots_fr,
    format_week_fr,
    from_datatourisme,
    hours_on,
    is_open,
    is_open_on,
    validate_hours,
    week_summary,
)
from tests.support.paths import SAMPLES

PARIS = ZoneInfo("Europe/Paris")
UTC = timezone.utc
SAMPLES_DIR = SAMPLES / "datatourisme"


def paris(y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=PARIS)


def utc(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


WEEKLY: dict[str, Any] = {
    "specs": [
        {"days": ["mo", "tu", "we", "th", "fr"], "opens": "10:00", "closes": "12:30"},
        {"days": ["mo", "tu", "we", "th", "fr"], "opens": "14:00", "closes": "18:00"},
        {"days": ["sa"], "opens": "10:00", "closes": "18:00"},
    ],
    "note": "Fermé le dimanche.",
}
# 2026-11-23 is a Monday.
MONDAY = date(2026, 11, 23)


# --------------------------------------------------------------------------- weekly


def test_weekly_schedule_is_open() -> None:
    assert validate_hours(WEEKLY) == []
    assert is_open(WEEKLY, paris(2026, 11, 23, 11)) is True
    assert is_open(WEEKLY, paris(2026, 11, 23, 10, 0)) is True  # opening minute included
    assert is_open(WEEKLY, paris(2026, 11, 23, 12, 30)) is False  # closing minute excluded
    assert is_open(WEEKLY, paris(2026, 11, 23, 13)) is False
    assert is_open(WEEKLY, paris(2026, 11, 23, 9, 59)) is False
    assert is_open(WEEKLY, paris(2026, 11, 23, 18)) is False
    assert is_open(WEEKLY, paris(2026, 11, 28, 17)) is True  # Saturday
    assert is_open(WEEKLY, paris(2026, 11, 29, 12)) is False  # Sunday


def test_any_time_zone_is_converted_to_paris() -> None:
    # 05:30 in New York = 11:30 in Paris (both on winter time).
    at = datetime(2026, 11, 23, 5, 30, tzinfo=ZoneInfo("America/New_York"))
    assert is_open(WEEKLY, at) is True
    # 23:30 UTC on Saturday 2026-07-04 is 01:30 on Sunday in Paris.
    sunday_only = {"specs": [{"days": ["su"], "opens": "00:00", "closes": "06:00"}]}
    assert is_open(sunday_only, utc(2026, 7, 4, 23, 30)) is True
    assert is_open(sunday_only, utc(2026, 7, 4, 21, 30)) is False


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError):
        is_open(WEEKLY, datetime(2026, 11, 23, 11))


def test_hours_on_week_summary_and_french() -> None:
    assert hours_on(WEEKLY, MONDAY) == [(time(10), time(12, 30)), (time(14), time(18))]
    assert hours_on(WEEKLY, MONDAY + timedelta(days=6)) == []
    assert format_slots_fr(hours_on(WEEKLY, MONDAY)) == "10 h – 12 h 30, 14 h – 18 h"
    assert format_slots_fr([]) == "fermé"
    week = week_summary(WEEKLY, MONDAY)
    assert [d for d, _ in week] == [MONDAY + timedelta(days=i) for i in range(7)]
    assert week[5][1] == [(time(10), time(18))]
    assert format_week_fr(WEEKLY, MONDAY).splitlines() == [
        "lundi : 10 h – 12 h 30, 14 h – 18 h",
        "mardi : 10 h – 12 h 30, 14 h – 18 h",
        "mercredi : 10 h – 12 h 30, 14 h – 18 h",
        "jeudi : 10 h – 12 h 30, 14 h – 18 h",
        "vendredi : 10 h – 12 h 30, 14 h – 18 h",
        "samedi : 10 h – 18 h",
        "dimanche : fermé",
    ]
    # A week may start on any day.
    assert format_week_fr(WEEKLY, MONDAY + timedelta(days=6)).splitlines()[0] == (
        "dimanche : fermé"
    )


def test_overlapping_slots_are_merged_and_minutes_formatted() -> None:
    hours = {
        "specs": [
            {"opens": "09:05", "closes": "12:00"},
            {"days": ["mo"], "opens": "11:00", "closes": "13:45"},
            {"opens": "13:45", "closes": "14:00"},
        ]
    }
    assert hours_on(hours, MONDAY) == [(time(9, 5), time(14))]
    assert format_slots_fr(hours_on(hours, MONDAY)) == "9 h 05 – 14 h"
    assert hours_on(hours, MONDAY + timedelta(days=1)) == [
        (time(9, 5), time(12)),
        (time(13, 45), time(14)),
    ]


# --------------------------------------------------------------------------- seasons

SUMMER_ONLY = {"specs": [{"opens": "10:00", "closes": "18:00", "valid_from": "04-01",
                          "valid_through": "10-31"}]}
WINTER_WRAP = {"specs": [{"opens": "09:00", "closes": "17:00", "valid_from": "12-15",
                          "valid_through": "03-31"}]}


def test_seasonal_closure_yearly() -> None:
    assert is_open(SUMMER_ONLY, paris(2027, 1, 15)) is False
    assert is_open(SUMMER_ONLY, paris(2027, 7, 14)) is True
    assert is_open(SUMMER_ONLY, paris(2031, 7, 14)) is True  # every year
    assert is_open(SUMMER_ONLY, paris(2027, 4, 1)) is True  # bounds are inclusive
    assert is_open(SUMMER_ONLY, paris(2027, 10, 31)) is True
    assert is_open(SUMMER_ONLY, paris(2027, 3, 31)) is False
    assert is_open(SUMMER_ONLY, paris(2027, 11, 1)) is False
    assert is_open_on(SUMMER_ONLY, date(2027, 1, 15)) is False
    assert hours_on(SUMMER_ONLY, date(2027, 1, 15)) == []


def test_seasonal_range_wrapping_new_year() -> None:
    assert is_open(WINTER_WRAP, paris(2027, 1, 10)) is True
    assert is_open(WINTER_WRAP, paris(2026, 12, 20)) is True
    assert is_open(WINTER_WRAP, paris(2026, 12, 15)) is True
    assert is_open(WINTER_WRAP, paris(2027, 3, 31)) is True
    assert is_open(WINTER_WRAP, paris(2026, 12, 14)) is False
    assert is_open(WINTER_WRAP, paris(2027, 4, 1)) is False
    assert is_open(WINTER_WRAP, paris(2027, 7, 14)) is False


def test_two_seasons_with_different_hours() -> None:
    hours = {
        "specs": [
            {"opens": "10:00", "closes": "19:00", "valid_from": "04-01", "valid_through": "09-30"},
            {"days": ["we", "sa", "su"], "opens": "14:00", "closes": "17:00",
             "valid_from": "10-01", "valid_through": "03-31"},
        ]
    }
    assert is_open(hours, paris(2027, 7, 14, 18)) is True
    assert is_open(hours, paris(2027, 1, 16, 18)) is False  # winter Saturday, after 17:00
    assert is_open(hours, paris(2027, 1, 16, 15)) is True
    assert is_open(hours, paris(2027, 1, 18, 15)) is False  # winter Monday
    assert hours_on(hours, date(2027, 1, 16)) == [(time(14), time(17))]


def test_dated_validity_closed_between_periods_unknown_outside() -> None:
    hours = {
        "specs": [
            {"opens": "10:00", "closes": "18:00", "valid_from": "2027-04-01",
             "valid_through": "2027-06-30"},
            {"opens": "09:00", "closes": "19:00", "valid_from": "2027-09-01",
             "valid_through": "2027-10-31"},
        ]
    }
    assert is_open(hours, paris(2027, 5, 5)) is True
    assert is_open(hours, paris(2027, 7, 14)) is False  # between two known periods
    assert is_open_on(hours, date(2027, 7, 14)) is False
    assert is_open(hours, paris(2027, 12, 1)) is None  # after the data: stale, unknown
    assert is_open(hours, paris(2027, 3, 1)) is None  # before the data
    assert is_open(hours, paris(2028, 5, 5)) is None  # dates are that year only
    assert format_week_fr(hours, date(2027, 12, 1)).splitlines()[0] == (
        "mercredi : horaires non communiqués"
    )


# --------------------------------------------------------------------------- closures

EVERY_DAY_WITH_CLOSURES = {
    "specs": [{"opens": "10:00", "closes": "18:00"}],
    "closures": ["12-25", "01-01", "2027-05-01"],
}


def test_closures_on_holidays() -> None:
    hours = EVERY_DAY_WITH_CLOSURES
    assert validate_hours(hours) == []
    assert is_open(hours, paris(2026, 12, 24)) is True
    assert is_open(hours, paris(2026, 12, 25)) is False
    assert is_open(hours, paris(2030, 12, 25)) is False  # yearly closure
    assert is_open(hours, paris(2027, 1, 1)) is False
    assert is_open(hours, paris(2027, 5, 1)) is False  # dated closure
    assert is_open(hours, paris(2028, 5, 1)) is True  # ... that year only
    assert hours_on(hours, date(2026, 12, 25)) == []
    assert is_open_on(hours, date(2026, 12, 25)) is False
    assert format_week_fr(hours, date(2026, 12, 21)).splitlines()[4] == "vendredi : fermé"


def test_closures_alone_say_only_when_closed() -> None:
    hours = {"closures": ["12-25"]}
    assert is_open(hours, paris(2026, 12, 25)) is False
    assert is_open(hours, paris(2026, 12, 26)) is None


# --------------------------------------------------------------------------- past midnight

FRIDAY_NIGHT = {"specs": [{"days": ["fr"], "opens": "19:00", "closes": "02:00"}]}
# 2026-11-27 is a Friday.


def test_hours_past_midnight() -> None:
    assert is_open(FRIDAY_NIGHT, paris(2026, 11, 27, 18, 59)) is False
    assert is_open(FRIDAY_NIGHT, paris(2026, 11, 27, 19)) is True
    assert is_open(FRIDAY_NIGHT, paris(2026, 11, 27, 23, 59)) is True
    assert is_open(FRIDAY_NIGHT, paris(2026, 11, 28, 1)) is True  # Saturday 01:00
    assert is_open(FRIDAY_NIGHT, paris(2026, 11, 28, 1, 59)) is True
    assert is_open(FRIDAY_NIGHT, paris(2026, 11, 28, 2)) is False
    assert is_open(FRIDAY_NIGHT, paris(2026, 11, 28, 3)) is False  # Saturday 03:00
    assert is_open(FRIDAY_NIGHT, paris(2026, 11, 29, 1)) is False  # Sunday 01:00
    # Listed on the day it opens.
    assert hours_on(FRIDAY_NIGHT, date(2026, 11, 27)) == [(time(19), time(2))]
    assert hours_on(FRIDAY_NIGHT, date(2026, 11, 28)) == []
    assert format_slots_fr(hours_on(FRIDAY_NIGHT, date(2026, 11, 27))) == "19 h – 2 h"


def test_midnight_and_full_day() -> None:
    until_midnight = {"specs": [{"days": ["sa"], "opens": "20:00", "closes": "24:00"}]}
    assert validate_hours(until_midnight) == []
    assert is_open(until_midnight, paris(2026, 11, 28, 23, 59)) is True
    assert is_open(until_midnight, paris(2026, 11, 29, 0, 0)) is False
    assert format_slots_fr(hours_on(until_midnight, date(2026, 11, 28))) == "20 h – minuit"
    closes_at_zero = {"specs": [{"days": ["sa"], "opens": "20:00", "closes": "00:00"}]}
    assert hours_on(closes_at_zero, date(2026, 11, 28)) == [(time(20), time(0))]
    assert is_open(closes_at_zero, paris(2026, 11, 29, 0, 0)) is False
    always = {"specs": [{"opens": "00:00", "closes": "00:00"}]}
    assert all(is_open(always, paris(2026, 11, 28, h)) for h in range(24))
    assert format_slots_fr(hours_on(always, date(2026, 11, 28))) == "24 h/24"


def test_closure_and_slot_past_midnight() -> None:
    # A closure cancels the slots opening that day, not the end of the previous night.
    closed_saturday = {**FRIDAY_NIGHT, "closures": ["2026-11-28"]}
    assert is_open(closed_saturday, paris(2026, 11, 28, 1)) is True
    assert is_open(closed_saturday, paris(2026, 11, 28, 12)) is False
    closed_friday = {**FRIDAY_NIGHT, "closures": ["2026-11-27"]}
    assert is_open(closed_friday, paris(2026, 11, 27, 20)) is False
    assert is_open(closed_friday, paris(2026, 11, 28, 1)) is False


# --------------------------------------------------------------------------- DST
# 2027-03-28: 02:00 CET → 03:00 CEST at 01:00 UTC (02:00–02:59 does not exist).
# 2026-10-25: 03:00 CEST → 02:00 CET at 01:00 UTC (02:00–02:59 happens twice).


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (utc(2027, 3, 27, 20, 59), False),  # Saturday 21:59 CET
        (utc(2027, 3, 27, 21, 0), True),  # Saturday 22:00 CET
        (utc(2027, 3, 28, 0, 30), True),  # Sunday 01:30 CET
        (utc(2027, 3, 28, 0, 59), True),  # 01:59 CET
        (utc(2027, 3, 28, 1, 0), False),  # 03:00 CEST: closing time reached
        (utc(2027, 3, 28, 2, 0), False),
    ],
)
def test_spring_forward_night_slot(at: datetime, expected: bool) -> None:
    hours = {"specs": [{"days": ["sa"], "opens": "22:00", "closes": "03:00"}]}
    assert is_open(hours, at) is expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (utc(2027, 3, 28, 0, 59), True),  # 01:59 CET
        (utc(2027, 3, 28, 1, 0), False),  # the clock jumps past 02:30: closed
    ],
)
def test_spring_forward_closing_time_that_does_not_exist(at: datetime, expected: bool) -> None:
    hours = {"specs": [{"days": ["sa"], "opens": "22:00", "closes": "02:30"}]}
    assert is_open(hours, at) is expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (utc(2027, 3, 28, 0, 59), False),  # 01:59 CET
        (utc(2027, 3, 28, 1, 0), True),  # 03:00 CEST: the nonexistent 02:30 has passed
        (utc(2027, 3, 28, 1, 59), True),  # 03:59 CEST
        (utc(2027, 3, 28, 2, 0), False),  # 04:00 CEST
        (utc(2027, 3, 28, 6, 59), False),  # 08:59 CEST
        (utc(2027, 3, 28, 7, 0), True),  # 09:00 CEST
        (utc(2027, 3, 28, 15, 59), True),  # 17:59 CEST
        (utc(2027, 3, 28, 16, 0), False),  # 18:00 CEST
    ],
)
def test_spring_forward_day_slots(at: datetime, expected: bool) -> None:
    hours = {"specs": [{"days": ["su"], "opens": "02:30", "closes": "04:00"},
                       {"days": ["su"], "opens": "09:00", "closes": "18:00"}]}
    assert is_open(hours, at) is expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (utc(2026, 10, 24, 19, 59), False),  # Saturday 21:59 CEST
        (utc(2026, 10, 24, 20, 0), True),  # Saturday 22:00 CEST
        (utc(2026, 10, 25, 0, 30), True),  # 02:30 CEST (first time)
        (utc(2026, 10, 25, 1, 30), True),  # 02:30 CET (second time)
        (utc(2026, 10, 25, 1, 59), True),  # 02:59 CET
        (utc(2026, 10, 25, 2, 0), False),  # 03:00 CET
    ],
)
def test_fall_back_night_slot(at: datetime, expected: bool) -> None:
    hours = {"specs": [{"days": ["sa"], "opens": "22:00", "closes": "03:00"}]}
    assert is_open(hours, at) is expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (utc(2026, 10, 25, 0, 29), True),  # 02:29 CEST
        (utc(2026, 10, 25, 0, 30), False),  # 02:30 CEST: first time the clock shows 02:30
        (utc(2026, 10, 25, 1, 15), False),  # 02:15 CET (repeated hour): still closed
    ],
)
def test_fall_back_ambiguous_closing_time(at: datetime, expected: bool) -> None:
    hours = {"specs": [{"days": ["sa"], "opens": "22:00", "closes": "02:30"}]}
    assert is_open(hours, at) is expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (utc(2026, 10, 25, 7, 59), False),  # 08:59 CET
        (utc(2026, 10, 25, 8, 0), True),  # 09:00 CET
        (utc(2026, 10, 25, 16, 59), True),  # 17:59 CET
        (utc(2026, 10, 25, 17, 0), False),  # 18:00 CET
        (utc(2026, 10, 24, 7, 0), True),  # Saturday 09:00 CEST
        (utc(2026, 10, 24, 6, 59), False),
    ],
)
def test_fall_back_day_slots(at: datetime, expected: bool) -> None:
    hours = {"specs": [{"opens": "09:00", "closes": "18:00"}]}
    assert is_open(hours, at) is expected


# --------------------------------------------------------------------------- unknown


@pytest.mark.parametrize("hours", [None, {}, {"specs": []}, {"specs": [], "closures": []}])
def test_unknown_hours(hours: dict[str, Any] | None) -> None:
    assert is_open(hours, paris(2026, 11, 23)) is None
    assert is_open_on(hours, MONDAY) is None
    assert hours_on(hours, MONDAY) == []
    assert format_week_fr(hours, MONDAY).splitlines()[0] == "lundi : horaires non communiqués"


def test_spec_without_hours() -> None:
    # Open (hours not known) in season, closed out of season.
    hours = {"specs": [{"valid_from": "04-01", "valid_through": "10-31"}]}
    assert validate_hours(hours) == []
    assert is_open(hours, paris(2027, 7, 14)) is None
    assert is_open(hours, paris(2027, 1, 14)) is False
    assert is_open_on(hours, date(2027, 7, 14)) is True
    assert hours_on(hours, date(2027, 7, 14)) == []
    assert format_week_fr(hours, date(2027, 7, 12)).splitlines()[0] == (
        "lundi : ouvert (horaires non précisés)"
    )


def test_spec_with_hours_wins_over_spec_without() -> None:
    hours = {"specs": [{"days": ["mo"]}, {"opens": "10:00", "closes": "12:00"}]}
    assert is_open(hours, paris(2026, 11, 23, 11)) is True
    assert is_open(hours, paris(2026, 11, 23, 15)) is False
    assert is_open(hours, paris(2026, 11, 24, 15)) is False


def test_malformed_hours_are_unknown() -> None:
    bad = {"specs": [{"days": ["lu"], "opens": "10:00", "closes": "18:00"}]}
    assert is_open(bad, paris(2026, 11, 23)) is None
    assert hours_on(bad, MONDAY) == []


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"specs": [], "closures": [], "note": None},
        {"specs": [{"days": [], "opens": "00:00", "closes": "24:00"}]},
        {"specs": [{"days": None, "valid_from": "02-29", "valid_through": None}]},
        {"specs": [{"valid_from": "2027-04-01", "valid_through": "2027-04-01"}]},
        {"specs": [{"valid_from": "11-01", "valid_through": "03-31"}], "closures": ["2028-02-29"]},
        WEEKLY,
        EVERY_DAY_WITH_CLOSURES,
    ],
)
def test_valid_hours(data: object) -> None:
    assert validate_hours(data) == []


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ([], "objet"),
        ("10h-18h", "objet"),
        ({"horaires": []}, "clé inconnue"),
        ({"specs": {}}, "specs : une liste"),
        ({"specs": ["10:00"]}, "specs[0] : un objet"),
        ({"specs": [{"day": ["mo"]}]}, "clé inconnue 'day'"),
        ({"specs": [{"days": "mo"}]}, "days : une liste"),
        ({"specs": [{"days": ["lu"]}]}, "jour inconnu 'lu'"),
        ({"specs": [{"days": ["Mo"]}]}, "jour inconnu"),
        ({"specs": [{"opens": "25:00", "closes": "26:00"}]}, "heure invalide '25:00'"),
        ({"specs": [{"opens": "9:00", "closes": "18:00"}]}, "heure invalide '9:00'"),
        ({"specs": [{"opens": "10:60", "closes": "18:00"}]}, "heure invalide"),
        ({"specs": [{"opens": "24:00", "closes": "18:00"}]}, "opens : heure invalide"),
        ({"specs": [{"opens": 10, "closes": 18}]}, "chaîne HH:MM"),
        ({"specs": [{"opens": "10:00"}]}, "vont ensemble"),
        ({"specs": [{"valid_from": "13-01"}]}, "date invalide '13-01'"),
        ({"specs": [{"valid_from": "02-30"}]}, "date invalide"),
        ({"specs": [{"valid_through": "2027-02-29"}]}, "date invalide"),
        ({"specs": [{"valid_from": "2027-4-1"}]}, "date invalide"),
        ({"specs": [{"valid_from": 20270401}]}, "valid_from : une chaîne"),
        ({"specs": [{"valid_from": "04-01", "valid_through": "2027-10-31"}]}, "tous deux"),
        ({"specs": [{"valid_from": "2027-10-31", "valid_through": "2027-04-01"}]}, "après"),
        ({"closures": "12-25"}, "closures : une liste"),
        ({"closures": ["25/12"]}, "closures[0] : date invalide"),
        ({"closures": [1225]}, "closures[0] : une chaîne"),
        ({"note": ["texte"]}, "note : une chaîne"),
    ],
)
def test_validation_errors(data: object, fragment: str) -> None:
    errors = validate_hours(data)
    assert errors, data
    assert any(fragment in e for e in errors), errors


def test_validation_reports_every_error() -> None:
    data = {"specs": [{"days": ["xx"], "opens": "99:99", "closes": "18:00"}], "extra": 1}
    assert len(validate_hours(data)) == 3


# --------------------------------------------------------------------------- DATAtourisme


def _sample_files() -> list[Path]:
    return sorted(SAMPLES_DIR.glob("*.json")) if SAMPLES_DIR.is_dir() else []


def _dt_specs(path: Path) -> list[list[dict[str, Any]] | None]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [place.get("schema:openingHoursSpecification") for place in data.get("isLocatedAt", [])]


def _dt_spec_days(spec: dict[str, Any]) -> set[int]:
    names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    items = spec.get("schema:dayOfWeek") or []
    ids = {i["@id"] if isinstance(i, dict) else i for i in items}
    return {n for n, name in enumerate(names) if f"schema:{name}" in ids} or set(range(7))


def test_real_samples_are_present() -> None:
    assert _sample_files(), f"no DATAtourisme sample in {SAMPLES_DIR}"


@pytest.mark.parametrize("path", _sample_files(), ids=lambda p: p.name[:11])
def test_from_datatourisme_real_sample(path: Path) -> None:
    for specs in _dt_specs(path):
        hours = from_datatourisme(specs)
        assert validate_hours(hours) == []
        assert json.loads(json.dumps(hours)) == hours
        notes = [s["additionalInformation"]["fr"][0] for s in specs or []
                 if "fr" in s.get("additionalInformation", {})]
        for text in notes:
            assert hours["note"] is not None and text.strip() in hours["note"]
        # Every source slot is open at its opening minute + 1 on its first valid day.
        for spec in specs or []:
            if "schema:opens" not in spec:
                continue
            first = date.fromisoformat(spec["schema:validFrom"][:10])
            last = date.fromisoformat(spec["schema:validThrough"][:10])
            wanted = _dt_spec_days(spec)
            day = next(first + timedelta(days=i) for i in range((last - first).days + 1)
                       if (first + timedelta(days=i)).weekday() in wanted)
            hh, mm = (int(x) for x in spec["schema:opens"].split(":")[:2])
            at = datetime(day.year, day.month, day.day, hh, mm, tzinfo=PARIS) + timedelta(minutes=1)
            assert is_open(hours, at) is True, (spec, day)
            opens = time(hh, mm)
            assert any(o <= opens for o, _ in hours_on(hours, day))


def _sample(prefix: str) -> list[dict[str, Any]]:
    matches = [p for p in _sample_files() if p.name.startswith(prefix)]
    if not matches:
        pytest.skip(f"sample {prefix}* missing")
    specs = _dt_specs(matches[0])[0]
    assert specs is not None
    return specs


def test_from_datatourisme_museum_sample() -> None:
    hours = from_datatourisme(_sample("23-005424b9"))
    assert all(not s["valid_from"].startswith("0") for s in hours["specs"])  # full dates
    assert len(hours["specs"]) < 53  # same hours and validity merged across days
    # Tuesday 2023-10-03: 9 h 30 – 12 h, 13 h 30 – 16 h 30.
    assert hours_on(hours, date(2023, 10, 3)) == [(time(9, 30), time(12)),
                                                  (time(13, 30), time(16, 30))]
    assert is_open(hours, paris(2023, 10, 3, 10)) is True
    assert is_open(hours, paris(2023, 10, 3, 12, 30)) is False
    # Mondays in that season are listed without hours.
    assert is_open(hours, paris(2023, 10, 2, 10)) is None
    assert is_open_on(hours, date(2023, 10, 2)) is True
    # Between two listed periods (Christmas 2023): closed; after the data: unknown.
    assert is_open(hours, paris(2023, 12, 26, 10)) is False
    assert is_open(hours, paris(2026, 6, 2, 10)) is None


def test_from_datatourisme_sample_without_hours() -> None:
    hours = from_datatourisme(_sample("58-004729f1"))
    assert hours["specs"] == [{"valid_from": "2022-01-01", "valid_through": "2022-12-31"}]
    assert is_open(hours, paris(2022, 6, 1)) is None
    assert is_open(hours, paris(2026, 6, 1)) is None


def test_from_datatourisme_notes_by_period() -> None:
    hours = from_datatourisme(_sample("30-0049c43b"))
    assert hours["note"].startswith("Du 02/01/2023 au 30/06/2023, du 01/09/2023 au 31/12/2023 :")
    assert "l’été (juillet et août )" in hours["note"]


def test_from_datatourisme_variants() -> None:
    specs: list[dict[str, Any]] = [
        {"schema:dayOfWeek": "schema:Saturday", "schema:opens": "20:00:00",
         "schema:closes": "23:59:59", "schema:validFrom": "2027-06-01T00:00:00",
         "schema:validThrough": "2027-09-30T23:59:59",
         "additionalInformation": {"fr": ["Soirées d'été"], "en": ["Summer nights"]}},
        {"schema:dayOfWeek": ["http://schema.org/Sunday", {"@id": "schema:Saturday"}],
         "schema:opens": "10:00", "schema:closes": "12:00"},
        {"schema:dayOfWeek": [{"@id": "schema:PublicHolidays"}], "schema:opens": "10:00:00",
         "schema:closes": "12:00:00"},
        {"schema:opens": "00:00:00", "schema:closes": "00:00:00",
         "schema:validFrom": "2027-07-14T00:00:00", "schema:validThrough": "2027-07-15T00:00:00"},
        {"schema:opens": "10:00:00", "schema:validFrom": "2027-01-01"},
        {"schema:opens": "10:00:00", "schema:closes": "11:00:00",
         "schema:validFrom": "2027-03-01", "schema:validThrough": "2027-02-01"},
    ]
    hours = from_datatourisme(specs)
    assert validate_hours(hours) == []
    assert hours["specs"] == [
        {"days": ["sa", "su"], "opens": "10:00", "closes": "12:00"},
        {"valid_from": "2027-01-01"},
        {"days": ["sa"], "opens": "20:00", "closes": "24:00", "valid_from": "2027-06-01",
         "valid_through": "2027-09-30"},
    ]
    assert hours["closures"] == ["2027-07-14", "2027-07-15"]
    assert hours["note"] == "Soirées d'été"
    assert format_slots_fr(hours_on(hours, date(2027, 7, 17))) == "10 h – 12 h, 20 h – minuit"
    assert from_datatourisme([]) == {"specs": [], "closures": [], "note": None}
    assert from_datatourisme(None) == {"specs": [], "closures": [], "note": None}


def test_days_constant() -> None:
    assert DAYS == ("mo", "tu", "we", "th", "fr", "sa", "su")
