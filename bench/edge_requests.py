"""How long an oversized or forged request holds the Rasa server's event loop.

Starts the real action server and Rasa server (trained model, SQLite stores) on
127.0.0.1; while a probe GETs Rasa's `/` every 20 ms, sends one at a time: a 20 MB REST
body, a REST turn with a 1 MB sender and 5 MB of metadata, a 10 MB forged SMS webhook
(signature header present, wrong), each body made of many small pieces (JSON objects, form
parameters), the costly kind to parse. Prints for each: the answer's status and time, and
the slowest probe answer during it (the time the event loop was held). Run it on the
code before and after issue 15 to compare (bench/README.md).

    .venv/bin/python bench/edge_requests.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.security.conftest import send_large  # noqa: E402
from tests.support.probe import Probe  # noqa: E402
from tests.support.servers import running_servers  # noqa: E402

TWILIO = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "jeton-du-banc",
          "TWILIO_FROM": "+33600000000", "TWILIO_API_URL": "http://127.0.0.1:9"}


def send(url: str, body: bytes, headers: dict[str, str]) -> tuple[str, float]:
    status, took = send_large(url, len(body), headers, body=body)
    return (str(status) if status > 0 else "connexion fermée"), took


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, running_servers(Path(tmp), TWILIO) as servers:
        json_type = {"Content-Type": "application/json"}
        items = b'{"k": 1}, ' * 2_000_000  # many small objects: slow to parse and store
        cases = [
            ("REST, 20 Mo de petits objets", servers.rest_webhook,
             b'{"sender": "banc", "message": "bonjour", "metadata": {"m": [' + items
             + b'{}]}}', json_type),
            ("REST, sender 1 Mo + metadata 5 Mo", servers.rest_webhook,
             b'{"sender": "' + b"s" * 1_000_000 + b'", "message": "bonjour", '
             b'"metadata": {"m": [' + items[:5_000_000] + b'{}]}}', json_type),
            ("SMS falsifié, 10 Mo de paramètres", f"{servers.rasa_url}/webhooks/sms/webhook",
             b"From=%2B33600000001&Body=x&" + b"a=1&" * 2_500_000,
             {"Content-Type": "application/x-www-form-urlencoded",
              "X-Twilio-Signature": "A" * 27 + "="}),
        ]
        print(f"{'requête':36} {'réponse':>28} {'durée (s)':>10} {'boucle tenue (s)':>17}")
        for label, url, body, headers in cases:
            probe = Probe(f"{servers.rasa_url}/", every=0.02)
            probe.start()
            status, took = send(url, body, headers)
            time.sleep(0.2)
            probe.stop.set()
            probe.join()
            print(f"{label:36} {status:>28} {took:>10.2f} {probe.slowest:>17.2f}")


if __name__ == "__main__":
    main()
