"""Gettext catalogs of Tremplin: ``<locale>/LC_MESSAGES/messages.po`` and the ``messages.pot``."""

from pathlib import Path

__all__ = ["LOCALES_DIR"]

LOCALES_DIR = Path(__file__).resolve().parent
