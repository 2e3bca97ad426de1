"""Whether a record really changed: lists in any order, empty values alike, opening hours
compared as hours, bookkeeping columns left out. Used by the importers (a record re-read
with its lists in another order is unchanged) and by the console's journal (which fields
to show)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from knowledge.hours_text import same_hours

# Fields a journal reader never needs: derived or bookkeeping columns.
HIDDEN = frozenset({"id", "created_at", "updated_at", "cell", "name_norm", "title_norm",
                    "interest_mask", "has_hours"})


def _canonical(value: Any) -> Any:
    """A value with every list sorted, recursively: order does not make a change."""
    if isinstance(value, Mapping):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    return value


def empty(value: Any) -> bool:
    """None, "", [] or {}: no value."""
    return value is None or value == "" or value == [] or value == {}


def same(name: str, a: Any, b: Any) -> bool:
    """Whether a field holds the same thing before and after: lists in any order, empty
    values alike, opening hours compared as hours."""
    if empty(a) and empty(b):
        return True
    if name == "opening_hours" and isinstance(a, Mapping) and isinstance(b, Mapping):
        return same_hours(a, b)
    return bool(_canonical(a) == _canonical(b))


def changed_fields(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None,
                   ignore: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The fields whose value really changed (sorted), bookkeeping columns and `ignore`
    left out."""
    before, after = before or {}, after or {}
    return sorted(k for k in set(before) | set(after)
                  if k not in HIDDEN and k not in ignore
                  and not same(k, before.get(k), after.get(k)))
