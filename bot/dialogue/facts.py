"""Facts about one record, as the family says them: prices, accessibility."""

from __future__ import annotations

from typing import Any


def price_text(prices: dict[str, Any] | None) -> str:
    if not prices:
        return "je ne les connais pas."
    if prices.get("free"):
        note = str(prices.get("text") or prices.get("note") or "").strip()
        return f"gratuit ({note})." if note else "gratuit."
    return str(prices.get("text") or "voir avec le lieu.")


def access_text(wheelchair: bool | None, pushchair: bool | None, labels: list[str] | None,
                ) -> str:
    parts = []
    if wheelchair is True:
        parts.append("accessible en fauteuil ♿")
    elif wheelchair is False:
        parts.append("pas accessible en fauteuil")
    if pushchair is True:
        parts.append("accessible en poussette")
    if labels:
        parts.append(", ".join(labels))
    return "Accessibilité : " + (", ".join(parts) if parts else "je n'ai pas l'information.")
