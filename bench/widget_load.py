"""The website widget's weight and its time to usable on a slow mobile connection.

Starts the real servers (actions, Rasa, web app) like the tests do, then prints:
- the bytes of everything the widget itself loads (its one script; its styles are inside),
  raw and as served gzipped by the web app, against the 50 KB budget;
- what a first visit transfers in Chromium (demo page, widget, socket.io handshake);
- the time from navigation start to a usable widget (launcher shown and the socket.io
  session confirmed) in Debian's Chromium with CDP network emulation (default 400 kbit/s
  both ways, 400 ms round trip), cold cache and then warm cache.

    .venv/bin/python bench/widget_load.py [--runs 5] [--kbps 400] [--rtt 400]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.browser import chromium  # noqa: E402
from tests.support.servers import running_servers  # noqa: E402

BUDGET = 50_000   # "50 KB gzipped", read strictly
# Runs in the page before any script: notes when the widget becomes usable.
PROBE = """
(() => {
  const t = setInterval(() => {
    const host = document.getElementById('mormal-chat-widget');
    const button = host && host.shadowRoot && host.shadowRoot.querySelector('.launcher');
    if (button && !window.__launcher && button.getBoundingClientRect().width > 0)
      window.__launcher = performance.now();
    if (host && host.dataset.state === 'connected') {
      window.__usable = performance.now();
      clearInterval(t);
    }
  }, 5);
})();
"""


def served_bytes(url: str) -> tuple[int, int]:
    """(bytes on the wire with gzip, bytes once decompressed) of one URL."""
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        body = resp.read()
        encoding = resp.headers.get("Content-Encoding")
    return len(body), len(gzip.decompress(body) if encoding == "gzip" else body)


def load_once(context: Any, url: str, kbps: int, rtt: int) -> dict[str, float]:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": rtt,
        "downloadThroughput": kbps * 1000 / 8, "uploadThroughput": kbps * 1000 / 8})
    transferred: dict[str, float] = {}
    urls: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent",
           lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished",
           lambda e: transferred.__setitem__(e["requestId"], e["encodedDataLength"]))
    frames = {"socket": 0.0}

    def frame(e: dict[str, Any]) -> None:
        frames["socket"] += len(e["response"]["payloadData"].encode())

    cdp.on("Network.webSocketFrameReceived", frame)
    cdp.on("Network.webSocketFrameSent", frame)
    page.goto(url, wait_until="commit")
    page.wait_for_function("window.__usable !== undefined", timeout=120_000)
    times = page.evaluate("""() => ({
        launcher: window.__launcher, usable: window.__usable,
        dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd})""")
    page.wait_for_timeout(200)
    by_kind = {"page": 0.0, "widget": 0.0, "socket": frames["socket"]}
    for request_id, size in transferred.items():
        target = urls.get(request_id, "")
        kind = ("widget" if "/widget/" in target else "socket" if "/socket.io/" in target
                else "page")
        by_kind[kind] += size
    page.close()
    return {**times, **{f"bytes_{k}": v for k, v in by_kind.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--kbps", type=int, default=400, help="throughput, kbit/s each way")
    parser.add_argument("--rtt", type=int, default=400, help="added round-trip latency, ms")
    args = parser.parse_args()

    raw = (ROOT / "connectors" / "widget" / "widget.js").read_bytes()
    with tempfile.TemporaryDirectory() as tmp, running_servers(Path(tmp), web=True) as servers:
        wire, plain = served_bytes(f"{servers.web_url}/widget/widget.js")
        print("Widget weight (everything it loads: widget.js, styles inside; no third party)")
        print(f"  widget.js          {len(raw):>7,} bytes raw")
        print(f"  served gzipped     {wire:>7,} bytes ({plain:,} once decompressed)")
        print(f"  gzip -9 (minimum)  {len(gzip.compress(raw, 9)):>7,} bytes")
        print(f"  budget             {BUDGET:>7,} bytes: {'met' if wire <= BUDGET else 'MISSED'}")

        print(f"\nTime to a usable widget, {args.kbps} kbit/s, {args.rtt} ms RTT "
              f"(CDP emulation), {args.runs} runs")
        with chromium() as browser:
            cold, warm = [], []
            for _ in range(args.runs):
                context = browser.new_context(locale="fr-FR")
                context.add_init_script(PROBE)
                cold.append(load_once(context, servers.web_url + "/", args.kbps, args.rtt))
                warm.append(load_once(context, servers.web_url + "/", args.kbps, args.rtt))
                context.close()
        for name, runs in (("cold cache", cold), ("warm cache", warm)):
            def med(key: str, runs: list[dict[str, float]] = runs) -> float:
                return statistics.median(r[key] for r in runs)
            print(f"  {name}: launcher shown {med('launcher'):,.0f} ms, usable (connected) "
                  f"{med('usable'):,.0f} ms [min {min(r['usable'] for r in runs):,.0f}, "
                  f"max {max(r['usable'] for r in runs):,.0f}]; DOMContentLoaded "
                  f"{med('dcl'):,.0f} ms")
            print(f"    transferred: page {med('bytes_page'):,.0f} B, widget "
                  f"{med('bytes_widget'):,.0f} B, socket.io handshake "
                  f"{med('bytes_socket'):,.0f} B (payloads)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
