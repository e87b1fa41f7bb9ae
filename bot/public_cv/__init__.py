"""The public CV: the page, its PDF and share picture, and the contact form for employers, at
``/cv/{slug}``. Its endpoints (``routes.ROUTES``) read the settings, the sessions and the clock
from the application's state (``bot/web/app.py``)."""
