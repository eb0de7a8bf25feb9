"""Signing out after a while without activity (登录超时自动退出, web/idle.py)."""

import time
from typing import Any

import pytest
from django.test import Client

from civicgrid.conftest import City
from civicgrid.core.models import AuditLog
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
    assert abs(stamp - time.time()) < 5
    last_seen_ago(client, 29 * 60)  # under the 30 minutes
    assert client.get("/").status_code == 200
    renewed = client.session[LAST_SEEN]
    assert abs(renewed - time.time()) < 5
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
