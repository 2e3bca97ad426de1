"""The knowledge base of the Pays de Mormal: POIs, events, routes and communes.

Plain Python (SQLAlchemy 1.4 in 2.0 style); importable without Rasa.
"""
