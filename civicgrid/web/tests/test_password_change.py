"""Changing one's own password (修改密码)."""

from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.test import Client

from civicgrid.conftest import City
from civicgrid.core.models import AuditLog

pytestmark = pytest.mark.django_db

URL = "/account/password/"
OLD = "civicgrid-test-pw"  # the fixtures' password


def signed_in(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=OLD)
    return client


def test_a_user_changes_their_password_and_stays_signed_in(city: City) -> None:
    client = signed_in(city.bob)
    assert 'href="/account/password/"' in client.get("/").content.decode()  # reachable from every page
    response = client.post(
        URL, {"old_password": OLD, "new_password1": "Qiao-hu-8823", "new_password2": "Qiao-hu-8823"}
    )
    assert response.status_code == 302
    assert authenticate(username="bob", password="Qiao-hu-8823") == city.bob
    assert client.get("/").status_code == 200  # the session survived the change
    row = AuditLog.objects.get(verb="accounts.password_changed")
    assert row.actor_id == city.bob.pk and "Qiao" not in str(row.after)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {"old_password": "wrong-one", "new_password1": "Qiao-hu-8823", "new_password2": "Qiao-hu-8823"},
            "old_password",
        ),
        (
            {"old_password": OLD, "new_password1": "Qiao-hu-8823", "new_password2": "Qiao-hu-8824"},
            "new_password2",
        ),
        ({"old_password": OLD, "new_password1": "12345678", "new_password2": "12345678"}, "new_password2"),
    ],
)
def test_a_bad_change_is_named_and_changes_nothing(city: City, data: dict[str, str], field: str) -> None:
    response = signed_in(city.bob).post(URL, data)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert response.context["form"].errors[field][0] in response.content.decode()
    assert authenticate(username="bob", password=OLD) == city.bob
    assert not AuditLog.objects.filter(verb="accounts.password_changed").exists()


def test_the_anonymous_are_sent_to_sign_in(city: City) -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
