"""Charts drawn as inline SVG (no script, no third-party host): bars for rankings,
columns for days, squares for position cells. Each has a <title> and <desc> for screen
readers; the figures are also in the tables next to them."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import count

from markupsafe import Markup, escape

_ids = count(1)
COLOUR = "#1d5e8c"
COLOUR_2 = "#c2571a"


def _open(width: int, height: int, title: str, desc: str) -> tuple[str, str]:
    n = next(_ids)
    head = (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'viewBox="0 0 {width} {height}" width="100%" '
            f'aria-labelledby="chart-{n}-t chart-{n}-d">'
            f'<title id="chart-{n}-t">{escape(title)}</title>'
            f'<desc id="chart-{n}-d">{escape(desc)}</desc>')
    return head, "</svg>"


def bars(rows: Sequence[tuple[str, int]], title: str, limit: int = 12) -> Markup:
    """Horizontal bars, one per label, longest first as given."""
    rows = list(rows)[:limit]
    desc = "; ".join(f"{label} : {value}" for label, value in rows) or "aucune donnée"
    width, label_w, bar_h = 640, 230, 22
    height = max(1, len(rows)) * (bar_h + 6) + 8
    head, tail = _open(width, height, title, desc)
    top = max((v for _, v in rows), default=0) or 1
    parts = [head]
    if not rows:
        parts.append('<text x="8" y="20" font-size="14">Aucune donnée</text>')
    for i, (label, value) in enumerate(rows):
        y = 4 + i * (bar_h + 6)
        w = max(1.0, (width - label_w - 60) * value / top)
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" font-size="13">'
            f'{escape(short)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" '
            f'fill="{COLOUR}" data-value="{value}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}" font-size="13">{value}</text>')
    parts.append(tail)
    return Markup("".join(parts))


def columns(rows: Sequence[tuple[str, int, int]], title: str,
            legend: tuple[str, str] = ("conversations", "messages")) -> Markup:
    """Two columns per period (e.g. conversations and messages per day)."""
    rows = list(rows)[-92:]
    desc = "; ".join(f"{label} : {a} {legend[0]}, {b} {legend[1]}" for label, a, b in rows)
    width, height, base = 640, 240, 200
    head, tail = _open(width, height, title, desc or "aucune donnée")
    parts = [head]
    top = max((max(a, b) for _, a, b in rows), default=0) or 1
    slot = (width - 40) / max(1, len(rows))
    bar = max(1.0, slot / 2 - 1)
    for i, (label, a, b) in enumerate(rows):
        x = 30 + i * slot
        for j, (value, colour) in enumerate(((a, COLOUR), (b, COLOUR_2))):
            h = (base - 20) * value / top
            parts.append(f'<rect class="bar" x="{x + j * bar:.1f}" y="{base - h:.1f}" '
                         f'width="{bar:.1f}" height="{h:.1f}" fill="{colour}" '
                         f'data-value="{value}"/>')
        if len(rows) <= 16 or i % max(1, len(rows) // 8) == 0:
            parts.append(f'<text x="{x:.1f}" y="{base + 16}" font-size="11">'
                         f'{escape(label[5:] if len(label) == 10 else label)}</text>')
    parts.append(f'<line x1="28" y1="{base}" x2="{width - 8}" y2="{base}" stroke="#444"/>'
                 f'<text x="30" y="{height - 6}" font-size="12" fill="{COLOUR}">■ '
                 f'{escape(legend[0])}</text><text x="200" y="{height - 6}" font-size="12" '
                 f'fill="{COLOUR_2}">■ {escape(legend[1])}</text>')
    if not rows:
        parts.append('<text x="30" y="100" font-size="14">Aucune donnée</text>')
    parts.append(tail)
    return Markup("".join(parts))


def cells(rows: Sequence[tuple[float, float, int]], title: str) -> Markup:
    """Position cells as squares on their latitude/longitude grid, darker when more."""
    desc = "; ".join(f"maille {lat:.3f}, {lon:.3f} : {n}" for lat, lon, n in rows[:50])
    width, height = 400, 300
    head, tail = _open(width, height, title, desc or "aucune position")
    parts = [head, f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f3f1ea"/>']
    if rows:
        lats = [r[0] for r in rows]
        lons = [r[1] for r in rows]
        span = max(max(lats) - min(lats), max(lons) - min(lons), 0.05)
        scale = (min(width, height) - 40) / span
        top = max(r[2] for r in rows)
        size = max(4.0, 0.012 * scale)
        for lat, lon, n in rows:
            x = 20 + (lon - min(lons)) * scale
            y = height - 20 - (lat - min(lats)) * scale - size
            opacity = 0.35 + 0.65 * n / top
            parts.append(f'<rect class="cell" x="{x:.1f}" y="{y:.1f}" width="{size:.1f}" '
                         f'height="{size:.1f}" fill="{COLOUR_2}" fill-opacity="{opacity:.2f}" '
                         f'data-value="{n}"/>')
    else:
        parts.append('<text x="20" y="150" font-size="14">Aucune position partagée</text>')
    parts.append(tail)
    return Markup("".join(parts))
