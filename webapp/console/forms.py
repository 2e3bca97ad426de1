"""The edit forms of POIs, events and routes: which fields, and how a submitted form
becomes the plain dict that `knowledge.validation` checks (and back, to fill the form).

Validation itself is not here: `Store.save`/`Store.edit` run the `clean_*` functions and
their French `ValidationError` messages are shown next to the form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from knowledge.config import PARIS as _PARIS
from knowledge.gazetteer import Gazetteer
from knowledge.hours_text import HoursTextError, hours_summary, hours_to_text, parse_hours_text
from knowledge.taxonomy import (
    AUDIENCES,
    COORD_PRECISIONS,
    DIFFICULTIES,
    INTERESTS,
    KINDS,
    ROUTE_MODES,
)

YES_NO = {"oui": "Oui", "non": "Non"}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    widget: str = "text"  # text, textarea, number, select, checkboxes, flag, tristate, hours
    choices: Mapping[str, str] = field(default_factory=dict)
    required: bool = False
    hint: str = ""


_COMMUNE = Field("commune", "Commune", hint="Nom de la commune ; sans coordonnées, le lieu "
                 "est placé au centre de la commune.")
_COORD_HINT = "Degrés décimaux, ex. 50,2936 ou 50.2936"
_PROVENANCE = [
    Field("is_example", "Exemple (donnée fictive de démonstration)", "flag"),
    Field("published", "Publié (visible par le chatbot)", "flag"),
    Field("notes", "Note interne", "textarea"),
]

FIELDS: dict[str, list[Field]] = {
    "poi": [
        Field("name", "Nom", required=True),
        Field("kinds", "Types de lieu", "checkboxes", KINDS, required=True),
        Field("interests", "Intérêts", "checkboxes", INTERESTS, required=True),
        Field("audiences", "Publics", "checkboxes", AUDIENCES),
        _COMMUNE,
        Field("latitude", "Latitude", hint=_COORD_HINT),
        Field("longitude", "Longitude", hint=_COORD_HINT),
        Field("coord_precision", "Précision des coordonnées", "select", COORD_PRECISIONS),
        Field("address", "Adresse"),
        Field("short_description", "Description courte"),
        Field("description", "Description", "textarea"),
        Field("phone", "Téléphone"),
        Field("email", "Adresse e-mail"),
        Field("website", "Site web", hint="https://…"),
        Field("image", "Image (lien)", hint="https://…"),
        Field("opening_hours", "Horaires d'ouverture", "hours",
              hint="Une règle par ligne. Sans horaires, le chatbot dit qu'il ne les "
                   "connaît pas."),
        Field("hours_note", "Précisions sur les horaires", "textarea",
              hint="Texte libre, montré tel quel, ex. « Visites guidées sur réservation »."),
        Field("prices_free", "Entrée gratuite", "flag"),
        Field("price_adult", "Tarif adulte (€)", hint="ex. 8,50"),
        Field("price_child", "Tarif enfant (€)", hint="ex. 5 ; 0 = gratuit"),
        Field("price_reduced", "Tarif réduit (€)", hint="ex. 6,50"),
        Field("price_note", "Précisions sur les tarifs",
              hint="ex. Gratuit pour les moins de 6 ans ; tarif réduit : étudiants."),
        Field("wheelchair", "Accès fauteuil roulant", "tristate", YES_NO),
        Field("pushchair", "Accès poussette", "tristate", YES_NO),
        Field("pets_allowed", "Animaux acceptés", "tristate", YES_NO),
        *_PROVENANCE,
    ],
    "event": [
        Field("title", "Titre", required=True),
        Field("dates", "Dates", "textarea", required=True,
              hint="Une date par ligne : début ; fin, heure de Paris, "
                   "ex. 14/07/2027 10:00 ; 14/07/2027 18:00"),
        Field("interests", "Intérêts", "checkboxes", INTERESTS),
        Field("audiences", "Publics", "checkboxes", AUDIENCES),
        _COMMUNE,
        Field("venue_poi_id", "Lieu (identifiant d'un lieu de la base)"),
        Field("venue_name", "Nom du lieu"),
        Field("latitude", "Latitude", hint=_COORD_HINT),
        Field("longitude", "Longitude", hint=_COORD_HINT),
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
        Field("start_latitude", "Latitude du départ", hint=_COORD_HINT),
        Field("start_longitude", "Longitude du départ", hint=_COORD_HINT),
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


def _paris_text(value: datetime) -> str:
    return value.replace(tzinfo=timezone.utc).astimezone(_PARIS).strftime("%d/%m/%Y %H:%M")


# 14/07/2027, 14/07/2027 10:00, 14/07/2027 à 10h, 14/07/2027 10h30 (heure de Paris).
_FR_DATE = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(?:à\s+)?(\d{1,2})(?:\s*[:h]\s*(\d{2})?)?)?$")
# A decimal comma, as staff type it in French ("50,2936").
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_DECIMALS = {"latitude", "longitude", "start_latitude", "start_longitude"}


def _iso(text: str, n: int, *, end: bool) -> str:
    """A date typed the French way (or in ISO) as ISO text, which the validation reads.
    A day without an hour starts at 00:00 and ends at 23:59."""
    if not text:
        raise FormError([f"Dates, ligne {n} : il manque {'la fin' if end else 'le début'}."])
    match = _FR_DATE.match(text)
    if not match:
        try:
            datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise FormError([f"Dates, ligne {n} : date illisible « {text} » "
                             "(ex. 14/07/2027 10:00)."]) from None
        return text
    day, month, year, hour, minute = match.groups()
    if hour is None:
        hour, minute = ("23", "59") if end else ("0", "0")
    try:
        value = datetime(int(year), int(month), int(day), int(hour), int(minute or 0))
    except ValueError:
        raise FormError([f"Dates, ligne {n} : date ou heure impossible « {text} »."]) from None
    return value.strftime("%Y-%m-%dT%H:%M")


def _parse_dates(text: str) -> list[dict[str, str]]:
    timings = []
    for n, line in enumerate((ln.strip() for ln in text.splitlines()), 1):
        if not line:
            continue
        start, sep, end = line.partition(";")
        if not sep:
            raise FormError([f"Dates, ligne {n} : séparez le début et la fin par « ; »."])
        timings.append({"start": _iso(start.strip(), n, end=False),
                        "end": _iso(end.strip(), n, end=True)})
    return timings


def form_to_record(kind: str, form: Mapping[str, Any], gazetteer: Gazetteer) -> dict[str, Any]:
    """The submitted form as a record dict (every field present: blank clears it)."""
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
            record["timings"] = _parse_dates(record.pop("dates"))
        except FormError as exc:
            errors.extend(("dates", message) for message in exc.errors)
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
        lines = []
        for t in record.get("timings") or []:
            start = datetime.fromisoformat(t["start"]).replace(tzinfo=None)
            end = datetime.fromisoformat(t["end"]).replace(tzinfo=None)
            lines.append(f"{_paris_text(start)} ; {_paris_text(end)}")
        values["dates"] = "\n".join(lines)
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
               "timings": "dates", "venue_poi": "venue_poi_id", "prices": "price_note"}


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
