"""Markers that tell ``pybabel extract`` which strings are messages.

They return their argument untouched: the engine stores French source texts (the msgids) and
codes, and translation happens only when a reply is rendered for a candidate's locale.
"""

__all__ = ["NN_", "NP_", "N_"]


def N_(message: str) -> str:
    """Mark a French source message for extraction."""
    return message


def NP_(context: str, message: str) -> str:
    """Mark a French source message with a gettext context (``pgettext``) for extraction."""
    del context
    return message


def NN_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a French source message with a plural form (``ngettext``) for extraction."""
    return (singular, plural)
