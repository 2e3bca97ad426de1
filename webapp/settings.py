"""Web app settings, read from the environment (or `.env`) when the app is built."""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

from knowledge.config import PROJECT_ROOT, default_database_url


@dataclass(frozen=True)
class WebSettings:
    knowledge_url: str
    tracker_store_db: str
    rasa_url: str          # the Rasa server as the browser reaches it (socket.io for the widget)
    rasa_api_token: str    # Rasa's HTTP API token (server side only, never sent to browsers)
    secret_key: bytes      # 32 bytes: signs and encrypts the staff session cookies
    secure_cookies: bool   # `Secure` flag on cookies (on behind HTTPS; off on plain localhost)


def _secret_key(var_dir: Path) -> bytes:
    """WEB_SECRET_KEY (urlsafe base64 of 32 bytes) or a key generated once in var/."""
    configured = os.environ.get("WEB_SECRET_KEY")
    if configured:
        key = base64.urlsafe_b64decode(configured.encode())
        if len(key) != 32:
            raise ValueError("WEB_SECRET_KEY doit encoder 32 octets (base64 urlsafe).")
        return key
    path = var_dir / "web-secret.key"
    if path.exists():
        return base64.urlsafe_b64decode(path.read_bytes().strip())
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    path.write_bytes(base64.urlsafe_b64encode(key))
    path.chmod(0o600)
    return key


def get_web_settings() -> WebSettings:
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    var_dir = PROJECT_ROOT / "var"
    rasa_port = os.environ.get("RASA_PORT", "5005")
    return WebSettings(
        knowledge_url=os.environ.get("KNOWLEDGE_DATABASE_URL") or default_database_url(),
        tracker_store_db=os.environ.get("TRACKER_STORE_DB") or str(var_dir / "tracker.sqlite3"),
        rasa_url=os.environ.get("RASA_PUBLIC_URL") or f"http://127.0.0.1:{rasa_port}",
        rasa_api_token=os.environ.get("RASA_API_TOKEN", ""),
        secret_key=_secret_key(var_dir),
        secure_cookies=os.environ.get("WEB_SECURE_COOKIES", "0") == "1",
    )
