"""Tremplin's adapters and composition root: settings, CLI, service, channels, web app."""
