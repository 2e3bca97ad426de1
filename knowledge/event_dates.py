"""Event dates typed by staff in plain French, one date (or span of days) per line, and back.

``parse_event_dates`` reads lines such as::

    05/12 10h-18h
    05/12/2026 10h-18h
    samedi 14 décembre de 10 h à 18 h
    le 14 juillet à 21h
    du 5 au 7 décembre 10h-18h          (one date a day, each 10 h – 18 h)
    du 24/12 au 2/01                    (one span, whole days)
    vendredi 19h-2h                     (no: a date is needed — see below)
    14/07/2027 10:00 ; 14/07/2027 18:00 (a start and an end, the older way)

as (start, end) pairs of naive local datetimes (Europe/Paris wall time), and
``event_dates_text`` writes stored dates back the same way. The pieces (dates "5/12",
"5/12/2027", "1er avril", "14 décembre 2027"; times "10h", "10 h 30", "10:30", "10h-18h",
"de 10 h à 18 h") are read by the same code as the opening hours (``knowledge.hours_text``).

Rules of a line (case and accents do not matter):

* a date without a year is the next one from today (today included): typed on
  4 December 2026, "05/12" is 5 December 2026 and "03/12" is 3 December 2027;
* a day name, when given, must be that date's ("samedi 14 décembre" when the 14th is a
  Monday is an error, rather than a guess);
* no time: the whole day (00:00 – 23:59); a start time only: to the end of the day; an
  end before the start runs past midnight ("20h-2h"); several slots ("10h-12h 14h-18h")
  give one date each;
* a span of days ("du 5 au 7 décembre") with times gives one date a day, without times
  one date from the first day's start to the last day's end.

Errors are French sentences naming the line (``EventDatesError.errors``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from knowledge.hours import date_fr, slots_phrase_fr, time_fr
from knowledge.hours_text import (
    _CLOCK,
    _DAY_WORDS,
    _MONTH_NAMES,
    _MONTHS,
    HoursTextError,
    _fold,
    _LineError,
)
from knowledge.text import WEEKDAYS_FR

__all__ = ["EventDatesError", "describe_event_dates", "event_dates_text",
           "parse_event_dates"]

MAX_LINES = 100
MAX_SPAN_DAYS = 62  # "du 5 au 7 décembre 10h-18h" gives one date a day: a bound

Timing = tuple[datetime, datetime]

_WEEKDAY = "|".join(sorted(_DAY_WORDS, key=len, reverse=True))


def _date_re(p: str, *, month_optional: bool = False) -> str:
    """A date, its groups prefixed with ``p``: an optional day name, then "5/12",
    "05/12/2027", "5/12/27", "1er avril", "14 décembre 2027" (or "5" when
    ``month_optional``, the first day of "du 5 au 7 décembre")."""
    weekday = rf"(?:(?P<{p}wd>{_WEEKDAY})s?\.?\s+)?(?:le\s+)?"
    numeric = (rf"(?P<{p}d>\d{{1,2}})\s*/\s*(?P<{p}m>\d{{1,2}})"
               rf"(?:\s*/\s*(?P<{p}y>\d{{4}}|\d{{2}}))?")
    month = rf"\s+(?P<{p}mn>{_MONTH_NAMES})\.?(?:\s+(?P<{p}y2>\d{{4}}))?"
    words = rf"(?P<{p}d2>\d{{1,2}})(?:er)?" + (f"(?:{month})?" if month_optional else month)
    return f"{weekday}(?:{numeric}|{words})"


# "du 5 au 7 décembre", "du 24/12 au 2/01/2027", "5/12 - 7/12"
_SPAN = re.compile(rf"^(?:du\s+|de\s+)?{_date_re('a', month_optional=True)}"
                   rf"\s*(?:au|a|-)\s+{_date_re('b')}(?=\s|$|,)")
_ONE = re.compile(rf"^{_date_re('a')}(?=\s|$|,)")
_SLOT = re.compile(rf"^(?:de\s+|a\s+|des\s+)?{_CLOCK}(?:\s*(?:-|a\b|jusqu'a)\s*{_CLOCK})?")
_SEPARATOR = re.compile(r"^\s*(?:,|/|\+|et\b)?\s*")


class EventDatesError(HoursTextError):
    """The dates could not be read; ``errors`` are French sentences naming the line."""


@dataclass(frozen=True)
class _Typed:
    """A date as typed: day, month, year (None = infer), day name (None = not said)."""

    day: int
    month: int | None
    year: int | None
    weekday: int | None


def _typed(m: re.Match[str], p: str) -> _Typed:
    wd_word = m.group(f"{p}wd")
    weekday = None if wd_word is None else _DAY_WORDS[wd_word]
    if m.group(f"{p}d") is not None:
        year = m.group(f"{p}y")
        return _Typed(int(m.group(f"{p}d")), int(m.group(f"{p}m")),
                      None if year is None else int(year) + (2000 if len(year) == 2 else 0),
                      weekday)
    month = m.group(f"{p}mn")
    year = m.group(f"{p}y2")
    return _Typed(int(m.group(f"{p}d2")), _MONTHS[month] if month else None,
                  int(year) if year else None, weekday)


def _resolve(typed: _Typed, today: date, *, month: int | None = None,
             year: int | None = None, after: date | None = None) -> date:
    """The date meant: the typed year, else ``year``, else the next one from ``after``
    (or today); checked against the day name typed."""
    m = typed.month or month
    if m is None:
        raise _LineError("mois manquant (ex. 14/12 ou 14 décembre)")
    y = typed.year or year
    text = f"{typed.day:02d}/{m:02d}" + (f"/{y}" if y else "")
    start = after or today
    years = [y] if y is not None else [start.year + i for i in range(5)]  # 29/02: leap
    found: date | None = None
    for candidate_year in years:
        try:
            candidate = date(candidate_year, m, typed.day)
        except ValueError:  # 31/02, or 29 February of a common year
            continue
        if y is not None or candidate >= start:
            found = candidate
            break
    if found is None:
        raise _LineError(f"date impossible « {text} »")
    if typed.weekday is not None and found.weekday() != typed.weekday:
        wanted = WEEKDAYS_FR[typed.weekday]
        before = found - timedelta(days=(found.weekday() - typed.weekday) % 7)
        after_ = found + timedelta(days=(typed.weekday - found.weekday()) % 7)
        near = [d for d in (before, after_) if d >= (after or today)]
        hint = f" (le {wanted} le plus proche : {date_fr(near[0])})" if near else ""
        raise _LineError(f"le {date_fr(found)} est un {WEEKDAYS_FR[found.weekday()]}, pas un "
                         f"{wanted}{hint} : vérifiez le jour ou la date")
    return found


def _minutes(hh: str, mm: str | None) -> int:
    h, m = int(hh), int(mm or 0)
    if h > 24 or m > 59 or (h == 24 and m):
        raise _LineError(f"heure impossible « {hh}h{mm or ''} »")
    return h * 60 + m


def _slots(text: str) -> list[tuple[int, int | None]]:
    """``10h-18h``, ``de 10 h à 12 h et de 14 h à 18 h``, ``à 21h`` as minutes (end None:
    not given)."""
    slots: list[tuple[int, int | None]] = []
    rest = text.strip()
    while rest:
        m = _SLOT.match(rest)
        if not m or (m.group(2) is None and m.group(3) is None and ":" not in m.group(0)
                     and "h" not in m.group(0)):
            raise _LineError(f"heure illisible « {rest} » (ex. 10h-18h, de 10 h à 18 h, "
                             "à 21h)")
        opens = _minutes(m.group(1), m.group(2))
        closes = None if m.group(3) is None else _minutes(m.group(3), m.group(4))
        if opens == 24 * 60:
            raise _LineError("on ne peut pas commencer à 24h (écrivez 0h)")
        if closes == opens:
            raise _LineError("le début et la fin sont à la même heure")
        slots.append((opens, closes))
        rest = rest[m.end():]
        rest = rest[_SEPARATOR.match(rest).end():]  # type: ignore[union-attr]
    return slots


def _at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(0, 0)) + timedelta(minutes=minutes)


def _day_timings(day: date, slots: list[tuple[int, int | None]]) -> list[Timing]:
    if not slots:
        return [(_at(day, 0), _at(day, 23 * 60 + 59))]
    out = []
    for opens, closes in slots:
        if closes is None:
            end = _at(day, 23 * 60 + 59)
        elif closes == 24 * 60 or closes > opens:
            end = _at(day, closes) if closes < 24 * 60 else _at(day, 23 * 60 + 59)
        else:  # past midnight
            end = _at(day + timedelta(days=1), closes)
        out.append((_at(day, opens), end))
    return out


def _start_end(text: str, today: date, after: date | None, end: bool) -> datetime:
    """One side of the older "start ; end" form."""
    m = _ONE.match(text)
    if not m:
        raise _LineError(f"date illisible « {text} » (ex. 14/07 10h-18h)")
    day = _resolve(_typed(m, "a"), today, after=after)
    rest = text[m.end():].strip().removeprefix("a ").strip()
    if not rest:
        return _at(day, 23 * 60 + 59) if end else _at(day, 0)
    slots = _slots(rest)
    if len(slots) != 1 or slots[0][1] is not None:
        raise _LineError(f"une seule heure est attendue de chaque côté du « ; » (« {text} »)")
    minutes = slots[0][0]
    return _at(day, min(minutes, 23 * 60 + 59) if minutes == 24 * 60 else minutes)


def _line(raw: str, today: date) -> list[Timing]:
    text = _fold(raw).replace("’", "'")
    if ";" in text:
        begin, _, finish = text.partition(";")
        start = _start_end(begin.strip(), today, None, end=False)
        end = _start_end(finish.strip(), today, start.date(), end=True)
        if end <= start:
            raise _LineError("la fin est avant le début")
        return [(start, end)]
    m = _SPAN.match(text)
    if m:
        b = _typed(m, "b")
        a = _typed(m, "a")
        if a.year is None and b.year is not None:
            # "du 28/12 au 3/01/2027": the first date is the year before when it must be
            first = _resolve(a, today, month=b.month, year=b.year)
            last = _resolve(b, today)
            if first > last:
                first = _resolve(a, today, month=b.month, year=b.year - 1)
        else:
            first = _resolve(a, today, month=b.month)
            last = _resolve(b, today, after=first, year=b.year)
        if last < first:
            raise _LineError("la période finit avant de commencer")
        span = (last - first).days
        slots = _slots(text[m.end():].strip(" ,:"))
        if not slots:
            return [(_at(first, 0), _at(last, 23 * 60 + 59))]
        if span >= MAX_SPAN_DAYS:
            raise _LineError(f"{span + 1} jours avec horaires : {MAX_SPAN_DAYS} au plus ; "
                             "indiquez les dates une par ligne, ou la période sans heures")
        return [t for i in range(span + 1)
                for t in _day_timings(first + timedelta(days=i), slots)]
    m = _ONE.match(text)
    if not m:
        raise _LineError("date illisible au début (ex. 05/12 10h-18h, 05/12/2027 10h-18h, "
                         "samedi 14 décembre de 10 h à 18 h)")
    day = _resolve(_typed(m, "a"), today)
    return _day_timings(day, _slots(text[m.end():].strip(" ,:")))


def parse_event_dates(text: str, today: date) -> list[Timing]:
    """Every line typed as (start, end) naive local datetimes, in the order typed.

    Raises ``EventDatesError`` listing every line that could not be read.
    """
    lines = [(n, ln.strip()) for n, ln in enumerate(text.splitlines(), 1) if ln.strip()]
    if len(lines) > MAX_LINES:
        raise EventDatesError([f"Dates : {MAX_LINES} lignes au plus."])
    errors: list[str] = []
    out: list[Timing] = []
    for n, line in lines:
        try:
            out.extend(_line(line, today))
        except _LineError as exc:
            errors.append(f"Dates, ligne {n} (« {line} ») : {exc}.")
    if errors:
        raise EventDatesError(errors)
    return out


# --------------------------------------------------------------------------- back


def _clock(value: datetime) -> str:
    return f"{value.hour}h" if value.minute == 0 else f"{value.hour}h{value.minute:02d}"


def event_dates_text(timings: list[Timing]) -> str:
    """Stored dates (naive local datetimes) as lines ``parse_event_dates`` reads back the
    same: "05/12/2026 10h-18h", "05/12/2026" (the whole day), "05/12/2026 20h-2h",
    else "05/12/2026 10h ; 07/12/2026 18h"."""
    lines = []
    for start, end in timings:
        day = f"{start:%d/%m/%Y}"
        whole = start.time() == time(0, 0) and end.time() == time(23, 59)
        if whole and end.date() == start.date():
            lines.append(day)
        elif whole:
            lines.append(f"du {day} au {end:%d/%m/%Y}")
        elif end.date() == start.date() and end.time() == time(23, 59):
            lines.append(f"{day} {_clock(start)}")
        elif end.date() == start.date() or (
                end.date() == start.date() + timedelta(days=1) and end.time() < start.time()):
            lines.append(f"{day} {_clock(start)}-{_clock(end)}")
        else:
            lines.append(f"{day} {_clock(start)} ; {end:%d/%m/%Y} {_clock(end)}")
    return "\n".join(lines)


def describe_event_dates(timings: list[Timing], today: date) -> list[str]:
    """Each date in words, as staff check them: "samedi 5 décembre 2026, de 10 h à 18 h"
    ("(passée)" after a date already over)."""
    out = []
    for start, end in sorted(timings):
        day = f"{WEEKDAYS_FR[start.weekday()]} {date_fr(start.date())}"
        whole = start.time() == time(0, 0) and end.time() == time(23, 59)
        if whole and end.date() == start.date():
            text = f"{day}, toute la journée"
        elif whole:
            text = f"du {day} au {WEEKDAYS_FR[end.weekday()]} {date_fr(end.date())}"
        elif (end.date() > start.date() + timedelta(days=1)) or (
                end.date() > start.date() and end.time() >= start.time()):
            text = (f"du {day} à {time_fr(start.time())} au {WEEKDAYS_FR[end.weekday()]} "
                    f"{date_fr(end.date())} à {time_fr(end.time())}")
        elif end.time() == time(23, 59):
            text = f"{day}, à partir de {time_fr(start.time())}"
        else:
            text = f"{day}, {slots_phrase_fr([(start.time(), end.time())])}"
        out.append(text + (" (passée)" if end.date() < today else ""))
    return out
