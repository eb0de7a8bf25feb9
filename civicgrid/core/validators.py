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

``decimal_value`` and ``whole_value`` read a number typed into a form, sent to the API or
passed by code, and add a reason naming the field's label to an ``errors`` dict (field name →
reasons) instead of raising, so a service collects every problem of its input at once. They
refuse what ``Decimal()`` or ``int()`` would let through or choke on: NaN, Infinity, booleans,
"1e30", a digit string thousands long, a number its column cannot hold, a decimal that would
be rounded away, 2.5 as a count.
"""

import re
from datetime import date
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from django.db.models import DecimalField
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
# Full-width ASCII forms (Ｕ+FF01…FF5E) and the ideographic and no-break spaces as ASCII: what
# a Chinese input method types. Nothing else is folded: NFKC also turned ² and ① into 2 and
# 1, so 139²0004444 became a real number the caller never gave.
_FOLD = _DROP_INVISIBLE | {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xA0: 0x20}
_SPACES = re.compile(r"\s+")
_ASCII_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
# +86 / 0086 in front of a number (86 alone is taken off only before an 11-digit mobile).
_COUNTRY = re.compile(r"^(?:\+|00)\s*86")
_PHONE_SEPARATORS = re.compile(r"[\s\-.‐‑‒–—―−/]+")
_LANDLINE_PARTS = re.compile(r"(0[0-9]{2,3})-([0-9]{7,8})", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def fold(value: str) -> str:
    """Full-width digits, letters and signs as ASCII, invisible characters dropped, stripped.
    For codes and numbers; free text keeps its own forms. Superscripts, circled digits and
    other look-alikes stay what they are, so a check for ASCII digits refuses them."""
    if value.isascii():
        return value.strip()
    return value.translate(_FOLD).strip()


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
    if not digits.isascii() or not digits.isdecimal():
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


Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, reason: str) -> None:
    errors.setdefault(field, []).append(reason)


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not fold(raw))


def _number(raw: object) -> Decimal | None:
    """``raw`` as an exact Decimal, or None when it is no finite number (NaN, Infinity, text,
    a boolean). Text is folded first (full-width digits, invisible characters)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, int):
        number = Decimal(raw)
    else:
        text = str(raw)  # str(): 0.1 as typed, not its binary expansion
        if any(c.isdecimal() and not c.isdecimal() for c in text):
            return None  # "²", "①": NFKC would read them as 2 and 1
        try:
            number = Decimal(fold(text))
        except (InvalidOperation, ValueError):
            return None
    return number if number.is_finite() else None


def _places(number: Decimal) -> int:
    """How many decimals ``number`` needs, trailing zeros not counted (1.50 needs one).
    Read from its digits, so no context rounds or overflows on a digit string of any length."""
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite
    significant = bytes(digits).rstrip(b"\0")
    if exponent >= 0 or not significant:
        return 0
    return max(0, -exponent - (len(digits) - len(significant)))


def _shown(bound: Decimal | int) -> str:
    return format(bound, "f") if isinstance(bound, Decimal) else str(bound)


def _range_reason(
    label: StrOrPromise, minimum: Decimal | int | None, maximum: Decimal | int | None, unit: StrOrPromise
) -> str:
    if minimum is not None and maximum is not None:
        return _("{label}应在{minimum}到{maximum}{unit}之间").format(
            label=label, minimum=_shown(minimum), maximum=_shown(maximum), unit=unit
        )
    if maximum is not None:
        return _("{label}不能超过{maximum}{unit}").format(label=label, maximum=_shown(maximum), unit=unit)
    if minimum == 0:
        return _("{label}不能为负数").format(label=label)
    assert minimum is not None
    return _("{label}不能小于{minimum}{unit}").format(label=label, minimum=_shown(minimum), unit=unit)


def decimal_value(
    raw: object,
    *,
    errors: Errors,
    field: str,
    label: StrOrPromise,
    column: DecimalField[Any, Any] | None = None,
    max_digits: int | None = None,
    decimal_places: int | None = None,
    minimum: Decimal | int | None = 0,
    maximum: Decimal | int | None = None,
    unit: StrOrPromise = "",
    required: bool = True,
) -> Decimal | None:
    """``raw`` (a Decimal, int, float or typed text) as its column stores it, or None with a
    reason naming ``label`` added to ``errors[field]``.

    The column is a model's ``DecimalField`` or ``max_digits`` and ``decimal_places``: a
    number beyond it is refused (SQLite stored it and then could not read it back, PostgreSQL
    refused the insert), and so is one with more decimals than it keeps (never rounded).
    ``minimum`` (0: no negative numbers; None: any) and ``maximum`` (None: the column's) bound
    it; ``unit`` (小时) follows the bounds in the reason. None or blank text is refused as
    missing when ``required``, else None is returned with no reason. The value returned has
    exactly the column's decimals (1.50 in a one-decimal column is 1.5).
    """
    if column is not None:
        max_digits, decimal_places = column.max_digits, column.decimal_places
    if max_digits is None or decimal_places is None:
        raise TypeError("decimal_value needs a column or max_digits and decimal_places")
    if _blank(raw):
        if required:
            _add(errors, field, _("请填写{label}").format(label=label))
        return None
    number = _number(raw)
    if number is None:
        if unit:
            _add(errors, field, _("{label}应为数字（{unit}）").format(label=label, unit=unit))
        else:
            _add(errors, field, _("{label}应为数字").format(label=label))
        return None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        _add(errors, field, _range_reason(label, minimum, maximum, unit))
        return None
    whole = max_digits - decimal_places
    if not number.is_zero() and number.adjusted() >= whole:
        if decimal_places:
            reason = _("{label}最多{whole}位整数、{places}位小数")
        else:
            reason = _("{label}最多{whole}位整数")
        _add(errors, field, reason.format(label=label, whole=whole, places=decimal_places))
        return None
    if _places(number) > decimal_places:
        if decimal_places:
            reason = _("{label}最多保留{places}位小数").format(label=label, places=decimal_places)
        else:
            reason = _("{label}应为整数").format(label=label)
        _add(errors, field, reason)
        return None
    if number.is_zero():
        number = number.copy_abs()  # -0 stored as 0
    # Exact: the number fits max_digits, so a context of that precision rounds nothing.
    return number.quantize(Decimal(1).scaleb(-decimal_places), context=Context(prec=max_digits + 1))


def whole_value(
    raw: object,
    *,
    errors: Errors,
    field: str,
    label: StrOrPromise,
    minimum: int = 0,
    maximum: int,
    required: bool = True,
) -> int | None:
    """``raw`` as a whole number from ``minimum`` to ``maximum``, or None with the reason
    "{label}应为{minimum}到{maximum}之间的整数" added to ``errors[field]``.

    3, "3", "3.0" and Decimal("3") are 3; 2.5, "2.5", True, NaN, Infinity and text are no
    whole numbers (``int()`` cut 2.5 to 2, read True as 1 and raised on Infinity); "1e400"
    and a digit string thousands long are out of range. None or blank text is refused as
    missing when ``required``, else None is returned with no reason.
    """
    if _blank(raw):
        if required:
            _add(errors, field, _("请填写{label}").format(label=label))
        return None
    number = _number(raw)
    if number is None or _places(number) or not minimum <= number <= maximum:
        _add(
            errors,
            field,
            _("{label}应为{minimum}到{maximum}之间的整数").format(
                label=label, minimum=minimum, maximum=maximum
            ),
        )
        return None
    return int(number)
