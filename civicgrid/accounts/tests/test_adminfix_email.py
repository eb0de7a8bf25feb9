"""A staff account's e-mail address (where deadline warnings go once CIVICGRID_NOTIFY_EMAIL
is set) is set on the security administrator's add and change pages, checked as an address,
optional, and its change audited like the account's other changes."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.constants import Verb
from civicgrid.accounts.models import User
from civicgrid.conftest import City
from civicgrid.core.admin_audit import record_fingerprint
from civicgrid.core.models import AuditLog

pytestmark = pytest.mark.django_db

NO_ROLES = {
    "role_assignments-TOTAL_FORMS": "0",
    "role_assignments-INITIAL_FORMS": "0",
    "role_assignments-MIN_NUM_FORMS": "0",
    "role_assignments-MAX_NUM_FORMS": "1000",
}


def _change_form(user: User, **fields: Any) -> dict[str, Any]:
    form = {
        "username": user.username,
        "full_name": user.full_name,
        "title": user.title,
        "email": user.email,
        "is_active": "on",
        **NO_ROLES,
        "edit_fingerprint": record_fingerprint(User.objects.get(pk=user.pk)),
    }
    form.update(fields)
    return form


def test_both_account_pages_have_an_email_field(city: City, client: Client) -> None:
    client.force_login(city.secadmin)
    for url in ("/admin/accounts/user/add/", f"/admin/accounts/user/{city.bob.pk}/change/"):
        html = client.get(url).content.decode()
        assert 'name="email"' in html, url
        assert "电子邮箱" in html


def test_an_account_is_created_with_an_email(city: City, client: Client) -> None:
    client.force_login(city.secadmin)
    form = {
        "username": "zhang3",
        "full_name": "张三",
        "email": "zhang3@example.gov.cn",
        "password1": "Quite-long-pass-42",
        "password2": "Quite-long-pass-42",
        "usable_password": "true",
        **NO_ROLES,
    }
    response = client.post("/admin/accounts/user/add/", form)
    assert response.status_code == 302
    assert User.objects.get(username="zhang3").email == "zhang3@example.gov.cn"


def test_an_account_is_created_without_an_email(city: City, client: Client) -> None:
    client.force_login(city.secadmin)
    form = {
        "username": "li4",
        "full_name": "李四",
        "email": "",
        "password1": "Quite-long-pass-42",
        "password2": "Quite-long-pass-42",
        "usable_password": "true",
        **NO_ROLES,
    }
    assert client.post("/admin/accounts/user/add/", form).status_code == 302
    assert User.objects.get(username="li4").email == ""


def test_an_invalid_email_is_refused(city: City, client: Client) -> None:
    client.force_login(city.secadmin)
    bob = city.bob
    form = _change_form(bob, email="not-an-address")
    response = client.post(f"/admin/accounts/user/{bob.pk}/change/", form)
    assert response.status_code == 422  # the form again, with the error
    bob.refresh_from_db()
    assert bob.email != "not-an-address"


def test_an_email_change_is_audited(city: City, client: Client) -> None:
    client.force_login(city.secadmin)
    bob = city.bob
    old = bob.email
    form = _change_form(bob, email="bob@example.gov.cn")
    response = client.post(f"/admin/accounts/user/{bob.pk}/change/", form)
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.email == "bob@example.gov.cn"
    row = AuditLog.objects.filter(verb=Verb.USER_CHANGED, target_id=str(bob.pk)).latest("id")
    assert row.before is not None and row.before["email"] == old
    assert row.after is not None and row.after["email"] == "bob@example.gov.cn"
