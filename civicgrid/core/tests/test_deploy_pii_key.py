"""PII keys: a malformed one is refused at start, a wrong one is found before it does harm,
and a value no key decrypts is a clear Chinese error, never a 500."""

import base64
import os
import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

from civicgrid.conftest import City
from civicgrid.core import checks
from civicgrid.core.models import AuditLog
from civicgrid.registry.tests.factories import World, build_world


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def start(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import civicgrid.settings"],
        env={**os.environ, "CIVICGRID_TESTING": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "env",
    [
        {"CIVICGRID_PII_KEY": "abc"},
        {"CIVICGRID_PII_HASH_KEY": "a passphrase"},
        {"CIVICGRID_PII_KEY": new_key()[:40]},
        {"CIVICGRID_PII_OLD_KEYS": f"{new_key()},not-a-key"},
    ],
)
def test_a_malformed_key_is_refused_at_start(env: dict[str, str]) -> None:
    result = start(**env)
    assert result.returncode != 0
    assert f"{next(iter(env))} must be urlsafe base64 of 32 bytes" in result.stderr


def test_a_well_formed_key_starts() -> None:
    result = start(CIVICGRID_PII_KEY=new_key(), CIVICGRID_PII_OLD_KEYS=new_key())
    assert result.returncode == 0, result.stderr[-1000:]


@pytest.fixture
def world(city: City) -> World:
    return build_world(city)


def test_the_key_check_reads_the_stored_values(world: World) -> None:
    assert checks.pii_key_problem() is None
    wrong = new_key()
    with override_settings(PII_KEY=wrong):
        problem = checks.pii_key_problem()
        assert problem is not None and "CIVICGRID_PII_KEY" in problem
        with override_settings(DEBUG=False, TESTING=False):
            assert [m.id for m in checks.pii_key_check()] == ["civicgrid.E001"]
    # A rotation in progress: the new key first, the old one still decrypts.
    with override_settings(PII_KEY=wrong, PII_OLD_KEYS=[settings.PII_KEY]):
        assert checks.pii_key_problem() is None
    with override_settings(PII_HASH_KEY=new_key()):
        problem = checks.pii_key_problem()
        assert problem is not None and "CIVICGRID_PII_HASH_KEY" in problem
    with override_settings(DEBUG=False, TESTING=False):
        assert checks.pii_key_check() == []


def test_an_empty_database_passes_the_key_check(db: Any) -> None:
    with override_settings(PII_KEY=new_key()):
        assert checks.pii_key_problem() is None


def test_a_reveal_under_a_wrong_key_is_a_clear_error_not_a_500(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    with override_settings(PII_KEY=new_key()):
        api = client.post(f"/api/v1/registry/residents/{world.resident_a.pk}/reveal")
        page = client.post(f"/registry/residents/{world.resident_a.pk}/reveal/")
    assert api.status_code == 503
    assert api.json()["code"] == "pii_key" and "个人信息无法解密" in api.json()["message"]
    assert page.status_code == 503 and "个人信息无法解密" in page.content.decode()
    assert not AuditLog.objects.filter(verb="registry.resident_pii_viewed").exists()
