"""A request for a host CIVICGRID_ALLOWED_HOSTS does not name is a 400 (not 422) that says
what the administrator has to do, without the host the sender chose; the log line names
the setting too (core/views.py bad_request, core/logfilters.AllowedHostsHint)."""

import logging

import pytest
from django.test import Client, RequestFactory, override_settings

from civicgrid.core.views import bad_request

PRODUCTION = {"ALLOWED_HOSTS": ["grid.example.gov.cn"], "DEBUG": False}
EVIL = "evil-<b>x</b>.example"

pytestmark = pytest.mark.django_db


@override_settings(**PRODUCTION)
def test_an_unknown_host_is_a_400_naming_the_setting_not_the_host() -> None:
    response = Client(HTTP_HOST="evil.example").get("/login/")
    assert response.status_code == 400
    page = response.content.decode()
    assert "未在 CIVICGRID_ALLOWED_HOSTS 中登记" in page
    assert "evil.example" not in page


@override_settings(**PRODUCTION)
def test_markup_in_the_host_is_never_put_on_the_page() -> None:
    response = Client(HTTP_HOST=EVIL).get("/login/")
    assert response.status_code == 400
    page = response.content.decode()
    assert "<b>x</b>" not in page and "evil-" not in page


@override_settings(**PRODUCTION)
def test_the_api_gets_the_same_in_json() -> None:
    response = Client(HTTP_HOST="evil.example").get("/api/v1/requests/")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "disallowed_host"
    assert "CIVICGRID_ALLOWED_HOSTS" in body["message"]
    assert "evil.example" not in response.content.decode()


@override_settings(**PRODUCTION)
def test_the_log_line_names_civicgrid_allowed_hosts(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="django.security.DisallowedHost"):
        Client(HTTP_HOST="evil.example").get("/login/")
    lines = [r.getMessage() for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert lines and "CIVICGRID_ALLOWED_HOSTS" in lines[0]


def test_another_bad_request_is_a_400_too() -> None:
    response = bad_request(RequestFactory().get("/x/"), ValueError("bad"))
    assert response.status_code == 400
    assert "请求无效" in response.content.decode()
