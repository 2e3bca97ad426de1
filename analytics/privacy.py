"""Visitors' data in reports and exports: keyed pseudonyms, scrubbed text, coarse cells."""

from __future__ import annotations

import hashlib
import hmac
import math
import re

from analytics.config import CELL_LAT_STEP, CELL_LON_STEP

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# French numbers (+33 / 0033 / 0 then 9 digits, any separators) and any other run of 8+
# digits with separators (foreign numbers, card or account numbers).
PHONE = re.compile(r"(?:(?:\+|00)\d{2,3}[\s.-]?(?:\(0\)[\s.-]?)?|\b0)[1-9](?:[\s.-]?\d{2}){4}\b"
                   r"|(?<![\w.,])\+?\d(?:[\s.-]?\d){7,}\b")
# Typed or pasted positions (a visitor writing "50.2936, 3.8031", a `/share_location{…}`
# payload the bot did not understand): a decimal number with 4 or more decimals (≈ 10 m),
# a pair of numbers with 3 decimals (≈ 100 m), any number after latitude/longitude, and
# degrees-minutes(-seconds). "1.500" or "10.000 pas" alone stay.
COORDINATE = re.compile(
    r"(?<![\w.,])[-+]?\d{1,3}[.,]\d{4,}(?!\d)"
    r"|(?<![\w.,])[-+]?\d{1,3}[.,]\d{3}\s*[,;/\s]\s*[-+]?\d{1,3}[.,]\d{3,}(?!\d)"
    r"|\b(?:lat(?:itude)?|lon(?:gitude)?|lng)\"?\s*[:=]\s*\"?[-+]?\d{1,3}(?:[.,]\d+)?"
    r"|\d{1,3}\s*°\s*\d{1,2}(?:[.,]\d+)?\s*['′’](?:\s*\d{1,2}(?:[.,]\d+)?\s*(?:\"|″|”|''))?",
    re.IGNORECASE)
EMAIL_MARK = "[courriel]"
PHONE_MARK = "[téléphone]"
POSITION_MARK = "[position]"


def _position(match: re.Match[str]) -> str:
    found = match.group(0)
    if found[:1].isdigit() or found[:1] in "+-":
        return POSITION_MARK
    # after "latitude"/"longitude": keep the word and its separator, mask the number
    head = re.match(r"[^\d+-]*", found)
    return (head.group(0) if head else "") + POSITION_MARK


def scrub(text: str) -> str:
    """Emails, phone numbers and typed coordinates replaced by a mark; the rest kept (it is
    what was asked)."""
    return PHONE.sub(PHONE_MARK, COORDINATE.sub(_position, EMAIL.sub(EMAIL_MARK, text)))


class Pseudonymiser:
    """Sender id → stable pseudonym (HMAC-SHA256 with a secret key, truncated): the same
    visitor gets the same pseudonym in every report, and nobody without the key can find
    the session id back or test a guess."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("La clé de pseudonymisation doit faire au moins 16 octets.")
        self._key = key

    def __call__(self, sender_id: str) -> str:
        digest = hmac.new(self._key, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"v-{digest[:16]}"


def cell(latitude: float, longitude: float) -> tuple[float, float] | None:
    """The centre of the ~1 km cell holding the point (never the point itself); None for
    impossible coordinates."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)
            and -90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    lat = (math.floor(latitude / CELL_LAT_STEP) + 0.5) * CELL_LAT_STEP
    lon = (math.floor(longitude / CELL_LON_STEP) + 0.5) * CELL_LON_STEP
    return round(lat, 4), round(lon, 4)


def cell_key(latitude: float, longitude: float) -> str | None:
    found = cell(latitude, longitude)
    return None if found is None else f"{found[0]:.4f},{found[1]:.4f}"
