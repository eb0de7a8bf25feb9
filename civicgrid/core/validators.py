"""Checks for Chinese identifiers: resident ID numbers, credit codes, phones.

Each ``*_problem`` returns a Chinese reason string when the value is bad, or None when it
is good, so callers can name the field and collect every reason of a row at once.

The ``normalise_*`` functions turn what people type or paste into the one form that is
stored and blind-indexed: full-width digits and letters (０-９, Ｘ) as ASCII (NFKC),
invisible characters (zero-width spaces, BOM, direction marks) and spaces dropped, a
phone in one canonical form (``normalise_phone``). Imports call them before checking a
cell; forms should call them before ``*_problem`` too, so that a value typed with a
full-width digit or as ``+86 138 0013 8000`` is stored, and found, as any other.

``typed_day`` reads a day typed into a form or a page's address bar, or refuses it naming
the field: the one parser behind the date filters of pages (rates, audit, party, governance).
"""

import re
import unicodedata
from datetime import date

from django.utils.translation import gettext as _

from civicgrid.core.errors import ValidationError
from civicgrid.core.i18n import StrOrPromise

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")

# Characters that show as nothing yet make a code or number differ: the soft hyphen,
# zero-width spaces and joiners, direction marks and embeddings, the word joiner, the BOM.
INVISIBLE = (
    "\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)
_DROP_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))
_SPACES = re.compile(r"\s+")
_ASCII_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
# +86 / 0086 in front of a number (86 alone is taken off only before an 11-digit mobile).
_COUNTRY = re.compile(r"^(?:\+|00)\s*86")
_PHONE_SEPARATORS = re.compile(r"[\s\-.‐‑‒–—―−/]+")
_LANDLINE_PARTS = re.compile(r"(0[0-9]{2,3})-([0-9]{7,8})", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def fold(value: str) -> str:
    """Full-width digits, letters and signs as ASCII (NFKC), invisible characters dropped,
    stripped. For codes and numbers; free text keeps its own forms."""
    if value.isascii():
        return value.strip()
    return unicodedata.normalize("NFKC", value.translate(_DROP_INVISIBLE)).strip()


def is_masked(value: str) -> bool:
    """Whether an ID number, phone or code was masked for display (``110***********1234``,
    ``138****5678``): such a value cannot be stored back."""
    return "*" in value or "＊" in value


def normalise_id_number(value: str) -> str:
    """An ID number as stored: ASCII, no spaces, a capital X."""
    return _SPACES.sub("", fold(value)).upper()


def normalise_credit_code(value: str) -> str:
    """A unified social credit code as stored: ASCII, no spaces, capitals."""
    return _SPACES.sub("", fold(value)).upper()


def normalise_phone(value: str) -> str | None:
    """The canonical form of a phone number, or None when it is not one.

    A mobile is its 11 digits (``+86 138 0013 8000``, ``86-13800138000``, ``138-0013-8000``
    all become ``13800138000``); a landline is its area code, ``-`` and the number
    (``(0851)8888888``, ``0851 8888888`` and ``08518888888`` all become ``0851-8888888``),
    accepting what ``LANDLINE_RE`` accepts. The area code is where the number was split
    (hyphen, brackets or spaces), else 3 digits for 010 and 02x and 4 for the others.
    """
    if len(value) == 11 and _ASCII_MOBILE.fullmatch(value):  # the common cases, unchanged
        return value
    if _LANDLINE_PARTS.fullmatch(value):
        return value
    text = fold(value)
    without_country = _COUNTRY.sub("", text, count=1)
    international = without_country != text
    text = without_country.replace("(", " ").replace(")", " ")
    text = _PHONE_SEPARATORS.sub("-", text).strip("-")
    digits = text.replace("-", "")
    if not digits.isascii() or not digits.isdigit():
        return None
    if _ASCII_MOBILE.fullmatch(digits):
        return digits
    if international and not digits.startswith("0"):
        text, digits = "0" + text, "0" + digits  # +86 10 88888888: the area code lacks its 0
    if len(digits) == 13 and digits.startswith("86") and _ASCII_MOBILE.fullmatch(digits[2:]):
        return digits[2:]  # 86-13800138000
    if not LANDLINE_RE.match(digits):
        return None
    if (parts := _LANDLINE_PARTS.fullmatch(text)) is not None:
        return f"{parts[1]}-{parts[2]}"
    groups = _DIGITS.findall(text)
    if len(groups) >= 2 and 3 <= len(groups[0]) <= 4 and 7 <= len(digits) - len(groups[0]) <= 8:
        return f"{groups[0]}-{digits[len(groups[0]) :]}"
    area = 3 if digits[1] in "12" else 4
    if not 7 <= len(digits) - area <= 8:
        area = 7 - area  # the other length: LANDLINE_RE accepted one of them
    return f"{digits[:area]}-{digits[area:]}"


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_problem(value: str, *, today: date | None = None) -> str | None:
    """GB 11643-1999: 18 characters, a real birth date, and the ISO 7064 MOD 11-2 check digit."""
    value = value.strip().upper()
    if not _ID_RE.match(value):
        return _("身份证号应为18位，前17位为数字，最后一位为数字或X")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _("身份证号中的出生日期无效")
    if born.year < 1900 or born > (today or date.today()):
        return _("身份证号中的出生日期不在合理范围内")
    if id_check_digit(value[:17]) != value[17]:
        return _("身份证号校验位错误")
    return None


def id_number_birth_date(value: str) -> date:
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_number_gender(value: str) -> str:
    """'male' or 'female' from the 17th digit."""
    return "male" if int(value[16]) % 2 == 1 else "female"


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def credit_code_problem(value: str) -> str | None:
    """GB 32100-2015 unified social credit code: 18 characters and a MOD 31 check character."""
    value = value.strip().upper()
    if len(value) != 18:
        return _("统一社会信用代码应为18位")
    if not _USCC_RE.match(value):
        return _("统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）")
    if uscc_check_char(value[:17]) != value[17]:
        return _("统一社会信用代码校验位错误")
    return None


def phone_problem(value: str) -> str | None:
    value = value.strip().replace(" ", "")
    if MOBILE_RE.match(value) or LANDLINE_RE.match(value):
        return None
    return _("电话号码格式不正确（手机号11位，固定电话如0510-12345678）")


def phone_input_problem(value: str) -> str | None:
    """Why a typed phone is refused, or None when ``normalise_phone`` reads it (``+86``,
    dashes, brackets, full-width digits): what a form or service accepts before storing
    ``normalise_phone(value)``."""
    if normalise_phone(value) is not None:
        return None
    return phone_problem(value) or _("电话号码格式不正确（手机号11位，固定电话如0510-12345678）")


def typed_day(raw: str, *, field: str, label: StrOrPromise) -> date:
    """A day as ``YYYY-MM-DD`` (spaces around it allowed), or a refusal naming ``label``."""
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(
            _("{label}应为有效日期，格式 YYYY-MM-DD，例如 2026-10-08").format(label=label), field=field
        ) from None
