"""Rasa input channels of the Dumoulin family (Sanic blueprints)."""
