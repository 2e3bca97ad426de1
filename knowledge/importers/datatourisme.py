"""DATAtourisme JSON-LD: one object per file, or the platform's feed export.

The feed export ("flux" of the diffuseur, archive format) is a folder or zip holding
`index.json` — a list of `{"label", "lastUpdateDatatourisme", "file"}` entries — and the
objects under `objects/<file>`. Objects are read one at a time; the index is streamed.
An export with its index is a full feed: records of the "DATAtourisme" source it no
longer lists are unpublished. A single object, or a folder without index, is not.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path, PurePosixPath
from typing import IO, Any

from knowledge import hours
from knowledge.importers import describe
from knowledge.importers.common import (
    JSON_ERRORS,
    MAX_ARCHIVE_BYTES,
    MAX_OBJECT_BYTES,
    Context,
    Feed,
    Item,
    RecordError,
    convert,
    file_rejection,
    first,
    first_char,
    json_error,
    number,
    own_commune,
    shorten,
    stream_json,
    text_of,
)
from knowledge.validation import _EMAIL, _PHONE, _URL

SOURCE = "DATAtourisme"
LICENCE = "Licence Ouverte / Etalab (DATAtourisme)"
INDEX = "index.json"


# --------------------------------------------------------------------------- reading

def open_feed(path: Path, ctx: Context) -> Feed:
    if path.is_dir():
        return _folder_feed(path, ctx)
    if path.suffix.lower() == ".zip":
        return _zip_feed(path, ctx)
    return Feed(SOURCE, lambda: _file_items(path, path.name, ctx), total=None)


def _file_items(path: Path, name: str, ctx: Context) -> Iterator[Item]:
    try:
        with open(path, "rb") as fh:
            yield from _objects(fh, name, ctx)
    except OSError as exc:
        yield file_rejection(name, f"fichier illisible ({exc.strerror or exc}).")


def _objects(fh: IO[bytes], name: str, ctx: Context) -> Iterator[Item]:
    """The objects of one JSON file: an object, a list of objects, or a JSON-LD @graph."""
    try:
        if first_char(fh) == b"[":
            for _, obj in stream_json(fh, {"item"}):
                yield object_item(obj, name, ctx)
            return
        data = json.load(fh)
    except JSON_ERRORS as exc:
        yield file_rejection(name, json_error(exc))
        return
    if isinstance(data, dict) and isinstance(data.get("@graph"), list):
        for obj in data["@graph"]:
            yield object_item(obj, name, ctx)
    else:
        yield object_item(data, name, ctx)


def _index_entries(fh: IO[bytes], name: str) -> Iterator[str]:
    for _, entry in stream_json(fh, {"item"}):
        target = entry.get("file") if isinstance(entry, dict) else entry
        if not isinstance(target, str) or not target.strip():
            raise RecordError(None, f"{name} : une entrée de l'index n'a pas de fichier.")
        yield target.strip()


def _index_total(fh: IO[bytes]) -> int | None:
    """Number of entries of an index (for the progress bar); None if unreadable."""
    try:
        with fh:
            return sum(1 for _ in stream_json(fh, {"item"}))
    except (*JSON_ERRORS, OSError):
        return None


def _folder_feed(root: Path, ctx: Context) -> Feed:
    indexes = sorted(root.rglob(INDEX), key=lambda p: len(p.parts))
    if not indexes:
        files = sorted(p for p in root.rglob("*.json*") if p.is_file())
        feed = Feed(SOURCE, lambda: (item for p in files for item in _file_items(
            p, str(p.relative_to(root)), ctx)), total=len(files))
        return feed
    index = indexes[0]
    base = index.parent

    def items() -> Iterator[Item]:
        try:
            with open(index, "rb") as fh:
                for target in _index_entries(fh, INDEX):
                    obj_path = next((p for p in (base / "objects" / target, base / target)
                                     if p.is_file()), None)
                    rel = str(PurePosixPath("objects", target))
                    if obj_path is not None and not obj_path.resolve().is_relative_to(
                            base.resolve()):
                        yield file_rejection(rel, "chemin hors de l'export : refusé.")
                        continue
                    if obj_path is None:
                        yield file_rejection(rel, "fichier listé dans l'index mais absent "
                                                  "de l'export.")
                        continue
                    yield from _file_items(obj_path, rel, ctx)
            feed.full = True
        except JSON_ERRORS as exc:
            yield file_rejection(INDEX, json_error(exc))
        except RecordError as exc:
            yield file_rejection(INDEX, exc.reason)

    feed = Feed(SOURCE, items, total=_index_total(index.open("rb")),
                scopes={("poi", SOURCE), ("event", SOURCE), ("route", SOURCE)})
    return feed


def _zip_feed(path: Path, ctx: Context) -> Feed:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        reason = f"archive zip illisible ({exc})."
        return Feed(SOURCE, lambda: iter([file_rejection(path.name, reason)]))
    names = [n for n in archive.namelist() if not n.endswith("/")]
    # The sizes the archive declares bound what reading its members yields (zipfile stops
    # there): a small upload that would decompress into gigabytes is refused unread.
    if sum(archive.getinfo(n).file_size for n in names) > MAX_ARCHIVE_BYTES:
        archive.close()
        reason = (f"archive trop grosse une fois décompressée (plus de "
                  f"{MAX_ARCHIVE_BYTES // (1024 * 1024)} Mo) : importez-la en plusieurs fois.")
        return Feed(SOURCE, lambda: iter([file_rejection(path.name, reason)]))
    indexes = sorted((n for n in names if PurePosixPath(n).name == INDEX),
                     key=lambda n: n.count("/"))

    def member(name: str) -> Iterator[Item]:
        info = archive.getinfo(name)
        if info.file_size > MAX_OBJECT_BYTES:
            yield file_rejection(name, "objet trop gros (plus de 50 Mo).")
            return
        with archive.open(info) as fh:
            yield from _objects(fh, name, ctx)

    if not indexes:
        members = [n for n in names if n.lower().endswith((".json", ".jsonld"))]

        def all_members() -> Iterator[Item]:
            with archive:
                for name in members:
                    yield from member(name)
        return Feed(SOURCE, all_members, total=len(members))
    index = indexes[0]
    base = PurePosixPath(index).parent
    known = set(names)

    def items() -> Iterator[Item]:
        with archive:
            try:
                with archive.open(index) as fh:
                    for target in _index_entries(fh, INDEX):
                        name = next((str(c) for c in (base / "objects" / target, base / target)
                                     if str(c) in known), None)
                        if name is None:
                            yield file_rejection(f"objects/{target}", "fichier listé dans "
                                                 "l'index mais absent de l'archive.")
                            continue
                        yield from member(name)
                feed.full = True
            except JSON_ERRORS as exc:
                yield file_rejection(index, json_error(exc))
            except RecordError as exc:
                yield file_rejection(index, exc.reason)

    feed = Feed(SOURCE, items, total=_index_total(archive.open(index)),
                scopes={("poi", SOURCE), ("event", SOURCE), ("route", SOURCE)})
    return feed


# --------------------------------------------------------------------------- converting

def _record_label(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return None
    ident = obj.get("dc:identifier") or obj.get("@id")
    return str(first(ident)) if ident not in (None, "", []) else None


def object_item(obj: Any, file: str, ctx: Context) -> Item:
    return convert(file, _record_label(obj), lambda: to_record(obj, ctx),
                   describe.from_datatourisme(obj))


def _address(loc: dict[str, Any]) -> tuple[str | None, Any, str | None]:
    """The postal address as one line, the commune's INSEE code and its name."""
    addr = first(loc.get("schema:address"))
    if not isinstance(addr, dict):
        return None, None, None
    street = addr.get("schema:streetAddress")
    streets = [s for s in (street if isinstance(street, list) else [street])
               if isinstance(s, str) and s.strip()]
    city = " ".join(str(v) for v in (addr.get("schema:postalCode"),
                                     addr.get("schema:addressLocality")) if v)
    text = ", ".join([*streets, city]) if streets or city else None
    commune = addr.get("hasAddressCity")
    insee = commune.get("insee") if isinstance(commune, dict) else None
    name = (text_of(commune.get("rdfs:label")) if isinstance(commune, dict) else None) \
        or text_of(addr.get("schema:addressLocality"))
    return text, insee, name


_CONTACT_FIELDS = (("phone", "schema:telephone", _PHONE, "téléphone"),
                   ("email", "schema:email", _EMAIL, "e-mail"),
                   ("website", "foaf:homepage", _URL, "site web"))


def _nodes(value: Any) -> list[dict[str, Any]]:
    """The objects of a JSON-LD value: a list, or one object on its own (compacted form);
    anything else (a number, a string) is ignored rather than crashing the run."""
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, dict)]


def _contact(obj: dict[str, Any]) -> tuple[dict[str, str | None], list[str]]:
    """The first well-formed phone, e-mail and website of the contacts, and a note for
    each one left out because none was well-formed (rather than refusing the record)."""
    out: dict[str, str | None] = {"phone": None, "email": None, "website": None}
    bad: dict[str, str] = {}
    for agent in _nodes(obj.get("hasContact")):
        for key, src, pattern, _ in _CONTACT_FIELDS:
            values = agent.get(src)
            for value in values if isinstance(values, list) else [values]:
                if not isinstance(value, str) or not value.strip():
                    continue
                if pattern.match(value.strip()):
                    out[key] = out[key] or value.strip()
                else:
                    bad.setdefault(key, value.strip())
    notes = [f"{label} non repris (format invalide) : « {bad[key][:80]} »"
             for key, _, _, label in _CONTACT_FIELDS if out[key] is None and key in bad]
    return out, notes


def _image(obj: dict[str, Any]) -> str | None:
    for rep in _nodes(obj.get("hasMainRepresentation")) + _nodes(obj.get("hasRepresentation")):
        for res in _nodes(rep.get("ebucore:hasRelatedResource")):
            url = first(res.get("ebucore:locator"))
            if isinstance(url, str) and _URL.match(url):
                return url
    return None


def _prices(obj: dict[str, Any]) -> dict[str, Any] | None:
    amounts: list[float] = []
    for offer in _nodes(obj.get("offers")):
        for spec in _nodes(offer.get("schema:priceSpecification")):
            for key in ("schema:minPrice", "schema:maxPrice", "schema:price"):
                try:
                    value = number(spec.get(key), key)
                except RecordError:
                    value = None
                if value is not None:
                    amounts.append(value)
    if not amounts:
        return None
    low, high = min(amounts), max(amounts)
    if high == 0:
        return {"free": True}
    text = f"{low:g} €" if low == high else f"de {low:g} à {high:g} €"
    return {"text": text.replace(".", ",")}


def _hours(loc: dict[str, Any]) -> dict[str, Any] | None:
    specs = loc.get("schema:openingHoursSpecification")
    if isinstance(specs, dict):
        specs = [specs]
    if not isinstance(specs, list) or not specs:
        return None
    converted = hours.from_datatourisme(specs)
    if not converted["specs"] and not converted["closures"] and not converted["note"]:
        return None
    return converted


def _last_update(obj: dict[str, Any]) -> str | None:
    values = [v for v in (obj.get("lastUpdateDatatourisme"), obj.get("lastUpdate"))
              if isinstance(v, str) and v.strip()]
    return max(values) if values else None  # ISO strings sort by date


def _day(value: Any, field_name: str) -> date:
    try:
        return date.fromisoformat(str(first(value))[:10])
    except ValueError:
        raise RecordError(field_name, f"date illisible « {first(value)} » "
                                      "(format attendu 2027-07-14).") from None


def _timings(obj: dict[str, Any]) -> list[dict[str, str]]:
    periods = obj.get("takesPlaceAt")
    if isinstance(periods, dict):
        periods = [periods]
    raw: list[tuple[Any, Any, Any, Any]] = []
    if isinstance(periods, list) and periods:
        for p in periods:
            if isinstance(p, dict):
                raw.append((p.get("startDate"), p.get("endDate") or p.get("startDate"),
                            p.get("startTime"), p.get("endTime")))
    else:
        starts = obj.get("schema:startDate")
        ends = obj.get("schema:endDate") or starts
        starts = starts if isinstance(starts, list) else [starts]
        ends = ends if isinstance(ends, list) else [ends]
        raw = [(s, e, None, None) for s, e in zip(starts, ends, strict=False) if s]
    out: set[tuple[str, str]] = set()
    for start, end, t0, t1 in raw:
        if not start:
            raise RecordError("takesPlaceAt", "une période n'a pas de date de début.")
        d0, d1 = _day(start, "startDate"), _day(end, "endDate")
        begin = f"{d0.isoformat()}T{str(t0)[:5] if t0 else '00:00'}"
        finish = (f"{d1.isoformat()}T{str(t1)[:5]}" if t1
                  else f"{(d1 + timedelta(days=1)).isoformat()}T00:00")
        out.add((begin, finish))
    if not out:
        raise RecordError("takesPlaceAt", "l'événement n'a aucune date.")
    return [{"start": s, "end": e} for s, e in sorted(out)]


def to_record(obj: Any, ctx: Context) -> tuple[str, dict[str, Any]]:
    """One DATAtourisme object → ("poi" | "event" | "route", record for Store.save)."""
    if not isinstance(obj, dict):
        raise RecordError(None, "un objet JSON est attendu.")
    uri = obj.get("@id")
    if not isinstance(uri, str) or not uri.strip():
        raise RecordError("@id", "identifiant manquant : impossible de reconnaître la fiche "
                                 "d'un import à l'autre.")
    types = obj.get("@type")
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise RecordError("@type", "la liste des classes est manquante ou mal formée.")
    name = text_of(obj.get("rdfs:label"))
    if not name:
        raise RecordError("rdfs:label", "le nom est manquant.")
    loc = first(obj.get("isLocatedAt"))
    loc = loc if isinstance(loc, dict) else {}
    geo = first(loc.get("schema:geo"))
    geo = geo if isinstance(geo, dict) else {}
    lat = number(geo.get("schema:latitude"), "schema:latitude")
    lon = number(geo.get("schema:longitude"), "schema:longitude")
    address, insee, city = _address(loc)
    if (lat is None or lon is None) and ctx.known_insee(insee) is None:
        raise RecordError("schema:geo", "coordonnées manquantes, et la commune "
                          f"{'(INSEE ' + str(insee) + ') ' if insee else ''}n'est pas connue "
                          "de la base : impossible de situer la fiche.")
    creator = obj.get("hasBeenCreatedBy")
    producer = creator.get("schema:legalName") if isinstance(creator, dict) else None
    description = text_of(first(obj.get("hasDescription") or [{}]).get("dc:description")
                          if isinstance(first(obj.get("hasDescription")), dict) else None)
    comment = text_of(obj.get("rdfs:comment"))
    contact, contact_notes = _contact(obj)
    common: dict[str, Any] = {
        "source": SOURCE,
        "source_id": uri.strip(),
        "licence": LICENCE,
        "last_update": _last_update(obj),
        "notes": " ".join([f"Fiche DATAtourisme {uri.strip()}"
                           + (f", producteur : {producer}." if producer else "."),
                           *(f"{n[0].upper()}{n[1:]}." for n in contact_notes)]),
        "latitude": lat,
        "longitude": lon,
        **own_commune(insee, city),
        "coord_precision": "exact" if lat is not None else "commune",
        "description": shorten(description or comment, 8000),
        "image": _image(obj),
    }
    if lat is None:
        common.pop("latitude")
        common.pop("longitude")
    kind, mode = ctx.mapping.kind_of(types)
    kinds, interests = ctx.mapping.poi_kinds(types)
    mobility = obj.get("reducedMobilityAccess")
    wheelchair = mobility if isinstance(mobility, bool) else None
    if kind == "route":
        start = {("start_" + k if k in ("latitude", "longitude") else k): v
                 for k, v in common.items() if k not in ("image", "commune_insee")}
        return "route", {**start, "start_commune_insee": common["commune_insee"],
                         "name": name, "mode": mode,
                         "url": contact["website"]}
    if kind == "event":
        return "event", {**common, "title": name, "interests": interests,
                         "timings": _timings(obj), "url": contact["website"],
                         "wheelchair": wheelchair}
    if not kinds or not interests:
        names = ", ".join(t for t in types if ":" not in t) or ", ".join(types)
        raise RecordError("@type", f"aucune correspondance pour les classes ({names}) : "
                          "ajoutez l'une d'elles dans knowledge/importers/mapping.yaml.")
    pets = loc.get("petsAllowed")
    return "poi", {
        **common,
        "name": name,
        "kinds": kinds,
        "interests": interests,
        "address": shorten(address, 300),
        "short_description": shorten(comment, 300),
        "phone": contact["phone"],
        "email": contact["email"],
        "website": contact["website"],
        "opening_hours": _hours(loc),
        "prices": _prices(obj),
        "wheelchair": wheelchair,
        "pets_allowed": pets if isinstance(pets, bool) else None,
    }
