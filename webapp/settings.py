"""Web app settings, taken from the project's configuration when the app is built."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from knowledge.config import Settings, get_settings, setting, var_secret
from webapp.forwarded import Network, parse_networks


@dataclass(frozen=True)
class WebSettings:
    knowledge_url: str
    tracker_store_db: str
    rasa_url: str          # the Rasa server as the browser reaches it (socket.io for the widget)
    rasa_api_token: str    # Rasa's HTTP API token (server side only, never sent to browsers)
    secret_key: bytes      # 32 bytes: signs and encrypts the staff session cookies
    secure_cookies: bool   # `Secure` flag on cookies (on behind HTTPS; off on plain localhost)
    # the Rasa server as this server reaches it, for its HTTP API and token (never the public
    # address: the reverse proxy forwards only the channels, RASA_INTERNAL_URL)
    rasa_internal_url: str = ""
    daily_retention: bool = True  # delete old conversations once a day (ANALYTICS_DAILY_RETENTION)
    # reverse proxies whose X-Forwarded-For is believed (WEB_TRUSTED_PROXIES, webapp/forwarded.py)
    trusted_proxies: tuple[Network, ...] = ()
    # Redis, where every instance counts the login attempts (REDIS_URL; "": in memory)
    redis_url: str = ""
    # the Analyse page's figures: auto (the event broker's counters once a consumer feeds
    # them, else a rescan), compteurs or conversations (ANALYTICS_SOURCE, analytics/source.py)
    analytics_source: str = "auto"


def _secret_key() -> bytes:
    """WEB_SECRET_KEY (urlsafe base64 of 32 bytes) or a key generated once in var/."""
    configured = setting("WEB_SECRET_KEY")
    if configured:
        key = base64.urlsafe_b64decode(configured.encode())
        if len(key) != 32:
            raise ValueError("WEB_SECRET_KEY doit encoder 32 octets (base64 urlsafe).")
        return key
    return base64.urlsafe_b64decode(
        var_secret("web-secret.key", lambda: base64.urlsafe_b64encode(secrets.token_bytes(32))))


def get_web_settings(settings: Settings | None = None) -> WebSettings:
    settings = settings or get_settings()
    return WebSettings(
        knowledge_url=settings.database_url,
        tracker_store_db=settings.tracker_store_db,
        rasa_url=setting("RASA_PUBLIC_URL") or f"http://127.0.0.1:{setting('RASA_PORT')}",
        rasa_internal_url=(setting("RASA_INTERNAL_URL")
                           or f"http://127.0.0.1:{setting('RASA_PORT')}"),
        rasa_api_token=setting("RASA_API_TOKEN"),
        secret_key=_secret_key(),
        secure_cookies=setting("WEB_SECURE_COOKIES") == "1",
        daily_retention=settings.daily_retention,
        trusted_proxies=parse_networks(setting("WEB_TRUSTED_PROXIES")),
        redis_url=setting("REDIS_URL"),
        analytics_source=setting("ANALYTICS_SOURCE") or "auto",
    )
