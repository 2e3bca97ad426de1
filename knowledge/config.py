"""Settings read from the environment (or a `.env` file at the project root)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = Path(__file__).resolve().parent / "seed"
TIMEZONE = "Europe/Paris"
PARIS = ZoneInfo(TIMEZONE)
"""The tourism office's time zone: opening hours, event dates and analytics days."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    max_distance_km: float


def default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'knowledge.sqlite3'}"


def get_settings() -> Settings:
    """Read the settings now (not at import time), so tests can change the environment."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    return Settings(
        database_url=os.environ.get("KNOWLEDGE_DATABASE_URL") or default_database_url(),
        max_distance_km=float(os.environ.get("KNOWLEDGE_MAX_DISTANCE_KM", "40")),
    )
