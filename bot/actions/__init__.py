"""Custom actions of the Dumoulin family (rasa-sdk). Thin: logic is in knowledge/."""

from bot.actions import information, location, searches

__all__ = ["information", "location", "searches"]
