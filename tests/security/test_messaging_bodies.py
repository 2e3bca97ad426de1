"""The Telegram and WhatsApp webhooks cap their bodies at 64 KB before reading them
(issue 15, bounded input: every channel, not only REST and SMS). Over the real channels
served by Sanic (tests/support/messaging_channels.py), with valid secrets and signatures,
so that size is the only reason for a refusal: 60 KB is answered, 100 KB gets 413."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.support.messaging_channels import ENV, messaging_channels

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with messaging_channels() as running:
        yield running


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    req = urllib.request.Request(url, data=body,
                                 headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return err.code


def padded(base: dict[str, object], size: int) -> bytes:
    return json.dumps({**base, "bourrage": "x" * size}).encode()


@pytest.mark.parametrize(("size", "status"), [(60_000, 200), (100_000, 413)])
def test_telegram_bodies_over_64_kb_are_refused(url: str, size: int, status: int) -> None:
    body = padded({"update_id": size}, size)
    assert post(f"{url}/webhooks/telegram/webhook", body, {
        "X-Telegram-Bot-Api-Secret-Token": ENV["TELEGRAM_WEBHOOK_SECRET"]}) == status


@pytest.mark.parametrize(("size", "status"), [(60_000, 200), (100_000, 413)])
def test_whatsapp_bodies_over_64_kb_are_refused(url: str, size: int, status: int) -> None:
    body = padded({"entry": []}, size)
    signature = "sha256=" + hmac.new(ENV["WHATSAPP_APP_SECRET"].encode(), body,
                                     hashlib.sha256).hexdigest()
    assert post(f"{url}/webhooks/whatsapp/webhook", body,
                {"X-Hub-Signature-256": signature}) == status
