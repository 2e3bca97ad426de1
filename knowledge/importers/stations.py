"""SNCF's open data "Gares de voyageurs" (GeoJSON): one Point feature per station, with
its name (`nom`), INSEE code (`codeinsee`) and UIC code (`codes_uic`).

A station the base already holds keeps its name and texts; the file gives its point,
commune, UIC code (the source id) and provenance (`MERGED`). Not a full feed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from knowledge.importers import describe
from knowledge.importers.common import (
    JSON_ERRORS,
    Context,
    Feed,
    Item,
    RecordError,
    convert,
    file_rejection,
    json_error,
    number,
    own_commune,
)

SOURCE = "SNCF Gares & Connexions — Gares de voyageurs"
LICENCE = "ODbL 1.0 — SNCF Gares & Connexions"
MERGED = frozenset({"latitude", "longitude", "coord_precision", "commune_insee",
                    "commune_name", "source", "source_id", "licence"})
_VOWELS = tuple("AEIOUYÉÈÊÎÔŒ")


def is_stations_file(head: bytes) -> bool:
    return b'"FeatureCollection"' in head and b'"codes_uic"' in head


def station_name(town: str) -> str:
    """"Le Quesnoy" → "Gare du Quesnoy", "Les Bons Pères" → "Gare des Bons Pères",
    "Ors" → "Gare d'Ors", "Hachette" → "Gare de Hachette"."""
    if town.startswith("Le "):
        return "Gare du " + town[3:]
    if town.startswith("Les "):
        return "Gare des " + town[4:]
    if town.upper().startswith(_VOWELS):
        return "Gare d'" + town
    return "Gare de " + town


def open_feed(path: Path, ctx: Context) -> Feed:
    return Feed(SOURCE, lambda: _features(path, ctx))


def _features(path: Path, ctx: Context) -> Iterator[Item]:
    try:
        with open(path, "rb") as fh:
            data = json.load(fh)
    except JSON_ERRORS as exc:
        yield file_rejection(path.name, json_error(exc))
        return
    except OSError as exc:
        yield file_rejection(path.name, f"fichier illisible ({exc.strerror or exc}).")
        return
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        yield file_rejection(path.name, "GeoJSON sans liste « features ».")
        return
    for feature in features:
        yield _feature_item(feature, path.name, ctx)


def _feature_item(feature: Any, file: str, ctx: Context) -> Item:
    props = feature.get("properties") if isinstance(feature, dict) else None
    props = props if isinstance(props, dict) else {}
    item = convert(file, _uic(props), lambda: to_record(feature, props, ctx),
                   describe.Described(title=props.get("nom")))
    item.merge = MERGED
    return item


def _uic(props: dict[str, Any]) -> str | None:
    codes = str(props.get("codes_uic") or "").replace(",", ";").split(";")
    return next((c.strip() for c in codes if c.strip()), None)


def to_record(feature: Any, props: dict[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    uic, town = _uic(props), props.get("nom")
    if not uic:
        raise RecordError("codes_uic", "code UIC manquant : impossible de reconnaître la gare.")
    if not isinstance(town, str) or not town.strip():
        raise RecordError("nom", "le nom de la gare est manquant.")
    geometry = feature.get("geometry") if isinstance(feature, dict) else None
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if not isinstance(coords, list) or len(coords) < 2:
        raise RecordError("geometry", "point manquant : impossible de situer la gare.")
    lon, lat = number(coords[0], "geometry"), number(coords[1], "geometry")
    short = props.get("libellecourt")
    return "poi", {
        "source": SOURCE,
        "source_id": uic,
        "licence": LICENCE,
        "notes": f"Gare de voyageurs SNCF, code UIC {uic}"
                 + (f" (libellé court {short})" if short else "") + ".",
        "name": station_name(town.strip()),
        "kinds": ["train_station"],
        "interests": ["pratique"],
        "short_description": "Gare de voyageurs SNCF.",
        "latitude": lat,
        "longitude": lon,
        "coord_precision": "exact",
        **own_commune(props.get("codeinsee"), None),
    }
