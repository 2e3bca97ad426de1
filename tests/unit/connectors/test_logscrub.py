"""Logs without coordinates or phone numbers (issue 15): Rasa's warnings quoted what a
visitor typed, positions included, and the connectors logged the platforms' error bodies
with phone numbers. The filter on records, then its installation in fresh processes: the
Rasa process as `rasa run` sets it up (its logging, then the channels of credentials.yml)
and the web app."""

from __future__ import annotations

import logging
import subprocess
import sys

from connectors.logscrub import ScrubFilter, install, installed
from tests.support.servers import ROOT

PHONES = ("+33 6 12 34 56 78", "06.12.34.56.78", "0033612345678", "+44 20 7946 0958")
POSITION = '{"latitude": 50.2936, "longitude": 3.8031}'


def record(msg: str, *args: object, exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord("connectors.messaging", logging.ERROR, __file__, 1, msg, args,
                             exc_info)  # type: ignore[arg-type]


def test_the_filter_masks_positions_and_phone_numbers_in_a_record() -> None:
    body = '{"error": "numéro %s invalide", "text": "je suis à 50.29361, 3.80312"}'
    for phone in PHONES:
        rec = record("SMS envoi: refusé, HTTP %s : %s", 400, body % phone)
        assert ScrubFilter().filter(rec) is True
        message = rec.getMessage()
        assert phone not in message and "50.29361" not in message and "3.80312" not in message
        assert message.startswith("SMS envoi: refusé, HTTP 400 : ")
        assert "[téléphone]" in message and "[position]" in message
    rec = record("Failed to parse arguments in line '/share_location%s'", POSITION)
    ScrubFilter().filter(rec)
    assert "50.2936" not in rec.getMessage() and "3.8031" not in rec.getMessage()
    plain = record("Telegram envoi: plateforme injoignable après %d tentative(s)", 3)
    ScrubFilter().filter(plain)
    assert plain.getMessage() == "Telegram envoi: plateforme injoignable après 3 tentative(s)"


def test_the_filter_masks_tracebacks_and_keeps_broken_records() -> None:
    try:
        raise ValueError("destinataire +33 6 12 34 56 78 inconnu")
    except ValueError:
        rec = record("Échec d'un envoi", exc_info=sys.exc_info())
    ScrubFilter().filter(rec)
    assert rec.exc_text and "ValueError: destinataire [téléphone] inconnu" in rec.exc_text
    assert "12 34 56 78" not in logging.Formatter().format(rec)
    broken = record("%d tentatives", "trois")
    assert ScrubFilter().filter(broken) is True and broken.msg == "%d tentatives"


def test_install_is_idempotent() -> None:
    install()
    factory = logging.getLogRecordFactory()
    install()
    assert installed() and logging.getLogRecordFactory() is factory


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=180, check=True)
    return done.stdout + done.stderr


RASA_PROCESS = f"""
import logging
from rasa.utils.common import configure_logging_and_warnings
from rasa.core.run import create_http_input_channels
from rasa.shared.utils.io import raise_warning

configure_logging_and_warnings(logging.INFO)
channels = create_http_input_channels(None, "credentials.yml")
assert any(type(c).__module__ == "connectors.rest" for c in channels)
raise_warning("Failed to parse arguments in line '/share_location" + {POSITION!r} + "'")
logging.getLogger("connectors.messaging").error(
    "%s %s: refusé, HTTP %s : %s", "SMS", "envoi", 400, '{{"to": "{PHONES[0]}"}}')
print("done")
"""


def test_the_rasa_process_logs_no_position_or_phone_number() -> None:
    out = run(RASA_PROCESS)
    assert "done" in out and "Failed to parse arguments in line" in out
    assert "refusé, HTTP 400" in out and "[téléphone]" in out
    assert "50.2936" not in out and "3.8031" not in out and "12 34 56 78" not in out


def test_the_web_app_logs_no_position_or_phone_number() -> None:
    out = run(f"""
import logging
logging.basicConfig(level=logging.INFO)
from webapp.app import create_app
create_app()
logging.getLogger("webapp.app").error("Erreur %s", {POSITION + " " + PHONES[1]!r})
""")
    assert "Erreur" in out and "50.2936" not in out and "06.12.34.56.78" not in out
