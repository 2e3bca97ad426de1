"""The editable mapping file: DATAtourisme classes and OpenAgenda keywords → taxonomy.

`mapping.yaml` (next to this module, or the file named by KNOWLEDGE_IMPORT_MAPPING) is
read and checked at the start of every import, so staff edits apply at the next run and
a wrong value stops the run with a French message instead of importing bad data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge import yamlfile
from knowledge.config import get_settings
from knowledge.taxonomy import INTERESTS, KINDS, ROUTE_MODES
from knowledge.text import normalize


class MappingError(ValueError):
    """The mapping file is unreadable or names unknown keys (French message)."""


def class_name(value: str) -> str:
    """"schema:Restaurant", "https://…/ontology/core#Restaurant" → "Restaurant"."""
    for sep in ("#", "/", ":"):
        value = value.rsplit(sep, 1)[-1]
    return value


@dataclass
class Mapping:
    event_classes: set[str] = field(default_factory=set)
    route_modes: dict[str, str] = field(default_factory=dict)
    classes: list[tuple[str, str | None, list[str]]] = field(default_factory=list)
    keywords: list[tuple[str, list[str]]] = field(default_factory=list)

    def kind_of(self, types: Iterable[str]) -> tuple[str, str | None]:
        """("poi" | "event" | "route", route mode) of an object's `@type` list."""
        names = {class_name(t) for t in types}
        for name, mode in self.route_modes.items():
            if name in names:
                return "route", mode
        if names & self.event_classes:
            return "event", None
        return "poi", None

    def poi_kinds(self, types: Iterable[str]) -> tuple[list[str], list[str]]:
        """(kinds, interests) of an object's classes; the first listed kind comes first."""
        names = {class_name(t) for t in types}
        kinds: list[str] = []
        interests: list[str] = []
        for name, kind, keys in self.classes:
            if name in names:
                if kind and kind not in kinds:
                    kinds.append(kind)
                interests += [k for k in keys if k not in interests]
        return kinds, interests

    def keyword_interests(self, keywords: Iterable[str]) -> list[str]:
        found: list[str] = []
        padded = [f" {normalize(k)} " for k in keywords if isinstance(k, str)]
        for key, keys in self.keywords:
            if any(f" {key} " in text for text in padded):
                found += [k for k in keys if k not in found]
        return found


def _keys(values: Any, allowed: dict[str, str], where: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise MappingError(f"{where} : une liste est attendue (ex. [culture, patrimoine]).")
    for value in values:
        if value not in allowed:
            raise MappingError(f"{where} : « {value} » inconnu "
                               f"(valeurs possibles : {', '.join(allowed)}).")
    return list(values)


@lru_cache(maxsize=4)
def _parse(text: str) -> Any:
    """The YAML of a mapping file, parsed once per distinct text (the file is read at every
    import; parsing it cost more than a small import). Never changed by the callers."""
    return yamlfile.safe_load(text) or {}


def load_mapping(path: Path | None = None) -> Mapping:
    path = path or get_settings().import_mapping
    try:
        data = _parse(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"Fichier de correspondances illisible ({path}) : {exc}") from None
    name = path.name
    dt = data.get("datatourisme") or {}
    oa = data.get("openagenda") or {}
    out = Mapping()
    out.event_classes = {class_name(str(c)) for c in dt.get("events") or []}
    for cls, mode in (dt.get("routes") or {}).items():
        if mode not in ROUTE_MODES:
            raise MappingError(f"{name}, itinéraire {cls} : mode « {mode} » inconnu "
                               f"(valeurs possibles : {', '.join(ROUTE_MODES)}).")
        out.route_modes[class_name(str(cls))] = mode
    for i, item in enumerate(dt.get("classes") or [], 1):
        where = f"{name}, datatourisme, classe n° {i}"
        if not isinstance(item, dict) or not item.get("class"):
            raise MappingError(f"{where} : il faut au moins « class: NomDeClasse ».")
        kind = item.get("kind")
        if kind is not None and kind not in KINDS:
            raise MappingError(f"{where} ({item['class']}) : type de lieu « {kind} » inconnu "
                               f"(valeurs possibles : {', '.join(KINDS)}).")
        interests = _keys(item.get("interests") or [], INTERESTS, f"{where} ({item['class']})")
        out.classes.append((class_name(str(item["class"])), kind, interests))
    for i, item in enumerate(oa.get("keywords") or [], 1):
        where = f"{name}, openagenda, mot-clé n° {i}"
        if not isinstance(item, dict) or not item.get("keyword"):
            raise MappingError(f"{where} : il faut « keyword: … » et « interests: […] ».")
        out.keywords.append((normalize(str(item["keyword"])),
                             _keys(item.get("interests"), INTERESTS, where)))
    return out
