"""Phone numbers typed by candidates, read as French numbers unless they say otherwise."""

import phonenumbers

from conversations.parsing.normalize import fold_digits

__all__ = ["to_e164"]


def to_e164(text: str, region: str = "FR") -> str | None:
    """The number in E.164 form (``+33612345678``), or None when it is not a valid number."""
    try:
        number = phonenumbers.parse(fold_digits(text).strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
