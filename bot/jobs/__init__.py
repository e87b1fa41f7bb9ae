"""Periodic jobs: reminders and housekeeping."""
