"""Validation of POI, event and route records before anything is written.

Each `clean_*` function takes a plain dict (from YAML, JSON, CSV, command-line flags or
the staff console), returns a normalised dict ready for `store.py`, and raises
`ValidationError` listing every problem in French. Nothing is written by this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from typing import Any

from knowledge import hours as hours_mod
from knowledge.config import PARIS as _PARIS
from knowledge.config import TIMEZONE
from knowledge.gazetteer import Gazetteer
from knowledge.geo import CoordinateError, check_coordinates
from knowledge.taxonomy import (
    AUDIENCES,
    COORD_PRECISIONS,
    DIFFICULTIES,
    INTERESTS,
    KINDS,
    ROUTE_MODES,
)

_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[a-z]{2,}$", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[0-9 .()/-]{6,25}$")
RECORD_ID = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.:-]{0,119}")
"""The rule of a record id (POI, event, route), written once: letters, digits, - _ . :"""
_ID = re.compile(rf"^{RECORD_ID.pattern}$")
INSEE_CODE = re.compile(r"(?:\d{2}|2[AB])\d{3}")
"""An INSEE commune code: five characters (2A, 2B for Corsica)."""


def is_record_id(value: object) -> bool:
    """Whether `value` is a record id as a whole (what analytics keep of a visitor's input)."""
    return isinstance(value, str) and RECORD_ID.fullmatch(value) is not None


class ValidationError(ValueError):
    """A record was refused; `errors` lists every reason in French, and `fields` pairs
    each reason with the field of the record it is about (None when it is about none)."""

    def __init__(self, errors: list[str], record_id: str | None = None,
                 fields: list[tuple[str | None, str]] | None = None,
                 far_km: float | None = None) -> None:
        self.errors = errors
        # set when the record was refused for being too far from the territory: how far
        self.far_km = far_km
        self.fields: list[tuple[str | None, str]] = (
            fields if fields is not None else [(None, e) for e in errors])
        self.record_id = record_id
        prefix = f"{record_id} : " if record_id else ""
        super().__init__(prefix + " ; ".join(errors))


class _Checker:
    """Collects the errors of one record while reading its fields."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: list[str] = []
        self.fields: list[tuple[str | None, str]] = []
        self.far_km: float | None = None

    def fail(self, key: str | None, message: str) -> None:
        """Record an error about the field `key`."""
        self.errors.append(message)
        self.fields.append((key, message))

    def text(self, key: str, label: str, *, required: bool = False, max_len: int = 300,
             ) -> str | None:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(key, f"{label} est obligatoire.")
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.fail(key, f"{label} doit être un texte.")
            return None
        text = str(value).strip()
        if len(text) > max_len:
            self.fail(key,
                f"{label} est trop long ({len(text)} caractères, maximum {max_len}).")
        return text

    def pattern(self, key: str, label: str, regex: re.Pattern[str], hint: str) -> str | None:
        text = self.text(key, label, max_len=500)
        if text is not None and not regex.match(text):
            self.fail(key, f"{label} est invalide : « {text} » ({hint}).")
        return text

    def keys(self, key: str, label: str, allowed: Mapping[str, str], *,
             required: bool = False) -> list[str]:
        value = self.data.get(key)
        if value is None or value == "" or value == []:
            if required:
                self.fail(key, f"{label} : au moins une valeur est obligatoire.")
            return []
        items = [v.strip() for v in value.split(",")] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)):
            self.fail(key, f"{label} doit être une liste.")
            return []
        out: list[str] = []
        for item in items:
            if not isinstance(item, str) or item not in allowed:
                self.fail(key,
                    f"{label} inconnu : « {item} » (valeurs possibles : {', '.join(allowed)})."
                )
            elif item not in out:
                out.append(item)
        return out

    def choice(self, key: str, label: str, allowed: Mapping[str, str], *,
               required: bool = False, default: str | None = None) -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required and default is None:
                self.fail(key, f"{label} est obligatoire.")
            return default
        if value not in allowed:
            self.fail(key,
                f"{label} inconnu : « {value} » (valeurs possibles : {', '.join(allowed)})."
            )
            return default
        return str(value)

    def number(self, key: str, label: str, *, minimum: float = 0.0, maximum: float = 1e6,
               integer: bool = False) -> float | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        try:
            number = float(value) if not isinstance(value, bool) else float("nan")
        except (TypeError, ValueError):
            self.fail(key, f"{label} doit être un nombre (reçu « {value} »).")
            return None
        if not minimum <= number <= maximum:
            self.fail(key,
                f"{label} doit être entre {minimum:g} et {maximum:g} (reçu {value}).")
            return None
        return float(int(number)) if integer else number

    def flag(self, key: str, label: str) -> bool | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"oui", "yes", "true", "1", "vrai"}:
            return True
        if text in {"non", "no", "false", "0", "faux"}:
            return False
        self.fail(key, f"{label} doit valoir oui ou non (reçu « {value} »).")
        return None

    def mapping(self, key: str, label: str) -> dict[str, Any] | None:
        value = self.data.get(key)
        if value is None or value == "" or value == {}:
            return None
        if not isinstance(value, dict):
            self.fail(key, f"{label} doit être un objet (clé : valeur).")
            return None
        return dict(value)

    def identifier(self, key: str = "id") -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not _ID.match(value):
            self.fail(key,
                f"Identifiant invalide : « {value} » (lettres, chiffres, - _ . : ; 120 caractères)."
            )
            return None
        return value

    def last_update(self) -> datetime | None:
        value = self.data.get("last_update")
        if value in (None, ""):
            return None
        parsed = _parse_instant(value)
        if parsed is None:
            self.fail("last_update", f"Date de mise à jour invalide : « {value} ».")
            return None
        return to_utc_naive(parsed)

    def location(self, gazetteer: Gazetteer, max_km: float, *, lat_key: str = "latitude",
                 lon_key: str = "longitude", commune_key: str = "commune_insee",
                 fallback: tuple[float, float] | None = None) -> dict[str, Any]:
        """Coordinates and commune; falls back on the commune centroid, never on nothing.

        The commune a record gives wins: the nearest commune is only a fallback when it
        gives none. A well-formed INSEE code the gazetteer lacks (a record from another
        region) is kept as given when the record names the commune (`commune_name`,
        returned for `store.py` to add the commune) or the base already holds it."""
        insee = self.data.get(commune_key)
        commune = None
        kept: str | None = None
        named = self.text("commune_name", "Le nom de la commune", max_len=120)
        if insee not in (None, ""):
            code = str(insee).strip()
            commune = gazetteer.by_insee(code)
            if commune is None and (gazetteer.knows(code)
                                    or (named and INSEE_CODE.fullmatch(code))):
                kept = code
            elif commune is None:
                self.fail(commune_key, f"Commune inconnue : code INSEE « {insee} ».")
        lat, lon = self.data.get(lat_key), self.data.get(lon_key)
        precision = self.data.get("coord_precision")
        if lat in (None, "") and lon in (None, ""):
            if fallback is not None:
                lat, lon = fallback
            elif commune is not None:
                lat, lon, precision = commune.latitude, commune.longitude, "commune"
            else:
                self.fail(lat_key, "Coordonnées manquantes : indiquez latitude et longitude, "
                                   "ou au moins la commune.")
                return {}
        try:
            flat, flon = check_coordinates(lat, lon)
        except CoordinateError as exc:
            self.fail(lon_key if str(exc).startswith("Longitude") else lat_key, str(exc))
            return {}
        away = gazetteer.distance_to_territory_km(flat, flon)
        if away > max_km:
            self.far_km = away
            self.fail(
                lat_key, f"Le lieu ({flat:.4f}, {flon:.4f}) est à {away:.0f} km du Pays de Mormal "
                f"(au plus {max_km:g} km) : vérifiez les coordonnées."
            )
        if precision not in (None, "") and precision not in COORD_PRECISIONS:
            self.fail(
                "coord_precision", f"Précision des coordonnées inconnue : « {precision} » "
                f"(valeurs possibles : {', '.join(COORD_PRECISIONS)})."
            )
        if commune is None and kept is None and not self.errors:
            commune = gazetteer.nearest(flat, flon)
        out = {
            lat_key: flat,
            lon_key: flon,
            "coord_precision": precision or "exact",
            commune_key: commune.insee if commune else kept,
        }
        if kept is not None and not gazetteer.knows(kept):
            out["commune_name"] = named
        return out

    def provenance(self) -> dict[str, Any]:
        return {
            "source": self.text("source", "La source", max_len=200)
            or "Saisie par l'office de tourisme",
            "source_id": self.text("source_id", "L'identifiant dans la source", max_len=200),
            "licence": self.text("licence", "La licence", max_len=200),
            "last_update": self.last_update(),
            "is_example": bool(self.flag("is_example", "« Exemple »")),
            "published": self.flag("published", "« Publié »") is not False,
            "notes": self.text("notes", "La note", max_len=4000),
        }

    def accessibility(self) -> dict[str, Any]:
        acc = self.data.get("accessibility")
        if isinstance(acc, dict):
            merged = {**self.data, **{k: v for k, v in acc.items() if k in
                                      ("wheelchair", "pushchair", "labels")}}
            sub = _Checker(merged)
        else:
            sub = _Checker(self.data)
        labels = sub.data.get("labels", sub.data.get("accessibility_labels")) or []
        if isinstance(labels, str):
            labels = [x.strip() for x in labels.split(",") if x.strip()]
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            self.fail("accessibility_labels",
                      "Les labels d'accessibilité doivent être une liste de textes.")
            labels = []
        out = {
            "wheelchair": sub.flag("wheelchair", "Accès fauteuil"),
            "pushchair": sub.flag("pushchair", "Accès poussette"),
            "accessibility_labels": labels,
        }
        self.errors.extend(sub.errors)
        self.fields.extend(sub.fields)
        return out

    def raise_if_errors(self, record_id: str | None) -> None:
        if self.errors:
            raise ValidationError(self.errors, record_id, self.fields, self.far_km)


def _parse_instant(value: Any) -> datetime | None:
    """An aware datetime from a datetime/date/ISO string; naive values are Paris time."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_PARIS)
    return parsed


def to_utc_naive(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def _common(c: _Checker, *, name_key: str) -> dict[str, Any]:
    return {
        "id": c.identifier(),
        name_key: c.text(name_key, "Le nom" if name_key == "name" else "Le titre",
                         required=True),
        **c.provenance(),
    }


def clean_poi(data: Mapping[str, Any], gazetteer: Gazetteer, max_km: float) -> dict[str, Any]:
    c = _Checker(data)
    out = _common(c, name_key="name")
    kinds = c.keys("kinds", "Type de lieu", KINDS) or (
        [c.choice("kind", "Type de lieu", KINDS, required=True) or ""] if data.get("kind") else []
    )
    if not [k for k in kinds if k]:
        c.fail("kinds", "Type de lieu : au moins une valeur est obligatoire.")
    hours = data.get("opening_hours")
    if hours not in (None, "", {}):
        for problem in hours_mod.validate_hours(hours):
            c.fail("opening_hours", f"Horaires : {problem}")
    out.update(
        kinds=[k for k in kinds if k],
        kind=next((k for k in kinds if k), None),
        interests=c.keys("interests", "Intérêt", INTERESTS, required=True),
        audiences=c.keys("audiences", "Public", AUDIENCES),
        address=c.text("address", "L'adresse"),
        short_description=c.text("short_description", "La description courte", max_len=300),
        description=c.text("description", "La description", max_len=8000),
        phone=c.pattern("phone", "Le téléphone", _PHONE, "chiffres, espaces, +"),
        email=c.pattern("email", "L'adresse e-mail", _EMAIL, "nom@domaine.fr"),
        website=c.pattern("website", "Le site web", _URL, "commence par https://"),
        image=c.pattern("image", "L'image", _URL, "commence par https://"),
        opening_hours=hours if hours not in (None, "", {}) else None,
        prices=c.mapping("prices", "Les tarifs"),
        pets_allowed=c.flag("pets_allowed", "Animaux acceptés"),
        **c.accessibility(),
        **c.location(gazetteer, max_km),
    )
    c.raise_if_errors(out.get("id") or out.get("name"))
    return out


def _timings(c: _Checker) -> list[tuple[datetime, datetime]]:
    raw = c.data.get("timings")
    if not raw and c.data.get("start"):
        raw = [{"start": c.data.get("start"), "end": c.data.get("end")}]
    if not isinstance(raw, list) or not raw:
        c.fail("timings", "Au moins une date (début et fin) est obligatoire.")
        return []
    out = []
    for i, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            c.fail("timings", f"Date n° {i} : il faut un début et une fin.")
            continue
        start = _parse_instant(item.get("start") or item.get("begin"))
        end = _parse_instant(item.get("end"))
        if start is None or end is None:
            c.fail("timings", f"Date n° {i} : début ou fin illisible (format 2027-07-14T10:00).")
        elif end <= start:
            c.fail(
                "timings", f"Date n° {i} : l'événement se termine ({end:%d/%m/%Y %H:%M}) "
                f"avant de commencer ({start:%d/%m/%Y %H:%M})."
            )
        else:
            out.append((to_utc_naive(start), to_utc_naive(end)))
    return out


def clean_event(data: Mapping[str, Any], gazetteer: Gazetteer, max_km: float,
                venue: Callable[[str], tuple[float, float, str | None, str] | None] | None = None,
                ) -> dict[str, Any]:
    """`venue(poi_id)` returns the venue's (lat, lon, insee, coord precision)."""
    c = _Checker(data)
    out = _common(c, name_key="title")
    venue_id = c.text("venue_poi", "Le lieu") or c.text("venue_poi_id", "Le lieu")
    fallback = None
    venue_precision = None
    if venue_id:
        found = venue(venue_id) if venue else None
        if found is None:
            c.fail("venue_poi", f"Lieu inconnu : « {venue_id} ».")
        else:
            fallback = (found[0], found[1])
            venue_precision = found[3]
            if not data.get("commune_insee") and found[2]:
                data = {**data, "commune_insee": found[2]}
                c.data = data
    tz = c.text("timezone", "Le fuseau horaire", max_len=40) or TIMEZONE
    out.update(
        description=c.text("description", "La description", max_len=8000),
        venue_poi_id=venue_id,
        venue_name=c.text("venue_name", "Le nom du lieu"),
        interests=c.keys("interests", "Intérêt", INTERESTS),
        audiences=c.keys("audiences", "Public", AUDIENCES),
        price=c.mapping("price", "Le tarif"),
        booking_url=c.pattern("booking_url", "Le lien de réservation", _URL,
                              "commence par https://"),
        url=c.pattern("url", "Le lien", _URL, "commence par https://"),
        image=c.pattern("image", "L'image", _URL, "commence par https://"),
        timezone=tz,
        timings=_timings(c),
        **c.accessibility(),
        **c.location(gazetteer, max_km, fallback=fallback),
    )
    if venue_precision and data.get("latitude") in (None, "") and not data.get(
            "coord_precision"):
        out["coord_precision"] = venue_precision
    c.raise_if_errors(out.get("id") or out.get("title"))
    return out


def clean_route(data: Mapping[str, Any], gazetteer: Gazetteer, max_km: float) -> dict[str, Any]:
    c = _Checker(data)
    out = _common(c, name_key="name")
    gpx = data.get("gpx")
    if gpx not in (None, "") and (not isinstance(gpx, str) or "<gpx" not in gpx[:2000]):
        c.fail("gpx", "Le tracé GPX doit être le contenu d'un fichier .gpx.")
    length = c.number("length_km", "La longueur (km)", minimum=0.1, maximum=2000)
    duration = c.number("duration_min", "La durée (minutes)", minimum=1, maximum=20000,
                        integer=True)
    gain = c.number("elevation_gain_m", "Le dénivelé (m)", maximum=20000, integer=True)
    out.update(
        mode=c.choice("mode", "Le mode", ROUTE_MODES, required=True),
        length_km=length,
        duration_min=int(duration) if duration is not None else None,
        difficulty=c.choice("difficulty", "La difficulté", DIFFICULTIES),
        elevation_gain_m=int(gain) if gain is not None else None,
        is_loop=c.flag("is_loop", "Boucle"),
        description=c.text("description", "La description", max_len=8000),
        gpx=gpx or None,
        url=c.pattern("url", "Le lien", _URL, "commence par https://"),
        **c.location(gazetteer, max_km, lat_key="start_latitude", lon_key="start_longitude",
                     commune_key="start_commune_insee"),
    )
    c.raise_if_errors(out.get("id") or out.get("name"))
    return out
