"""French periods typed by visitors ("ce we", "demain soir", "du 10 au 15 août") → date ranges.

``resolve_period(text, now)`` returns a ``Period`` (aware Europe/Paris datetimes, end
exclusive, French label for the reply) or None when nothing is recognised. Accents,
case, apostrophes and hyphens do not matter, and usual SMS spellings and small typos
are understood ("auj", "2main", "ce wk", "smedi", "aout").

Rules:

* Days start at 00:00 local time; a day is [00:00, next day 00:00). Parts of a day:
  matin 06:00–12:00, après-midi 12:00–18:00, soir 18:00–24:00, nuit 20:00–06:00.
* A period that has begun is cut to start today (00:00): "cette semaine", "ce mois-ci",
  the current month or season, "ce week-end" asked on Sunday. Explicit dates and ranges
  are kept as typed.
* "ce week-end" is Saturday 00:00 → Monday 00:00: the coming one when asked Monday to
  Friday (Friday evening is not part of it: ask "vendredi soir" or "ce soir" for it),
  the current one on Saturday, only Sunday when asked on Sunday. "le week-end
  prochain" is the one after that (seven days later).
* A weekday name is the next such day, today included; "<jour> prochain" is the next one
  after today; "<jour> en huit" is the one a week after that.
* "cette semaine" runs from today to next Monday 00:00 (asked on Sunday: through the
  next Sunday); "la semaine prochaine" is next Monday → the Monday after.
* A month (or season) is this year's if not over, else next year's. A date without a
  year already past this year is next year's; a day alone ("le 14") is this month's,
  or next month's when past. Ranges take the missing month or year from their other end.
* Ranges: "du 10 au 15 août", "entre le 2 et le 5 mai", "du 28/12 au 3/01", "du lundi
  au vendredi" (the coming ones). Without any month, only "du N au M" and "entre le N et
  le M" count ("de 10 à 12 personnes" is no range).
* Not taken as periods: "8/10" (a mark; "le 8/10" is a date), "1/2", "samedi dernier",
  "en semaine" (weekdays in general), "été" after a verb ("j'ai été"), "wé" alone
  ("ouais"). A date that does not exist ("31/04") gives None rather than a guess.
* When several expressions appear, the most specific kind wins: ranges, dates, relative
  days, week-ends, weekdays, weeks, months, seasons.

Labels read after "que faire …": "demain (lundi 23 novembre)", "samedi 28 novembre",
"le mardi 14 juillet", "en août 2027"; the year is given only when it is not this year.
Durations: subtract ``start``/``end`` converted to UTC (Python subtracts datetimes
sharing a tzinfo as wall clock times, e.g. 48 h for a week-end of 49 h in October).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from knowledge.config import PARIS
from knowledge.text import MONTHS_FR, MONTHS_FR_FOLDED, WEEKDAYS_FR, fold

__all__ = ["PARIS", "Period", "canonical", "overlaps", "resolve_period"]


@dataclass(frozen=True)
class Period:
    """A range of time [start, end) in Europe/Paris, with its French label."""

    start: datetime
    end: datetime
    label: str


def overlaps(p: Period, start: datetime, end: datetime) -> bool:
    """Whether [start, end) (aware datetimes) meets the period [p.start, p.end)."""
    return p.start < end and start < p.end


# --------------------------------------------------------------------------- French words

WEEKDAYS = WEEKDAYS_FR
MONTHS = MONTHS_FR_FOLDED
MONTH_LABELS = MONTHS_FR

# Spellings mapped to a canonical token (after accents are removed).
_SPELLINGS = {
    "aujourdhui": "auj ajd aujd aujrd ojd oj aujourdui aujourdhu ojourdhui aujourd aujourdhuit",
    "demain": "dmain 2main dem1 2m1 demin deamin dmin",
    "apresdemain": "apredemain aprdemain apres2main apre2main",
    "apres": "apre aprs apr aprez",
    "apresmidi": "aprem aprm apm aprmidi apremidi apresmidis",
    "soir": "soire soiree swar soar soirs",
    "matin": "matinee mat1 matn matins",
    "nuit": "nui nuits",
    "weekend": "wk wkend wknd wkd weekd weeken wikend wiken week wek wekend weekends "
    "weekand wend weekent",
    "semaine": "semaines sem smn smaine semain semaien",
    "prochain": "prochaine prochains prochaines pro proch prochin prochaien prochane "
    "prochaint suivant suivante",
    **dict(zip(WEEKDAYS, (
        "lun lundis lndi",
        "mardis",
        "mercredis mercr merc mecredi mercedi",
        "jeudis",
        "vendredis vendr ven vendredie",
        "samedis sam samdi smedi sammedi",
        "dimanches dim dimanch diman dimache",
    ), strict=True)),
    "janvier": "janv janvie",
    "fevrier": "fev fevr fevier fevrie fevrir",
    "avril": "avr avri",
    "juillet": "juil juill juilet juillt juillete",
    "aout": "aou aoutt",
    "septembre": "setembre septmbre septemre",
    "octobre": "oct octo ocotbre",
    "novembre": "nov novemre novenbre",
    "decembre": "dec decemb decembr decenbre",
    "hiver": "hivers hivert",
    "printemps": "printemp printant printemt",
    "automne": "autonne autome automme",
    "1": "premier 1er 1ere premiere",
}
_ALIASES = {alias: word for word, aliases in _SPELLINGS.items() for alias in aliases.split()}
# Long words whose typos are corrected by similarity (short words are too ambiguous).
_FUZZY_TARGETS = (
    "aujourdhui",
    "demain",
    "apresdemain",
    "apresmidi",
    "weekend",
    "semaine",
    "prochain",
    "mercredi",
    "vendredi",
    "samedi",
    "dimanche",
    "janvier",
    "fevrier",
    "juillet",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
    "printemps",
)
# Ordinary words close to a target that must stay as they are.
_NOT_TYPOS = frozenset(
    {"dedain", "demembre", "princeps", "domaine", "demande", "denain", "demuin"}  # towns too
)
_FUZZY_MIN_LENGTH = 5

_PHRASES = (
    (re.compile(r"\b(?:aujourd|aujour d|au jour d|aujourdh|ojourd) ?hui\b"), "aujourdhui"),
    (re.compile(r"\b(?:(?:week|wk|wik|wee) ?(?:end|ends)|w e)\b"), "weekend"),
    # "we" alone is also "ouais": only after a determiner or before "prochain".
    (re.compile(r"\b(ce|cet|cette|le|du|au|se|c|bon|pour|prochain) we\b"), r"\1 weekend"),
    (re.compile(r"\bwe (pro|proch|prochain|prochaine)\b"), r"weekend \1"),
    (re.compile(r"\bapres ?midi\b"), "apresmidi"),
    (re.compile(r"\bapres ?demain\b"), "apresdemain"),
)


def _merge_phrases(text: str) -> str:
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    return text


def _typo_distance(a: str, b: str) -> int:
    """Edit distance counting a swap of two neighbouring letters as one edit."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def _fix_word(word: str) -> str:
    """Canonical form of one word: alias, or the target it is a typo of, or itself."""
    if word in _ALIASES:
        return _ALIASES[word]
    if len(word) < _FUZZY_MIN_LENGTH or not word.isalpha() or word in _NOT_TYPOS:
        return word
    # Same first letter; one edit (two from 9 letters); a single closest target.
    best: list[str] = []
    best_distance = 3
    for target in _FUZZY_TARGETS:
        if target[0] != word[0] or abs(len(target) - len(word)) > 2:
            continue
        distance = _typo_distance(word, target)
        allowed = 2 if len(target) >= 9 else 1
        if distance > allowed or distance > best_distance:
            continue
        if distance < best_distance:
            best, best_distance = [], distance
        best.append(target)
    return best[0] if len(best) == 1 else word


def canonical(text: str) -> str:
    """Lower-case ASCII words with SMS spellings and typos fixed: "Ce W-E" → "ce weekend"."""
    s = fold(text)
    s = re.sub(r"(\d)\s*/\s*(\d)", r"\1/\2", s)
    s = re.sub(r"[^a-z0-9/]+", " ", s)
    s = _merge_phrases(" ".join(s.split()))
    s = " ".join(_fix_word(w) for w in s.split())
    return _merge_phrases(s)


# --------------------------------------------------------------------------- labels


def _day_number(day: int) -> str:
    return "1er" if day == 1 else str(day)


def _day_fr(d: date, today: date, *, weekday: bool = True) -> str:
    """ "samedi 28 novembre", with the year when it is not this year."""
    text = f"{_day_number(d.day)} {MONTH_LABELS[d.month - 1]}"
    if weekday:
        text = f"{WEEKDAYS[d.weekday()]} {text}"
    return text if d.year == today.year else f"{text} {d.year}"


def _span_fr(first: date, last: date, today: date, joiner: str) -> str:
    """ "samedi 28 et dimanche 29 novembre" or "du 10 au 25 août"-style text."""
    weekday = (last - first).days < 7
    if first == last:
        return _day_fr(first, today, weekday=weekday)
    head = _day_number(first.day)
    if weekday:
        head = f"{WEEKDAYS[first.weekday()]} {head}"
    if (first.month, first.year) != (last.month, last.year):
        head = f"{head} {MONTH_LABELS[first.month - 1]}"
    if first.year != last.year and first.year != today.year:
        head = f"{head} {first.year}"
    return f"{head} {joiner} {_day_fr(last, today, weekday=weekday)}"


def _range_fr(first: date, last: date, today: date) -> str:
    if first == last:
        return _day_fr(first, today)
    return "du " + _span_fr(first, last, today, "au")


def _month_fr(month: int, year: int, today: date) -> str:
    name = MONTH_LABELS[month - 1]
    return name if year == today.year else f"{name} {year}"


# --------------------------------------------------------------------------- periods


def _midnight(d: date) -> datetime:
    # Midnight always exists in Europe/Paris (changes happen at 02:00 and 03:00).
    return datetime(d.year, d.month, d.day, tzinfo=PARIS)


def _days(first: date, last: date, label: str) -> Period:
    """Whole days first..last (inclusive)."""
    return Period(_midnight(first), _midnight(last + timedelta(days=1)), label)


_PART_HOURS = {"matin": (6, 12), "apresmidi": (12, 18), "soir": (18, 24), "nuit": (20, 30)}
_PART_THIS = {
    "matin": "ce matin",
    "apresmidi": "cet après-midi",
    "soir": "ce soir",
    "nuit": "cette nuit",
}
_PART_AFTER_RELATIVE = {
    "matin": "matin",
    "apresmidi": "après-midi",
    "soir": "soir",
    "nuit": "dans la nuit",
}
_PART_AFTER_DATE = {
    "matin": "au matin",
    "apresmidi": "après-midi",
    "soir": "au soir",
    "nuit": "dans la nuit",
}


def _day_period(d: date, part: str | None, label: str) -> Period:
    """The whole day ``d``, or one part of it (matin, après-midi, soir, nuit)."""
    if part is None:
        return _days(d, d, label)
    start_h, end_h = _PART_HOURS[part]
    end_day = d + timedelta(days=end_h // 24)
    return Period(
        datetime(d.year, d.month, d.day, start_h, tzinfo=PARIS),
        datetime(end_day.year, end_day.month, end_day.day, end_h % 24, tzinfo=PARIS),
        label,
    )


def _next_weekday(today: date, weekday: int, *, strict: bool = False) -> date:
    ahead = (weekday - today.weekday()) % 7
    if strict and ahead == 0:
        ahead = 7
    return today + timedelta(days=ahead)


def _this_weekend_saturday(today: date) -> date:
    """Saturday of "ce week-end": the coming one, or the current one on Sat/Sun."""
    if today.weekday() == 6:
        return today - timedelta(days=1)
    return _next_weekday(today, 5)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _upcoming_date(today: date, month: int, day: int) -> date | None:
    """This year's month/day if not past, else the next year having it (29 February)."""
    for year in range(today.year, today.year + 9):
        d = _safe_date(year, month, day)
        if d is not None and d >= today:
            return d
    return None


# --------------------------------------------------------------------------- patterns

_DET = r"(?:ce|cet|cette|cete|ctte|cett|set|sete|se|c)"
_WD = "(?:" + "|".join(WEEKDAYS) + ")"
_MONTH = "(?:" + "|".join(MONTHS) + ")"
_MONTH_IN_DATE = "(?:" + "|".join(MONTHS) + "|sept|sep)"
_DAYNUM = r"(?:3[01]|[12][0-9]|0?[1-9])"
_YEAR = r"(?:(?:19|20)[0-9]{2})"
_TEXT_DATE = rf"(?:{_WD} )?{_DAYNUM}(?: {_MONTH_IN_DATE}(?: {_YEAR})?)?"
_NUM_DATE = r"[0-9]{1,2}/[0-9]{1,2}(?:/(?:[0-9]{4}|[0-9]{2}))?"
_DATE = rf"(?:{_NUM_DATE}|{_TEXT_DATE})"
_PART = (
    r"(?: (?:au |en |dans la |dans l |le |l |en fin d |fin d |fin de |en fin de )?"
    r"(?P<part>soir|matin|apresmidi|nuit))?"
)

_RANGE_DU = re.compile(
    rf"\b(?P<intro>du|depuis le|a partir du|de) (?P<a>{_DATE}) (?:au|a|jusqu au) (?:le )?"
    rf"(?P<b>{_DATE})\b"
)
_RANGE_WEEKDAYS = re.compile(rf"\b(?:du|de) (?P<a>{_WD}) (?:au|a) (?P<b>{_WD})\b")
_RANGE_ENTRE = re.compile(rf"\bentre (?P<intro>le )?(?P<a>{_DATE}) et (?:le )?(?P<b>{_DATE})\b")
_DATE_WITH_MONTH = re.compile(
    rf"\b(?:(?P<le>le|ce) )?(?P<a>{_NUM_DATE}|(?:{_WD} )?{_DAYNUM} {_MONTH_IN_DATE}(?: {_YEAR})?)"
    rf"\b{_PART}\b"
)
_DAY_ALONE = re.compile(
    rf"\b(?:le|ce) (?:{_WD} )?(?P<d>{_DAYNUM})"
    rf"(?= ?$| (?:a|au|pour|et|ou|svp|stp|soir|matin|apresmidi|nuit|prochain)\b)"
    rf"{_PART}"
)
_RELATIVE = re.compile(rf"\b(?P<rel>aujourdhui|apresdemain|demain){_PART}\b")
_THIS_PART = re.compile(rf"\b{_DET} (?P<part>soir|matin|apresmidi|nuit)\b")
_WEEKEND_NEXT = re.compile(r"\b(?:weekend (?:prochain|d apres)|prochain weekend)\b")
_WEEKEND = re.compile(r"\bweekend\b(?! (?:dernier|passe)\b)")
_WEEKDAY = re.compile(
    rf"\b(?:prochain )?(?P<wd>{_WD})(?: (?P<mod>prochain|en huit|qui vient|dernier|passe))?"
    rf"{_PART}\b"
)
_WEEK_NEXT = re.compile(r"\b(?:semaine (?:prochain|d apres)|prochain semaine)\b")
_WEEK_THIS = re.compile(rf"\b(?:{_DET}|dans la|pendant la|au cours de la|fin de la) semaine\b")
_MONTH_NEXT = re.compile(r"\b(?:mois (?:prochain|d apres)|prochain mois)\b")
_MONTH_THIS = re.compile(rf"\b(?:{_DET} (?:mois(?: ci)?|moi ci)|dans le mois|courant du mois)\b")
_MONTH_NAME = re.compile(
    rf"\b(?:(?P<when>debut|mi|fin) (?:du mois d |du mois de |d |de )?)?(?P<m>{_MONTH})"
    rf"(?: (?P<y>{_YEAR}))?\b"
)
_SEASON = re.compile(
    rf"(?:\b(?:{_DET}|l|en|au|du) |^)(?P<s>ete|hiver|automne|printemps)(?: (?P<y>{_YEAR}))?\b"
)


class _NoSuchDate(ValueError):
    """A date that does not exist was typed: resolve_period returns None."""


def _parse_date(text: str) -> tuple[int, int | None, int | None] | None:
    """(day, month or None, year or None) of a ``_DATE`` match."""
    if "/" in text:
        parts = [int(p) for p in text.split("/")]
        year = None
        if len(parts) == 3:
            year = parts[2] + 2000 if parts[2] < 100 else parts[2]
        if not (1 <= parts[1] <= 12 and 1 <= parts[0] <= 31):
            return None
        return parts[0], parts[1], year
    words = [w for w in text.split() if w not in WEEKDAYS]
    day = int(words[0])
    month = year = None
    if len(words) > 1:
        name = words[1]
        month = 9 if name in ("sept", "sep") else MONTHS.index(name) + 1
    if len(words) > 2:
        year = int(words[2])
    return day, month, year


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + n
    return index // 12, index % 12 + 1


def _match_range(text: str, today: date) -> Period | None:
    m = _RANGE_WEEKDAYS.search(text)
    if m:  # "du lundi au vendredi": the coming ones
        first = _next_weekday(today, WEEKDAYS.index(m.group("a")))
        last = _next_weekday(first, WEEKDAYS.index(m.group("b")))
        return _days(first, last, _range_fr(first, last, today))
    for pattern in (_RANGE_DU, _RANGE_ENTRE):
        for m in pattern.finditer(text):
            a, b = _parse_date(m.group("a")), _parse_date(m.group("b"))
            if a is None or b is None:
                continue
            if a[1] is None and b[1] is None:
                # "de 10 à 12 personnes", "entre 2 et 5" are not dates.
                if m.group("intro") not in ("du", "le "):
                    continue
                period = _range_without_month(today, a[0], b[0])
            else:
                period = _range_period(today, a, b)
            if period is not None:
                return period
    return None


def _range_without_month(today: date, day_a: int, day_b: int) -> Period | None:
    """ "du 10 au 15": this month, or next month once past (the end may be a month later)."""
    for ahead in (0, 1):
        year, month = _add_months(today.year, today.month, ahead)
        first = _safe_date(year, month, day_a)
        last = _safe_date(*_add_months(year, month, 1 if day_b < day_a else 0), day_b)
        if first is not None and last is not None and last >= today:
            return _days(first, last, _range_fr(first, last, today))
    return None


def _range_period(
    today: date, a: tuple[int, int | None, int | None], b: tuple[int, int | None, int | None]
) -> Period | None:
    (day_a, month_a, year_a), (day_b, month_b, year_b) = a, b
    month_a = month_a or month_b
    month_b = month_b or month_a
    assert month_a is not None and month_b is not None
    wraps = int((month_b, day_b) < (month_a, day_a))  # "du 28 décembre au 3 janvier"
    if year_a is None and year_b is None:
        candidates = [today.year + k for k in range(9)]
    elif year_a is None:
        assert year_b is not None
        candidates = [year_b - wraps]
    else:
        candidates = [year_a]
    explicit = year_a is not None or year_b is not None
    for year in candidates:
        first = _safe_date(year, month_a, day_a)
        last = _safe_date(year_b if year_b is not None else year + wraps, month_b, day_b)
        if first is None or last is None or last < first:
            continue
        if explicit or last >= today:
            return _days(first, last, _range_fr(first, last, today))
    return None


def _match_date(text: str, today: date) -> Period | None:
    for m in _DATE_WITH_MONTH.finditer(text):
        raw = m.group("a")
        if raw == "1/2" or (re.fullmatch(r"[0-9]+/10", raw) and not m.group("le")):
            continue  # "1/2 pension", a mark "8/10"; "le 8/10" is a date
        parsed = _parse_date(raw)
        if parsed is None:
            continue
        day, month, year = parsed
        assert month is not None
        d = _upcoming_date(today, month, day) if year is None else _safe_date(year, month, day)
        if d is None:
            raise _NoSuchDate(raw)  # "le 31 avril": say nothing rather than guess
        return _dated_day(d, m.group("part"), today)
    for m in _DAY_ALONE.finditer(text):
        day = int(m.group("d"))
        d = _safe_date(today.year, today.month, day)
        if d is None or d < today:
            d = _safe_date(*_add_months(today.year, today.month, 1), day)
        if d is None:
            continue
        return _dated_day(d, m.group("part"), today)
    return None


def _dated_day(d: date, part: str | None, today: date) -> Period:
    label = "le " + _day_fr(d, today)
    if part:
        label = f"{label} {_PART_AFTER_DATE[part]}"
    return _day_period(d, part, label)


_RELATIVE_WORDS = {"aujourdhui": "aujourd'hui", "demain": "demain", "apresdemain": "après-demain"}


def _match_relative(text: str, today: date) -> Period | None:
    m = _RELATIVE.search(text)
    if m:
        rel, part = m.group("rel"), m.group("part")
        offset = {"aujourdhui": 0, "demain": 1, "apresdemain": 2}[rel]
        d = today + timedelta(days=offset)
        if rel == "aujourdhui" and part:
            word = _PART_THIS[part]
        else:
            word = _RELATIVE_WORDS[rel]
            if part:
                word = f"{word} {_PART_AFTER_RELATIVE[part]}"
        return _day_period(d, part, f"{word} ({_day_fr(d, today)})")
    m = _THIS_PART.search(text)
    if m:
        part = m.group("part")
        return _day_period(today, part, f"{_PART_THIS[part]} ({_day_fr(today, today)})")
    return None


def _match_weekend(text: str, today: date) -> Period | None:
    saturday = _this_weekend_saturday(today)
    if _WEEKEND_NEXT.search(text):
        first = saturday = saturday + timedelta(days=7)
        word = "le week-end prochain"
    elif _WEEKEND.search(text):
        first = max(saturday, today)
        word = "ce week-end"
    else:
        return None
    last = saturday + timedelta(days=1)
    return _days(first, last, f"{word} ({_span_fr(first, last, today, 'et')})")


def _match_weekday(text: str, today: date) -> Period | None:
    for m in _WEEKDAY.finditer(text):
        mod = m.group("mod")
        if mod in ("dernier", "passe"):
            continue
        weekday = WEEKDAYS.index(m.group("wd"))
        prochain = mod == "prochain" or m.group(0).startswith("prochain ")
        d = _next_weekday(today, weekday, strict=prochain or mod == "en huit")
        if mod == "en huit":
            d += timedelta(days=7)
        part = m.group("part")
        label = _day_fr(d, today)
        if part:
            label = f"{label} {_PART_AFTER_DATE[part]}"
        return _day_period(d, part, label)
    return None


def _match_week(text: str, today: date) -> Period | None:
    next_monday = today + timedelta(days=7 - today.weekday())
    if _WEEK_NEXT.search(text):
        first, last, word = next_monday, next_monday + timedelta(days=6), "la semaine prochaine"
    elif _WEEK_THIS.search(text):
        last = next_monday - timedelta(days=1)
        if today.weekday() == 6:
            last += timedelta(days=7)
        first, word = today, "cette semaine"
    else:
        return None
    return _days(first, last, f"{word} ({_range_fr(first, last, today)})")


def _month_part(year: int, month: int, when: str | None) -> tuple[date, date]:
    """First and last day of a month, or of its début (1–10), mi (10–20) or fin (21–)."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    if when == "debut":
        return first, first + timedelta(days=9)
    if when == "mi":
        return first + timedelta(days=9), first + timedelta(days=19)
    if when == "fin":
        return first + timedelta(days=20), last
    return first, last


def _from_today(first: date, last: date, today: date) -> date:
    """Start of a period that has begun: today."""
    return today if first < today <= last else first


def _match_month(text: str, today: date) -> Period | None:
    if _MONTH_NEXT.search(text):
        year, month = _add_months(today.year, today.month, 1)
        first, last = _month_part(year, month, None)
        return _days(first, last, f"le mois prochain ({_month_fr(month, year, today)})")
    if _MONTH_THIS.search(text):
        _, last = _month_part(today.year, today.month, None)
        return _days(today, last, f"ce mois-ci ({_range_fr(today, last, today)})")
    m = _MONTH_NAME.search(text)
    if m is None:
        return None
    month = MONTHS.index(m.group("m")) + 1
    when = m.group("when")
    year = int(m.group("y")) if m.group("y") else today.year
    first, last = _month_part(year, month, when)
    if not m.group("y") and last < today:
        year += 1
        first, last = _month_part(year, month, when)
    name = _month_fr(month, year, today)
    prefix = {"debut": "début ", "mi": "mi-", "fin": "fin "}.get(when or "", "en ")
    return _days(_from_today(first, last, today), last, prefix + name)


_SEASONS = {
    "printemps": ((3, 20), (6, 20), "ce printemps"),
    "ete": ((6, 21), (9, 22), "cet été"),
    "automne": ((9, 23), (12, 20), "cet automne"),
    "hiver": ((12, 21), (3, 19), "cet hiver"),
}


def _match_season(text: str, today: date) -> Period | None:
    m = _SEASON.search(text)
    if m is None:
        return None
    name = m.group("s")
    (m1, d1), (m2, d2), word = _SEASONS[name]
    wraps = (m2, d2) < (m1, d1)
    years = [int(m.group("y"))] if m.group("y") else [today.year - 1, today.year, today.year + 1]
    for year in years:
        first = date(year, m1, d1)
        last = date(year + 1 if wraps else year, m2, d2)
        if m.group("y") or last >= today:
            first = _from_today(first, last, today)
            return _days(first, last, f"{word} ({_range_fr(first, last, today)})")
    return None


_MATCHERS: tuple[Callable[[str, date], Period | None], ...] = (
    _match_range,
    _match_date,
    _match_relative,
    _match_weekend,
    _match_weekday,
    _match_week,
    _match_month,
    _match_season,
)


def resolve_period(text: str, now: datetime) -> Period | None:
    """The period meant by French ``text`` as of the aware ``now``; None if none is found.

    See the module docstring for the rules.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("un datetime avec fuseau horaire est attendu")
    today = now.astimezone(PARIS).date()
    words = canonical(text)
    if not words:
        return None
    for matcher in _MATCHERS:
        try:
            period = matcher(words, today)
        except _NoSuchDate:
            return None
        if period is not None:
            return period
    return None
