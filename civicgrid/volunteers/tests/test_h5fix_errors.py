"""Error pages (403/404) under a resident's address are in that section's H5 layout (the phone's
bar, its navigation, a way back), not the staff desktop layout with its header and English
footer; staff addresses keep the desktop layout (core/error.html)."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.volunteers.tests.conftest import People

pytestmark = pytest.mark.django_db

STAFF_FOOTER = "Vonng/adcode"


def h5_error(response: Any, status: int, message: str) -> str:
    body = response.content.decode()
    assert response.status_code == status and message in body
    assert 'class="h5"' in body and 'class="card error-page"' in body
    assert STAFF_FOOTER not in body and 'class="topbar"' not in body
    assert "history.back()" in body  # a way back
    assert body.count("<h1") == 1  # the bar's title is the page's one heading
    return body


def test_a_wrong_check_in_code_is_an_h5_page_with_the_volunteers_navigation(people: People) -> None:
    client = Client()
    client.force_login(people.zhang)
    body = h5_error(client.get("/volunteers/h5/scan/186/WRONGCODE/"), 404, "签到码无效或活动不存在")
    assert "h5-nav five" in body and reverse("volunteers:h5_home") in body
    body = h5_error(client.get("/volunteers/h5/no-such-page/"), 404, "页面不存在")
    assert "h5-nav five" in body
    body = h5_error(client.get("/points/my/redemptions/999999/"), 404, "")
    assert "h5-nav five" in body


def test_the_public_board_of_no_community_is_an_h5_page_without_the_members_navigation(
    people: People,
) -> None:
    body = h5_error(Client().get("/volunteers/board/999999/"), 404, "社区不存在")
    assert "h5-nav" not in body  # the board is public: no links to the signed-in pages


def test_a_party_h5_refusal_is_in_the_party_h5_layout(people: People) -> None:
    client = Client()
    client.force_login(people.city.bob)
    body = h5_error(client.get(reverse("party:h5_home")), 403, "您的账号尚未登记为党员")
    assert "h5-title" in body


def test_a_resident_requests_address_gets_the_requests_h5_layout(people: People) -> None:
    body = h5_error(Client().get("/requests/h5/no-such-page/"), 404, "页面不存在")
    assert reverse("requests:h5_track") in body and "tel:110" in body


def test_staff_addresses_keep_the_desktop_error_page(people: People) -> None:
    client = Client()
    client.force_login(people.city.bob)
    for url in ("/no-such-page/", "/requests/doorplate/print/999999/", "/volunteers/999999/certificate/"):
        body = client.get(url).content.decode()
        assert 'class="topbar"' in body and "error-page" not in body, url
