"""`/intent{...}` messages (buttons, the widget's position and 👍/👎, or typed by anyone)
checked before Rasa reads them: their entities reach actions, slots and analytics as they
are, so only what the domain allows goes through (issue 15).

Rasa already drops entity names that are not in the domain. Here each value must also
be of a type and size the project uses:
- `latitude`, `longitude`: a finite number within ±90 / ±180 (a numeric string counts);
- `item`: a record id (knowledge/validation.py);
- any other entity of the domain: a string of at most MAX_VALUE_CHARS without control
  characters, a finite number, or a list of at most MAX_LIST such values.
A value that is not is dropped (the intent stays: "/feedback" without its item is still
feedback); entities that are not JSON, and anything after them, are dropped too. The
message is rewritten as `/intent{clean JSON}`; any other text is left as it is.
"""

from __future__ import annotations

import json
import logging
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.text import without_controls
from knowledge.validation import is_record_id

log = logging.getLogger(__name__)

DOMAIN = Path(__file__).resolve().parents[1] / "domain.yml"
# Rasa's own pattern (YAMLStoryReader._regex_message_pattern), on one line.
PAYLOAD = re.compile(r"/(?P<intent>[^{@]+)(?P<confidence>@[0-9.]+)?"
                     r"(?P<entities>\{.+\})?(?P<rest>.*)", re.DOTALL)
MAX_VALUE_CHARS = 100
MAX_LIST = 10
RANGES = {"latitude": 90.0, "longitude": 180.0}


@lru_cache(maxsize=1)
def domain_entities() -> frozenset[str]:
    data = yaml.safe_load(DOMAIN.read_text(encoding="utf-8")) or {}
    names = (e if isinstance(e, str) else next(iter(e)) for e in data.get("entities") or [])
    return frozenset(names)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and len(value) <= 30:
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value) if isinstance(value, float) else value
    return None


def _scalar(value: Any) -> Any:
    if isinstance(value, str):
        ok = 0 < len(value) <= MAX_VALUE_CHARS and without_controls(value) == value
        return value if ok else None
    return _number(value) if isinstance(value, (int, float)) else None


def clean_value(entity: str, value: Any) -> Any:
    """The value if the domain's entity `entity` may hold it, else None."""
    if entity in RANGES:
        number = _number(value)
        return number if number is not None and abs(number) <= RANGES[entity] else None
    if entity == "item":
        return value if is_record_id(value) else None
    if isinstance(value, list):
        kept = [v for v in map(_scalar, value[:MAX_LIST]) if v is not None]
        return kept if kept and len(value) <= MAX_LIST else None
    return _scalar(value)


def clean_intent_payload(text: str) -> str:
    """`text` with the entities of an `/intent{...}` message checked (see the module)."""
    stripped = text.strip()  # as Rasa reads it
    match = PAYLOAD.fullmatch(stripped) if stripped.startswith("/") else None
    if match is None or not (match.group("entities") or match.group("rest")):
        return text
    head = "/" + match.group("intent") + (match.group("confidence") or "")
    try:
        given = json.loads(match.group("entities") or "{}")
    except (ValueError, RecursionError):
        given = None
    if not isinstance(given, dict):
        log.warning("Intent payload with unreadable entities: entities dropped")
        return head
    allowed = domain_entities()
    clean = {k: v for k, v in ((k, clean_value(k, v)) for k, v in given.items()
                               if k in allowed) if v is not None}
    if len(clean) != len(given) or match.group("rest"):
        dropped = sorted(k for k in given if k in allowed and k not in clean)
        log.warning("Intent payload: %d of %d entities kept (dropped: %s, %d unknown names)",
                    len(clean), len(given), ", ".join(dropped) or "none",
                    sum(k not in allowed for k in given))
    return head + (json.dumps(clean, ensure_ascii=False) if clean else "")
