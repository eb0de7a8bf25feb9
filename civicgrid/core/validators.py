"""Checks for Chinese identifiers: resident ID numbers, credit codes, phones.

Each returns a Chinese reason string when the value is bad, or None when it is good,
so callers can name the field and collect every reason of a row at once.
"""

import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_problem(value: str, *, today: date | None = None) -> str | None:
    """GB 11643-1999: 18 characters, a real birth date, and the ISO 7064 MOD 11-2 check digit."""
    value = value.strip().upper()
    if not _ID_RE.match(value):
        return "身份证号应为18位，前17位为数字，最后一位为数字或X"
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效"
    if born.year < 1900 or born > (today or date.today()):
        return "身份证号中的出生日期不在合理范围内"
    if id_check_digit(value[:17]) != value[17]:
        return "身份证号校验位错误"
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
        return "统一社会信用代码应为18位"
    if not _USCC_RE.match(value):
        return "统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）"
    if uscc_check_char(value[:17]) != value[17]:
        return "统一社会信用代码校验位错误"
    return None


def phone_problem(value: str) -> str | None:
    value = value.strip().replace(" ", "")
    if MOBILE_RE.match(value) or LANDLINE_RE.match(value):
        return None
    return "电话号码格式不正确（手机号11位，固定电话如0510-12345678）"
