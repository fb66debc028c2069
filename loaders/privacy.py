"""Data minimisation: contact details in free text are masked before anything is stored."""

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
SEPARATOR = r"[\s.\-\u2013\u2014/]?"  # dashes include the en and em dashes word processors put in
# North American phone numbers in the ways people type them: 262-555-0142, (262) 555 0199,
# 262.555.0142, +1 262 555 0142, 262/555-0142, 2625550142.
PHONE = re.compile(rf"(?<!\d)(?:\+?1{SEPARATOR})?(?:\(\d{{3}}\)|\d{{3}}){SEPARATOR}\d{{3}}{SEPARATOR}\d{{4}}(?!\d)")
# A local number without its area code ("call 555-0142"), only with its separator: seven digits
# alone are as likely a case or parcel number. Not after a dash, so "CE-123-4567" stays.
LOCAL_PHONE = re.compile(r"(?<![\d\-\u2013])\d{3}[-.\u2013]\d{4}(?![\d\-\u2013])")


def mask_contact_details(text: str | None) -> str | None:
    """The text with phone numbers and e-mail addresses replaced by [phone] and [email]."""
    if not text:
        return text
    return LOCAL_PHONE.sub("[phone]", PHONE.sub("[phone]", EMAIL.sub("[email]", text)))
