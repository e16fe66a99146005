"""Phone number normalization shared by storage, call-time lookup and click-to-call.

Every number Odoo stores or receives goes through :func:`to_e164`, so that a
number typed as ``۰۹۱۲ ۱۲۳ ۴۵۶۷`` on a partner and sent by a trunk as
``989121234567`` end up as the same ``+989121234567`` string and match with a
plain index lookup.
"""

import functools
import re

import phonenumbers

# Persian (U+06F0..) and Arabic-Indic (U+0660..) digits to ASCII.
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
# Applied to stripped text: no leading "\s*", which would make the search quadratic in a run of spaces.
_EXTENSION_SUFFIX = re.compile(r"(?:ext\.?|x|#)\s*\d{1,6}$", re.IGNORECASE)
_ALLOWED = re.compile(r"^\+?[\d\s\-().\/\u200c\u200e\u200f]+$")

FALLBACK_REGION = "IR"
# Internal extensions (e.g. 557) are never customer numbers.
MAX_EXTENSION_DIGITS = 6
# 2 to 6 ASCII digits: what may be assigned as a Simotel extension. ``str.isdigit`` also accepts
# Persian, Arabic-Indic and superscript digits, and long outside numbers.
EXTENSION_PATTERN = re.compile(r"[0-9]{2,6}", re.ASCII)
MAX_DIGITS = 17  # 15 digits of E.164 plus a "00" international prefix
# Longer text is never a phone number: refused before any regular expression or cache sees it.
MAX_LENGTH = 64


def ascii_digits(text):
    """``text`` with Persian and Arabic-Indic digits turned into ASCII digits."""
    return str(text).translate(_DIGITS)


def clean(number):
    """Return ``number`` with ASCII digits and no extension suffix, or ``""`` if it is junk."""
    if not number or not isinstance(number, (str, int)):
        return ""
    text = str(number)
    if len(text) > MAX_LENGTH:
        return ""
    text = ascii_digits(text).strip()
    text = _EXTENSION_SUFFIX.sub("", text).rstrip()
    if not _ALLOWED.match(text):
        return ""
    return text


def _parse(text, region):
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def to_e164(number, region=FALLBACK_REGION):
    """Return the E.164 form (``+989121234567``) of ``number`` or ``False``.

    ``region`` (ISO country code) is used for national forms. Internal
    extensions, junk and impossible numbers give ``False``, never an exception.
    Recent results are kept: the same customers call again, and one call may
    ask several API calls about the same number (text longer than
    :data:`MAX_LENGTH` is junk, never kept).
    """
    if isinstance(number, str) and len(number) > MAX_LENGTH:
        return False
    return _to_e164(number, region)


@functools.lru_cache(maxsize=4096)
def _to_e164(number, region):
    text = clean(number)
    digits = re.sub(r"\D", "", text)
    if len(digits) <= MAX_EXTENSION_DIGITS or len(digits) > MAX_DIGITS:
        return False
    region = (region or FALLBACK_REGION).upper()
    if text.startswith("+"):
        candidates = [("+" + digits, phonenumbers.is_possible_number)]
    elif digits.startswith("00"):
        candidates = [("+" + digits[2:], phonenumbers.is_possible_number)]
    else:
        # National form first; a number that is not national in the region
        # but a valid international one without its "+" (989121234567) second.
        candidates = [
            (digits, phonenumbers.is_possible_number),
            ("+" + digits, phonenumbers.is_valid_number),
        ]
    for candidate, check in candidates:
        parsed = _parse(candidate, region)
        if parsed and check(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return False


def to_dial(e164, region=FALLBACK_REGION):
    """Return the digits a PBX in ``region`` dials for ``e164``.

    National numbers keep their trunk prefix (``09121234567``), foreign ones
    get the ``00`` international prefix (``0049151…``).
    """
    parsed = _parse(e164, region)
    if not parsed:
        return False
    if phonenumbers.region_code_for_number(parsed) == (region or FALLBACK_REGION).upper():
        national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        return re.sub(r"\D", "", national)
    return "00" + e164.lstrip("+")


def search_terms(value, region=FALLBACK_REGION):
    """What to look for when a user searches the number ``value`` (typed in any form).

    :return: ``(e164, digits)``: the E.164 form of a complete number (else
        ``False``), and its significant digits (no leading zeros, at least 3,
        else ``""``), to be found inside stored E.164 numbers when the input is
        only part of a number (``0935 111`` may also read as a short number).
    """
    text = ascii_digits(value)[:64]
    e164 = to_e164(text, region)
    digits = re.sub(r"\D", "", text).lstrip("0")
    return e164, digits if 3 <= len(digits) <= MAX_DIGITS else ""


def is_extension(number):
    """Whether ``number`` (a call's source or destination) is an internal extension: digits only, at most
    :data:`MAX_EXTENSION_DIGITS` of them (Persian and Arabic-Indic digits read as ASCII)."""
    text = clean(number)
    digits = re.sub(r"\D", "", text)
    return bool(digits) and len(digits) <= MAX_EXTENSION_DIGITS and digits == text
