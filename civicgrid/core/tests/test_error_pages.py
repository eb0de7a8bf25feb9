"""Error pages with DEBUG off: Chinese for people, JSON for programs, and a stale form's
content kept (core/views.py, the handlers in civicgrid/urls.py, CSRF_FAILURE_VIEW)."""

import json
from typing import Any

import pytest
from django.test import Client, RequestFactory

from civicgrid.core.views import server_error
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_a_chinese_404(city: Any) -> None:
    client = Client()
    client.force_login(city.olivia)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode() and "Not Found" not in response.content.decode()


def test_an_unknown_api_address_is_json(city: Any) -> None:
    response = Client().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    response = Client().get("/open311/v2/no-such-thing.json")
    assert response.status_code == 404 and response.json()[0]["code"] == 404


def test_a_stale_form_says_why_in_chinese_and_shows_what_was_typed(city: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.olivia)
    response = client.post(
        "/requests/console/",
        {"title": "楼道灯不亮", "content": "三单元<b>楼道</b>灯坏了一周", "password": "hidden-one"},
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期" in page and "楼道灯不亮" in page
    assert "三单元&lt;b&gt;楼道&lt;/b&gt;灯坏了一周" in page  # shown as text
    assert "hidden-one" not in page
    assert not Request.objects.exists()


def test_a_server_error_page_needs_no_database_and_speaks_chinese() -> None:
    page = server_error(RequestFactory().get("/requests/ledger/"))
    assert page.status_code == 500 and "系统内部错误" in page.content.decode()
    api = server_error(RequestFactory().get("/api/v1/requests/"))
    assert api.status_code == 500 and api["Content-Type"] == "application/json"
    open311 = server_error(RequestFactory().get("/open311/v2/requests.json"))
    assert open311.status_code == 500
    assert json.loads(open311.content)[0]["code"] == 500  # GeoReport v2's error list


def test_a_post_from_another_site_is_refused_without_showing_its_text(city: Any, settings: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.olivia)
    response = client.post(
        "/requests/console/",
        {"title": "请拨打 400-000-0000 办理"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403 and "页面已过期" in response.content.decode()
    assert "400-000-0000" not in response.content.decode()
