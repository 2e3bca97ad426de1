"""The French words analysts read for the keys the figures are counted by: channels (as
Rasa records `input_channel`), intents (domain.yml) and interests (the taxonomy)."""

from __future__ import annotations

from knowledge.taxonomy import INTERESTS

CHANNELS: dict[str, str] = {
    "socketio": "site web",
    "rest": "API REST (essais)",
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
    "sms": "SMS",
    "inconnu": "canal inconnu",
}
INTENTS: dict[str, str] = {
    "greet": "salutation",
    "goodbye": "au revoir",
    "thank": "remerciement",
    "affirm": "oui",
    "deny": "non",
    "bot_challenge": "« êtes-vous un robot ? »",
    "help": "demande d'aide",
    "find_places": "chercher des lieux",
    "find_events": "chercher des événements",
    "find_routes": "chercher une balade",
    "ask_place_info": "question sur un lieu",
    "inform_interests": "donne ses centres d'intérêt",
    "inform_location": "dit où il est",
    "share_location": "partage sa position",
    "ask_weather": "météo",
    "ask_transport": "transports",
    "ask_human": "parler à une personne",
    "feedback": "avis 👍/👎",
    "out_of_scope": "hors sujet",
    "request_more": "« d'autres idées »",
    "refine": "affiner la recherche",
    "nlu_fallback": "non compris",
    "(aucune)": "aucune intention",
}


def channel_label(key: str) -> str:
    return CHANNELS.get(key, key)


def intent_label(key: str) -> str:
    return INTENTS.get(key, key.replace("_", " "))


def interest_label(key: str) -> str:
    return INTERESTS.get(key, key)
