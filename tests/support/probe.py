"""How long a server takes to answer while something else happens: a thread that GETs a
URL over and over and keeps the slowest answer (an event loop held by a request shows
as one slow answer). Used by the hostile-input test and bench/edge_requests.py."""

from __future__ import annotations

import threading
import time
import urllib.request


class Probe(threading.Thread):
    """GETs `url` every `every` seconds until `stop` is set; `slowest` in seconds."""

    def __init__(self, url: str, every: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.url, self.every = url, every
        self.slowest = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            start = time.monotonic()
            try:
                with urllib.request.urlopen(self.url, timeout=120) as resp:
                    resp.read()
            except OSError:
                pass  # a refused probe still counts its time
            self.slowest = max(self.slowest, time.monotonic() - start)
            time.sleep(self.every)
