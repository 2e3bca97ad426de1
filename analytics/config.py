"""Where the conversations are, the pseudonymisation key, and the privacy defaults.

The widget's privacy notice states these figures: keep them equal.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from dotenv import load_dotenv

from knowledge.config import PROJECT_ROOT, TIMEZONE

RETENTION_DAYS = 30          # raw conversations are deleted after this many days
CELL_LAT_STEP = 0.01         # ≈ 1.1 km north–south
CELL_LON_STEP = 0.015        # ≈ 1.07 km east–west at 50° N (the Pays de Mormal)
LOCAL_TIMEZONE = TIMEZONE    # days and weeks are those of the tourism office
VAR_DIR = PROJECT_ROOT / "var"


def tracker_store_url(sqlite_file: str | None = None) -> str:
    """TRACKER_STORE_URL (e.g. postgresql://…) when set, else the SQLite file
    (`sqlite_file`, or TRACKER_STORE_DB) — the same settings endpoints.yml gives Rasa."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    url = os.environ.get("TRACKER_STORE_URL", "").strip()
    if url:
        return url
    db = sqlite_file or os.environ.get("TRACKER_STORE_DB") or str(VAR_DIR / "tracker.sqlite3")
    return f"sqlite:///{db}"


def analytics_key(var_dir: Path = VAR_DIR) -> bytes:
    """The pseudonymisation key: ANALYTICS_KEY, or a key generated once in var/.

    Pseudonyms stay stable across reports only while this key is kept; deleting it makes
    earlier exports impossible to link to new ones."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    configured = os.environ.get("ANALYTICS_KEY", "").strip()
    if configured:
        return configured.encode()
    path = var_dir / "analytics.key"
    if path.exists():
        return path.read_bytes().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32).encode()
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
        f.write(key)
    return key
