"""``civicgrid pii_rotate``: step 2 of a PII key rotation."""

import base64
import os
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from civicgrid.conftest import City
from civicgrid.core import crypto
from civicgrid.core.models import AuditLog
from civicgrid.registry.models import Resident
from civicgrid.registry.tests.factories import World, build_world


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def clear_values() -> dict[int, tuple[str, str]]:
    return {
        r.pk: (crypto.decrypt(r.id_number_enc), crypto.decrypt(r.phone_enc)) for r in Resident.objects.all()
    }


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("pii_rotate", "--batch-size=2", *args, stdout=out)
    return out.getvalue()


def test_rotation_re_encrypts_everything_under_the_new_key_once(world: World) -> None:
    old, new = settings.PII_KEY, new_key()
    before = clear_values()
    stored = dict(Resident.objects.values_list("pk", "id_number_enc"))
    with override_settings(PII_KEY=new, PII_OLD_KEYS=[old]):
        counted = rotate("--dry-run")
        assert "待重新加密" in counted and AuditLog.objects.filter(verb="core.pii_rotated").count() == 0
        assert dict(Resident.objects.values_list("pk", "id_number_enc")) == stored
        assert "完成" in rotate()
        assert AuditLog.objects.filter(verb="core.pii_rotated").exists()
        for resident in Resident.objects.all():
            for value in (resident.id_number_enc, resident.phone_enc):
                assert value == "" or crypto.under_current_key(value)
        audited = AuditLog.objects.filter(verb="core.pii_rotated").count()
        again = rotate()  # nothing left to do: nothing changes, nothing audited
        assert "重新加密" not in again and AuditLog.objects.filter(verb="core.pii_rotated").count() == audited
    with override_settings(PII_KEY=new, PII_OLD_KEYS=[]):  # the old key can go now
        after = clear_values()
    assert after == before and len(before) >= 2


def test_a_value_no_key_decrypts_is_left_and_reported(world: World) -> None:
    with (
        override_settings(PII_KEY=new_key(), PII_OLD_KEYS=[]),
        pytest.raises(CommandError, match="无法用已配置"),
    ):
        rotate()
    assert not AuditLog.objects.filter(verb="core.pii_rotated").exists()


@pytest.fixture
def world(city: City) -> World:
    return build_world(city)
