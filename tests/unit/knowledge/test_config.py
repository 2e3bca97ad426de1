"""The one configuration (knowledge/config.py): defaults written once, README's variables,
secrets generated once in var/."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from analytics.config import analytics_key
from knowledge import config
from knowledge.config import DEFAULTS, get_settings, setting, settings_of, var_secret
from webapp.settings import get_web_settings


def test_defaults_are_those_of_the_readme(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KNOWLEDGE_DATABASE_URL", "KNOWLEDGE_MAX_DISTANCE_KM", "TRACKER_STORE_DB",
                 "TRACKER_STORE_URL", "ANALYTICS_DAILY_RETENTION", "MESSAGING_RETRY_ATTEMPTS",
                 "MESSAGING_RETRY_DELAY", "OPENAGENDA_API_URL", "KNOWLEDGE_IMPORT_MAPPING",
                 "OPENAGENDA_KEY"):
        monkeypatch.delenv(name, raising=False)
    s = get_settings()
    assert s.database_url == f"sqlite:///{config.PROJECT_ROOT / 'var' / 'knowledge.sqlite3'}"
    assert s.max_distance_km == 40.0
    assert s.tracker_store_db == str(config.PROJECT_ROOT / "var" / "tracker.sqlite3")
    assert s.tracker_store_url == f"sqlite:///{s.tracker_store_db}"
    assert s.daily_retention is True
    assert (s.messaging_retry_attempts, s.messaging_retry_delay) == (4, 0.5)
    assert s.openagenda_api_url == "https://api.openagenda.com/v2" and s.openagenda_key == ""
    assert s.import_mapping.is_file()


def test_the_environment_wins_and_empty_means_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_STORE_URL", "postgresql://u@127.0.0.1/conv")
    monkeypatch.setenv("ANALYTICS_DAILY_RETENTION", "0")
    monkeypatch.setenv("MESSAGING_RETRY_ATTEMPTS", "0")  # at least one try
    monkeypatch.setenv("KNOWLEDGE_MAX_DISTANCE_KM", "")
    s = get_settings()
    assert s.tracker_store_url == "postgresql://u@127.0.0.1/conv"
    assert s.daily_retention is False and s.messaging_retry_attempts == 1
    assert s.max_distance_km == float(DEFAULTS["KNOWLEDGE_MAX_DISTANCE_KM"])
    monkeypatch.setenv("RASA_PORT", "5999")
    monkeypatch.delenv("RASA_PUBLIC_URL", raising=False)
    monkeypatch.setenv("WEB_SECRET_KEY", base64.urlsafe_b64encode(b"s" * 32).decode())
    web = get_web_settings(s)
    assert web.rasa_url == "http://127.0.0.1:5999" and web.secret_key == b"s" * 32
    assert web.daily_retention is False


def test_a_channel_is_off_until_its_required_variables_are_set(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "t")
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    assert settings_of(("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET")) is None
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", " s ")
    assert settings_of(("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"), ("NOT_SET_X",)) == {
        "TELEGRAM_BOT_TOKEN": "t", "TELEGRAM_WEBHOOK_SECRET": "s", "NOT_SET_X": ""}
    assert setting("NOT_SET_X") == ""


def test_a_secret_is_generated_once_and_kept_private(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def generate() -> bytes:
        calls.append(1)
        return b"first-secret\n"

    assert var_secret("x.key", generate, tmp_path) == b"first-secret"
    assert var_secret("x.key", lambda: b"other", tmp_path) == b"first-secret"
    assert len(calls) == 1
    assert stat.S_IMODE((tmp_path / "x.key").stat().st_mode) == 0o600
    monkeypatch.delenv("ANALYTICS_KEY", raising=False)
    key = analytics_key(tmp_path)
    assert len(key) >= 32 and analytics_key(tmp_path) == key
    monkeypatch.setenv("ANALYTICS_KEY", "  configured-key-0123456789 ")
    assert analytics_key(tmp_path) == b"configured-key-0123456789"
