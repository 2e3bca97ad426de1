"""Tests of bot.dialogue.periods: French periods typed by visitors → Europe/Paris ranges."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.dialogue.periods import Period, canonical, overlaps, resolve_period

PARIS = ZoneInfo("Europe/Paris")
UTC = timezone.utc

# The reference week: Monday 23 to Sunday 29 November 2026.
MONDAY = date(2026, 11, 23)
WEDNESDAY = datetime(2026, 11, 25, 10, 0, tzinfo=PARIS)


def at(d: date, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hh, mm, tzinfo=PARIS)


def midnight(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=PARIS)


def resolve(text: str, now: datetime = WEDNESDAY) -> Period:
    period = resolve_period(text, now)
    assert period is not None, text
    return period


def hours_long(p: Period) -> timedelta:
    """Real duration (same-tzinfo subtraction would give the wall-clock difference)."""
    return p.end.astimezone(UTC) - p.start.astimezone(UTC)


def days_of(p: Period) -> tuple[date, date]:
    """First and last day (inclusive) of a whole-day period."""
    assert p.start.time() == p.end.time() == datetime.min.time()
    return p.start.date(), (p.end - timedelta(days=1)).date()


# --------------------------------------------------------------------------- week-end


@pytest.mark.parametrize(
    ("asked", "first", "label"),
    [
        (0, date(2026, 11, 28), "ce week-end (samedi 28 et dimanche 29 novembre)"),  # lundi
        (1, date(2026, 11, 28), "ce week-end (samedi 28 et dimanche 29 novembre)"),  # mardi
        (2, date(2026, 11, 28), "ce week-end (samedi 28 et dimanche 29 novembre)"),  # mercredi
        (3, date(2026, 11, 28), "ce week-end (samedi 28 et dimanche 29 novembre)"),  # jeudi
        (4, date(2026, 11, 28), "ce week-end (samedi 28 et dimanche 29 novembre)"),  # vendredi
        (5, date(2026, 11, 28), "ce week-end (samedi 28 et dimanche 29 novembre)"),  # samedi
        (6, date(2026, 11, 29), "ce week-end (dimanche 29 novembre)"),  # dimanche
    ],
)
def test_this_weekend_asked_each_day(asked: int, first: date, label: str) -> None:
    now = at(MONDAY + timedelta(days=asked), 15)
    p = resolve("ce week-end", now)
    assert p.start == midnight(first.year, first.month, first.day)
    assert p.end == midnight(2026, 11, 30)  # Monday 00:00, exclusive
    assert p.label == label
    assert p.start.tzinfo is not None and p.start.utcoffset() == timedelta(hours=1)


def test_friday_evening_is_not_the_weekend() -> None:
    p = resolve("ce week-end", at(date(2026, 11, 27), 21, 30))
    assert p.start == midnight(2026, 11, 28)


@pytest.mark.parametrize("asked", range(7))
def test_next_weekend_asked_each_day(asked: int) -> None:
    p = resolve("le week-end prochain", at(MONDAY + timedelta(days=asked)))
    assert (p.start, p.end) == (midnight(2026, 12, 5), midnight(2026, 12, 7))
    assert p.label == "le week-end prochain (samedi 5 et dimanche 6 décembre)"


@pytest.mark.parametrize(
    "text",
    ["ce week-end", "ce weekend", "ce we", "ce WE", "ce wk", "Ce Week End", "ce w-e", "ce w.e.",
     "ce wkend", "cette wekeend", "qu'est-ce qu'on fait ce week-end à Albi ?", "le weekend"],
)
def test_weekend_spellings(text: str) -> None:
    assert days_of(resolve(text)) == (date(2026, 11, 28), date(2026, 11, 29))


@pytest.mark.parametrize("text", ["le week-end prochain", "le we pro", "le prochain week-end",
                                  "week end prochain", "le wk prochain"])
def test_next_weekend_spellings(text: str) -> None:
    assert days_of(resolve(text)) == (date(2026, 12, 5), date(2026, 12, 6))


# --------------------------------------------------------------------------- days


@pytest.mark.parametrize(
    ("text", "day", "label"),
    [
        ("aujourd'hui", date(2026, 11, 25), "aujourd'hui (mercredi 25 novembre)"),
        ("aujourdhui", date(2026, 11, 25), "aujourd'hui (mercredi 25 novembre)"),
        ("auj", date(2026, 11, 25), "aujourd'hui (mercredi 25 novembre)"),
        ("AUJOURD HUI", date(2026, 11, 25), "aujourd'hui (mercredi 25 novembre)"),
        ("demain", date(2026, 11, 26), "demain (jeudi 26 novembre)"),
        ("2main", date(2026, 11, 26), "demain (jeudi 26 novembre)"),
        ("dmain", date(2026, 11, 26), "demain (jeudi 26 novembre)"),
        ("après-demain", date(2026, 11, 27), "après-demain (vendredi 27 novembre)"),
        ("apres demain", date(2026, 11, 27), "après-demain (vendredi 27 novembre)"),
        ("aprés-demain", date(2026, 11, 27), "après-demain (vendredi 27 novembre)"),
    ],
)
def test_relative_days(text: str, day: date, label: str) -> None:
    p = resolve(text)
    assert days_of(p) == (day, day)
    assert p.label == label


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("ce soir", midnight(2026, 11, 25).replace(hour=18), midnight(2026, 11, 26),
         "ce soir (mercredi 25 novembre)"),
        ("ce matin", midnight(2026, 11, 25).replace(hour=6),
         midnight(2026, 11, 25).replace(hour=12), "ce matin (mercredi 25 novembre)"),
        ("cet aprem", midnight(2026, 11, 25).replace(hour=12),
         midnight(2026, 11, 25).replace(hour=18), "cet après-midi (mercredi 25 novembre)"),
        ("demain soir", midnight(2026, 11, 26).replace(hour=18), midnight(2026, 11, 27),
         "demain soir (jeudi 26 novembre)"),
        ("cette nuit", midnight(2026, 11, 25).replace(hour=20),
         midnight(2026, 11, 26).replace(hour=6), "cette nuit (mercredi 25 novembre)"),
        ("samedi soir", midnight(2026, 11, 28).replace(hour=18), midnight(2026, 11, 29),
         "samedi 28 novembre au soir"),
    ],
)
def test_parts_of_days(text: str, start: datetime, end: datetime, label: str) -> None:
    p = resolve(text)
    assert (p.start, p.end, p.label) == (start, end, label)


def test_tomorrow_late_in_the_evening() -> None:
    sunday_late = datetime(2026, 11, 22, 23, 30, tzinfo=PARIS)
    p = resolve("demain", sunday_late)
    assert (p.start, p.end) == (midnight(2026, 11, 23), midnight(2026, 11, 24))
    assert p.label == "demain (lundi 23 novembre)"
    # 23:30 UTC is already Monday 00:30 in Paris: tomorrow is Tuesday.
    p = resolve("demain", datetime(2026, 11, 22, 23, 30, tzinfo=UTC))
    assert days_of(p) == (date(2026, 11, 24), date(2026, 11, 24))


# Asked on Wednesday 25 November 2026.
@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("samedi", date(2026, 11, 28)),
        ("Samedi", date(2026, 11, 28)),
        ("smedi", date(2026, 11, 28)),
        ("ce samedi", date(2026, 11, 28)),
        ("dimanche", date(2026, 11, 29)),
        ("dimanche prochain", date(2026, 11, 29)),
        ("lundi", date(2026, 11, 30)),
        ("mardi", date(2026, 12, 1)),
        ("mercredi", date(2026, 11, 25)),  # today
        ("mercredi prochain", date(2026, 12, 2)),  # "prochain": after today
        ("jeudi", date(2026, 11, 26)),
        ("vendredi", date(2026, 11, 27)),
        ("samedi en huit", date(2026, 12, 5)),
        ("on peut visiter le chateau dimanche ?", date(2026, 11, 29)),
    ],
)
def test_weekday_names(text: str, day: date) -> None:
    p = resolve(text)
    assert days_of(p) == (day, day)


def test_weekday_labels() -> None:
    assert resolve("samedi").label == "samedi 28 novembre"
    assert resolve("dimanche prochain", at(date(2026, 11, 29))).label == "dimanche 6 décembre"
    assert resolve("samedi", at(date(2026, 11, 28))).label == "samedi 28 novembre"


# --------------------------------------------------------------------------- weeks, months


def test_this_week_and_next_week() -> None:
    p = resolve("cette semaine")
    assert days_of(p) == (date(2026, 11, 25), date(2026, 11, 29))
    assert p.label == "cette semaine (du mercredi 25 au dimanche 29 novembre)"
    p = resolve("la semaine prochaine")
    assert days_of(p) == (date(2026, 11, 30), date(2026, 12, 6))
    assert p.label == "la semaine prochaine (du lundi 30 novembre au dimanche 6 décembre)"
    # Asked on Sunday, "cette semaine" is the week starting.
    assert days_of(resolve("cette semaine", at(date(2026, 11, 29)))) == (
        date(2026, 11, 29),
        date(2026, 12, 6),
    )
    assert days_of(resolve("semaine pro")) == (date(2026, 11, 30), date(2026, 12, 6))


def test_this_month_and_next_month() -> None:
    p = resolve("ce mois-ci")
    assert days_of(p) == (date(2026, 11, 25), date(2026, 11, 30))
    assert p.label == "ce mois-ci (du mercredi 25 au lundi 30 novembre)"
    p = resolve("le mois prochain")
    assert days_of(p) == (date(2026, 12, 1), date(2026, 12, 31))
    assert p.label == "le mois prochain (décembre)"


@pytest.mark.parametrize(
    ("text", "first", "last", "label"),
    [
        ("en août", date(2027, 8, 1), date(2027, 8, 31), "en août 2027"),  # past this year
        ("au mois d'aout", date(2027, 8, 1), date(2027, 8, 31), "en août 2027"),
        ("AOUT", date(2027, 8, 1), date(2027, 8, 31), "en août 2027"),
        ("en décembre", date(2026, 12, 1), date(2026, 12, 31), "en décembre"),  # to come
        ("en novembre", date(2026, 11, 25), date(2026, 11, 30), "en novembre"),  # under way
        ("en fevrier", date(2027, 2, 1), date(2027, 2, 28), "en février 2027"),
        ("en août 2026", date(2026, 8, 1), date(2026, 8, 31), "en août"),  # year given
        ("fin août", date(2027, 8, 21), date(2027, 8, 31), "fin août 2027"),
        ("début décembre", date(2026, 12, 1), date(2026, 12, 10), "début décembre"),
        ("cet été", date(2027, 6, 21), date(2027, 9, 22),
         "cet été (du 21 juin au 22 septembre 2027)"),
        ("cet hiver", date(2026, 12, 21), date(2027, 3, 19),
         "cet hiver (du 21 décembre au 19 mars 2027)"),
    ],
)
def test_months_and_seasons(text: str, first: date, last: date, label: str) -> None:
    p = resolve(text)
    assert days_of(p) == (first, last)
    assert p.label == label


def test_season_under_way_starts_today() -> None:
    p = resolve("cet été", at(date(2027, 8, 2)))
    assert days_of(p) == (date(2027, 8, 2), date(2027, 9, 22))
    p = resolve("cet hiver", at(date(2027, 1, 10)))
    assert days_of(p) == (date(2027, 1, 10), date(2027, 3, 19))


# --------------------------------------------------------------------------- dates, ranges


@pytest.mark.parametrize(
    ("text", "day", "label"),
    [
        ("le 14 juillet", date(2027, 7, 14), "le mercredi 14 juillet 2027"),
        ("14/07", date(2027, 7, 14), "le mercredi 14 juillet 2027"),
        ("14 / 07", date(2027, 7, 14), "le mercredi 14 juillet 2027"),
        ("14/07/2027", date(2027, 7, 14), "le mercredi 14 juillet 2027"),
        ("le 3 août 2027", date(2027, 8, 3), "le mardi 3 août 2027"),
        ("le 3 aout 2027", date(2027, 8, 3), "le mardi 3 août 2027"),
        ("le 1er décembre", date(2026, 12, 1), "le mardi 1er décembre"),
        ("le premier mai", date(2027, 5, 1), "le samedi 1er mai 2027"),
        ("le 25 novembre", date(2026, 11, 25), "le mercredi 25 novembre"),  # today
        ("le 24 novembre", date(2027, 11, 24), "le mercredi 24 novembre 2027"),  # past
        ("samedi 12 décembre", date(2026, 12, 12), "le samedi 12 décembre"),
        ("7 sept", date(2027, 9, 7), "le mardi 7 septembre 2027"),
        ("29/02", date(2028, 2, 29), "le mardi 29 février 2028"),
        ("le 28", date(2026, 11, 28), "le samedi 28 novembre"),
        ("le 10", date(2026, 12, 10), "le jeudi 10 décembre"),
        ("le 10/10", date(2027, 10, 10), "le dimanche 10 octobre 2027"),
        ("on peut réserver pour le 14 juillet ?", date(2027, 7, 14),
         "le mercredi 14 juillet 2027"),
    ],
)
def test_dates(text: str, day: date, label: str) -> None:
    p = resolve(text)
    assert days_of(p) == (day, day)
    assert p.label == label


def test_date_with_part_of_day() -> None:
    p = resolve("le 14 juillet au soir")
    assert (p.start, p.end) == (midnight(2027, 7, 14).replace(hour=18), midnight(2027, 7, 15))
    assert p.label == "le mercredi 14 juillet 2027 au soir"


@pytest.mark.parametrize(
    ("text", "first", "last", "label"),
    [
        ("du 10 au 15 août", date(2027, 8, 10), date(2027, 8, 15),
         "du mardi 10 au dimanche 15 août 2027"),
        ("entre le 2 et le 5 mai", date(2027, 5, 2), date(2027, 5, 5),
         "du dimanche 2 au mercredi 5 mai 2027"),
        ("du 1er au 20 décembre", date(2026, 12, 1), date(2026, 12, 20),
         "du 1er au 20 décembre"),
        ("du 10/12 au 12/12", date(2026, 12, 10), date(2026, 12, 12),
         "du jeudi 10 au samedi 12 décembre"),
        ("du 20 au 30 novembre", date(2026, 11, 20), date(2026, 11, 30),
         "du 20 au 30 novembre"),  # under way: kept as typed
        ("du 10 au 15", date(2026, 12, 10), date(2026, 12, 15),
         "du jeudi 10 au mardi 15 décembre"),  # no month: this month or the next
        ("du 30 novembre au 2 décembre", date(2026, 11, 30), date(2026, 12, 2),
         "du lundi 30 novembre au mercredi 2 décembre"),
        ("du lundi au vendredi", date(2026, 11, 30), date(2026, 12, 4),
         "du lundi 30 novembre au vendredi 4 décembre"),
        ("du 10 août 2027 au 15", date(2027, 8, 10), date(2027, 8, 15),
         "du mardi 10 au dimanche 15 août 2027"),
    ],
)
def test_ranges(text: str, first: date, last: date, label: str) -> None:
    p = resolve(text)
    assert days_of(p) == (first, last)
    assert p.label == label


# --------------------------------------------------------------------------- DST, New Year


def test_weekend_over_autumn_clock_change() -> None:
    # Sunday 25 October 2026: 03:00 CEST → 02:00 CET.
    p = resolve("ce week-end", at(date(2026, 10, 21)))
    assert p.start == midnight(2026, 10, 24) and p.end == midnight(2026, 10, 26)
    assert p.start.utcoffset() == timedelta(hours=2)
    assert p.end.utcoffset() == timedelta(hours=1)
    assert hours_long(p) == timedelta(hours=49)
    sunday = resolve("dimanche", at(date(2026, 10, 21)))
    assert hours_long(sunday) == timedelta(hours=25)
    assert sunday.start.astimezone(UTC) == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    assert sunday.end.astimezone(UTC) == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)


def test_spring_clock_change() -> None:
    # Sunday 28 March 2027: 02:00 CET → 03:00 CEST.
    sunday = resolve("dimanche", at(date(2027, 3, 24)))
    assert hours_long(sunday) == timedelta(hours=23)
    assert sunday.start.astimezone(UTC) == datetime(2027, 3, 27, 23, 0, tzinfo=UTC)
    assert sunday.end.astimezone(UTC) == datetime(2027, 3, 28, 22, 0, tzinfo=UTC)
    p = resolve("demain soir", at(date(2027, 3, 27)))
    assert p.start.astimezone(UTC) == datetime(2027, 3, 28, 16, 0, tzinfo=UTC)
    march = resolve("en mars", at(date(2027, 1, 5)))
    assert march.start.utcoffset() == timedelta(hours=1)
    assert march.end.utcoffset() == timedelta(hours=2)
    # "now" given in UTC on the night of the change is converted first.
    p = resolve("aujourd'hui", datetime(2027, 3, 28, 1, 30, tzinfo=UTC))
    assert days_of(p) == (date(2027, 3, 28), date(2027, 3, 28))


def test_over_new_year() -> None:
    now = at(date(2026, 12, 30))  # Wednesday
    p = resolve("ce week-end", now)
    assert days_of(p) == (date(2027, 1, 2), date(2027, 1, 3))
    assert p.label == "ce week-end (samedi 2 et dimanche 3 janvier 2027)"
    p = resolve("après-demain", now)
    assert p.label == "après-demain (vendredi 1er janvier 2027)"
    p = resolve("la semaine prochaine", now)
    assert days_of(p) == (date(2027, 1, 4), date(2027, 1, 10))
    p = resolve("cette semaine", now)
    assert p.label == "cette semaine (du mercredi 30 décembre au dimanche 3 janvier 2027)"
    p = resolve("le mois prochain", now)
    assert days_of(p) == (date(2027, 1, 1), date(2027, 1, 31))
    assert p.label == "le mois prochain (janvier 2027)"
    assert days_of(resolve("en janvier", now)) == (date(2027, 1, 1), date(2027, 1, 31))
    assert days_of(resolve("le 2 janvier", now)) == (date(2027, 1, 2), date(2027, 1, 2))
    p = resolve("du 28 décembre au 3 janvier", at(date(2026, 12, 20)))
    assert days_of(p) == (date(2026, 12, 28), date(2027, 1, 3))
    assert p.label == "du lundi 28 décembre au dimanche 3 janvier 2027"
    p = resolve("du 30 au 2", now)
    assert days_of(p) == (date(2026, 12, 30), date(2027, 1, 2))
    # A week-end astride the new year (Saturday 31 December 2033).
    p = resolve("ce we", at(date(2033, 12, 28)))
    assert p.label == "ce week-end (samedi 31 décembre et dimanche 1er janvier 2034)"


# --------------------------------------------------------------------------- nothing


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "?!",
        "bonjour",
        "je cherche un restaurant",
        "un domaine viticole près de Bavay",
        "de 10 à 12 personnes",
        "entre 2 et 5 ans",
        "demi-pension 1/2 pension",
        "j'ai été au musée",
        "c'est moi",
        "la mer",
        "une démarche",
        "il vend des glaces",
        "samedi dernier",
        "le 31 février",
        "31/04",
        "45/13",
        "12345",
        "en semaine",
        "wé",  # "ouais"
        "10/10 pour les conseils",  # a mark
        "Denain",  # a town, not "demain"
        "Wavrechain-sous-Denain",
        "Largny-sur-Automne",
    ],
)
def test_garbage_is_none(text: str) -> None:
    assert resolve_period(text, WEDNESDAY) is None


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        resolve_period("demain", datetime(2026, 11, 25, 10))


# --------------------------------------------------------------------------- helpers


def test_overlaps() -> None:
    p = resolve("samedi")  # 28 November 00:00 → 29 November 00:00
    assert overlaps(p, midnight(2026, 11, 28).replace(hour=20), midnight(2026, 11, 28).replace(
        hour=23))
    assert overlaps(p, midnight(2026, 11, 20), midnight(2026, 12, 20))  # spans it
    assert overlaps(p, midnight(2026, 11, 27).replace(hour=22), midnight(2026, 11, 28).replace(
        hour=1))  # starts the day before
    assert not overlaps(p, midnight(2026, 11, 27), midnight(2026, 11, 28))  # ends at its start
    assert not overlaps(p, midnight(2026, 11, 29), midnight(2026, 11, 30))  # starts at its end
    # Any time zone: 23:30 UTC on Saturday is Sunday 00:30 in Paris.
    assert not overlaps(p, datetime(2026, 11, 28, 23, 30, tzinfo=UTC),
                        datetime(2026, 11, 29, 1, tzinfo=UTC))
    assert overlaps(p, datetime(2026, 11, 28, 22, 30, tzinfo=UTC),
                    datetime(2026, 11, 29, 1, tzinfo=UTC))


def test_period_is_frozen() -> None:
    p = resolve("demain")
    with pytest.raises(AttributeError):
        p.label = "autre"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Aujourd’hui", "aujourdhui"),
        ("ce W-E", "ce weekend"),
        ("dimanhe", "dimanche"),
        ("vendedi", "vendredi"),
        ("mercerdi", "mercredi"),
        ("setpembre", "septembre"),
        ("la semiane prochaine", "la semaine prochain"),
        ("l'été", "l ete"),
    ],
)
def test_canonical_spellings(typed: str, meant: str) -> None:
    assert canonical(typed) == meant
