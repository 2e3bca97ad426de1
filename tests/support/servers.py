"""Starts the real servers (action server, Rasa) on free 127.0.0.1 ports for end-to-end
tests, on a seeded SQLite knowledge base and tracker store of their own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
MODEL = ROOT / "bot" / "models" / "famille.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@contextmanager
def module_server(module: str, env: dict[str, str], ready_path: str) -> Iterator[str]:
    """`python -m module PORT` (a test server of tests/support/) running with `env`,
    once `ready_path` answers; yields its address."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", module, str(port)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}{ready_path}", 60, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@dataclass
class Servers:
    rasa_url: str
    actions_url: str
    env: dict[str, str]
    workdir: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    web_url: str = ""

    @property
    def rest_webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    def start_actions(self) -> None:
        port = self.actions_url.rsplit(":", 1)[1].split("/")[0]
        log = open(self.workdir / "actions.log", "ab")  # noqa: SIM115 - closed with the proc
        self.procs["actions"] = subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "bot.actions",
             "--port", port], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        wait_http(f"{self.actions_url}/health", 60, self.procs["actions"])

    def start_web(self, port: int | None = None) -> None:
        """The web app (demo page, console, analysis) on `port` or a free one."""
        port = port or free_port()
        self.web_url = f"http://127.0.0.1:{port}"
        log = open(self.workdir / "web.log", "ab")  # noqa: SIM115 - closed with the proc
        self.procs["web"] = subprocess.Popen(
            [sys.executable, "-m", "webapp", "--port", str(port)],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        wait_http(f"{self.web_url}/healthz", 60, self.procs["web"])

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def running_servers(workdir: Path, extra_env: dict[str, str] | None = None,
                    web: bool = False) -> Iterator[Servers]:
    """Actions + Rasa (HTTP API on, with a token), and the web app when `web`, whose
    address is then the `WEB_PUBLIC_URL` of the links the bot sends (a day plan's)."""
    if not MODEL.exists():
        raise RuntimeError(f"{MODEL} is missing: run scripts/train.sh (make test does)")
    rasa_port, actions_port = free_port(), free_port()
    web_port = free_port() if web else None
    kb_url = f"sqlite:///{workdir / 'knowledge.sqlite3'}"
    env = {
        **os.environ,
        "KNOWLEDGE_DATABASE_URL": kb_url,
        "TRACKER_STORE_DB": str(workdir / "tracker.sqlite3"),
        "TRACKER_STORE_URL": "",  # extra_env may give a PostgreSQL URL instead
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook",
        "RASA_TELEMETRY_ENABLED": "false",
        "SANIC_HOST": "127.0.0.1",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONPATH": str(ROOT),
        "RASA_PORT": str(rasa_port),
        "RASA_API_TOKEN": "test-token",
        "WEB_SECRET_KEY": "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0=",
        **({"WEB_PUBLIC_URL": f"http://127.0.0.1:{web_port}"} if web_port else {}),
        **(extra_env or {}),
    }
    subprocess.run([sys.executable, "-m", "knowledge", "init"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    servers = Servers(f"http://127.0.0.1:{rasa_port}",
                      f"http://127.0.0.1:{actions_port}", env, workdir)
    try:
        servers.start_actions()
        log = open(workdir / "rasa.log", "ab")  # noqa: SIM115 - closed with the proc
        servers.procs["rasa"] = subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "--model", str(MODEL), "--endpoints",
             "endpoints.yml", "--credentials", "credentials.yml", "--interface", "127.0.0.1",
             "--port", str(rasa_port), "--enable-api", "--auth-token",
             env["RASA_API_TOKEN"], "--cors", "*"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_http(f"{servers.rasa_url}/", 240, servers.procs["rasa"])
        if web:
            servers.start_web(web_port)
        yield servers
    finally:
        for name in list(servers.procs):
            servers.stop(name)


@contextmanager
def web_only(workdir: Path, accounts: dict[str, str], password: str,
             extra_env: dict[str, str] | None = None) -> Iterator[Servers]:
    """The web app alone (console, Analyse page) on a seeded SQLite knowledge base and a
    tracker store of its own, with staff `accounts` (name → role) sharing `password`."""
    env = {**os.environ, "KNOWLEDGE_DATABASE_URL": f"sqlite:///{workdir / 'kb.sqlite3'}",
           "TRACKER_STORE_DB": str(workdir / "tracker.sqlite3"), "TRACKER_STORE_URL": "",
           "ANALYTICS_KEY": "clé-de-test-assez-longue-pour-hmac", "PYTHONPATH": str(ROOT),
           "RASA_API_TOKEN": "test-token", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
           "WEB_SECRET_KEY": "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0=",
           **(extra_env or {})}
    subprocess.run([sys.executable, "-m", "knowledge", "init"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    for name, role in accounts.items():
        subprocess.run([sys.executable, "-m", "webapp.console", "users", "add", name, "--role",
                        role, "--password-stdin"], cwd=ROOT, env=env, input=password + "\n",
                       text=True, check=True, capture_output=True)
    servers = Servers("", "", env, workdir)
    try:
        servers.start_web()
        yield servers
    finally:
        servers.stop("web")
