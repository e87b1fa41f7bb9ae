"""Telegram: updates, the Bot API client, rendering, the webhook, polling and account linking."""
