"""The conversation without Rasa: state, what the visitor's words mean, searches, facts
about a place, the family's words and persona, payload types, French helpers.

Import direction: ``bot.actions -> bot.dialogue -> knowledge``. Nothing here imports Rasa
or rasa-sdk, so every piece is testable with a database session alone.
"""
