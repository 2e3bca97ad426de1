"""DATAtourisme's CSV export of a label (e.g. the places labelled "Accueil Vélo").

One row per record: Nom, Identifiant, Type, Sous-type (twice), Commune, Code postal,
Code INSEE, Département, Région, Latitude, Longitude, Site internet, Créateur (the
producer), Mise à jour, Mise à jour DATAtourisme. Only a few fields, so a record the base
already holds keeps its name, types and texts: the export updates its position, commune,
provenance and website (`MERGED`). Types are read from the French labels of the export
(`SUBTYPES`); a row whose types mean no place a visitor goes to (a course, a room for
hire, an activity product) is refused with the reason. The export is a selection, never
a full feed: nothing is unpublished.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from knowledge.importers import describe
from knowledge.importers.common import (
    Context,
    Feed,
    Item,
    RecordError,
    convert,
    file_rejection,
    number,
    own_commune,
)
from knowledge.validation import _URL

SOURCE = "DATAtourisme (export CSV)"
MAX_URL = 500  # the website column of the base
LICENCE = "Licence Ouverte / Etalab 2.0 — DATAtourisme – {producer}"
HEADERS = ("Nom", "Identifiant", "Code INSEE", "Latitude", "Longitude")
# Fields the export gives for a record the base already holds (see the module docstring).
MERGED = frozenset({"latitude", "longitude", "coord_precision", "commune_insee",
                    "commune_name", "source", "source_id", "licence", "last_update"})
# French labels of the export (Sous-type, else Type) → kinds and interests; first match.
SUBTYPES: tuple[tuple[str, list[str], list[str]], ...] = (
    ("Office de tourisme", ["tourist_office"], ["pratique"]),
    ("Musée", ["museum"], ["culture"]),
    ("Hôtellerie de plein air", ["campsite"], ["hebergement"]),
    ("Hôtellerie", ["hotel"], ["hebergement"]),
    ("Hébergement locatif", ["gite"], ["hebergement"]),
    ("Hébergement collectif", ["gite"], ["hebergement"]),
    ("Restaurant", ["restaurant"], ["gastronomie"]),
    ("Restauration", ["restaurant"], ["gastronomie"]),
    ("Loueur de matériel", ["bike_rental"], ["velo"]),
    ("Réparateur de matériel", ["shop"], ["velo"]),
    ("Commerce de détail", ["shop"], ["velo"]),
)


def is_label_export(head: str) -> bool:
    """Whether the first line of a CSV file is the header of this export."""
    first_line = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    return all(h in first_line.split(",") for h in HEADERS)


def open_feed(path: Path, ctx: Context) -> Feed:
    return Feed(SOURCE, lambda: _rows(path, ctx))


def _rows(path: Path, ctx: Context) -> Iterator[Item]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = [h.strip() for h in next(reader, [])]
            missing = [h for h in HEADERS if h not in header]
            if missing:
                yield file_rejection(path.name, "colonne(s) manquante(s) de l'export "
                                                f"DATAtourisme : {', '.join(missing)}.")
                return
            for line, values in enumerate(reader, start=2):
                yield _row_item(_by_name(header, values), line, path.name, ctx)
    except UnicodeDecodeError:
        yield file_rejection(path.name, "le fichier n'est pas en UTF-8.")
    except csv.Error as exc:
        yield file_rejection(path.name, f"CSV illisible : {exc}.")
    except OSError as exc:
        yield file_rejection(path.name, f"fichier illisible ({exc.strerror or exc}).")


def _row_item(row: dict[str, str], line: int, file: str, ctx: Context) -> Item:
    item = convert(file, row.get("Identifiant") or f"ligne {line}",
                   lambda: to_record(row, ctx),
                   describe.Described(title=row.get("Nom"), town=row.get("Commune")))
    item.merge = MERGED
    return item


def _by_name(header: list[str], values: list[str]) -> dict[str, str]:
    """The row by column name; a name given twice (Sous-type) joins its values."""
    row: dict[str, str] = {}
    for name, value in zip(header, values, strict=False):
        value = value.strip()
        if value:
            row[name] = f"{row[name]},{value}" if row.get(name) else value
    return row


def _types(row: dict[str, str]) -> tuple[list[str], list[str]]:
    labels = {t.strip() for key in ("Sous-type", "Type") for t in row.get(key, "").split(",")}
    kinds: list[str] = []
    interests: list[str] = []
    for label, k, i in SUBTYPES:
        if label in labels:
            kinds += [x for x in k if x not in kinds]
            interests += [x for x in i if x not in interests]
            if label == "Office de tourisme":
                break  # an office's shop is the office
    return kinds, interests


def _website(value: str | None) -> str | None:
    """The first well-formed address of the column that fits the field (it may list
    several, comma-separated; booking sites' addresses run to hundreds of characters)."""
    for part in (value or "").split(",http"):
        url = (part if part.startswith("http") else "http" + part).strip()
        if _URL.match(url) and len(url) <= MAX_URL:
            return url
    return None


def to_record(row: dict[str, str], ctx: Context) -> tuple[str, dict[str, Any]]:
    """One row → ("poi", record for Store.save)."""
    ident, name = row.get("Identifiant"), row.get("Nom")
    if not ident:
        raise RecordError("Identifiant", "identifiant manquant : impossible de reconnaître "
                                         "la fiche d'un import à l'autre.")
    if not name:
        raise RecordError("Nom", "le nom est manquant.")
    kinds, interests = _types(row)
    if not kinds:
        raise RecordError("Sous-type", "ni lieu de visite, ni hébergement, ni restaurant, "
                          "ni loueur (« " + (row.get("Sous-type") or row.get("Type") or "")
                          + " ») : fiche non reprise.")
    lat = number(row.get("Latitude"), "Latitude")
    lon = number(row.get("Longitude"), "Longitude")
    if lat is None or lon is None:
        raise RecordError("Latitude", "coordonnées manquantes : impossible de situer la fiche.")
    producer = row.get("Créateur") or "producteur inconnu"
    updates = [v for v in (row.get("Mise à jour"), row.get("Mise à jour DATAtourisme")) if v]
    kind_label = " / ".join(v for v in (row.get("Type"), row.get("Sous-type")) if v)
    return "poi", {
        "source": SOURCE,
        "source_id": ident,
        "licence": LICENCE.format(producer=producer),
        "last_update": max(updates) if updates else None,
        "notes": f"Fiche DATAtourisme {ident} (export CSV), producteur : {producer} ; "
                 f"types de la source : {kind_label}.",
        "name": name,
        "kinds": kinds,
        "interests": interests,
        "latitude": lat,
        "longitude": lon,
        "coord_precision": "exact",
        **own_commune(row.get("Code INSEE"), row.get("Commune")),
        "website": _website(row.get("Site internet")),
    }
