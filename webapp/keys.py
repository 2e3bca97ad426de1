"""The web app's shared resources, as typed application keys.

The app factory (`webapp.app`) fills them; the parts of the site read them. They live here
so that the parts and the factory do not import each other.
"""

from __future__ import annotations

import aiohttp
from aiohttp import web
from sqlalchemy.engine import Engine

from knowledge.aio import KnowledgeBase
from webapp.settings import WebSettings

SETTINGS = web.AppKey("settings", WebSettings)
KB = web.AppKey("kb", KnowledgeBase)
TRACKER = web.AppKey("tracker", Engine)  # Rasa's tracker store (analytics, interactions)
HTTP = web.AppKey("http", aiohttp.ClientSession)
