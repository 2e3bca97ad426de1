"""Rasa input channels of the Dumoulin family (Sanic blueprints).

Importing any of them (Rasa loads the channels and the tracker store from here) scrubs the
process's logs of coordinates and phone numbers (`connectors.logscrub`)."""

from connectors.logscrub import install as _install_log_scrubbing

_install_log_scrubbing()
