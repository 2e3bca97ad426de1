"""The edit forms of POIs, events and routes: which fields, and how a submitted form
becomes the plain dict that `knowledge.validation` checks (and back, to fill the form).

Validation itself is not here: `Store.save`/`Store.edit` run the `clean_*` functions and
their French `ValidationError` messages are shown next to the form.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.config import PARIS as _PARIS
from knowledge.event_dates import (
    EventDatesError,
    describe_event_dates,
    event_dates_text,
    parse_event_dates,
)
from knowledge.gazetteer import Gazetteer
from knowledge.hours import describe_fr
from knowledge.hours_text import HoursTextError, hours_summary, hours_to_text, parse_hours_text
from knowledge.models import Commune, Poi
from knowledge.queries import find_places_by_name
from knowledge.taxonomy import (
    AUDIENCES,
    COORD_PRECISIONS,
    DIFFICULTIES,
    INTERESTS,
    KIND_GROUPS,
    KINDS,
    ROUTE_MODES,
)
from knowledge.text import fold, normalize

YES_NO = {"oui": "Oui", "non": "Non"}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    # text, textarea, number, select, checkboxes, flag, tristate, hours, dates, venue
    widget: str = "text"
    choices: Mapping[str, str] = field(default_factory=dict)
    required: bool = False
    hint: str = ""
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # checkboxes

    def grouped(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The choices as (group label, [(key, label)]); one unnamed group without
        ``groups``."""
        if not self.groups:
            return [("", list(self.choices.items()))]
        return [(name, [(k, self.choices[k]) for k in keys])
                for name, keys in self.groups.items()]


_COMMUNE = Field("commune", "Commune", hint="Nom de la commune ; sans coordonnées, le lieu "
                 "est placé au centre de la commune.")
_LAT_HINT = "Degrés décimaux, ex. 50,2936 ou 50.2936"
_LON_HINT = "Degrés décimaux, ex. 3,8031 ou 3.8031"
_PROVENANCE = [
    Field("is_example", "Exemple (donnée fictive de démonstration)", "flag"),
    Field("published", "Publié (visible par le chatbot)", "flag"),
    Field("notes", "Note interne", "textarea"),
]

FIELDS: dict[str, list[Field]] = {
    # The fields staff use most first (name, commune, hours, prices, contacts); the
    # 42 kinds lower down, in groups.
    "poi": [
        Field("name", "Nom", required=True),
        _COMMUNE,
        Field("opening_hours", "Horaires d'ouverture", "hours",
              hint="Comme vous les écrivez : une règle par ligne, ou plusieurs sur une ligne "
                   "séparées par « ; ». Sans horaires, le chatbot dit qu'il ne les connaît "
                   "pas."),
        Field("hours_note", "Précisions sur les horaires", "textarea",
              hint="Texte libre, montré tel quel, ex. « Visites guidées sur réservation »."),
        Field("prices_free", "Entrée gratuite", "flag"),
        Field("price_adult", "Tarif adulte (€)", hint="ex. 8,50"),
        Field("price_child", "Tarif enfant (€)", hint="ex. 5 ; 0 = gratuit"),
        Field("price_reduced", "Tarif réduit (€)", hint="ex. 6,50"),
        Field("price_note", "Précisions sur les tarifs",
              hint="ex. Gratuit pour les moins de 6 ans ; tarif réduit : étudiants."),
        Field("phone", "Téléphone"),
        Field("email", "Adresse e-mail"),
        Field("website", "Site web", hint="https://…"),
        Field("address", "Adresse"),
        Field("short_description", "Description courte"),
        Field("description", "Description", "textarea"),
        Field("kinds", "Types de lieu", "checkboxes", KINDS, required=True,
              groups=KIND_GROUPS),
        Field("interests", "Intérêts", "checkboxes", INTERESTS, required=True),
        Field("audiences", "Publics", "checkboxes", AUDIENCES),
        Field("latitude", "Latitude", hint=_LAT_HINT),
        Field("longitude", "Longitude", hint=_LON_HINT),
        Field("coord_precision", "Précision des coordonnées", "select", COORD_PRECISIONS),
        Field("image", "Image (lien)", hint="https://…"),
        Field("wheelchair", "Accès fauteuil roulant", "tristate", YES_NO),
        Field("pushchair", "Accès poussette", "tristate", YES_NO),
        Field("pets_allowed", "Animaux acceptés", "tristate", YES_NO),
        *_PROVENANCE,
    ],
    "event": [
        Field("title", "Titre", required=True),
        Field("dates", "Dates", "dates", required=True,
              hint="Une date par ligne, comme vous l'écrivez (heure de Paris ; sans année, "
                   "la prochaine), ex. « 05/12 10h-18h », « samedi 14 décembre de 10 h à "
                   "18 h », « du 5 au 7 décembre 14h-18h »."),
        Field("venue", "Lieu (un lieu de la base)", "venue",
              hint="Tapez le début du nom et choisissez dans la liste ; l'événement prend "
                   "la position et la commune du lieu."),
        Field("venue_name", "Nom du lieu, s'il n'est pas dans la base",
              hint="ex. Salle des fêtes"),
        _COMMUNE,
        Field("price", "Tarif",
              hint="« gratuit », ou le tarif tel que le chatbot le dira, ex. « 5 € ; 3 € pour "
                   "les moins de 12 ans »."),
        Field("interests", "Intérêts", "checkboxes", INTERESTS),
        Field("audiences", "Publics", "checkboxes", AUDIENCES),
        Field("latitude", "Latitude", hint=_LAT_HINT),
        Field("longitude", "Longitude", hint=_LON_HINT),
        Field("coord_precision", "Précision des coordonnées", "select", COORD_PRECISIONS),
        Field("description", "Description", "textarea"),
        Field("url", "Lien", hint="https://…"),
        Field("booking_url", "Lien de réservation", hint="https://…"),
        Field("image", "Image (lien)", hint="https://…"),
        Field("wheelchair", "Accès fauteuil roulant", "tristate", YES_NO),
        *_PROVENANCE,
    ],
    "route": [
        Field("name", "Nom", required=True),
        Field("mode", "Mode", "select", ROUTE_MODES, required=True),
        Field("length_km", "Longueur (km)", "number"),
        Field("duration_min", "Durée (minutes)", "number"),
        Field("difficulty", "Difficulté", "select", DIFFICULTIES),
        Field("elevation_gain_m", "Dénivelé (m)", "number"),
        Field("is_loop", "Boucle", "tristate", YES_NO),
        _COMMUNE,
        Field("start_latitude", "Latitude du départ", hint=_LAT_HINT),
        Field("start_longitude", "Longitude du départ", hint=_LON_HINT),
        Field("coord_precision", "Précision des coordonnées", "select", COORD_PRECISIONS),
        Field("description", "Description", "textarea"),
        Field("url", "Lien", hint="https://…"),
        *_PROVENANCE,
    ],
}


def commune_key(kind: str) -> str:
    return "start_commune_insee" if kind == "route" else "commune_insee"


class FormError(ValueError):
    """Problems found before validation (unknown commune, unreadable dates); like
    `ValidationError`, `fields` pairs each message with the field it is about."""

    def __init__(self, errors: list[str],
                 fields: list[tuple[str | None, str]] | None = None) -> None:
        self.errors = errors
        self.fields: list[tuple[str | None, str]] = (
            fields if fields is not None else [(None, e) for e in errors])
        super().__init__(" ; ".join(errors))

    @classmethod
    def about(cls, fields: list[tuple[str | None, str]]) -> FormError:
        return cls([message for _, message in fields], fields)


def _paris(value: datetime) -> datetime:
    """A stored instant (naive UTC) as naive Paris wall time."""
    return value.replace(tzinfo=timezone.utc).astimezone(_PARIS).replace(tzinfo=None)


def paris_today() -> date:
    return datetime.now(_PARIS).date()


# A decimal comma, as staff type it in French ("50,2936").
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_DECIMALS = {"latitude", "longitude", "start_latitude", "start_longitude"}


def _parse_dates(text: str, today: date) -> list[dict[str, str]]:
    """The dates typed as staff write them (`knowledge.event_dates`), as the ISO text
    (Paris wall time) the validation reads."""
    if not text.strip():
        return []
    try:
        timings = parse_event_dates(text, today)
    except EventDatesError as exc:
        raise FormError(exc.errors) from None
    return [{"start": start.strftime("%Y-%m-%dT%H:%M"), "end": end.strftime("%Y-%m-%dT%H:%M")}
            for start, end in timings]


def dates_preview(text: str, today: date | None = None) -> dict[str, Any] | None:
    """How the dates typed are read, for the form: {"lines": ["samedi 5 décembre 2026,
    de 10 h à 18 h", …], "past": True when one is over}; None when they cannot be read
    (the errors say why) or are empty."""
    today = today or paris_today()
    try:
        timings = parse_event_dates(text, today)
    except EventDatesError:
        return None
    if not timings:
        return None
    return {"lines": describe_event_dates(timings, today),
            "past": any(end.date() < today for _, end in timings)}


# ------------------------------------------------------------------ event price
_FREE = re.compile(r"^(?:entree\s+)?(?:gratuite?s?|libre|entree\s+libre|acces\s+libre)"
                   r"(?:\s+pour\s+tous)?\s*(?:[.!]\s*)?(?:[,;(:–-]\s*(?P<rest>.*?)\)?\s*)?$",
                   re.IGNORECASE)


def event_price_from_text(text: str) -> dict[str, Any] | None:
    """The "Tarif" field of an event as the `price` storage the bot and the widget read:
    "gratuit" → {"free": True}; "gratuit, sur réservation" → {"free": True, "text":
    "sur réservation"}; anything else → {"text": …}; blank → None."""
    text = " ".join(text.split())
    if not text:
        return None
    if len(text) > 300:
        raise FormError.about([("price", "Tarif : trop long (300 caractères au plus).")])
    m = _FREE.match(fold(text))
    if m:
        rest = m.group("rest")
        if not rest:
            return {"free": True}
        cut = min(i for i in (text.find(c) for c in ",;(:–-") if i >= 0)
        note = text[cut + 1:].strip().removesuffix(")").strip()
        return {"free": True, "text": note} if note else {"free": True}
    return {"text": text}


def event_price_to_text(price: Mapping[str, Any] | None) -> str:
    """A stored event price as the "Tarif" field shows it ("" when unknown)."""
    if not isinstance(price, Mapping) or not price:
        return ""
    note = str(price.get("text") or price.get("note") or "").strip()
    if price.get("free") is True:
        return f"gratuit, {note}" if note else "gratuit"
    return note


# ------------------------------------------------------------------ venue
def venue_labels(session: Session) -> dict[str, str]:
    """Every place of the base as the event form names it ("Forum antique de Bavay";
    "Église Saint-Martin (Bavay)" when several places share the name), label → id."""
    rows = session.execute(
        select(Poi.id, Poi.name, Commune.name)
        .outerjoin(Commune, Commune.insee == Poi.commune_insee)
        .order_by(Poi.name_norm, Poi.id)).all()
    counts = Counter(normalize(name) for _, name, _ in rows)
    labels: dict[str, str] = {}
    for poi_id, name, commune in rows:
        label = name if counts[normalize(name)] == 1 else f"{name} ({commune or poi_id})"
        if label in labels:
            label = f"{name} ({poi_id})"
        labels[label] = poi_id
    return labels


def venue_label(session: Session, poi_id: str | None) -> str:
    """The form's name of the place ``poi_id`` ("" when none)."""
    if not poi_id:
        return ""
    for label, found in venue_labels(session).items():
        if found == poi_id:
            return label
    return poi_id


def resolve_venue(session: Session, text: str) -> str | None:
    """The id of the place named in the "Lieu" field (a label of the suggestions, a
    place's name typed in full — case and accents aside —, or its identifier); None when
    blank. A name that matches no place raises a `FormError` that says so in French,
    with the closest names when there are some."""
    text = " ".join(text.split())
    if not text:
        return None
    labels = venue_labels(session)
    if text in labels:
        return labels[text]
    by_norm: dict[str, list[str]] = {}
    for label, poi_id in labels.items():
        by_norm.setdefault(normalize(label), []).append(poi_id)
        name = label.rsplit(" (", 1)[0] if label.endswith(")") else label
        if normalize(name) != normalize(label):
            by_norm.setdefault(normalize(name), []).append(poi_id)
    found = by_norm.get(normalize(text), [])
    if len(set(found)) == 1:
        return found[0]
    if session.get(Poi, text) is not None:
        return text
    if len(set(found)) > 1:
        names = [label for label, poi_id in labels.items() if poi_id in found]
        raise FormError.about([("venue", f"Lieu : plusieurs lieux s'appellent « {text} » "
                                f"({' ; '.join(names[:5])}) ; choisissez-en un dans la "
                                "liste proposée.")])
    close = [m.poi.id for m in find_places_by_name(session, text, limit=3,
                                                   include_unpublished=True)]
    names = [label for label, poi_id in labels.items() if poi_id in close]
    advice = (f" Vouliez-vous dire : {' ; '.join(f'« {n} »' for n in names)} ?"
              if names else "")
    raise FormError.about([("venue", f"Lieu inconnu : « {text} » n'est pas un lieu de la "
                            f"base.{advice} Choisissez un lieu dans la liste proposée, ou "
                            "laissez ce champ vide et écrivez le nom dans « Nom du lieu, "
                            "s'il n'est pas dans la base ».")])


# ------------------------------------------------------------------ hours preview
def hours_preview(text: str, note: str = "", stored: Mapping[str, Any] | None = None,
                  ) -> dict[str, Any]:
    """What the chatbot will say of the hours typed (or of the ``stored`` ones when no
    text is given, e.g. imported hours shown read-only): {"phrase": "ouvert du 1er
    avril au 31 octobre, …", "note": …} or {"errors": [...]} (the parser's French
    messages). The phrase is `knowledge.hours.describe_fr`, the sentence the bot gives
    after "Horaires :" (`bot.dialogue.facts.hours_lines`)."""
    if text.strip():
        try:
            hours = parse_hours_text(text, note)
        except HoursTextError as exc:
            return {"errors": exc.errors}
    else:
        hours = dict(stored) if stored else None
    phrase = describe_fr(hours) if hours else None
    said_note = (hours or {}).get("note") if hours else (note.strip() or None)
    return {"phrase": phrase or "je ne connais pas les horaires, mieux vaut appeler avant "
            "de venir", "known": phrase is not None, "note": said_note}


def form_to_record(kind: str, form: Mapping[str, Any], gazetteer: Gazetteer,
                   today: date | None = None) -> dict[str, Any]:
    """The submitted form as a record dict (every field present: blank clears it). An
    event's "venue_poi_id" is then still the name typed in "Lieu" (see `resolve_venue`);
    dates without a year are the next ones from ``today`` (Paris)."""
    record: dict[str, Any] = {}
    errors: list[tuple[str | None, str]] = []
    for f in FIELDS[kind]:
        if f.widget == "checkboxes":
            record[f.name] = [v for v in form.getall(f.name, []) if isinstance(v, str)] \
                if hasattr(form, "getall") else list(form.get(f.name) or [])
        elif f.widget == "flag":
            record[f.name] = form.get(f.name) == "oui"
        else:
            value = form.get(f.name, "")
            text = value.strip() if isinstance(value, str) else ""
            if (f.name in _DECIMALS or f.widget == "number") and _DECIMAL_COMMA.match(text):
                text = text.replace(",", ".")
            record[f.name] = text
    commune = record.pop("commune")
    if commune:
        place = gazetteer.by_insee(commune) or gazetteer.lookup(commune)
        if place is None:
            errors.append(("commune", f"Commune inconnue : « {commune} »."))
        else:
            record[commune_key(kind)] = place.insee
    else:
        record[commune_key(kind)] = None
    if kind == "event":
        try:
            record["timings"] = _parse_dates(record.pop("dates"), today or paris_today())
        except FormError as exc:
            errors.extend(("dates", message) for message in exc.errors)
        try:
            record["price"] = event_price_from_text(record.pop("price"))
        except FormError as exc:
            errors.extend(exc.fields)
        # the "Lieu" field names a place: `resolve_venue` gives its id (records._submit)
        record["venue_poi_id"] = record.pop("venue") or None
    if kind == "poi":
        _hours_and_prices(record, form, errors)
    if errors:
        raise FormError.about(errors)
    return record


# ------------------------------------------------------------------ hours and prices
# Stored hours or prices the form cannot show faithfully are shown read-only
# (`locked_summaries`), and the form sends "hours_locked"/"prices_locked": they are then
# left out of the record, so `Store.edit` keeps them, unless "…_replace" is ticked.

_PRICE_FIELDS = (("adult", "price_adult", "Tarif adulte", "adulte"),
                 ("child", "price_child", "Tarif enfant", "enfant"),
                 ("reduced", "price_reduced", "Tarif réduit", "tarif réduit"))
_PRICE_KEYS = frozenset({"free", "text", "note"} | {key for key, *_ in _PRICE_FIELDS})
_AMOUNT = re.compile(r"^(\d{1,5})(?:[.,](\d{1,2}))?$")
MAX_PRICE = 10000


def _amount(text: str, label: str) -> float | None:
    """A price typed in euros ("8,50", "8.5", "8 €"); None when blank."""
    plain = re.sub(r"\s*(€|euros?|eur)\s*$", "", text.strip(), flags=re.IGNORECASE).strip()
    if not plain:
        return None
    m = _AMOUNT.match(plain)
    if not m:
        raise FormError([f"{label} : montant illisible « {text.strip()} » "
                         "(ex. 8,50 ; en euros, sans signe moins)."])
    value = int(m.group(1)) + int((m.group(2) or "0").ljust(2, "0")) / 100
    if value > MAX_PRICE:
        raise FormError([f"{label} : montant trop élevé ({text.strip()} €)."])
    return value


def euros(value: float) -> str:
    """8.5 → "8,50 €", 5.0 → "5 €", 0 → "gratuit"."""
    if value == 0:
        return "gratuit"
    text = f"{value:g}" if value == int(value) else f"{value:.2f}"
    return text.replace(".", ",") + " €"


def prices_from_form(free: bool, amounts: Mapping[str, str], note: str) -> dict[str, Any] | None:
    """The price fields as the `prices` storage. The bot reads "free" and "text"
    (`bot.dialogue.facts.price_text`), so "text" sums everything up in French; the
    amounts and the note are kept apart so that the form can show them again."""
    errors: list[tuple[str | None, str]] = []
    values: dict[str, float] = {}
    for key, name, label, _ in _PRICE_FIELDS:
        try:
            value = _amount(amounts.get(name, ""), label)
        except FormError as exc:
            errors.extend((name, message) for message in exc.errors)
            continue
        if value is not None:
            values[key] = value
    note = note.strip()
    if free and any(values.values()):
        errors.append(("prices_free", "Tarifs : « Entrée gratuite » est cochée mais un tarif "
                       "payant est indiqué ; décochez-la ou videz les tarifs."))
    if len(note) > 500:
        errors.append(("price_note", "Précisions sur les tarifs : trop longues "
                       f"({len(note)} caractères, maximum 500)."))
    if errors:
        raise FormError.about(errors)
    if free:
        return {"free": True, **({"text": note} if note else {})}
    if not values:
        return {"text": note} if note else None
    parts = [f"{word} {euros(values[key])}" for key, _, _, word in _PRICE_FIELDS
             if key in values]
    text = ", ".join(parts)
    text = text[0].upper() + text[1:] + (f". {note}" if note else ".")
    return {**values, **({"note": note} if note else {}), "text": text}


def prices_to_form(prices: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Stored prices as the form's values; None when the form cannot show them as they
    are (other keys, a summary text that is not ours): they are then kept read-only."""
    empty: dict[str, Any] = {"prices_free": False, "price_note": "",
                             **{name: "" for _, name, _, _ in _PRICE_FIELDS}}
    if not prices:
        return empty
    if not isinstance(prices, Mapping) or set(prices) - _PRICE_KEYS:
        return None
    values = dict(empty)
    values["prices_free"] = prices.get("free") is True
    has_amounts = False
    for key, name, _, _ in _PRICE_FIELDS:
        amount = prices.get(key)
        if amount is None:
            continue
        if not isinstance(amount, (int, float)) or isinstance(amount, bool):
            return None
        has_amounts = True
        values[name] = euros(amount).removesuffix(" €") if amount else "0"
    note = prices.get("note") if has_amounts else prices.get("text")
    values["price_note"] = str(note or "")
    try:
        back = prices_from_form(values["prices_free"], values, values["price_note"])
    except FormError:
        return None
    return values if back == dict(prices) else None


def _hours_and_prices(record: dict[str, Any], form: Mapping[str, Any],
                      errors: list[tuple[str | None, str]]) -> None:
    text, note = record.pop("opening_hours"), record.pop("hours_note")
    if form.get("hours_locked") != "oui" or form.get("hours_replace") == "oui":
        try:
            record["opening_hours"] = parse_hours_text(text, note)
        except HoursTextError as exc:
            errors.extend(("opening_hours", message) for message in exc.errors)
    free = record.pop("prices_free")
    amounts = {name: record.pop(name) for _, name, _, _ in _PRICE_FIELDS}
    price_note = record.pop("price_note")
    if form.get("prices_locked") != "oui" or form.get("prices_replace") == "oui":
        try:
            record["prices"] = prices_from_form(free, amounts, price_note)
        except FormError as exc:
            errors.extend(exc.fields)


def locked_summaries(kind: str, record: Mapping[str, Any] | None) -> dict[str, str]:
    """For a stored POI, the hours and prices the form cannot show faithfully, as
    readable text ({} when everything can be edited)."""
    if kind != "poi" or not record:
        return {}
    out = {}
    hours = record.get("opening_hours")
    if hours and hours_to_text(hours) is None:
        out["opening_hours"] = hours_summary(hours)
    prices = record.get("prices")
    if prices and prices_to_form(prices) is None:
        out["prices"] = "\n".join(f"{k} : {v}" for k, v in dict(prices).items()) \
            if isinstance(prices, Mapping) else str(prices)
    return out


def record_to_form(kind: str, record: Mapping[str, Any], gazetteer: Gazetteer,
                   ) -> dict[str, Any]:
    """A stored record (`store.to_dict`) as form values."""
    values: dict[str, Any] = {}
    for f in FIELDS[kind]:
        value = record.get(f.name)
        if f.widget == "checkboxes":
            values[f.name] = list(value or [])
        elif f.widget == "flag":
            values[f.name] = bool(value)
        elif f.widget == "tristate":
            values[f.name] = "" if value is None else ("oui" if value else "non")
        else:
            values[f.name] = "" if value is None else str(value)
    insee = record.get(commune_key(kind))
    place = gazetteer.by_insee(insee) if insee else None
    values["commune"] = place.name if place else ""
    if kind == "poi":
        hours = hours_to_text(record.get("opening_hours")) or ("", "")
        values["opening_hours"], values["hours_note"] = hours
        values.update(prices_to_form(record.get("prices")) or prices_to_form(None) or {})
    if kind == "event":
        timings = [(_paris(datetime.fromisoformat(t["start"]).replace(tzinfo=None)),
                    _paris(datetime.fromisoformat(t["end"]).replace(tzinfo=None)))
                   for t in record.get("timings") or []]
        values["dates"] = event_dates_text(sorted(timings))
        values["price"] = event_price_to_text(record.get("price"))
        values["venue"] = record.get("venue_poi_id") or ""  # an id: records names it
    return values


def submitted_values(kind: str, form: Mapping[str, Any]) -> dict[str, Any]:
    """The form as the user typed it, to show it again with the error messages."""
    values: dict[str, Any] = {}
    for f in FIELDS[kind]:
        if f.widget == "checkboxes":
            values[f.name] = list(form.getall(f.name, [])) if hasattr(form, "getall") else []
        elif f.widget == "flag":
            values[f.name] = form.get(f.name) == "oui"
        else:
            values[f.name] = str(form.get(f.name, ""))
    return values


# Record fields named by `knowledge.validation` → the form field that shows them.
_FORM_FIELD = {"commune_insee": "commune", "start_commune_insee": "commune",
               "timings": "dates", "venue_poi": "venue", "venue_poi_id": "venue",
               "prices": "price_note"}


def errors_by_field(kind: str, fields: list[tuple[str | None, str]]) -> dict[str, list[str]]:
    """The error messages grouped by the form field they are about (others are left out:
    the form shows every message above it too)."""
    names = {f.name for f in FIELDS[kind]}
    out: dict[str, list[str]] = {}
    for key, message in fields:
        name = _FORM_FIELD.get(key or "", key)
        if name in names:
            out.setdefault(name, []).append(message)
    return out
