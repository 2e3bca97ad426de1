"""The documented reverse proxy (docs/nginx.conf) in front of the real servers (issue 15):
it forwards the channels and the web app, not Rasa's HTTP API (before, the proxy had to
forward /conversations/* because the web app posted clicks to the public address with
the API token), and applies the size limits. Runs Debian's nginx on the file as written,
only its addresses and certificates replaced by the test's."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.security.conftest import WebApp, send_large, web_app
from tests.support.servers import ROOT, Servers, free_port, wait_http

pytestmark = pytest.mark.e2e

CONFIG = ROOT / "docs" / "nginx.conf"


def site_for_test(rasa_port: int, web_port: int, port: int) -> str:
    site = CONFIG.read_text(encoding="utf-8")
    site = site.replace("server 127.0.0.1:5005;", f"server 127.0.0.1:{rasa_port};")
    site = site.replace("server 127.0.0.1:8080;", f"server 127.0.0.1:{web_port};")
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{port};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{free_port()};")
    return re.sub(r"\n\s*ssl_certificate(_key)?\s[^\n]*", "", site)


@pytest.fixture(scope="module")
def proxy(rasa_servers: Servers, tmp_path_factory: pytest.TempPathFactory,
          ) -> Iterator[tuple[str, WebApp]]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    workdir = tmp_path_factory.mktemp("proxy")
    rasa_port = int(rasa_servers.rasa_url.rsplit(":", 1)[1])
    with web_app(workdir, {"RASA_INTERNAL_URL": rasa_servers.rasa_url,
                           "RASA_API_TOKEN": rasa_servers.env["RASA_API_TOKEN"],
                           "WEB_TRUSTED_PROXIES": "127.0.0.1"}, ()) as app:
        port = free_port()
        (workdir / "site.conf").write_text(
            site_for_test(rasa_port, int(app.url.rsplit(":", 1)[1]), port))
        (workdir / "nginx.conf").write_text(f"""
user root;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    include {workdir}/site.conf;
}}
""")
        proc = subprocess.Popen([nginx, "-p", str(workdir), "-c", str(workdir / "nginx.conf"),
                                 "-g", "daemon off;"], stderr=subprocess.DEVNULL)
        try:
            wait_http(f"http://127.0.0.1:{port}/healthz", 30, proc)
            yield f"http://127.0.0.1:{port}", app
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def get(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_the_proxy_forwards_the_channels_and_the_web_app(proxy: tuple[str, WebApp]) -> None:
    base, _ = proxy
    status, body = get(f"{base}/webhooks/rest/webhook",
                       json.dumps({"sender": "par-le-proxy", "message": "bonjour"}).encode())
    assert status == 200 and json.loads(body)  # the family answered
    status, body = get(f"{base}/socket.io/?EIO=4&transport=polling")
    assert status == 200 and body.startswith(b"0{")  # engine.io's open packet
    status, body = get(f"{base}/")
    assert status == 200 and b"widget" in body


def test_rasa_s_http_api_is_not_public(proxy: tuple[str, WebApp],
                                       rasa_servers: Servers) -> None:
    base, _ = proxy
    token = rasa_servers.env["RASA_API_TOKEN"]
    for path in (f"/conversations/par-le-proxy/tracker?token={token}",
                 f"/status?token={token}", f"/version?token={token}"):
        assert get(f"{rasa_servers.rasa_url}{path}")[0] == 200  # there, on 127.0.0.1…
        assert get(f"{base}{path}")[0] == 404, path  # …not through the proxy


def test_the_proxy_caps_bodies_before_the_servers(proxy: tuple[str, WebApp]) -> None:
    base, _ = proxy
    json_type = {"Content-Type": "application/json"}
    assert send_large(f"{base}/webhooks/rest/webhook", 100_000, json_type)[0] == 413
    assert send_large(f"{base}/webhooks/sms/webhook", 100_000, json_type)[0] == 413
    assert send_large(f"{base}/console/connexion", 2_000_000, json_type)[0] == 413
    assert send_large(f"{base}/console/import", 30_000_000, json_type)[0] == 413
