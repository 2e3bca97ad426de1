"""Browser tooling shared by the browser tests and benchmarks: Debian's Chromium driven by
Playwright (no browser download), and an axe-core audit injected into the page.

    with chromium() as browser:
        page = browser.new_page()
        page.goto(url)
        assert not serious_violations(page), describe(serious_violations(page))
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, Request, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# RGAA 4 is built on WCAG 2.1 AA: these axe rule tags cover its automatable part.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless. Fails clearly when it or axe-core is missing."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run scripts/ensure-browser.sh (make browser)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    """All axe-core violations of the WCAG 2.1 A/AA rules, on `context` (a CSS selector)
    or the whole page. axe-core descends into open shadow roots by itself."""
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: run scripts/ensure-browser.sh (make browser)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async ([context, tags]) => {
            const r = await axe.run(context || document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}));
        }""",
        [context, WCAG_TAGS],
    )
    return list(result)


def serious_violations(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    """The violations that block a user (axe impact serious or critical)."""
    return [v for v in axe_violations(page, context) if v["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    """A readable assertion message."""
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']} — {v['help']}")
        lines += [f"    {n['target']}: {n['summary']}" for n in v["nodes"][:5]]
    return "\n".join(lines)


class HostRecorder:
    """Records the host of every request a page makes (to prove no third-party host is
    contacted): attach with `page.on("request", recorder)`."""

    def __init__(self) -> None:
        self.hosts: set[str] = set()

    def __call__(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss"):
            self.hosts.add(parts.hostname or "")
