"""Generated identifiers that pass the national checks: ID numbers, credit codes, phones."""

import random
from datetime import date

from civicgrid.core import crypto
from civicgrid.core.validators import id_check_digit, uscc_check_char

# Home counties of floating residents (Anhui, Henan, Jiangsu, Sichuan, Hubei, Hunan, Jiangxi,
# Guangxi, Guangdong, Guizhou): real 6-digit area codes.
FLOATING_AREAS = (
    "341221",
    "411627",
    "321322",
    "511321",
    "340104",
    "420117",
    "430621",
    "360731",
    "450881",
    "440882",
    "441581",
    "522121",
)
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
    "156", "157", "158", "159", "166", "173", "176", "177", "180", "181", "182", "183", "185", "186",
    "187", "188", "189", "191", "198", "199",
)  # fmt: skip
LANDLINE_DIGITS = {"0510": 8, "0851": 8, "0668": 7, "0435": 7}

# Unified social credit code: registration authority and organisation type (GB 32100).
USCC_PREFIX = {
    "organ": "11",
    "public_institution": "12",
    "social": "51",
    "enterprise": "91",
    "two_new": "91",
    "property_company": "91",
    "shop": "92",
    "other": "Y1",
}
_USCC_BODY_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class IdNumbers:
    """Unique, valid 18-digit resident ID numbers (GB 11643)."""

    def __init__(self) -> None:
        self._used: set[int] = set()

    def make(self, rng: random.Random, area: str, born: date, male: bool) -> str:
        stem = f"{area}{born.year:04d}{born.month:02d}{born.day:02d}"
        for _ in range(200):
            first17 = f"{stem}{int(rng.random() * 500) * 2 + (1 if male else 0):03d}"
            key = int(first17)
            if key not in self._used:
                self._used.add(key)
                return first17 + id_check_digit(first17)
        raise RuntimeError(f"no free ID number left for {stem}")


def _org_code_check(body: str) -> str:
    """The check character of an 8-character organisation code (GB 11714)."""
    total = sum(
        (int(c) if c.isdecimal() else ord(c) - 55) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True)
    )
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


class CreditCodes:
    """Unique, valid unified social credit codes (GB 32100, with a GB 11714 organisation code)."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def make(self, rng: random.Random, kind: str, area: str) -> str:
        prefix = USCC_PREFIX.get(kind, "Y1")
        while True:
            if prefix.startswith("9"):
                body = "MA" + "".join(rng.choice(_USCC_BODY_CHARS) for _ in range(6))
            else:
                body = "".join(rng.choice("0123456789") for _ in range(8))
            first17 = f"{prefix}{area}{body}{_org_code_check(body)}"
            code = first17 + uscc_check_char(first17)
            if code not in self._used:
                self._used.add(code)
                return code


def mobile(rng: random.Random) -> str:
    prefix = MOBILE_PREFIXES[int(rng.random() * len(MOBILE_PREFIXES))]
    return f"{prefix}{int(rng.random() * 100_000_000):08d}"


def landline(rng: random.Random, area: str) -> str:
    digits = LANDLINE_DIGITS.get(area, 8)
    first = rng.randrange(2, 9)
    return f"{area}-{first}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"


def protect(value: str) -> tuple[str, str]:
    """(ciphertext, blind index) exactly as ``registry.services.pii_fields`` stores them."""
    return crypto.encrypt(value), crypto.blind_index(value)


def protect_phone(value: str) -> tuple[str, str, str]:
    enc, digest = protect(value)
    return enc, digest, crypto.mask_phone(value) if value else ""


def protect_id_number(value: str) -> tuple[str, str, str]:
    enc, digest = protect(value)
    return enc, digest, crypto.mask_id_number(value) if value else ""
