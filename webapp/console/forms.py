"""The edit forms of POIs, events and routes: which fields, and how a submitted form
becomes the plain dict that `knowledge.validation` checks (and back, to fill the form).

Validation itself is not here: `Store.save`/`Store.edit` run the `clean_*` functions and
their French `ValidationError` messages are shown next to the form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from knowledge.config import TIMEZONE
from knowledge.gazetteer import Gazetteer
from knowledge.taxonomy import (
    AUDIENCES,
    COORD_PRECISIONS,
    DIFFICULTIES,
    INTERESTS,
    KINDS,
    ROUTE_MODES,
)

_PARIS = ZoneInfo(TIMEZONE)
YES_NO = {"oui": "Oui", "non": "Non"}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    widget: str = "text"  # text, textarea, number, select, checkboxes, flag, tristate
    choices: Mapping[str, str] = field(default_factory=dict)
    required: bool = False
    hint: str = ""


_COMMUNE = Field("commune", "Commune", hint="Nom de la commune ; sans coordonnées, le lieu "
                 "est placé au centre de la commune.")
_COORD_HINT = "Degrés décimaux, ex. 50.2936"
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
        Field("wheelchair", "Accès fauteuil roulant", "tristate", YES_NO),
        Field("pushchair", "Accès poussette", "tristate", YES_NO),
        Field("pets_allowed", "Animaux acceptés", "tristate", YES_NO),
        *_PROVENANCE,
    ],
    "event": [
        Field("title", "Titre", required=True),
        Field("dates", "Dates", "textarea", required=True,
              hint="Une date par ligne : début ; fin, heure de Paris, "
                   "ex. 2027-07-14T10:00 ; 2027-07-14T18:00"),
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
    """Problems found before validation (unknown commune, unreadable dates)."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__(" ; ".join(errors))


def _paris_text(value: datetime) -> str:
    return value.replace(tzinfo=timezone.utc).astimezone(_PARIS).strftime("%Y-%m-%dT%H:%M")


def _parse_dates(text: str) -> list[dict[str, str]]:
    timings = []
    for n, line in enumerate((ln.strip() for ln in text.splitlines()), 1):
        if not line:
            continue
        start, sep, end = line.partition(";")
        if not sep:
            raise FormError([f"Dates, ligne {n} : séparez le début et la fin par « ; »."])
        timings.append({"start": start.strip(), "end": end.strip()})
    return timings


def form_to_record(kind: str, form: Mapping[str, Any], gazetteer: Gazetteer) -> dict[str, Any]:
    """The submitted form as a record dict (every field present: blank clears it)."""
    record: dict[str, Any] = {}
    errors: list[str] = []
    for f in FIELDS[kind]:
        if f.widget == "checkboxes":
            record[f.name] = [v for v in form.getall(f.name, []) if isinstance(v, str)] \
                if hasattr(form, "getall") else list(form.get(f.name) or [])
        elif f.widget == "flag":
            record[f.name] = form.get(f.name) == "oui"
        else:
            value = form.get(f.name, "")
            record[f.name] = value.strip() if isinstance(value, str) else ""
    commune = record.pop("commune")
    if commune:
        place = gazetteer.by_insee(commune) or gazetteer.lookup(commune)
        if place is None:
            errors.append(f"Commune inconnue : « {commune} ».")
        else:
            record[commune_key(kind)] = place.insee
    else:
        record[commune_key(kind)] = None
    if kind == "event":
        try:
            record["timings"] = _parse_dates(record.pop("dates"))
        except FormError as exc:
            errors.extend(exc.errors)
    if errors:
        raise FormError(errors)
    return record


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
