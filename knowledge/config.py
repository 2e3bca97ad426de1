"""The project's one configuration: environment variables, or a `.env` file at the root.

This is the only module that reads the environment (a test checks it). `.env` is loaded
once, without overriding what the environment already sets; every default is written
here once; secrets that may be left unset are generated once in `var/` (`var_secret`).
Entry points (the web app, the command lines, the channels) build a `Settings` with
`get_settings()` and hand it, or the values they need, to the parts that use them.
README's configuration table lists the variables.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = Path(__file__).resolve().parent / "seed"
VAR_DIR = PROJECT_ROOT / "var"
TIMEZONE = "Europe/Paris"
PARIS = ZoneInfo(TIMEZONE)
"""The tourism office's time zone: opening hours, event dates and analytics days."""

# Every default, once. A variable set to an empty string takes its default.
DEFAULTS: Mapping[str, str] = {
    "KNOWLEDGE_DATABASE_URL": f"sqlite:///{VAR_DIR / 'knowledge.sqlite3'}",
    "KNOWLEDGE_MAX_DISTANCE_KM": "40",
    "KNOWLEDGE_IMPORT_MAPPING": str(PROJECT_ROOT / "knowledge" / "importers" / "mapping.yaml"),
    "OPENAGENDA_API_URL": "https://api.openagenda.com/v2",
    "TRACKER_STORE_DB": str(VAR_DIR / "tracker.sqlite3"),
    "ANALYTICS_DAILY_RETENTION": "1",
    "RASA_PORT": "5005",
    "STORE_RETRY_SECONDS": "15",
    "WEB_SECURE_COOKIES": "0",
    "WEB_PUBLIC_URL": "http://127.0.0.1:8080",
    "MESSAGING_RETRY_ATTEMPTS": "4",
    "MESSAGING_RETRY_DELAY": "0.5",
    "TELEGRAM_API_URL": "https://api.telegram.org",
    "WHATSAPP_API_URL": "https://graph.facebook.com/v19.0",
    "TWILIO_API_URL": "https://api.twilio.com",
}

_dotenv_loaded = False


def environment() -> Mapping[str, str]:
    """The process environment, `.env` loaded into it the first time (never overriding)."""
    global _dotenv_loaded
    if not _dotenv_loaded:
        load_dotenv(PROJECT_ROOT / ".env", override=False)
        _dotenv_loaded = True
    return os.environ


def setting(name: str) -> str:
    """The variable's value, stripped, or its default ("" when it has none)."""
    return environment().get(name, "").strip() or DEFAULTS.get(name, "")


def settings_of(required: Iterable[str], optional: Iterable[str] = ()) -> dict[str, str] | None:
    """The variables' values ("" for an unset optional one without default), or None when a
    required one is unset (a channel left off)."""
    values = {name: setting(name) for name in required}
    if not all(values.values()):
        return None
    return values | {name: setting(name) for name in optional}


def var_secret(name: str, generate: Callable[[], bytes], var_dir: Path = VAR_DIR) -> bytes:
    """The secret kept in `var/<name>`, generated (by `generate`) and written once, readable
    by its owner only. Two processes starting together read the same secret."""
    path = var_dir / name
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(generate())
    return path.read_bytes().strip()


def tracker_store_url(sqlite_file: str | None = None) -> str:
    """TRACKER_STORE_URL (e.g. postgresql://…) when set, else the SQLite file
    (`sqlite_file`, or TRACKER_STORE_DB) — the same settings endpoints.yml gives Rasa."""
    url = setting("TRACKER_STORE_URL")
    if url:
        return url
    return f"sqlite:///{sqlite_file or setting('TRACKER_STORE_DB')}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    max_distance_km: float
    tracker_store_db: str = DEFAULTS["TRACKER_STORE_DB"]
    tracker_store_url: str = f"sqlite:///{DEFAULTS['TRACKER_STORE_DB']}"
    daily_retention: bool = True         # the web app applies the retention once a day
    import_mapping: Path = Path(DEFAULTS["KNOWLEDGE_IMPORT_MAPPING"])
    openagenda_api_url: str = DEFAULTS["OPENAGENDA_API_URL"]
    openagenda_key: str = ""
    messaging_retry_attempts: int = 4
    messaging_retry_delay: float = 0.5
    web_public_url: str = DEFAULTS["WEB_PUBLIC_URL"]  # links the bot sends (a day plan's page)


def default_database_url() -> str:
    return DEFAULTS["KNOWLEDGE_DATABASE_URL"]


def get_settings() -> Settings:
    """Read the settings now (not at import time), so tests can change the environment."""
    return Settings(
        database_url=setting("KNOWLEDGE_DATABASE_URL"),
        max_distance_km=float(setting("KNOWLEDGE_MAX_DISTANCE_KM")),
        tracker_store_db=setting("TRACKER_STORE_DB"),
        tracker_store_url=tracker_store_url(),
        daily_retention=setting("ANALYTICS_DAILY_RETENTION") != "0",
        import_mapping=Path(setting("KNOWLEDGE_IMPORT_MAPPING")),
        openagenda_api_url=setting("OPENAGENDA_API_URL"),
        openagenda_key=setting("OPENAGENDA_KEY"),
        # At least one try: with 0, aiohttp_retry would never stop retrying.
        messaging_retry_attempts=max(1, int(setting("MESSAGING_RETRY_ATTEMPTS"))),
        messaging_retry_delay=max(0.0, float(setting("MESSAGING_RETRY_DELAY"))),
        web_public_url=setting("WEB_PUBLIC_URL"),
    )
