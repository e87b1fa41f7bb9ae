"""Phone calls through Twilio Voice: the same conversation, spoken (docs/voice.md)."""
