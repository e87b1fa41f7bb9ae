"""WhatsApp through Twilio: webhooks, sender, rendering, the 24-hour window and its templates."""
