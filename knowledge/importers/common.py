"""Pieces shared by the format readers: items, record errors, JSON streaming, field helpers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import ijson

from knowledge.gazetteer import Gazetteer
from knowledge.importers.mapping import Mapping
from knowledge.importers.report import Rejection
from knowledge.validation import INSEE_CODE

MAX_OBJECT_BYTES = 50 * 1024 * 1024  # one DATAtourisme object, one CSV is streamed
MAX_ARCHIVE_BYTES = 500 * 1024 * 1024  # all the members of a zip, decompressed
MAX_DEPTH = 64  # nesting of a streamed JSON file (real feeds: about 10)


class RecordError(ValueError):
    """One record cannot be read; `field` is the field of the source format."""

    def __init__(self, field_name: str | None, reason: str) -> None:
        self.field = field_name
        self.reason = reason
        super().__init__(reason)


@dataclass
class Item:
    """A record read from a feed, ready for `Store.save`, or the reason it was refused."""

    file: str
    record_id: str | None
    kind: str | None = None  # "poi", "event" or "route"
    data: dict[str, Any] | None = None
    rejection: Rejection | None = None
    described: Any = None  # describe.Described: how staff name it, read from the source
    # Set by a source that gives only some fields: for a record the base already holds,
    # only these are taken from the source (see `merged`).
    merge: frozenset[str] | None = None


def merged(before: dict[str, Any], data: dict[str, Any], fields: frozenset[str],
           ) -> dict[str, Any]:
    """A stored record updated by a partial source: its `fields`, and its website when
    the record has none; the rest (name, types, texts, publication) stays as staff
    left it."""
    out = {**before, **{k: v for k, v in data.items() if k in fields}}
    if not before.get("website") and data.get("website"):
        out["website"] = data["website"]
    return out


@dataclass
class Context:
    mapping: Mapping
    gazetteer: Gazetteer
    agenda: str | None = None
    _codes: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self._codes = frozenset(p.insee for p in self.gazetteer.all_places)

    def known_insee(self, insee: Any) -> str | None:
        """The INSEE code if the commune is in the local gazetteer (Hauts-de-France)."""
        if insee in (None, ""):
            return None
        code = str(insee).strip()
        return code if code in self._codes else None


def own_commune(insee: Any, name: str | None) -> dict[str, Any]:
    """The commune a record gives, for `Store.save`: its INSEE code as given when well
    formed (it wins over the nearest commune, even from another region), with the
    source's name of the commune for a code the base lacks."""
    code = str(insee).strip() if insee not in (None, "") else ""
    if not INSEE_CODE.fullmatch(code):
        return {"commune_insee": None}
    return {"commune_insee": code, "commune_name": name.strip() if name else None}


@dataclass
class Feed:
    """A stream of items. `full` (known once iterated) says the feed lists every record
    of its sources, so that the records of `scopes` it no longer lists are unpublished."""

    label: str
    items: Callable[[], Iterator[Item]]
    total: int | None = None
    full: bool = False
    scopes: set[tuple[str, str]] = field(default_factory=set)

    def __iter__(self) -> Iterator[Item]:
        return self.items()


def convert(file: str, record_id: str | None,
            make: Callable[[], tuple[str, dict[str, Any]]],
            described: Any = None) -> Item:
    """Run a converter, turning a RecordError into a rejected item named as `described`
    (a `describe.Described` read from the source) names it."""
    try:
        kind, data = make()
    except RecordError as exc:
        return Item(file, record_id, rejection=Rejection(
            file, record_id, exc.field, exc.reason,
            **(described.as_dict() if described is not None else {})), described=described)
    return Item(file, record_id, kind, data, described=described)


def file_rejection(file: str, reason: str) -> Item:
    return Item(file, None, rejection=Rejection(file, None, None, reason))


def json_error(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return (f"JSON illisible ligne {exc.lineno}, colonne {exc.colno} ({exc.msg}) : "
                "le fichier est peut-être tronqué ou abîmé.")
    if isinstance(exc, UnicodeDecodeError):
        return "le fichier n'est pas en UTF-8."
    if isinstance(exc, RecursionError):
        return "JSON imbriqué trop profondément : ce n'est pas un export attendu."
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else "fin inattendue"
    return f"JSON illisible ({detail}) : le fichier est peut-être tronqué ou abîmé."


# RecursionError: json.load of a deeply nested document ([[[[…) fails so, not as invalid.
JSON_ERRORS = (json.JSONDecodeError, ijson.JSONError, UnicodeDecodeError, RecursionError)


def first_char(fh: IO[bytes]) -> bytes:
    """The first non-blank byte of a file (then rewinds it)."""
    head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    fh.seek(0)
    return head[:1]


def stream_json(fh: IO[bytes], wanted: set[str]) -> Iterator[tuple[str, Any]]:
    """Yield (path, value) for every complete value at one of the `wanted` ijson paths
    ("item" = elements of a top-level list, "events.item", "total"…), one at a time, so
    that a huge file never sits in memory. Nesting deeper than MAX_DEPTH raises
    RecursionError (as json.load does later): ijson keeps the path of every level, so
    40 KB of "[[[[…" took 1 GB and 200 KB killed the process."""
    builder: Any = None
    current = ""
    depth = 0
    for prefix, event, value in ijson.parse(fh, use_float=True):
        if event in ("start_map", "start_array"):
            depth += 1
            if depth > MAX_DEPTH:
                raise RecursionError(f"JSON imbriqué sur plus de {MAX_DEPTH} niveaux")
        elif event in ("end_map", "end_array"):
            depth -= 1
        if builder is not None:
            builder.event(event, value)
            if prefix == current and event in ("end_map", "end_array"):
                yield current, builder.value
                builder = None
        elif prefix in wanted:
            if event in ("start_map", "start_array"):
                builder, current = ijson.ObjectBuilder(), prefix
                builder.event(event, value)
            elif event not in ("map_key", "end_map", "end_array"):
                yield prefix, value


def text_of(value: Any) -> str | None:
    """French text of a multilingual value ({"fr": [...], "en": ...}), else any language."""
    if isinstance(value, dict):
        for lang in ("fr", "fr-FR", "fr_FR"):
            found = text_of(value.get(lang))
            if found:
                return found
        for key, item in value.items():
            if not key.startswith("@"):
                found = text_of(item)
                if found:
                    return found
        return text_of(value.get("@value"))
    if isinstance(value, list):
        for item in value:
            found = text_of(item)
            if found:
                return found
        return None
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def first(value: Any) -> Any:
    """First element of a list, or the value itself."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def number(value: Any, field_name: str) -> float | None:
    """A number from a JSON number or a string ("50.29", "50,29", " 3 "); None if empty."""
    value = first(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RecordError(field_name, f"un nombre est attendu (reçu {value}).")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", ".").replace("\u00a0", ""))
        except ValueError:
            pass
    raise RecordError(field_name, f"un nombre est attendu (reçu « {str(value)[:40]} »).")


def shorten(text: str | None, limit: int) -> str | None:
    """Cut a long text at a word boundary, with an ellipsis."""
    if text is None or len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"
