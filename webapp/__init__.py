"""The web app (aiohttp): the widget's demo page, the staff console and the analytics page."""
