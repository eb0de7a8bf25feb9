"""System checks of a deployment (``civicgrid check``, and before ``migrate`` and ``runserver``).

* ``civicgrid.W001``: ``CIVICGRID_PUBLIC_URL`` unset in production — QR doorplates, the SMS
  rating link and Open311 discovery then carry no host (``/r/<token>``) or the wrong one.
* ``civicgrid.E001``: the PII keys cannot read what is stored — the newest encrypted values
  (``*_enc`` columns) do not decrypt with ``CIVICGRID_PII_KEY`` or ``CIVICGRID_PII_OLD_KEYS``,
  or the lookup hashes beside them (``*_hash``) do not match under ``CIVICGRID_PII_HASH_KEY``.
  Every management command stops on it (``migrate``, ``db_worker``, the ticks), and
  ``civicgrid/wsgi.py`` refuses to start gunicorn: a wrong key would otherwise show only as
  an error at the first reveal, while new values were written under a key the old ones
  do not share. Skipped in debug and tests, on an empty database and when the database
  cannot be reached (``/healthz`` reports that).

Registered by ``core.apps.CoreConfig.ready``.
"""

import logging
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError
from django.db.models import Model

logger = logging.getLogger(__name__)
SAMPLE_ROWS = 20  # newest rows read per table


def production() -> bool:
    return not (settings.DEBUG or bool(getattr(settings, "TESTING", False)))


@register(Tags.compatibility, deploy=False)
def public_url_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not production() or str(getattr(settings, "PUBLIC_BASE_URL", "") or ""):
        return []
    return [
        Warning(
            "CIVICGRID_PUBLIC_URL is not set",
            hint=(
                "Set it to the address residents and staff use, e.g. https://grid.example.gov.cn: "
                "without it the SMS rating link is a bare /r/<token>, and doorplate QR codes and "
                "Open311 discovery take the host of whichever request built them."
            ),
            id="civicgrid.W001",
        )
    ]


def encrypted_columns() -> list[tuple[type[Model], str, str]]:
    """(model, ``*_enc`` field, the ``*_hash`` field beside it or "") of every model."""
    found = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        for name in sorted(names):
            if name.endswith("_enc"):
                hashed = name[: -len("_enc")] + "_hash"
                found.append((model, name, hashed if hashed in names else ""))
    return found


def pii_key_problem() -> str | None:
    """Why the configured PII keys cannot read the stored personal information, or None
    (they can, or nothing is stored yet). Reads the newest rows (up to ``SAMPLE_ROWS``) of
    each table with an encrypted column until one value decrypts, and of every column with
    a lookup hash beside it: as soon as one row is stored, at least one of the hashes read
    must match under ``CIVICGRID_PII_HASH_KEY``. A wrong key matches none (HMAC-SHA256), so
    one row is enough to tell; before, three were needed per table, and a young
    installation with one or two requests started with a wrong key unnoticed."""
    from civicgrid.core import crypto

    decrypted = False
    for model, field, hash_field in encrypted_columns():
        if decrypted and not hash_field:
            continue
        columns = [field, hash_field] if hash_field else [field]
        rows = model._default_manager.order_by("-pk").values_list(*columns)[:SAMPLE_ROWS]
        compared = matched = 0
        for row in rows:
            value = row[0]
            if not value or not value.startswith("v1:"):
                continue
            try:
                clear = crypto.decrypt(value)
            except crypto.UndecryptableError:
                return (
                    f"{model._meta.label}.{field}: CIVICGRID_PII_KEY (and CIVICGRID_PII_OLD_KEYS) cannot "
                    "decrypt the stored personal information: the key differs from the one it was "
                    "written with. Set the key the data was written with (a new key goes first, the "
                    "old one into CIVICGRID_PII_OLD_KEYS)."
                )
            decrypted = True
            if hash_field and row[1] and clear:
                compared += 1
                matched += crypto.blind_index(clear) == row[1]
        if compared and not matched:
            return (
                f"{model._meta.label}.{hash_field}: CIVICGRID_PII_HASH_KEY is not the key the "
                f"stored lookup hashes were made with (none of the {compared} newest matches): "
                "searches by ID number or phone would find nobody. Set the hash key the data was "
                "written with."
            )
    return None


@register(Tags.security)
def pii_key_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not production():
        return []
    try:
        problem = pii_key_problem()
    except DatabaseError as exc:  # not reachable, or not migrated yet
        logger.info("PII key check skipped: %s", exc)
        return []
    return [Error(problem, id="civicgrid.E001")] if problem else []
