"""/healthz answers a local health check under the production settings: asked at
127.0.0.1 while ``CIVICGRID_ALLOWED_HOSTS`` names only the public host, over plain HTTP while
HTTPS is required, it gives its 200 JSON (not the refusal of an unknown host, nor a
redirect); every other page still refuses that host."""

from typing import Any

import pytest
from django.db import DatabaseError
from django.test import Client, override_settings
from django.urls import reverse

PRODUCTION = {"ALLOWED_HOSTS": ["grid.example.gov.cn"], "DEBUG": False}

pytestmark = pytest.mark.django_db


@override_settings(**PRODUCTION)
def test_healthz_answers_at_an_address_the_allowed_hosts_do_not_name() -> None:
    response = Client(HTTP_HOST="127.0.0.1").get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": response.json()["database"]}
    assert response["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware's headers kept
    assert reverse("healthz") == "/healthz"


@override_settings(**PRODUCTION, SECURE_SSL_REDIRECT=True)
def test_healthz_stays_on_plain_http_and_other_pages_still_refuse_the_host() -> None:
    local = Client(HTTP_HOST="127.0.0.1")
    assert local.get("/healthz").status_code == 200
    assert local.get("/healthz/").status_code != 200  # exactly /healthz
    assert local.get("/login/").status_code == 400  # the host check everywhere else
    public = Client(HTTP_HOST="grid.example.gov.cn")
    assert public.get("/login/").status_code == 301  # to https://


@override_settings(**PRODUCTION)
def test_healthz_says_nothing_of_the_request_nor_of_the_database_error(monkeypatch: Any) -> None:
    class Unreachable:
        vendor = "postgresql"

        def cursor(self) -> Any:
            raise DatabaseError('connection to server at "10.9.8.7" failed: password for user "civicgrid"')

    monkeypatch.setattr("civicgrid.core.middleware.connection", Unreachable())
    response = Client(HTTP_HOST="evil.example").get("/healthz?x=<script>", HTTP_X_SECRET="s3cr3t")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable", "detail": "DatabaseError"}
    body = response.content.decode()
    assert not any(text in body for text in ("10.9.8.7", "civicgrid", "evil.example", "script", "s3cr3t"))


@override_settings(**PRODUCTION)
def test_healthz_takes_only_get() -> None:
    assert Client(HTTP_HOST="grid.example.gov.cn").post("/healthz").status_code == 405
