"""The staff CSV template: one row per place, event or route (see template.csv).

Headers are the French names of `COLUMNS` or the field names of `python -m knowledge
export csv`, so an export can be edited and imported back. Lists are separated by
"|" (or ","), yes/no fields take oui/non, structured fields (opening hours, prices,
dates) are JSON. Files from Excel (";" separator, UTF-8 with BOM) are accepted.
A row is recognised from one import to the next by `identifiant`, else by
`source` + `identifiant_source`, else by its name.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from knowledge.importers import describe
from knowledge.importers.common import Context, Feed, Item, RecordError, convert, file_rejection
from knowledge.models import Event, Poi, Route
from knowledge.text import slugify

# French header → record key, in the order of the template.
COLUMNS: dict[str, str] = {
    "type": "type",
    "identifiant": "id",
    "nom": "name",
    "titre": "title",
    "types_de_lieu": "kinds",
    "interets": "interests",
    "publics": "audiences",
    "commune": "commune",
    "latitude": "latitude",
    "longitude": "longitude",
    "precision": "coord_precision",
    "adresse": "address",
    "description_courte": "short_description",
    "description": "description",
    "telephone": "phone",
    "email": "email",
    "site_web": "website",
    "image": "image",
    "horaires": "opening_hours",
    "tarifs": "prices",
    "acces_fauteuil": "wheelchair",
    "acces_poussette": "pushchair",
    "animaux_acceptes": "pets_allowed",
    "debut": "start",
    "fin": "end",
    "lieu": "venue_poi",
    "reservation": "booking_url",
    "mode": "mode",
    "longueur_km": "length_km",
    "duree_min": "duration_min",
    "difficulte": "difficulty",
    "source": "source",
    "identifiant_source": "source_id",
    "licence": "licence",
    "mise_a_jour": "last_update",
    "publie": "published",
    "note": "notes",
}
_FIELDS = ({c.key for m in (Poi, Event, Route) for c in m.__table__.columns}
           | set(COLUMNS.values()) | {"timings", "price"})
_LISTS = {"kinds", "interests", "audiences", "accessibility_labels"}
_JSON = {"opening_hours", "prices", "price", "timings"}
_NUMBERS = {"latitude", "longitude", "start_latitude", "start_longitude", "length_km",
            "duration_min", "elevation_gain_m"}
TYPES = {"lieu": "poi", "poi": "poi", "evenement": "event", "événement": "event",
         "event": "event", "itineraire": "route", "itinéraire": "route", "route": "route"}
_PREFIX = {"poi": "poi", "event": "evt", "route": "route"}


def open_feed(path: Path, ctx: Context) -> Feed:
    return Feed("CSV", lambda: _rows(path, ctx))


def _rows(path: Path, ctx: Context) -> Iterator[Item]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            head = fh.read(8192)
            fh.seek(0)
            try:
                dialect: Any = csv.Sniffer().sniff(head, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            reader = csv.DictReader(fh, dialect=dialect)
            headers = [h.strip() for h in reader.fieldnames or []]
            unknown = [h for h in headers if h not in COLUMNS and h not in _FIELDS]
            if not headers or unknown:
                yield file_rejection(path.name, (
                    f"colonne(s) inconnue(s) : {', '.join(unknown)}. " if unknown
                    else "fichier vide. ") + "Colonnes possibles : " + ", ".join(COLUMNS) + ".")
                return
            for line, row in enumerate(reader, start=2):
                yield _row_item(row, line, path.name, ctx)
    except UnicodeDecodeError:
        yield file_rejection(path.name, "le fichier n'est pas en UTF-8 (dans le tableur, "
                                        "enregistrez-le en « CSV UTF-8 »).")
    except csv.Error as exc:
        yield file_rejection(path.name, f"CSV illisible : {exc}.")
    except OSError as exc:
        yield file_rejection(path.name, f"fichier illisible ({exc.strerror or exc}).")


def _row_item(row: dict[str | None, Any], line: int, file: str, ctx: Context) -> Item:
    ident = (row.get("identifiant") or row.get("id") or "").strip() or f"ligne {line}"
    if None in row:
        return convert(file, ident, lambda: _too_many(line))
    return convert(file, ident, lambda: to_record(row, ctx),
                   describe.from_csv({str(k).strip(): v for k, v in row.items() if k}))


def _too_many(line: int) -> tuple[str, dict[str, Any]]:
    raise RecordError(None, f"ligne {line} : plus de valeurs que de colonnes "
                            "(un séparateur en trop ?).")


def to_record(row: dict[Any, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    data: dict[str, Any] = {}
    for header, raw in row.items():
        key = COLUMNS.get(header.strip(), header.strip())
        value = (raw or "").strip()
        if not value:
            continue
        if key in _LISTS:
            data[key] = [v.strip() for v in value.replace("|", ",").split(",") if v.strip()]
        elif key in _JSON:
            try:
                data[key] = json.loads(value)
            except (ValueError, RecursionError):
                raise RecordError(header, "JSON attendu (voir le modèle), "
                                          f"reçu « {value[:60]} ».") from None
        elif key in _NUMBERS:
            data[key] = value.replace(",", ".")
        else:
            data[key] = value
    kind = TYPES.get(str(data.pop("type", "")).lower())
    if kind is None:
        kind = "event" if "title" in data else "route" if "mode" in data else "poi"
    commune = data.pop("commune", None)
    if commune:
        place = ctx.gazetteer.by_insee(commune) or ctx.gazetteer.lookup(commune)
        if place is None:
            raise RecordError("commune", f"commune inconnue : « {commune} ».")
        data["start_commune_insee" if kind == "route" else "commune_insee"] = place.insee
    if kind == "event" and "prices" in data:
        data["price"] = data.pop("prices")
    if kind == "route":
        for key in ("latitude", "longitude"):
            if key in data:
                data[f"start_{key}"] = data.pop(key)
    label = data.get("title" if kind == "event" else "name")
    if not data.get("id") and not data.get("source_id") and isinstance(label, str):
        data["id"] = f"{_PREFIX[kind]}-{slugify(label)[:80]}".strip("-")
    return kind, data

