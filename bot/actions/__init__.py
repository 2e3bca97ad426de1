"""Custom actions of the Dumoulin family (rasa-sdk). Thin: logic is in knowledge/."""

from bot.actions import fallback, information, location, searches

__all__ = ["fallback", "information", "location", "searches"]
