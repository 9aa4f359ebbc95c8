"""A member's contact details: phone and e-mail in one canonical form, and their masks.

Contact details are personal data (SPEC §9d): the clear values live only as attributes of the
member's profile. Lookups go through a keyed hash of the *normalised* value
(``shared/pii.py``), so "+86 138-1234-5678" and "13812345678" find the same member; staff
see the masks unless they ask for the clear values (an audited reveal).

Problems raise :class:`InvalidContact`, whose message never repeats the value: it may end up
in a log line or an import's report.
"""

from __future__ import annotations

import re

from msgspec import Struct

DEFAULT_COUNTRY = "86"

# E.164 country codes are a prefix code: 1 and 7 are one digit, those below are two (20, 27,
# 30-34, 36, 39, 40, 41, 43-49, 51-58, 60-66, 81, 82, 84, 86, 90-95, 98), every other code
# starting 2-9 is three digits (ITU-T E.164 assignments).
_ONE_DIGIT = frozenset({"1", "7"})
_TWO_DIGITS = re.compile(r"^(2[07]|3[0-469]|4[013-9]|5[1-8]|6[0-6]|8[1246]|9[0-58])")
_SEPARATORS = re.compile(r"[\s\-.()]")
_DIGITS = re.compile(r"^\d+$", re.ASCII)  # not "１３８..." (API.md "Text")
_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
_CN_FIXED = re.compile(r"^(10|2\d|[3-9]\d\d)\d{7,8}$", re.ASCII)  # area code (no trunk 0), number
_EMAIL_LOCAL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")
_EMAIL_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
MAX_EMAIL = 254
MAX_NAME = 64


class InvalidContact(ValueError):
    """A phone number or e-mail address that cannot be normalised (the message names the
    problem, never the value)."""


class Contact(Struct, frozen=True):
    """A member's normalised contact details (each optional)."""

    phone: str | None = None  # E.164, e.g. "+8613812345678"
    email: str | None = None  # lower-case
    name: str | None = None


def country_code(e164: str) -> str:
    """The country calling code of an E.164 number ("+8613812345678" → "86")."""
    digits = e164.removeprefix("+")
    if digits[:1] in _ONE_DIGIT:
        return digits[:1]
    if _TWO_DIGITS.match(digits):
        return digits[:2]
    return digits[:3]


def normalize_phone(raw: str, default_country: str = DEFAULT_COUNTRY) -> str:
    """``raw`` as E.164 (``+<country><national>``). A number without ``+`` or ``00`` is
    national to ``default_country`` (a leading trunk ``0`` dropped): "13812345678",
    "+86 138-1234-5678" and "008613812345678" all give "+8613812345678". Chinese numbers
    must be a mobile (11 digits starting 13-19) or a fixed line with its area code."""
    text = _SEPARATORS.sub("", raw.strip()) if isinstance(raw, str) else ""
    if text.startswith("+"):
        digits = text[1:]
    elif text.startswith("00"):
        digits = text[2:]
    else:
        national = text[1:] if text.startswith("0") else text
        digits = default_country + national
    if not _DIGITS.fullmatch(digits) or digits.startswith("0"):
        raise InvalidContact("must be a phone number of digits, optionally +country code")
    if not 8 <= len(digits) <= 15:
        raise InvalidContact("must be a phone number of 8 to 15 digits with the country code")
    code = country_code(digits)
    if code == "86":
        national = digits[2:]
        if not (_CN_MOBILE.fullmatch(national) or _CN_FIXED.fullmatch(national)):
            raise InvalidContact("must be a Chinese mobile (11 digits, 13-19) or fixed number")
    return "+" + digits


def normalize_email(raw: str) -> str:
    """``raw`` stripped and lower-cased; one ``@``, a local part, a domain with a dot."""
    text = raw.strip().lower() if isinstance(raw, str) else ""
    if len(text) > MAX_EMAIL or text.count("@") != 1:
        raise InvalidContact("must be an e-mail address (name@domain)")
    local, domain = text.split("@")
    labels = domain.split(".")
    if (
        not _EMAIL_LOCAL.fullmatch(local)
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
        or len(labels) < 2
        or not all(_EMAIL_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise InvalidContact("must be an e-mail address (name@domain)")
    return text


def normalize_name(raw: str) -> str:
    """``raw`` with surrounding and repeated inner spaces collapsed; 1 to 64 characters."""
    text = " ".join(raw.split()) if isinstance(raw, str) else ""
    if not text or len(text) > MAX_NAME:
        raise InvalidContact(f"must be a name of 1 to {MAX_NAME} characters")
    return text


def mask_phone(e164: str, default_country: str = DEFAULT_COUNTRY) -> str:
    """The national number with its middle hidden: "+8613812345678" → "138****5678"; a
    number of another country keeps its code in front ("+852 ****5678")."""
    code = country_code(e164)
    national = e164.removeprefix("+")[len(code) :]
    tail = 4 if len(national) >= 8 else 2
    head = max(0, min(3, len(national) - tail - 4))
    masked = national[:head] + "****" + national[len(national) - tail :]
    return masked if code == default_country else f"+{code} {masked}"


def mask_email(email: str) -> str:
    """The first character of the local part, then ``***``: "li.lei@example.com" →
    "l***@example.com"."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_name(name: str) -> str:
    """The first character, then ``*``: "张三" → "张*"."""
    return f"{name[:1]}*"


def masked(contact: Contact) -> dict[str, str | None]:
    """The staff's view of the details: each masked, None where not given."""
    return {
        "phone": mask_phone(contact.phone) if contact.phone else None,
        "email": mask_email(contact.email) if contact.email else None,
        "name": mask_name(contact.name) if contact.name else None,
    }


def clear(contact: Contact) -> dict[str, str | None]:
    """The details in full (an operator's audited reveal)."""
    return {"phone": contact.phone, "email": contact.email, "name": contact.name}
