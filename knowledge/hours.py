"""Structured opening hours: storage format, validation, queries and French formatting.

Storage format (JSON-able, kept in the ``opening_hours`` column; ``None`` = unknown)::

    {"specs": [{"days": ["mo", "tu", "we", "th", "fr", "sa", "su"],
                "opens": "10:00", "closes": "18:00",
                "valid_from": "04-01", "valid_through": "10-31"}],
     "closures": ["12-25", "2027-01-01"],
     "note": "texte libre en français"}

* ``days``: empty or missing = every day.
* ``opens``/``closes``: "HH:MM" local time (Europe/Paris), both or neither. ``closes``
  may be "24:00"; ``closes <= opens`` means the slot ends the next day (19:00–02:00,
  and 00:00–00:00 is a full 24 h). Without both, the place is open that day with
  unknown hours.
* ``valid_from``/``valid_through``: inclusive bounds, "MM-DD" (every year, the range
  may wrap the new year: "11-01".."03-31") or "YYYY-MM-DD" (that date only); both
  bounds of a spec use the same kind, either may be missing or null (open-ended).
* ``closures``: whole days closed, "MM-DD" (every year) or "YYYY-MM-DD".

Rules shared by every query below:

* A spec *applies* on a local date when the date is within its validity and its
  weekday is in ``days``.
* A closure day cancels the slots that *open* on that day, including their part past
  midnight; a slot opened the evening before runs to its end (the night from
  24 to 25 December belongs to the 24th).
* The data *covers* a date when some spec has recurring or open-ended validity, or
  the date lies between the earliest ``valid_from`` and the latest ``valid_through``
  of the dated specs. On a covered date, "no spec applies" means closed; outside the
  covered dates (stale or partial data) the answer is unknown.
* Slots belong to the day they open on (Friday 19:00–02:00 is listed on Friday).
* Malformed data (see ``validate_hours``) is logged and treated as unknown.

Said in French: ``day_text_fr``/``format_week_fr`` (a day, a week), ``describe_fr`` (the
whole schedule in one sentence — what the bot says after "Horaires :" and what the staff
console shows under the hours field), ``next_opening`` (the next opening day, for a visitor
asking outside the season).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from knowledge.config import PARIS
from knowledge.text import MONTHS_FR, WEEKDAYS_FR

__all__ = [
    "DAYS",
    "PARIS",
    "Slot",
    "date_fr",
    "describe_fr",
    "format_slots_fr",
    "format_week_fr",
    "from_datatourisme",
    "hours_on",
    "is_open",
    "is_open_on",
    "next_opening",
    "slots_phrase_fr",
    "time_fr",
    "validate_hours",
    "week_summary",
]

log = logging.getLogger(__name__)

DAYS: tuple[str, ...] = ("mo", "tu", "we", "th", "fr", "sa", "su")
DAY_NAMES_FR: tuple[str, ...] = WEEKDAYS_FR

Slot = tuple[time, time]
"""An opening slot (opens, closes) in local wall time; closes <= opens = next day."""

_DAY_MINUTES = 24 * 60
_TOP_KEYS = frozenset({"specs", "closures", "note"})
_SPEC_KEYS = frozenset({"days", "opens", "closes", "valid_from", "valid_through"})
_HHMM = re.compile(r"(\d{2}):(\d{2})")
_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")
_FULL_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

MonthDay = tuple[int, int]
Bound = date | MonthDay | None


# --------------------------------------------------------------------------- parsing


def _parse_minutes(value: str, *, allow_24: bool) -> int | None:
    """Minutes since midnight for "HH:MM" ("24:00" only if ``allow_24``), else None."""
    m = _HHMM.fullmatch(value)
    if not m:
        return None
    hh, mm = int(m.group(1)), int(m.group(2))
    if allow_24 and hh == 24 and mm == 0:
        return _DAY_MINUTES
    if hh > 23 or mm > 59:
        return None
    return hh * 60 + mm


def _parse_day(value: str) -> date | MonthDay | None:
    """A ``date`` for "YYYY-MM-DD", a (month, day) pair for "MM-DD", None if invalid."""
    m = _FULL_DATE.fullmatch(value)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    m = _MONTH_DAY.fullmatch(value)
    if m:
        month, day = int(m.group(1)), int(m.group(2))
        try:
            date(2000, month, day)  # leap year: "02-29" is allowed
        except ValueError:
            return None
        return (month, day)
    return None


def validate_hours(data: object) -> list[str]:
    """Return French error messages for malformed opening hours, [] when valid."""
    if not isinstance(data, Mapping):
        return ["les horaires doivent être un objet (dictionnaire)"]
    errors: list[str] = []
    for key in data:
        if key not in _TOP_KEYS:
            errors.append(f"clé inconnue : {key!r} (attendu : specs, closures, note)")
    specs = data.get("specs", [])
    if not isinstance(specs, list):
        errors.append("specs : une liste est attendue")
        specs = []
    for i, spec in enumerate(specs):
        errors.extend(_validate_spec(spec, f"specs[{i}]"))
    closures = data.get("closures", [])
    if not isinstance(closures, list):
        errors.append("closures : une liste est attendue")
        closures = []
    for i, value in enumerate(closures):
        if not isinstance(value, str):
            errors.append(f"closures[{i}] : une chaîne est attendue")
        elif _parse_day(value) is None:
            errors.append(f"closures[{i}] : date invalide {value!r} (attendu MM-JJ ou AAAA-MM-JJ)")
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        errors.append("note : une chaîne est attendue")
    return errors


def _validate_spec(spec: object, where: str) -> list[str]:
    """Error messages for one element of ``specs``."""
    if not isinstance(spec, Mapping):
        return [f"{where} : un objet est attendu"]
    errors = [f"{where} : clé inconnue {key!r}" for key in spec if key not in _SPEC_KEYS]
    days = spec.get("days", [])
    if days is None:
        days = []
    if not isinstance(days, list):
        errors.append(f"{where}.days : une liste est attendue")
    else:
        for day in days:
            if not isinstance(day, str) or day not in DAYS:
                errors.append(f"{where}.days : jour inconnu {day!r} (attendu : {', '.join(DAYS)})")
    present = []
    for key in ("opens", "closes"):
        value = spec.get(key)
        if value is None:
            continue
        present.append(key)
        if not isinstance(value, str):
            errors.append(f"{where}.{key} : une chaîne HH:MM est attendue")
        elif _parse_minutes(value, allow_24=key == "closes") is None:
            errors.append(f"{where}.{key} : heure invalide {value!r} (attendu HH:MM)")
    if len(present) == 1:
        errors.append(f"{where} : opens et closes vont ensemble (l'un sans l'autre)")
    bounds: dict[str, Bound] = {}
    for key in ("valid_from", "valid_through"):
        value = spec.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            errors.append(f"{where}.{key} : une chaîne est attendue")
            continue
        parsed = _parse_day(value)
        if parsed is None:
            errors.append(f"{where}.{key} : date invalide {value!r} (attendu MM-JJ ou AAAA-MM-JJ)")
        else:
            bounds[key] = parsed
    start, end = bounds.get("valid_from"), bounds.get("valid_through")
    if start is not None and end is not None:
        if isinstance(start, date) != isinstance(end, date):
            errors.append(
                f"{where} : valid_from et valid_through doivent être tous deux annuels "
                "(MM-JJ) ou tous deux datés (AAAA-MM-JJ)"
            )
        elif isinstance(start, date) and isinstance(end, date) and start > end:
            errors.append(f"{where} : valid_from est après valid_through")
    return errors


@dataclass(frozen=True)
class _Spec:
    """A validated spec; times in minutes since midnight."""

    days: frozenset[int]
    opens: int | None
    closes: int | None
    valid_from: Bound
    valid_through: Bound

    @property
    def timed(self) -> bool:
        return self.opens is not None and self.closes is not None

    @property
    def end(self) -> int:
        """Closing minute counted from the opening day's midnight (> 1440: next day)."""
        assert self.opens is not None and self.closes is not None
        return self.closes if self.closes > self.opens else self.closes + _DAY_MINUTES

    def valid_on(self, day: date) -> bool:
        start, end = self.valid_from, self.valid_through
        if isinstance(start, date) or isinstance(end, date):
            return (not isinstance(start, date) or start <= day) and (
                not isinstance(end, date) or day <= end
            )
        md = (day.month, day.day)
        if start is not None and end is not None and start > end:  # wraps the new year
            return md >= start or md <= end
        return (start is None or md >= start) and (end is None or md <= end)

    def applies(self, day: date) -> bool:
        return day.weekday() in self.days and self.valid_on(day)


@dataclass(frozen=True)
class _Hours:
    specs: tuple[_Spec, ...]
    yearly_closures: frozenset[MonthDay]
    dated_closures: frozenset[date]

    def closed(self, day: date) -> bool:
        return day in self.dated_closures or (day.month, day.day) in self.yearly_closures

    def covers(self, day: date) -> bool:
        """True when the schedule is known for ``day`` (see the module docstring)."""
        dated = []
        for spec in self.specs:
            if not isinstance(spec.valid_from, date) and not isinstance(spec.valid_through, date):
                return True
            dated.append(spec)
        if not dated:
            return False
        starts = [s.valid_from for s in dated]
        ends = [s.valid_through for s in dated]
        after_start = any(not isinstance(s, date) or s <= day for s in starts)
        before_end = any(not isinstance(e, date) or day <= e for e in ends)
        return after_start and before_end


def _parse(hours: Mapping[str, Any] | None) -> _Hours | None:
    """Validated internal form, or None when unknown, empty or malformed."""
    if hours is None:
        return None
    errors = validate_hours(hours)
    if errors:
        log.warning("horaires ignorés (invalides) : %s", "; ".join(errors))
        return None
    specs = []
    for raw in hours.get("specs") or []:
        opens, closes = raw.get("opens"), raw.get("closes")
        start, end = raw.get("valid_from"), raw.get("valid_through")
        specs.append(
            _Spec(
                days=frozenset(DAYS.index(d) for d in raw.get("days") or DAYS),
                opens=None if opens is None else _parse_minutes(opens, allow_24=False),
                closes=None if closes is None else _parse_minutes(closes, allow_24=True),
                valid_from=None if start is None else _parse_day(start),
                valid_through=None if end is None else _parse_day(end),
            )
        )
    yearly: set[MonthDay] = set()
    dated: set[date] = set()
    for value in hours.get("closures") or []:
        parsed = _parse_day(value)
        if isinstance(parsed, date):
            dated.add(parsed)
        elif parsed is not None:
            yearly.add(parsed)
    if not specs and not yearly and not dated:
        return None
    return _Hours(tuple(specs), frozenset(yearly), frozenset(dated))


# --------------------------------------------------------------------------- queries


def _instant(day: date, minutes: int) -> datetime:
    """UTC instant at which the Paris wall clock first shows ``minutes`` on ``day``.

    Ambiguous wall times (October) give the first occurrence; wall times skipped by
    the spring-forward change (02:00–02:59 in March) give the instant of the change.
    """
    day += timedelta(days=minutes // _DAY_MINUTES)
    minutes %= _DAY_MINUTES
    naive = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60)
    utc = naive.replace(tzinfo=PARIS).astimezone(timezone.utc)
    if utc.astimezone(PARIS).replace(tzinfo=None) == naive:
        return utc
    # In the gap: fold=1 uses the later offset and lands before the change.
    probe = naive.replace(tzinfo=PARIS, fold=1).astimezone(timezone.utc)
    while probe.astimezone(PARIS).replace(tzinfo=None) < naive:
        probe += timedelta(minutes=1)
    return probe


def _merge(slots: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted slots with overlapping or touching ones merged (minutes, end may pass 1440)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(slots):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return [(s, min(e, s + _DAY_MINUTES)) for s, e in merged]


def _to_time(minutes: int) -> time:
    minutes %= _DAY_MINUTES
    return time(minutes // 60, minutes % 60)


def _check_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("un datetime avec fuseau horaire est attendu")


def is_open(hours: Mapping[str, Any] | None, at: datetime) -> bool | None:
    """Whether the place is open at the aware instant ``at`` (any time zone).

    In this order, for the Paris local date D of ``at``:

    1. None when ``hours`` is None, empty or malformed.
    2. True when ``at`` falls in a slot of a spec applying on D, or in the part past
       midnight of a slot of a spec applying on D-1, the slot's day not being a
       closure (bounds: opens included, closes excluded, compared as instants, so
       daylight-saving changes are handled).
    3. False when D is a closure day.
    4. False when a spec with hours applies on D (the moment is outside its slots).
    5. None when only specs without hours apply on D (open, hours unknown).
    6. False when the data covers D (no spec applies that day: closed), else None.
    """
    _check_aware(at)
    parsed = _parse(hours)
    if parsed is None:
        return None
    instant = at.astimezone(timezone.utc)
    today = instant.astimezone(PARIS).date()
    for day in (today - timedelta(days=1), today):
        if parsed.closed(day):
            continue
        for spec in parsed.specs:
            if spec.opens is None or not spec.timed or not spec.applies(day):
                continue
            if _instant(day, spec.opens) <= instant < _instant(day, spec.end):
                return True
    if parsed.closed(today):
        return False
    applying = [spec for spec in parsed.specs if spec.applies(today)]
    if any(spec.timed for spec in applying):
        return False
    if applying:
        return None
    return False if parsed.covers(today) else None


def _slots(parsed: _Hours, day: date) -> list[tuple[int, int]]:
    if parsed.closed(day):
        return []
    return _merge(
        (spec.opens, spec.end)
        for spec in parsed.specs
        if spec.opens is not None and spec.timed and spec.applies(day)
    )


def hours_on(hours: Mapping[str, Any] | None, day: date) -> list[Slot]:
    """Slots opening on the local date ``day``, merged and sorted; [] if none or unknown.

    A slot past midnight is listed on its opening day, e.g. (19:00, 02:00); a closing
    time of 00:00 means midnight. Use ``is_open_on`` to tell "closed" from "unknown".
    """
    parsed = _parse(hours)
    if parsed is None:
        return []
    return [(_to_time(s), _to_time(e)) for s, e in _slots(parsed, day)]


def is_open_on(hours: Mapping[str, Any] | None, day: date) -> bool | None:
    """Whether the place opens on the local date ``day``.

    True when ``hours_on`` has slots, or when a spec without hours applies (open,
    hours unknown: ``hours_on`` is then []); False on a closure day or a covered day
    where no spec applies; None when unknown.
    """
    parsed = _parse(hours)
    if parsed is None:
        return None
    if parsed.closed(day):
        return False
    if any(spec.applies(day) for spec in parsed.specs):
        return True
    return False if parsed.covers(day) else None


def week_summary(hours: Mapping[str, Any] | None, start: date) -> list[tuple[date, list[Slot]]]:
    """``hours_on`` for the 7 days from ``start``."""
    return [(day, hours_on(hours, day)) for day in (start + timedelta(days=i) for i in range(7))]


# --------------------------------------------------------------------------- French


def _format_time(value: time) -> str:
    if value.hour == 0 and value.minute == 0:
        return "minuit"
    return f"{value.hour} h" if value.minute == 0 else f"{value.hour} h {value.minute:02d}"


def time_fr(value: time) -> str:
    """"10 h", "10 h 30", "minuit"."""
    return _format_time(value)


def format_slots_fr(slots: Sequence[Slot]) -> str:
    """French text for a day's slots: "10 h – 12 h 30, 14 h – 18 h", or "fermé"."""
    if not slots:
        return "fermé"
    return ", ".join(_slot_texts(slots, "24 h/24", "{} – {}"))


def _slot_texts(slots: Sequence[Slot], all_day: str, template: str) -> list[str]:
    """Each slot through `template` ("de {} à {}"), a whole day as `all_day`."""
    return [all_day if opens == closes == time(0, 0)
            else template.format(_format_time(opens), _format_time(closes))
            for opens, closes in slots]


def format_week_fr(hours: Mapping[str, Any] | None, start: date) -> str:
    """Seven lines "lundi : 10 h – 18 h" from ``start``, one per day.

    Days without slots read "fermé", "ouvert (horaires non précisés)" or
    "horaires non communiqués" according to ``is_open_on``.
    """
    return "\n".join(f"{DAY_NAMES_FR[day.weekday()]} : {day_text_fr(hours, day, slots)}"
                     for day, slots in week_summary(hours, start))


def day_text_fr(hours: Mapping[str, Any] | None, day: date,
                slots: Sequence[Slot] | None = None) -> str:
    """One day in French: its slots, or "fermé" only when the hours say so — otherwise
    "ouvert (horaires non précisés)" or "horaires non communiqués" (never a guess)."""
    slots = hours_on(hours, day) if slots is None else slots
    if slots:
        return format_slots_fr(slots)
    status = is_open_on(hours, day)
    if status is None:
        return "horaires non communiqués"
    return "ouvert (horaires non précisés)" if status else "fermé"


def next_opening(hours: Mapping[str, Any] | None, start: date,
                 horizon_days: int = 2 * 366) -> tuple[date, list[Slot]] | None:
    """The first local date from ``start`` (included) on which the place opens (see
    ``is_open_on``), with its slots ([] when the hours of that day are not given);
    None when no opening is known within ``horizon_days``."""
    parsed = _parse(hours)
    if parsed is None:
        return None
    for i in range(horizon_days):
        day = start + timedelta(days=i)
        if not parsed.closed(day) and any(spec.applies(day) for spec in parsed.specs):
            return day, [(_to_time(s), _to_time(e)) for s, e in _slots(parsed, day)]
    return None


def date_fr(day: date | MonthDay, *, year: bool = True) -> str:
    """"1er avril", "25 décembre 2027" (a date; ``year=False`` leaves the year out)."""
    if isinstance(day, date):
        month, number = day.month, day.day
    else:
        month, number = day
    text = f"{'1er' if number == 1 else number} {MONTHS_FR[month - 1]}"
    return f"{text} {day.year}" if isinstance(day, date) and year else text


def _clock_fr(minutes: int) -> str:
    return _format_time(_to_time(minutes))


def slots_phrase_fr(slots: Sequence[Slot]) -> str:
    """"de 10 h à 12 h 30 et de 14 h à 18 h", "24 h sur 24"; "" without slots."""
    return " et ".join(_slot_texts(slots, "24 h sur 24", "de {} à {}"))


def day_runs(days: Sequence[int]) -> list[list[int]]:
    """Consecutive days together, a run over the weekend kept whole:
    [0, 1, 2, 5, 6] -> [[5, 6, 0, 1, 2]] (samedi-mercredi)."""
    runs: list[list[int]] = []
    for d in sorted(days):
        if runs and d == runs[-1][-1] + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == 6:  # e.g. samedi-lundi
        runs = [runs[-1] + runs[0]] + runs[1:-1]
    return runs


def _days_phrase_fr(days: Sequence[int]) -> str:
    """"tous les jours", "du mardi au dimanche", "le lundi, le mercredi et le vendredi"."""
    if len(days) == 7:
        return "tous les jours"
    runs = day_runs(days)
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"du {DAY_NAMES_FR[run[0]]} au {DAY_NAMES_FR[run[-1]]}")
        else:
            parts.extend(f"le {DAY_NAMES_FR[d]}" for d in run)
    return _join_fr(parts)


def _join_fr(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def _period_phrase_fr(start: Bound, end: Bound) -> str:
    """"du 1er avril au 31 octobre", "du 1er avril au 30 septembre 2027",
    "à partir du 1er avril 2027", "jusqu'au 30 septembre"; "" for no bounds."""
    if start is not None and end is not None:
        same_year = isinstance(start, date) and isinstance(end, date) and start.year == end.year
        return f"du {date_fr(start, year=not same_year)} au {date_fr(end)}"
    if start is not None:
        return f"à partir du {date_fr(start)}"
    if end is not None:
        return f"jusqu'au {date_fr(end)}"
    return ""


def _bound_key(bound: Bound) -> tuple[int, int, int]:
    if isinstance(bound, date):
        return (bound.year, bound.month, bound.day)
    if bound is None:
        return (0, 0, 0)
    return (0, bound[0], bound[1])


def _closures_phrase_fr(parsed: _Hours) -> str:
    """"le 1er mai, le 25 décembre et du 24 décembre 2027 au 2 janvier 2028" ("" if none):
    three consecutive days or more as a range."""
    items: list[str] = []
    groups: list[list[date]] = [
        sorted(date(2000, m, d) for m, d in parsed.yearly_closures),  # a leap year
        sorted(parsed.dated_closures)]
    for yearly, days in zip((True, False), groups, strict=True):
        runs: list[list[date]] = []
        for day in days:
            if runs and day - runs[-1][-1] == timedelta(days=1):
                runs[-1].append(day)
            else:
                runs.append([day])
        if yearly and len(runs) > 1 and runs[0][0] == date(2000, 1, 1) and \
                runs[-1][-1] == date(2000, 12, 31):  # over the new year: said last
            runs = runs[1:-1] + [runs[-1] + runs[0]]
        for run in runs:
            said = [date_fr((d.month, d.day)) if yearly else date_fr(d) for d in run]
            if len(run) >= 3:
                items.append(f"du {said[0]} au {said[-1]}")
            else:
                items.extend(f"le {text}" for text in said)
    return _join_fr(items)


def describe_fr(hours: Mapping[str, Any] | None) -> str | None:
    """The opening hours as one French sentence, the way the family says them:
    "ouvert du 1er avril au 31 octobre, du mardi au dimanche de 10 h à 18 h ; fermé le
    1er mai". None when unknown, empty or malformed; the note is not included."""
    parsed = _parse(hours)
    if parsed is None:
        return None
    periods: dict[tuple[Bound, Bound], dict[int, list[tuple[int, int]] | None]] = {}
    for spec in parsed.specs:
        per_day = periods.setdefault((spec.valid_from, spec.valid_through), {})
        for day in spec.days:
            if spec.opens is None or spec.closes is None:
                per_day.setdefault(day, None)  # open, hours not given (unless given)
            else:
                per_day[day] = [*(per_day.get(day) or []), (spec.opens, spec.end)]
    parts: list[str] = []
    for (start, end), per_day in sorted(
            periods.items(), key=lambda kv: (_bound_key(kv[0][0]), _bound_key(kv[0][1]))):
        by_slots: dict[tuple[tuple[int, int], ...] | None, list[int]] = {}
        for day in sorted(per_day):
            slots = per_day[day]
            key = None if slots is None else tuple(_merge(slots))
            by_slots.setdefault(key, []).append(day)
        phrases = []
        for key, days in sorted(by_slots.items(), key=lambda kv: kv[1]):
            what = ("(horaires non précisés)" if key is None else slots_phrase_fr(
                [(_to_time(s), _to_time(e)) for s, e in key]))
            phrases.append(f"{_days_phrase_fr(days)} {what}")
        period = _period_phrase_fr(start, end)
        parts.append("ouvert " + (f"{period}, " if period else "") + ", ".join(phrases))
    closures = _closures_phrase_fr(parsed)
    if closures:
        parts.append(f"fermé {closures}")
    return " ; ".join(parts)


# --------------------------------------------------------------------------- DATAtourisme

_SCHEMA_DAYS = {
    "monday": "mo",
    "tuesday": "tu",
    "wednesday": "we",
    "thursday": "th",
    "friday": "fr",
    "saturday": "sa",
    "sunday": "su",
}
_MAX_CLOSURE_DAYS = 366
_DT_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")


def _dt_days(value: object) -> list[str] | None:
    """Day codes of a ``schema:dayOfWeek`` value; [] = every day; None = none known."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if not items:
        return []
    days: set[str] = set()
    for item in items:
        ident = item.get("@id") if isinstance(item, Mapping) else item
        if isinstance(ident, str):
            name = re.split(r"[:/#]", ident)[-1].lower()
            if name in _SCHEMA_DAYS:
                days.add(_SCHEMA_DAYS[name])
    if not days:
        return None  # e.g. only schema:PublicHolidays, which the format cannot express
    return [d for d in DAYS if d in days]


def _dt_time(value: object, *, closing: bool) -> str | None:
    """Return "HH:MM" from "HH:MM[:SS]"; a closing 23:59[:59] becomes "24:00"."""
    if not isinstance(value, str):
        return None
    m = _DT_TIME.fullmatch(value.strip())
    if not m:
        return None
    hh, mm = int(m.group(1)), int(m.group(2))
    if closing and hh == 23 and mm == 59:
        return "24:00"
    if hh > 23 or mm > 59:
        return "24:00" if closing and hh == 24 and mm == 0 else None
    return f"{hh:02d}:{mm:02d}"


def _dt_date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _dt_note(value: object) -> list[str]:
    """French texts of an ``additionalInformation`` value."""
    if isinstance(value, Mapping):
        value = value.get("fr")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [v.strip() for v in value if isinstance(v, str) and v.strip()]


def _fr_date(day: date | None) -> str:
    return "?" if day is None else day.strftime("%d/%m/%Y")


def from_datatourisme(specs: Sequence[Mapping[str, Any]] | None) -> dict[str, Any]:
    """Convert a DATAtourisme ``schema:openingHoursSpecification`` list to the storage format.

    Dates are kept as full dates; times lose their seconds and a closing 23:59 becomes
    "24:00". Specs sharing hours and validity are merged into one with their days.
    A spec with opens = closes = 00:00 and a validity range of at most a year is a
    closure (schema.org convention) and its days go to ``closures``. Specs whose only
    days are unknown (e.g. public holidays) or whose validity is reversed are dropped.
    French ``additionalInformation`` texts go to ``note``, each prefixed with its
    validity when they differ between specs.
    """
    merged: dict[tuple[str | None, str | None, str | None, str | None], list[str]] = {}
    closures: set[date] = set()
    notes: dict[str, list[tuple[date | None, date | None]]] = {}
    for raw in specs or []:
        if not isinstance(raw, Mapping):
            continue
        days = _dt_days(raw.get("schema:dayOfWeek"))
        valid_from = _dt_date(raw.get("schema:validFrom"))
        valid_through = _dt_date(raw.get("schema:validThrough"))
        if days is None or (valid_from and valid_through and valid_from > valid_through):
            continue
        opens = _dt_time(raw.get("schema:opens"), closing=False)
        closes = _dt_time(raw.get("schema:closes"), closing=True)
        if opens is None or closes is None:
            opens = closes = None
        for text in _dt_note(raw.get("additionalInformation")):
            period = (valid_from, valid_through)
            if period not in notes.setdefault(text, []):
                notes[text].append(period)
        if opens == "00:00" and closes == "00:00":
            if valid_from and valid_through:
                span = (valid_through - valid_from).days
                if span <= _MAX_CLOSURE_DAYS:
                    for i in range(span + 1):
                        day = valid_from + timedelta(days=i)
                        if not days or DAYS[day.weekday()] in days:
                            closures.add(day)
            continue
        key = (
            opens,
            closes,
            valid_from.isoformat() if valid_from else None,
            valid_through.isoformat() if valid_through else None,
        )
        if key in merged:
            known = merged[key]
            # [] means every day and absorbs the rest.
            merged[key] = [d for d in DAYS if d in known or d in days] if known and days else []
        else:
            merged[key] = days
    out_specs: list[dict[str, Any]] = []
    for (opens, closes, start, end), days in sorted(
        merged.items(), key=lambda kv: tuple(v or "" for v in kv[0][2:] + kv[0][:2])
    ):
        spec: dict[str, Any] = {}
        if days:
            spec["days"] = days
        if opens is not None and closes is not None:
            spec["opens"], spec["closes"] = opens, closes
        if start is not None:
            spec["valid_from"] = start
        if end is not None:
            spec["valid_through"] = end
        out_specs.append(spec)
    note: str | None = None
    if len(notes) == 1:
        note = next(iter(notes))
    elif notes:
        parts = []
        for text, periods in sorted(
            notes.items(), key=lambda kv: min(p[0] or date.min for p in kv[1])
        ):
            when = ", ".join(
                f"du {_fr_date(a)} au {_fr_date(b)}"
                for a, b in sorted(periods, key=lambda p: (p[0] or date.min, p[1] or date.max))
            )
            parts.append(f"{when[0].upper()}{when[1:]} : {text}")
        note = "\n\n".join(parts)
    return {
        "specs": out_specs,
        "closures": sorted(d.isoformat() for d in closures),
        "note": note,
    }
