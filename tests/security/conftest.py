"""What the security tests share: a tracker store on SQLite and on the PostgreSQL server
(every storage finding is checked on both), events written as Rasa's SQL tracker store
writes them, and the web app started as a real server with staff accounts."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import select
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import pytest
from sqlalchemy.engine import Engine

from analytics.reader import make_engine
from analytics.synthetic import EVENTS_TABLE, create_events_table
from tests.conftest import _postgres_database
from tests.support.servers import ROOT, Servers, running_servers

PASSWORD = "mot-de-passe-du-test"
# The SMS channel on, with a platform API nobody answers (no reply is sent in these tests).
TWILIO = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "jeton-twilio-du-test",
          "TWILIO_FROM": "+33600000000", "TWILIO_API_URL": "http://127.0.0.1:9"}
WEB_SECRET = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0="


@pytest.fixture(scope="session")
def rasa_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """The real Rasa server (the project's channels, SQLite tracker store) and action
    server, started once for the security tests that need them."""
    with running_servers(tmp_path_factory.mktemp("rasa"), TWILIO) as servers:
        yield servers


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def tracker_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty tracker store with Rasa's `events` table."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
        databases = None
    else:
        databases = cast(Generator[str, None, None], _postgres_database())
        url = next(databases)
    engine = make_engine(url)
    create_events_table(engine)
    engine.dispose()
    yield url
    if databases is not None:
        databases.close()  # drops the database


def write_events(engine: Engine, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        conn.execute(EVENTS_TABLE.insert(), rows)


def event(sender: str, kind: str, ts: float, **data: Any) -> dict[str, Any]:
    """One row of Rasa's `events` table (data as Rasa serialises it: JSON, `\\u0000`
    escapes and all)."""
    body = {"event": kind, "timestamp": ts, **data}
    intent = ((data.get("parse_data") or {}).get("intent") or {}).get("name") \
        if kind == "user" and isinstance(data.get("parse_data"), dict) else None
    return {"sender_id": sender, "type_name": kind, "timestamp": ts,
            "intent_name": intent, "action_name": data.get("name") if kind == "action" else None,
            "data": json.dumps(body)}


def user(sender: str, ts: float, text: str, intent: str, channel: str,
         entities: list[Any] | None = None) -> dict[str, Any]:
    return event(sender, "user", ts, text=text, input_channel=channel,
                 parse_data={"intent": {"name": intent, "confidence": 1.0},
                             "entities": entities or [], "text": text})


def run(*args: str, env: dict[str, str] | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env or os.environ.copy(),
                          input=stdin, text=True, capture_output=True, timeout=300)


@dataclass
class WebApp:
    url: str
    env: dict[str, str]
    servers: Servers


def web_env(workdir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ,
            "KNOWLEDGE_DATABASE_URL": f"sqlite:///{workdir / 'knowledge.sqlite3'}",
            "TRACKER_STORE_DB": str(workdir / "tracker.sqlite3"), "TRACKER_STORE_URL": "",
            "WEB_SECRET_KEY": WEB_SECRET, "ANALYTICS_DAILY_RETENTION": "0",
            "PYTHONPATH": str(ROOT), "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            **(extra or {})}


@contextmanager
def web_app(workdir: Path, extra_env: dict[str, str] | None = None,
            accounts: tuple[tuple[str, str], ...] = (("anna", "analyst"),)) -> Iterator[WebApp]:
    """`python -m webapp` on a free port (tests/support/servers.py), on a seeded knowledge
    base, with staff accounts (name, role) whose password is PASSWORD; no model needed."""
    env = web_env(workdir, extra_env)
    made = run("-m", "knowledge", "init", env=env)
    assert made.returncode == 0, made.stderr
    for name, role in accounts:
        made = run("-m", "webapp.console", "users", "add", name, "--role", role,
                   "--password-stdin", env=env, stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
    servers = Servers("", "", env, workdir)
    try:
        servers.start_web()
        yield WebApp(servers.web_url, env, servers)
    finally:
        servers.stop("web")


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Staff:
    """A browser-like client of the console (cookies kept, CSRF token read from forms)."""

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        self.base = base
        self.headers = headers or {}
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, path: str, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(self.base + path, data=data,
                                     headers={**self.headers, **(headers or {})})
        try:
            with self.opener.open(req, timeout=60) as resp:
                return resp.status, resp.read().decode(), dict(resp.headers)
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(), dict(err.headers)

    def csrf(self, path: str = "/console/connexion") -> str:
        _, body, _ = self.request(path)
        found = CSRF.search(body)
        assert found, body[:300]
        return found.group(1)

    def log_in(self, name: str, password: str = PASSWORD,
               headers: dict[str, str] | None = None) -> int:
        form = {"csrf_token": self.csrf(), "suivant": "/console/", "username": name,
                "password": password}
        return self.request("/console/connexion", form, headers)[0]


    def upload(self, page: str, filename: str, content: bytes, fmt: str = "auto",
               ) -> tuple[int, str]:
        """The console's import form sent with a file, the CSRF token read on `page`."""
        boundary = uuid.uuid4().hex
        fields = {"csrf_token": self.csrf(page), "format": fmt}
        body = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            .encode() for k, v in fields.items())
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="fichier"; '
                 f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                 .encode() + content + f"\r\n--{boundary}--\r\n".encode())
        req = urllib.request.Request(
            f"{self.base}/console/import", data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        try:
            with self.opener.open(req, timeout=300) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as err:
            if err.code == 303:  # the dry run is a background job: its page, once done
                return self.job_result(err.headers["Location"])
            return err.code, err.read().decode()

    def job_result(self, path: str, timeout: float = 300) -> tuple[int, str]:
        """The page of an import job once it shows the result (no more self-refresh)."""
        deadline = time.monotonic() + timeout
        while True:
            status, body, _ = self.request(path)
            if 'http-equiv="refresh"' not in body or time.monotonic() > deadline:
                return status, body
            time.sleep(0.5)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def send_large(url: str, size: int, headers: dict[str, str], chunked: bool = False,
               body: bytes | None = None) -> tuple[int, float]:
    """POSTs `size` bytes ("a"s, or `body`) the way a hostile client does (all of it, 64 KB
    at a time, with a Content-Length or chunked) and reads the answer as soon as one
    comes: its status and the seconds from the headers to the answer."""
    parts = urlsplit(url)
    payload = memoryview(body if body is not None else b"a" * size)
    size = len(payload)
    head = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.netloc}",
            *(f"{k}: {v}" for k, v in headers.items()),
            "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"]
    with socket.create_connection((parts.hostname, parts.port or 80), timeout=120) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        start = time.monotonic()
        sent = 0
        try:
            while sent < size and not select.select([sock], [], [], 0)[0]:
                piece = payload[sent:sent + 65536]
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: its answer is waiting
        answer = b""
        try:
            while b"\r\n" not in answer:
                data = sock.recv(4096)
                if not data:
                    break
                answer += data
        except ConnectionResetError:
            pass
    took = time.monotonic() - start
    return (int(answer.split()[1]) if answer.startswith(b"HTTP/") else -1), took
