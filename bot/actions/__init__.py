"""Custom actions of the Dumoulin family (rasa-sdk). Thin: logic is in knowledge/."""

from bot.actions import fallback, information, location, searches, timing

timing.install_if_enabled()  # opt-in (BENCH_TIMING, issue 18): off by default

__all__ = ["fallback", "information", "location", "searches"]
