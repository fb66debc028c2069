"""Data minimisation: contact details in free text are masked before anything is stored."""

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# North American phone numbers in the ways people type them: 262-555-0142, (262) 555 0199,
# 262.555.0142, +1 262 555 0142, 2625550142.
PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)")


def mask_contact_details(text: str | None) -> str | None:
    """The text with phone numbers and e-mail addresses replaced by [phone] and [email]."""
    if not text:
        return text
    return PHONE.sub("[phone]", EMAIL.sub("[email]", text))
