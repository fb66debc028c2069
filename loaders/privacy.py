"""Data minimisation: contact details in free text are masked before anything is stored."""

import re

# An e-mail address is found from its '@' outwards, never by trying every start: a pattern that
# begins with the local part ([\w.+-]+@...) rescans a run of word characters from each of its
# positions, which takes minutes on one long narrative. Possessive quantifiers: a domain label is
# taken whole, so a failed match costs one pass over it.
AT_DOMAIN = re.compile(r"@[\w-]++(?:\.[\w-]++)+")
LOCAL_PART = re.compile(r"[\w.+-]*")  # matched on the reversed text before an '@'
SEPARATOR = r"[\s.\-\u2013\u2014/]?"  # dashes include the en and em dashes word processors put in
# North American phone numbers in the ways people type them: 262-555-0142, (262) 555 0199,
# 262.555.0142, +1 262 555 0142, 262/555-0142, 2625550142.
PHONE = re.compile(rf"(?<!\d)(?:\+?1{SEPARATOR})?(?:\(\d{{3}}\)|\d{{3}}){SEPARATOR}\d{{3}}{SEPARATOR}\d{{4}}(?!\d)")
# A local number without its area code ("call 555-0142"), only with its separator: seven digits
# alone are as likely a case or parcel number. Not after a dash, so "CE-123-4567" stays.
LOCAL_PHONE = re.compile(r"(?<![\d\-\u2013])\d{3}[-.\u2013]\d{4}(?![\d\-\u2013])")
# What every phone number (three digits in a row) and every e-mail address (an '@') holds: a text
# without either is left as it is without running the patterns above.
MAYBE_CONTACT = re.compile(r"@|\d{3}")


def mask_contact_details(text: str | None) -> str | None:
    """The text with phone numbers and e-mail addresses replaced by [phone] and [email]; time linear in its length."""
    if not text or not MAYBE_CONTACT.search(text):
        return text
    return LOCAL_PHONE.sub("[phone]", PHONE.sub("[phone]", mask_emails(text)))


def mask_emails(text: str) -> str:
    """The text with every name@domain.tld replaced by [email]: the matches of [\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+,
    leftmost first, found in one pass."""
    pieces, done, floor = [], 0, 0
    for found in AT_DOMAIN.finditer(text):
        at = found.start()
        # The local part runs back from the '@' to the end of the last match (a match resumes
        # there) or to the last '@' looked at (no local part holds an '@'): each character is
        # looked at once.
        local = LOCAL_PART.match(text[max(done, floor):at][::-1]).end()
        floor = at + 1
        if local:
            pieces += [text[done:at - local], "[email]"]
            done = found.end()
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)
