"""Behind nginx with TLS, as README.md deploys it.

The proxy ends TLS and speaks plain HTTP to gunicorn. Without SECURE_PROXY_SSL_HEADER the
application took every request for http://, so the CSRF check refused the https:// Origin
of every form (403 页面已过期: nobody could sign in) and absolute links were built as http://.
"""

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.checks.registry import registry
from django.test import Client, override_settings

from civicgrid.conftest import make_user
from civicgrid.core.checks import public_url_check

HOST = "grid.example.gov.cn"
PRODUCTION_ENV = {
    "CIVICGRID_TRUSTED_PROXIES": "1",
    "CIVICGRID_PUBLIC_URL": f"https://{HOST}/",
    "CIVICGRID_ALLOWED_HOSTS": HOST,
    "CIVICGRID_HSTS_SECONDS": "3600",
    "CIVICGRID_SSL_REDIRECT": "1",
}
READ = [
    "SECURE_PROXY_SSL_HEADER",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_HSTS_SECONDS",
    "SECURE_SSL_REDIRECT",
    "PUBLIC_BASE_URL",
]


def settings_with(env: dict[str, str]) -> dict[str, Any]:
    """civicgrid/settings.py as a process with this environment reads it."""
    code = (
        "import json, civicgrid.settings as s;"
        f"print(json.dumps({{n: getattr(s, n, None) for n in {READ!r}}}))"
    )
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("CIVICGRID_") or k in ("CIVICGRID_DATA_DIR",)
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**clean, "CIVICGRID_TESTING": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def production() -> dict[str, Any]:
    return settings_with(PRODUCTION_ENV)


def test_the_proxy_settings_come_from_the_environment(production: dict[str, Any]) -> None:
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production["CSRF_TRUSTED_ORIGINS"] == [f"https://{HOST}"]
    assert production["SECURE_HSTS_SECONDS"] == 3600
    assert production["SECURE_SSL_REDIRECT"] is True
    direct = settings_with({})
    assert direct["SECURE_PROXY_SSL_HEADER"] is None and direct["CSRF_TRUSTED_ORIGINS"] == []


def test_a_malformed_public_url_is_refused_at_start() -> None:
    code = "import civicgrid.settings"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**os.environ, "CIVICGRID_TESTING": "1", "CIVICGRID_PUBLIC_URL": "grid.example.gov.cn"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0 and "CIVICGRID_PUBLIC_URL" in result.stderr


def test_signing_in_through_the_tls_proxy_passes_the_csrf_check(db: Any, production: dict[str, Any]) -> None:
    make_user("bob", "李明")
    header = production["SECURE_PROXY_SSL_HEADER"]
    with override_settings(
        SECURE_PROXY_SSL_HEADER=tuple(header) if header else None,
        ALLOWED_HOSTS=[HOST],
        # The origin stays out of the trusted list here: the same-origin check alone passes.
        CSRF_TRUSTED_ORIGINS=[],
        TRUSTED_PROXIES=1,
    ):
        # As nginx passes them on: the public host, and the scheme the browser used.
        client = Client(enforce_csrf_checks=True, HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
        page = client.get("/login/")
        assert page.status_code == 200
        token = client.cookies["csrftoken"].value
        signed_in = client.post(
            "/login/",
            {"username": "bob", "password": "civicgrid-test-pw", "csrfmiddlewaretoken": token},
            HTTP_ORIGIN=f"https://{HOST}",
            HTTP_REFERER=f"https://{HOST}/login/",
        )
        assert signed_in.status_code == 302, signed_in.content.decode()[:500]
        assert signed_in["Location"] == "/"
        # Absolute links built from the request are https:// too (Open311 discovery).
        discovery = client.get("/open311/v2/discovery.json")
        assert discovery.status_code == 200
        assert f"https://{HOST}/open311/v2/" in discovery.content.decode()


def test_production_without_a_public_url_gets_a_warning() -> None:
    with override_settings(DEBUG=False, TESTING=False, PUBLIC_BASE_URL=""):
        assert [m.id for m in public_url_check()] == ["civicgrid.W001"]
    with override_settings(DEBUG=False, TESTING=False, PUBLIC_BASE_URL=f"https://{HOST}"):
        assert public_url_check() == []
    with override_settings(DEBUG=True, PUBLIC_BASE_URL=""):
        assert public_url_check() == []
    # Registered: Django's own check run includes it.
    assert public_url_check in registry.get_checks()
