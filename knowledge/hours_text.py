"""Opening hours typed by staff in plain French, one rule per line or several rules on a
line separated by ";", and back.

``parse_hours_text`` turns lines such as::

    lundi-vendredi 9h-12h 14h-18h
    samedi 10h-18h
    dimanche fermé
    du 1/04 au 30/09 : mardi-dimanche 10h-19h
    fermé le 25/12 et le 1/01
    vendredi 19h-2h
    tous les jours 0h-24h
    du 1/04 au 31/10 : mardi-dimanche 10h-18h ; fermé le 1er mai

into the storage format of ``knowledge.hours`` (specs, validity periods, closures, note),
and ``hours_to_text`` writes stored hours back as the same kind of lines, or returns None
when they cannot be written that way without changing their meaning (the console then
shows them read-only and keeps them). Errors are French sentences naming the line.

Rules of a line (case and accents do not matter):

* an optional period first: ``du 1/04 au 30/09 :`` (every year), ``du 1/04/2027 au
  30/09/2027 :`` (those dates), ``à partir du 1/04/2027 :``, ``jusqu'au 30/09 :``;
  dates as 1/04, 01/04/2027 or « 1er avril », « 25 décembre 2027 »;
* then the days: ``lundi``, ``lundi-vendredi``, ``du lundi au vendredi``, ``lundi,
  mercredi et vendredi``, ``tous les jours``, ``week-end``; short forms (``lun``,
  ``sam``…) are accepted;
* then the hours: ``9h-12h 14h-18h`` (``9h30``, ``09:30``, ``10h à 18h``, ``24h``; a
  closing time before the opening one runs past midnight), or ``ouvert`` (open, hours
  not given), or ``fermé`` (says so; it cannot cancel another line's opening).
* ``fermé le 25/12``, ``fermé les 25/12, 1/01``, ``fermé du 24/12 au 2/01`` or
  ``du 1/11 au 31/03 : fermé``: whole days closed (every year, or on those dates),
  whatever the other lines say.

Rules may share a line, separated by ";" (a ";" followed by more hours or dates,
``samedi 10h-12h ; 14h-18h``, ``fermé le 25/12 ; 1/01``, stays in its rule). A period
written at the start of a line also applies to the rules after it on that line, up to
one with its own period (closures excepted): ``du 1/04 au 31/10 : mardi-vendredi
10h-18h ; samedi, dimanche 10h-19h`` is one season.

Lines with different periods add up; the same day cannot be given twice for the same
period. The note (free text) is a separate field. ``knowledge.hours.describe_fr`` says
the result as the chatbot does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from knowledge.hours import DAY_NAMES_FR, DAYS, _parse_day, _Spec, day_runs, validate_hours
from knowledge.text import MONTHS_FR_FOLDED, WEEKDAYS_FR, fold

__all__ = ["HoursTextError", "hours_summary", "hours_to_text", "parse_hours_text", "same_hours"]

MAX_LINES = 60
MAX_LINE_LENGTH = 300
_MAX_RANGE_DAYS = 366

_MONTHS = {name: n for n, name in enumerate(MONTHS_FR_FOLDED, 1)} | {
    "janv": 1, "fevr": 2, "fev": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11,
    "dec": 12,
}
_DAY_WORDS = {word: n for n, name in enumerate(WEEKDAYS_FR) for word in (name, name[:3])}
_EVERY_DAY = re.compile(r"^(tous les jours|tlj|7 ?j ?/ ?7|chaque jour)\b")
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = (rf"(?:\d{{1,2}}\s*/\s*\d{{1,2}}(?:\s*/\s*\d{{4}})?"
         rf"|\d{{1,2}}(?:er)?\s+(?:{_MONTH_NAMES})\.?(?:\s+\d{{4}})?)")
_DATE_ONE = re.compile(
    rf"^(?:(\d{{1,2}})\s*/\s*(\d{{1,2}})(?:\s*/\s*(\d{{4}}))?"
    rf"|(\d{{1,2}})(?:er)?\s+({_MONTH_NAMES})\.?(?:\s+(\d{{4}}))?)$")
_PERIOD = re.compile(
    rf"^(?:(?:du|de)\s+(?P<a>{_DATE})\s+(?:au|a|jusqu'au|-)\s+(?P<b>{_DATE})"
    rf"|(?:a partir du|a partir de|a compter du|des le|depuis le)\s+(?P<c>{_DATE})"
    rf"|(?:jusqu'au|jusqu'a)\s+(?P<d>{_DATE}))\s*(?:[:,]\s*|$)")
_CLOSED = re.compile(r"^fermee?s?\b")
_OPEN = re.compile(r"^ouverte?s?\b(\s*\(horaires non precises\))?$")
_CLOCK = r"(\d{1,2})(?:\s*(?:h|:)(\d{2})?)?"
_SLOT = re.compile(rf"^(?:de\s+)?{_CLOCK}\s*(?:-|a\b)\s*{_CLOCK}")
_SEPARATOR = re.compile(r"^\s*(?:,|;|/|\+|et\b)?\s*")
_HOLIDAYS = re.compile(r"\b(jours? feries?|paques|pentecote|ascension)\b")


class HoursTextError(ValueError):
    """The text could not be read; ``errors`` are French sentences naming the line."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__(" ; ".join(errors))


class _LineError(ValueError):
    pass


def _fold(text: str) -> str:
    """Lower case, without accents, typographic quotes and dashes made plain."""
    text = text.replace("’", "'").replace("–", "-").replace("—", "-").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", fold(text)).strip()


# --------------------------------------------------------------------------- pieces


def _date(text: str) -> str:
    """A typed date as storage text: "MM-DD" (every year) or "YYYY-MM-DD"."""
    m = _DATE_ONE.match(text.strip())
    if not m:
        raise _LineError(f"date illisible « {text} » (ex. 25/12 ou 25/12/2027)")
    if m.group(1):
        day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
    else:
        day, month, year = int(m.group(4)), _MONTHS[m.group(5)], m.group(6)
    try:
        date(int(year) if year else 2000, month, day)
    except ValueError:
        raise _LineError(f"date impossible « {text} »") from None
    return f"{int(year):04d}-{month:02d}-{day:02d}" if year else f"{month:02d}-{day:02d}"


def _check_bounds(start: str | None, end: str | None) -> None:
    if start is None or end is None:
        return
    if (len(start) == 10) != (len(end) == 10):
        raise _LineError("les deux dates de la période doivent avoir une année, "
                         "ou aucune des deux (ex. du 1/04 au 30/09)")
    if len(start) == 10 and start > end:
        raise _LineError("la période finit avant de commencer")


def _days_between(start: str, end: str) -> list[str]:
    """Every day from ``start`` to ``end`` (inclusive), as storage text."""
    if len(start) == 10:
        a, b = date.fromisoformat(start), date.fromisoformat(end)
        if (b - a).days >= _MAX_RANGE_DAYS:
            raise _LineError("une fermeture d'un an ou plus : indiquez plutôt les jours "
                             "d'ouverture")
        return [(a + timedelta(days=i)).isoformat() for i in range((b - a).days + 1)]
    out: list[str] = []
    day = date(2000, int(start[:2]), int(start[3:]))  # a leap year: 29 February exists
    last = (int(end[:2]), int(end[3:]))
    for _ in range(_MAX_RANGE_DAYS):
        out.append(f"{day.month:02d}-{day.day:02d}")
        if (day.month, day.day) == last:
            return out
        day += timedelta(days=1)
        if day.year == 2001:
            day = date(2000, 1, 1)
    return out


def _days(text: str) -> tuple[list[int], str]:
    """The days at the start of ``text`` (every day = all seven) and the rest."""
    m = _EVERY_DAY.match(text)
    if m:
        return list(range(7)), text[m.end():].strip()
    m = re.match(r"^(?:le |les )?(week-?end|we)\b", text)
    if m:
        return [5, 6], text[m.end():].strip()
    days: list[int] = []
    rest = re.sub(r"^(?:le|les|du)\s+", "", text)
    pending_range = False
    while True:
        m = re.match(r"^([a-z]+)\.?\s*", rest)
        word = m.group(1) if m else ""
        plural = word[:-1] if word.endswith("s") else word
        if word in _DAY_WORDS or plural in _DAY_WORDS:
            day = _DAY_WORDS.get(word, _DAY_WORDS.get(plural, 0))
            if pending_range:
                first = days[-1]
                days.extend((first + i) % 7 for i in range(1, (day - first) % 7 + 1))
                pending_range = False
            else:
                days.append(day)
            rest = rest[m.end():] if m else rest
            sep = re.match(r"^(?:(-|au\b|a\b)|,|et\b)\s*", rest)
            if sep and sep.group(0):
                pending_range = bool(sep.group(1))
                rest = rest[sep.end():]
                continue
            break
        if pending_range:
            raise _LineError("jour manquant après « - » ou « au » (ex. lundi-vendredi)")
        break
    return sorted(set(days)), rest.strip()


def _minutes(hh: str, mm: str | None, text: str) -> int:
    h, m = int(hh), int(mm or 0)
    if h > 24 or m > 59 or (h == 24 and m):
        raise _LineError(f"heure impossible dans « {text} »")
    return h * 60 + m


def _slots(text: str) -> list[tuple[str, str]]:
    """``9h-12h 14h-18h`` as [("09:00", "12:00"), ("14:00", "18:00")]."""
    slots: list[tuple[str, str]] = []
    rest = text.strip()
    while rest:
        m = _SLOT.match(rest)
        if not m:
            raise _LineError(f"horaires illisibles « {rest} » (ex. 9h-12h 14h-18h, "
                             "ou « fermé », ou « ouvert »)")
        shown = m.group(0).strip()
        opens = _minutes(m.group(1), m.group(2), shown)
        closes = _minutes(m.group(3), m.group(4), shown)
        if opens == 24 * 60:
            raise _LineError(f"« {shown} » : on ne peut pas ouvrir à 24h (écrivez 0h)")
        if closes == 0:
            closes = 24 * 60  # midnight
        if closes == opens:
            raise _LineError(f"« {shown} » : l'ouverture et la fermeture sont à la même "
                             "heure (ouvert jour et nuit : 0h-24h)")
        slots.append((f"{opens // 60:02d}:{opens % 60:02d}",
                      f"{closes // 60:02d}:{closes % 60:02d}"))
        rest = rest[m.end():]
        rest = rest[_SEPARATOR.match(rest).end():]  # type: ignore[union-attr]
    ordered = sorted(slots)
    for (a_open, a_close), (b_open, b_close) in zip(ordered, ordered[1:], strict=False):
        if a_close <= a_open or b_open < a_close:  # past midnight must be the last slot
            raise _LineError(f"les créneaux {_slot_text(a_open, a_close)} et "
                             f"{_slot_text(b_open, b_close)} se chevauchent")
    return slots


@dataclass
class _Rule:
    line: str  # "ligne 2", or "ligne 2 (« samedi 10h-18h »)" when the line has several rules
    valid_from: str | None
    valid_through: str | None
    days: list[int]
    slots: list[tuple[str, str]] | None  # None: open, hours not given
    closed: bool = False

    def spec(self) -> _Spec:
        return _Spec(frozenset(self.days), None, None,
                     None if self.valid_from is None else _parse_day(self.valid_from),
                     None if self.valid_through is None else _parse_day(self.valid_through))


def _overlap(a: _Rule, b: _Rule) -> list[int]:
    """Weekdays (0 = Monday) on which both rules apply on some date."""
    common = set(a.days) & set(b.days)
    if not common:
        return []
    if (a.valid_from, a.valid_through) == (b.valid_from, b.valid_through):
        return sorted(common)
    bounds = [date.fromisoformat(v) for v in (a.valid_from, a.valid_through, b.valid_from,
                                              b.valid_through) if v and len(v) == 10]
    if bounds:
        first, count = min(bounds) - timedelta(days=366), (max(bounds) - min(bounds)).days + 733
    else:
        first, count = date(2000, 1, 1), 366
    sa, sb = a.spec(), b.spec()
    found: set[int] = set()
    for i in range(count):
        day = first + timedelta(days=i)
        if day.weekday() in common and sa.applies(day) and sb.applies(day):
            found.add(day.weekday())
            if found == common:
                break
    return sorted(found)


def _starts_rule(text: str) -> bool:
    """Whether folded ``text`` begins a rule (a period, "fermé", days), not more hours or
    dates of the rule before it."""
    if _PERIOD.match(text) or _CLOSED.match(text) or _EVERY_DAY.match(text):
        return True
    if re.match(r"^(?:le |les )?(week-?end|we)\b", text):
        return True
    m = re.match(r"^(?:(?:le|les|du)\s+)?([a-z]+)", text)
    word = m.group(1) if m else ""
    return word in _DAY_WORDS or word.removesuffix("s") in _DAY_WORDS


def _rules_of(raw: str) -> list[str]:
    """The rules of a typed line: split at each ";" that a new rule follows."""
    parts: list[str] = []
    for piece in raw.split(";"):
        if parts and (not piece.strip() or not _starts_rule(_fold(piece))):
            parts[-1] += ";" + piece
        else:
            parts.append(piece)
    return [p.strip() for p in parts if p.strip()]


Period = tuple[str | None, str | None]


def _line(where: str, raw: str, inherited: Period | None = None,
          ) -> tuple[_Rule | None, list[str], Period | None]:
    """One rule as an opening rule, or closure days (the rule is then None), and the
    period it gives the rules after it on the same line (``inherited`` if none)."""
    text = _fold(raw)
    if _HOLIDAYS.search(text):
        raise _LineError("les jours fériés ne sont pas gérés : indiquez les dates "
                         "(ex. fermé le 1/05) et écrivez le reste dans les précisions")
    valid_from = valid_through = None
    has_period = False
    m = _PERIOD.match(text)
    if m:
        has_period = True
        if m.group("a"):
            valid_from, valid_through = _date(m.group("a")), _date(m.group("b"))
        elif m.group("c"):
            valid_from = _date(m.group("c"))
        else:
            valid_through = _date(m.group("d"))
        _check_bounds(valid_from, valid_through)
        text = text[m.end():].strip()
    if _CLOSED.match(text) and not _CLOSED.sub("", text, count=1).strip() and has_period:
        if valid_from is None or valid_through is None:
            raise _LineError("pour une fermeture, indiquez le début et la fin "
                             "(ex. du 1/11 au 31/03 : fermé)")
        return None, _days_between(valid_from, valid_through), inherited
    if _CLOSED.match(text):
        if has_period:
            raise _LineError("une période et des dates de fermeture sur la même ligne : "
                             "écrivez « fermé du 24/12 au 2/01 » ou « du 1/11 au 31/03 : fermé »")
        return None, _closure_days(_CLOSED.sub("", text, count=1).strip()), inherited
    if has_period:
        inherited = (valid_from, valid_through)
    elif inherited is not None:
        valid_from, valid_through = inherited
    days, rest = _days(text)
    if not days:
        raise _LineError("jours manquants au début (ex. « lundi-vendredi 9h-12h », "
                         "« tous les jours 10h-18h », « fermé le 25/12 »)")
    if not rest:
        raise _LineError("horaires manquants après les jours (ex. 10h-18h, « fermé » "
                         "ou « ouvert »)")
    rest = re.sub(r"^:\s*", "", rest)
    if _CLOSED.match(rest) and not _CLOSED.sub("", rest, count=1).strip():
        return _Rule(where, valid_from, valid_through, days, [], closed=True), [], inherited
    if _OPEN.match(rest):
        return _Rule(where, valid_from, valid_through, days, None), [], inherited
    return _Rule(where, valid_from, valid_through, days, _slots(rest)), [], inherited


def _closure_days(text: str) -> list[str]:
    """``le 25/12``, ``les 25/12, 1/01 et 1/05``, ``du 24/12 au 2/01``."""
    text = re.sub(r"^(?:le|les)\s+", "", text)
    if not text:
        raise _LineError("dates de fermeture manquantes (ex. fermé le 25/12)")
    out: list[str] = []
    for part in re.split(r"\s*(?:,|;|\bet\b)\s*(?:le\s+|les\s+)?", text):
        if not part:
            continue
        m = re.match(rf"^(?:du|de)\s+({_DATE})\s+(?:au|a|-)\s+({_DATE})$", part)
        if m:
            start, end = _date(m.group(1)), _date(m.group(2))
            _check_bounds(start, end)
            out.extend(_days_between(start, end))
        else:
            out.append(_date(part))
    return out


# --------------------------------------------------------------------------- parse


def parse_hours_text(text: str, note: str = "") -> dict[str, Any] | None:
    """The lines typed by staff in the storage format; None when both are empty.

    Raises ``HoursTextError`` listing every line that could not be read.
    """
    lines = text.splitlines()
    note = note.strip()
    if len([ln for ln in lines if ln.strip()]) > MAX_LINES:
        raise HoursTextError([f"Horaires : {MAX_LINES} lignes au plus."])
    errors: list[str] = []
    rules: list[_Rule] = []
    closures: list[str] = []
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_LENGTH:
            errors.append(f"Horaires, ligne {n} : ligne trop longue "
                          f"({MAX_LINE_LENGTH} caractères au plus).")
            continue
        parts = _rules_of(raw)
        period: Period | None = None
        for part in parts:
            where = f"ligne {n}" if len(parts) == 1 else f"ligne {n} (« {part} »)"
            try:
                rule, days, period = _line(where, part, period)
            except _LineError as exc:
                errors.append(f"Horaires, ligne {n} (« {part} ») : {exc}.")
                continue
            closures.extend(days)
            if rule is not None:
                rules.append(rule)
    if not errors:
        errors.extend(_conflicts(rules))
    if errors:
        raise HoursTextError(errors)
    specs: list[dict[str, Any]] = []
    for rule in rules:
        if rule.closed:
            continue
        base: dict[str, Any] = {}
        if len(rule.days) < 7:
            base["days"] = [DAYS[d] for d in rule.days]
        for slot in rule.slots if rule.slots is not None else [None]:
            spec = dict(base)
            if slot is not None:
                spec["opens"], spec["closes"] = slot
            if rule.valid_from is not None:
                spec["valid_from"] = rule.valid_from
            if rule.valid_through is not None:
                spec["valid_through"] = rule.valid_through
            specs.append(spec)
    if not specs and not closures and not note:
        if rules:
            raise HoursTextError(["Horaires : aucun jour d'ouverture n'est indiqué "
                                  "(ex. « mardi-dimanche 10h-18h »)."])
        return None
    result = {"specs": specs, "closures": sorted(set(closures)), "note": note or None}
    problems = validate_hours(result)
    if problems:  # a safety net: the parser should never produce these
        raise HoursTextError([f"Horaires : {p}" for p in problems])
    return result


def _conflicts(rules: list[_Rule]) -> list[str]:
    errors = []
    for i, later in enumerate(rules):
        for earlier in rules[:i]:
            same_period = ((earlier.valid_from, earlier.valid_through)
                           == (later.valid_from, later.valid_through))
            if not (later.closed or earlier.closed or same_period):
                continue  # different periods add up
            if later.closed and earlier.closed:
                continue
            days = _overlap(earlier, later)
            if not days:
                continue
            names = ", ".join(DAY_NAMES_FR[d] for d in days)
            if later.closed or earlier.closed:
                closed, other = (later, earlier) if later.closed else (earlier, later)
                if same_period:
                    advice = f"retirez ce jour de la {other.line}"
                else:
                    advice = ("les lignes s'ajoutent : donnez à chaque saison sa période "
                              "(ex. « du 1/10 au 31/03 : … » et « du 1/04 au 30/09 : … »)")
                errors.append(
                    f"Horaires, {closed.line} : {names} est dit fermé, mais la "
                    f"{other.line} l'ouvre sur la même période ; {advice}.")
            else:
                errors.append(
                    f"Horaires, {later.line} : {names} figure déjà à la "
                    f"{earlier.line} pour la même période ; mettez tous les horaires d'un "
                    "jour sur une seule ligne (ex. « samedi 10h-12h 14h-18h »).")
    return errors


# --------------------------------------------------------------------------- format


def _time_text(value: str) -> str:
    hh, mm = int(value[:2]), int(value[3:])
    return f"{hh}h" if mm == 0 else f"{hh}h{mm:02d}"


def _slot_text(opens: str, closes: str) -> str:
    return f"{_time_text(opens)}-{_time_text('24:00' if closes == '00:00' else closes)}"


def _date_text(value: str) -> str:
    if len(value) == 10:
        return f"{value[8:]}/{value[5:7]}/{value[:4]}"
    return f"{value[3:]}/{value[:2]}"


def _period_text(start: str | None, end: str | None) -> str:
    if start and end:
        return f"du {_date_text(start)} au {_date_text(end)} : "
    if start:
        return f"à partir du {_date_text(start)} : "
    if end:
        return f"jusqu'au {_date_text(end)} : "
    return ""


def _days_text(days: list[int]) -> str:
    if len(days) == 7:
        return "tous les jours"
    if days == [5, 6]:
        return "samedi, dimanche"
    runs = day_runs(days)
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_NAMES_FR[run[0]]}-{DAY_NAMES_FR[run[-1]]}")
        else:
            parts.extend(DAY_NAMES_FR[d] for d in run)
    return ", ".join(parts)


def _closures_text(values: list[str]) -> list[str]:
    """Closure days as lines, consecutive days (3 or more) as ranges."""
    def nxt(value: str) -> str:
        if len(value) == 10:
            return (date.fromisoformat(value) + timedelta(days=1)).isoformat()
        day = date(2000, int(value[:2]), int(value[3:])) + timedelta(days=1)
        return f"{day.month:02d}-{day.day:02d}" if day.year == 2000 else "01-01"

    lines: list[str] = []
    for group in ([v for v in values if len(v) == 5], [v for v in values if len(v) == 10]):
        todo = sorted(set(group))
        runs: list[list[str]] = []
        for value in todo:
            if runs and nxt(runs[-1][-1]) == value:
                runs[-1].append(value)
            else:
                runs.append([value])
        if len(runs) > 1 and runs[0][0] == "01-01" and nxt(runs[-1][-1]) == "01-01":
            runs = [runs[-1] + runs[0]] + runs[1:-1]  # over the new year
        singles = []
        for run in runs:
            if len(run) >= 3:
                lines.append(f"fermé du {_date_text(run[0])} au {_date_text(run[-1])}")
            else:
                singles.extend(run)
        if singles:
            word = "le" if len(singles) == 1 else "les"
            lines.append(f"fermé {word} " + ", ".join(_date_text(v) for v in singles))
    return lines


def _expanded(hours: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
    """A comparable form: the same value means the same opening hours."""
    if not hours:
        return None
    if validate_hours(hours):
        return ("invalide", json.dumps(hours, sort_keys=True, default=str))
    items = set()
    for spec in hours.get("specs") or []:
        closes = spec.get("closes")
        for day in spec.get("days") or DAYS:
            items.add((spec.get("valid_from") or "", spec.get("valid_through") or "", day,
                       spec.get("opens") or "",
                       "24:00" if closes == "00:00" else closes or ""))
    return (tuple(sorted(items)), tuple(sorted(set(hours.get("closures") or []))),
            (hours.get("note") or "").strip())


def same_hours(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> bool:
    """True when both describe the same opening hours (spec order, day lists etc. aside)."""
    return _expanded(a) == _expanded(b)


def hours_to_text(hours: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """Stored hours as (lines, note) for the form; ("", "") when there are none.

    None when the text form cannot express them faithfully (malformed data, or lines
    the parser would refuse): show them read-only and keep them.
    """
    if not hours:
        return "", ""
    if validate_hours(hours):
        return None
    groups: dict[tuple[str | None, str | None], dict[int, list[tuple[str, str] | None]]] = {}
    for spec in hours.get("specs") or []:
        period = (spec.get("valid_from"), spec.get("valid_through"))
        slot = (spec["opens"], spec["closes"]) if spec.get("opens") else None
        for day in spec.get("days") or DAYS:
            per_day = groups.setdefault(period, {}).setdefault(DAYS.index(day), [])
            if slot not in per_day:
                per_day.append(slot)
    lines = []
    for period in sorted(groups, key=lambda p: (p[0] or "", p[1] or "")):
        by_slots: dict[tuple[Any, ...], list[int]] = {}
        for day, slots in sorted(groups[period].items()):
            key = tuple(sorted(slots, key=lambda s: s or ("", "")))
            by_slots.setdefault(key, []).append(day)
        for slots_key, days in sorted(by_slots.items(), key=lambda kv: kv[1]):
            if None in slots_key:
                if len(slots_key) > 1:
                    return None  # "open, hours unknown" and hours on the same day
                what = "ouvert"
            else:
                what = " ".join(_slot_text(*s) for s in slots_key if s)
            lines.append(f"{_period_text(*period)}{_days_text(days)} {what}")
    lines.extend(_closures_text(list(hours.get("closures") or [])))
    text, note = "\n".join(lines), (hours.get("note") or "").strip()
    try:
        back = parse_hours_text(text, note)
    except HoursTextError:
        return None
    return (text, note) if same_hours(back, hours) else None


def hours_summary(hours: Mapping[str, Any] | None) -> str:
    """Stored hours as readable lines, one per spec, for hours shown read-only."""
    if not hours:
        return ""
    if validate_hours(hours):
        return json.dumps(dict(hours), ensure_ascii=False, indent=1, default=str)
    lines = []
    for spec in hours.get("specs") or []:
        days = sorted(DAYS.index(d) for d in spec.get("days") or DAYS)
        what = _slot_text(spec["opens"], spec["closes"]) if spec.get("opens") else "ouvert"
        lines.append(f"{_period_text(spec.get('valid_from'), spec.get('valid_through'))}"
                     f"{_days_text(days)} {what}")
    lines.extend(_closures_text(list(hours.get("closures") or [])))
    if hours.get("note"):
        lines.append(f"Précisions : {hours['note']}")
    return "\n".join(lines)
