"""Signing out after a while without activity (登录超时自动退出, web/idle.py)."""

import time
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from civicgrid.conftest import City
from civicgrid.core.models import AuditLog
from civicgrid.requests.models import Request
from civicgrid.web.idle import LAST_SEEN, SESSION_EXPIRED

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get("/").status_code == 200
    return client


def last_seen_ago(client: Client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds
    session.save()


def test_an_active_session_stays_and_is_stamped_at_most_once_a_minute(city: City) -> None:
    client = signed_in(city.bob)
    stamp = client.session[LAST_SEEN]
    assert abs(stamp - time.time()) < 30  # a loaded machine is slow
    last_seen_ago(client, 29 * 60)  # under the 30 minutes
    assert client.get("/").status_code == 200
    renewed = client.session[LAST_SEEN]
    assert abs(renewed - time.time()) < 30
    assert client.get("/").status_code == 200
    assert client.session[LAST_SEEN] == renewed  # not rewritten within the minute
    assert not AuditLog.objects.filter(verb=SESSION_EXPIRED).exists()


def test_an_idle_session_is_signed_out_with_a_message_and_an_audit_row(city: City) -> None:
    client = signed_in(city.bob)
    last_seen_ago(client, 31 * 60)
    response = client.get("/requests/ledger/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/") and "next=/requests/ledger/" in response["Location"]
    page = client.get(response["Location"])
    assert "30分钟未操作" in page.content.decode()
    assert client.get("/").status_code == 302  # still signed out: the session was ended
    row = AuditLog.objects.get(verb=SESSION_EXPIRED)
    assert row.actor_id == city.bob.pk and row.target_id == "bob"
    assert row.after == {"idle_minutes": 31}


def test_the_api_answers_401_to_an_idle_session(city: City) -> None:
    client = signed_in(city.bob)
    assert client.get("/api/v1/requests/inbox").status_code == 200
    last_seen_ago(client, 45 * 60)
    assert client.get("/api/v1/requests/inbox").status_code == 401


def test_zero_turns_it_off(city: City, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES = 0
    client = signed_in(city.bob)
    last_seen_ago(client, 5 * 3600)
    assert client.get("/").status_code == 200
    assert not AuditLog.objects.filter(verb=SESSION_EXPIRED).exists()


def test_activity_does_not_move_the_absolute_end_of_a_session(city: City) -> None:
    client = signed_in(city.bob)
    end = client.session.get_expiry_date()
    assert abs((end - timezone.now()).total_seconds() - settings.SESSION_COOKIE_AGE) < 60
    last_seen_ago(client, 5 * 60)  # the next request rewrites the stamp
    assert client.get("/").status_code == 200
    assert client.session[LAST_SEEN] > int(time.time()) - 30
    assert client.session.get_expiry_date() == end


def test_an_htmx_call_of_an_idle_session_sends_the_whole_page_to_sign_in(city: City) -> None:
    client = signed_in(city.bob)
    last_seen_ago(client, 31 * 60)
    response = client.get(
        "/requests/ledger/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/requests/inbox/"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/?next=%2Frequests%2Finbox%2F"
    assert AuditLog.objects.filter(verb=SESSION_EXPIRED).count() == 1


def test_a_form_sent_by_an_idle_session_gives_back_what_was_typed(city: City) -> None:
    client = signed_in(city.olivia)
    last_seen_ago(client, 40 * 60)
    response = client.post(
        "/requests/console/", {"title": "楼道灯不亮", "content": "三单元灯坏了", "category": "17"}
    )
    assert response.status_code == 401
    page = response.content.decode()
    assert "30分钟未操作" in page and "楼道灯不亮" in page and "三单元灯坏了" in page
    assert ">17<" not in page  # a choice's id is no text of the user's
    assert not Request.objects.exists()


def test_signing_in_on_a_page_left_open_while_signed_in_still_signs_in(city: City) -> None:
    client = signed_in(city.bob)
    last_seen_ago(client, 45 * 60)
    response = client.post("/login/", {"username": "bob", "password": "civicgrid-test-pw"})
    assert response.status_code == 302  # signed in anew, not the "form not taken" page
    assert client.get("/").status_code == 200
