"""Twilio, shared by every channel that goes through it (SMS today; WhatsApp and voice next):
signed webhooks and their forms, the REST client, status callbacks and error sorting."""
