"""The staff console's login under attack (issue 15), over the real web app behind a
trusted proxy (WEB_TRUSTED_PROXIES=127.0.0.1, the test client standing for nginx): before,
40 concurrent wrong passwords for one account all got 401 (counted after the password
check), every client behind the proxy was one address, a correct password was refused
while strangers had filled the account's counter, and a copied session cookie stayed
valid after logout and after a password change."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import cast

import pytest

from tests.conftest import _postgres_database
from tests.security.conftest import Staff, WebApp, run, web_app

pytestmark = pytest.mark.e2e

ACCOUNTS = (("cible", "editor"), ("claire", "editor"), ("anna", "analyst"),
            ("paul", "admin"))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebApp]:
    with web_app(tmp_path_factory.mktemp("login"), {"WEB_TRUSTED_PROXIES": "127.0.0.1"},
                 ACCOUNTS) as running:
        yield running


def via(address: str) -> dict[str, str]:
    """What the trusted proxy adds for a client at `address` (after what it was sent)."""
    return {"X-Forwarded-For": f"10.9.9.9, {address}"}


def test_concurrent_wrong_passwords_for_one_account_get_429(app: WebApp) -> None:
    staff = Staff(app.url)
    form = {"csrf_token": staff.csrf(), "suivant": "/console/", "username": "cible",
            "password": "pas-le-bon-mot-de-passe"}
    with ThreadPoolExecutor(40) as pool:
        statuses = Counter(pool.map(
            lambda _: staff.request("/console/connexion", form)[0], range(40)))
    assert statuses == {401: 5, 429: 35}


def test_the_address_is_the_forwarded_one_behind_the_trusted_proxy(app: WebApp) -> None:
    guesser, colleague = Staff(app.url, via("203.0.113.7")), Staff(app.url, via("198.51.100.9"))
    for n in range(20):
        assert guesser.log_in(f"inconnu{n}", "mauvais-mot-de-passe") == 401
    assert guesser.log_in("claire") == 429  # this address is blocked…
    assert colleague.log_in("claire") == 302  # …not every client behind the proxy


def test_a_forwarded_header_is_ignored_unless_the_proxy_is_trusted(tmp_path: Path) -> None:
    """Anyone can send X-Forwarded-For: from a proxy that is not listed, it changes
    nothing (here 127.0.0.1 is not the trusted 10.0.0.1)."""
    with web_app(tmp_path, {"WEB_TRUSTED_PROXIES": "10.0.0.1"}, (("zoe", "editor"),)) as other:
        for n in range(20):
            assert Staff(other.url, via(f"192.0.2.{n + 1}")).log_in(
                f"inconnu{n}", "mauvais-mot-de-passe") == 401
        assert Staff(other.url, via("198.51.100.9")).log_in("zoe") == 429


def test_strangers_cannot_lock_a_colleague_out(app: WebApp) -> None:
    """30 wrong passwords for paul, each from another address: none of them refused, each
    one slower; then paul, from his own address, with his password, gets in."""
    def stranger(n: int) -> int:
        return Staff(app.url, via(f"192.0.2.{n + 1}")).log_in("paul", "mauvais-mot-de-passe")

    with ThreadPoolExecutor(30) as pool:
        assert set(pool.map(stranger, range(30))) == {401}
    start = time.monotonic()
    assert Staff(app.url, via("198.51.100.50")).log_in("paul") == 302
    assert time.monotonic() - start >= 4  # the account's progressive delay, not a refusal


def _copy(staff: Staff) -> Staff:
    thief = Staff(staff.base, staff.headers)
    for cookie in staff.jar:
        thief.jar.set_cookie(cookie)
    return thief


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres",
                                                              marks=pytest.mark.postgres)])
def test_logout_and_a_password_change_revoke_a_copied_cookie(backend: str,
                                                              tmp_path: Path) -> None:
    """The session versions live in the console's database: SQLite and PostgreSQL."""
    databases = (cast(Generator[str, None, None], _postgres_database())
                 if backend == "postgres" else None)
    extra = {"KNOWLEDGE_DATABASE_URL": next(databases)} if databases else {}
    try:
        with web_app(tmp_path, extra, (("anna", "analyst"),)) as app:
            _revocation(app)
    finally:
        if databases is not None:
            databases.close()


def _revocation(app: WebApp) -> None:
    anna = Staff(app.url)
    assert anna.log_in("anna") == 302
    thief = _copy(anna)
    assert thief.request("/console/")[0] == 200
    csrf = anna.csrf("/console/")
    assert anna.request("/console/deconnexion", {"csrf_token": csrf})[0] == 302
    status, _, headers = thief.request("/console/")
    assert status == 302 and "/console/connexion" in headers["Location"]

    assert anna.log_in("anna") == 302
    thief = _copy(anna)
    assert thief.request("/console/")[0] == 200
    changed = run("-m", "webapp.console", "users", "set-password", "anna", "--password-stdin",
                  env=app.env, stdin="un-nouveau-mot-de-passe\n")
    assert changed.returncode == 0, changed.stderr
    assert thief.request("/console/")[0] == 302
    assert anna.request("/console/")[0] == 302
    assert anna.log_in("anna", "un-nouveau-mot-de-passe") == 302
    assert anna.request("/console/")[0] == 200
