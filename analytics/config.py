"""The privacy defaults, and where the conversations and the pseudonymisation key are.

The widget's privacy notice states these figures: keep them equal.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from knowledge.config import VAR_DIR, setting, tracker_store_url, var_secret

__all__ = ["CELL_LAT_STEP", "CELL_LON_STEP", "RETENTION_DAYS", "analytics_key",
           "tracker_store_url"]

RETENTION_DAYS = 30          # raw conversations are deleted after this many days
CELL_LAT_STEP = 0.01         # ≈ 1.1 km north–south
CELL_LON_STEP = 0.015        # ≈ 1.07 km east–west at 50° N (the Pays de Mormal)


def analytics_key(var_dir: Path = VAR_DIR) -> bytes:
    """The pseudonymisation key: ANALYTICS_KEY, or a key generated once in var/.

    Pseudonyms stay stable across reports only while this key is kept; deleting it makes
    earlier exports impossible to link to new ones."""
    configured = setting("ANALYTICS_KEY")
    if configured:
        return configured.encode()
    return var_secret("analytics.key", lambda: secrets.token_urlsafe(32).encode(), var_dir)
