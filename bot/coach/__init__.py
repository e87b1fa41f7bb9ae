"""The coach workspace at /coach/: accounts, the dashboard, reviewing and publishing CVs.

``views.ROUTES`` is what the app mounts (its endpoints read the runtime from the app's state).
Each module has one concern: ``accounts``
(coaches, passwords, invitations), ``keys`` (the signing key every process shares), ``auth``
(sessions, cookies, CSRF), ``scope`` (who sees which candidate), ``state_store``
(changing a conversation under its lock), ``draft_view`` (the draft as the page shows it),
``editing``, ``review`` (comments, requests for changes, taking a candidate), ``dashboard``,
``analytics``, ``views`` (the HTTP endpoints), ``demo`` and ``cli``.
"""
