"""Protection of personal information at rest.

* ``encrypt``/``decrypt``: AES-256-GCM with a random 96-bit nonce; the stored text is
  ``v1:<base64(nonce + ciphertext)>``. Old keys listed in ``PII_OLD_KEYS`` still decrypt,
  so keys can be rotated (the procedure is in ``docs/configuration.md``). A value no
  configured key decrypts raises ``UndecryptableError``: a clear Chinese error for the
  page or the API (never a 500), and the system check ``civicgrid.E001``
  (``core/checks.py``) refuses to start with keys that cannot read the stored values.
  Keys are urlsafe base64 of 32 bytes; ``settings.py`` refuses anything else at start.
* ``blind_index``: HMAC-SHA256 of the normalised value under a separate key, stored
  beside the ciphertext so exact lookups ("find the resident with this ID number")
  are one indexed equality without decrypting anything.
* ``mask_*``: what staff see unless their role may see the value in clear.
"""

import base64
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.translation import gettext

from civicgrid.core.errors import CivicError
from civicgrid.core.validators import fold, normalise_phone

_PREFIX = "v1:"
_SEPARATORS = re.compile(r"[\s\-()]+")


class UndecryptableError(CivicError, ValueError):
    """A stored value that none of the configured PII keys decrypts: the key was changed
    (or mistyped) after the value was written. Still a ``ValueError`` for callers that
    catch that."""

    code = "pii_key"
    http_status = 503


def _key_bytes(raw: str) -> bytes:
    """A urlsafe-base64 32-byte key; any other string (never from the environment, which
    ``settings.py`` checks, only from a test's ``override_settings``) is hashed to 32 bytes."""
    try:
        key = base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4))
        if len(key) == 32:
            return key
    except (ValueError, TypeError):
        pass
    return hashlib.sha256(raw.encode()).digest()


@lru_cache(maxsize=8)
def _ciphers(key: str, old_keys: tuple[str, ...]) -> tuple[AESGCM, ...]:
    return tuple(AESGCM(_key_bytes(k)) for k in (key, *old_keys))


def _current_ciphers() -> tuple[AESGCM, ...]:
    return _ciphers(settings.PII_KEY, tuple(settings.PII_OLD_KEYS))


@lru_cache(maxsize=4)
def _hash_key(raw: str) -> bytes:
    return _key_bytes(raw)


def encrypt(value: str) -> str:
    if value == "":
        return ""
    nonce = os.urandom(12)
    sealed = _current_ciphers()[0].encrypt(nonce, value.encode(), None)
    return _PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    if token == "":
        return ""
    if not token.startswith(_PREFIX):
        raise ValueError("not an encrypted value")
    raw = base64.b64decode(token[len(_PREFIX) :])
    nonce, sealed = raw[:12], raw[12:]
    last_error: Exception | None = None
    for cipher in _current_ciphers():
        try:
            return cipher.decrypt(nonce, sealed, None).decode()
        except Exception as exc:
            last_error = exc
    raise UndecryptableError(
        gettext(
            "个人信息无法解密：当前配置的密钥与加密时所用的不一致。请联系系统管理员"
            "检查 CIVICGRID_PII_KEY（及 CIVICGRID_PII_OLD_KEYS）"
        )
    ) from last_error


def under_current_key(token: str) -> bool:
    """Whether ``token`` is already encrypted under ``PII_KEY`` itself (not an old key)."""
    if not token.startswith(_PREFIX):
        return False
    raw = base64.b64decode(token[len(_PREFIX) :])
    try:
        _current_ciphers()[0].decrypt(raw[:12], raw[12:], None)
    except Exception:
        return False
    return True


def normalise(value: str) -> str:
    return value.strip().upper().replace(" ", "").replace("-", "")


def blind_index(value: str) -> str:
    if value == "":
        return ""
    digest = hmac.new(_hash_key(settings.PII_HASH_KEY), normalise(value).encode(), hashlib.sha256)
    return digest.hexdigest()


def mask_id_number(value: str) -> str:
    """110101199003071234 -> 110***********1234 (keep 3 in front, 4 at the end)."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


# An extension after a landline: 0510-12345678-801, 0510-12345678转801, …ext.801, …#801.
_EXTENSION = re.compile(r"^(.*?\d)\s*(?:-|转|分机|ext\.?|x|#)\s*(\d{1,6})$", re.IGNORECASE)


def mask_phone(value: str) -> str:
    """A phone as staff see it: the last 4 digits and what says where it rings.

    A mobile keeps its first 3 (``13812345678`` and ``+86 138-1234-5678`` -> ``138****5678``);
    a landline its area code, 3 digits for 010 and 02x, else 4 (``010-88888888`` ->
    ``010****8888``, ``0510-82345678`` -> ``0510****5678``), and an extension shows after a
    ``-`` (``0510****5678-801``). Anything else keeps its first 3 digits; 7 or fewer: all hidden.
    """
    canonical = normalise_phone(value)
    extension = ""
    if canonical is None and (parts := _EXTENSION.match(fold(value))) is not None:
        landline = normalise_phone(parts[1])
        if landline is not None and "-" in landline:
            canonical, extension = landline, f"-{parts[2]}"
    if canonical is None:
        text = _SEPARATORS.sub("", fold(value))
        return "*" * len(text) if len(text) <= 7 else text[:3] + "*" * (len(text) - 7) + text[-4:]
    if "-" in canonical:
        head, number = canonical.split("-")
    else:
        head, number = canonical[:3], canonical[3:]
    return head + "*" * (len(number) - 4) + number[-4:] + extension


# Personal numbers inside free text (a request's content, a guardian's consent): an ID number
# (17 digits and a digit or X), a mobile (optionally +86, with spaces or dashes) or a landline
# with its area code; never part of a longer run of digits.
_ID_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
_PHONE_IN_TEXT = re.compile(
    r"(?<![0-9])(?:(?:\+?86[\s-]?)?1[3-9][0-9](?:[\s-]?[0-9]){8}|0[0-9]{2,3}[\s-]?[0-9]{7,8}(?:-[0-9]{1,6})?)(?![0-9])"
)


def mask_numbers_in_text(text: str) -> str:
    """``text`` with every ID number and phone in it masked as the fields are
    (``mask_id_number``, ``mask_phone``): for free text shown where the person must not be
    (an anonymous or confidential request's content, a guardian's consent)."""
    if not text:
        return text or ""
    text = _ID_IN_TEXT.sub(lambda found: mask_id_number(found.group(0)), text)
    return _PHONE_IN_TEXT.sub(lambda found: mask_phone(found.group(0)), text)


def mask_email(value: str) -> str:
    """An e-mail address as staff see it: the first letter of the mailbox and the domain
    (``zhangwei@example.cn`` -> ``z***@example.cn``); without an @, all hidden."""
    local, at, domain = value.strip().rpartition("@")
    if not at or not local:
        return "*" * min(len(value), 8)
    return f"{local[0]}***@{domain}"


def mask_name(value: str) -> str:
    """张三丰 -> 张*丰; 张三 -> 张*."""
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
