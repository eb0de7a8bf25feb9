"""An outside tester installing for real: signed in as the security administrator, the add
page offered all three administrator roles, and the system administrator's password could
be reset in the admin and then used to sign in as them (三员分立 broken). Administrator
roles are given only by ``civicgrid admins`` on the server; an administrator's account is
read-only in the admin, whatever a form sends."""

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import AdminRole, Role, User
from civicgrid.conftest import City
from civicgrid.core.admin_audit import record_fingerprint
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.registry.tests.factories import db_state

pytestmark = pytest.mark.django_db
CHOSEN = "Secadmin-chose-4471"
OLD = "civicgrid-test-pw"  # the fixtures' password
REFUSED = "管理员账号只能在服务器上用 civicgrid admins 管理"


def _secadmin(city: City) -> Client:
    client = Client()
    client.force_login(city.secadmin)
    return client


def _change_form(user: User, **fields: Any) -> dict[str, Any]:
    form = {
        "username": user.username,
        "full_name": user.full_name,
        "title": "",
        "admin_role": user.admin_role,
        "is_active": "on" if user.is_active else "",
        "role_assignments-TOTAL_FORMS": "0",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
        "edit_fingerprint": record_fingerprint(User.objects.get(pk=user.pk)),
    }
    form.update(fields)
    return {k: v for k, v in form.items() if v != ""}


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_the_add_page_offers_no_administrator_role_and_refuses_one_sent(city: City) -> None:
    client = _secadmin(city)
    page = client.get("/admin/accounts/user/add/").content.decode()
    assert 'name="admin_role"' not in page
    before = db_state()
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "sys2",
            "full_name": "二号",
            "admin_role": AdminRole.SYSTEM,
            "password1": CHOSEN,
            "password2": CHOSEN,
            "usable_password": "true",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 422
    assert "管理员角色只能在服务器上用 civicgrid admins 设置" in response.content.decode()
    assert db_state() == before and not User.objects.filter(username="sys2").exists()


def test_the_services_give_no_administrator_role_to_a_person(city: City) -> None:
    before, rows = db_state(), AuditLog.objects.count()
    with pytest.raises(ValidationError) as refused:
        accounts.user_create(
            actor=city.secadmin, username="sys2", password=CHOSEN, admin_role=AdminRole.SYSTEM
        )
    assert "admin_role" in refused.value.errors
    for target in (city.bob, city.secadmin):
        with pytest.raises(ValidationError) as refused:
            accounts.admin_role_set(actor=city.secadmin, user=target, admin_role=AdminRole.SYSTEM)
        assert "civicgrid admins" in refused.value.message
    assert db_state() == before and AuditLog.objects.count() == rows
    assert User.objects.get(pk=city.secadmin.pk).admin_role == AdminRole.SECURITY
    assert accounts.admin_change_problem(actor=city.secadmin, user=None, admin_role="system", is_active=True)


@pytest.mark.parametrize("target", ["sysadmin", "auditor"])
def test_no_administrators_password_is_set_in_the_admin(city: City, target: str) -> None:
    admin = getattr(city, target)
    client = _secadmin(city)
    before, rows = db_state(), AuditLog.objects.count()
    response = client.post(
        f"/admin/accounts/user/{admin.pk}/password/",
        {"password1": CHOSEN, "password2": CHOSEN, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/accounts/user/{admin.pk}/change/"
    assert REFUSED in _messages(response)
    assert db_state() == before and AuditLog.objects.count() == rows
    assert User.objects.get(pk=admin.pk).check_password(OLD)
    assert Client().post("/login/", {"username": target, "password": CHOSEN}).status_code != 302


@pytest.mark.parametrize(
    ("target", "change"),
    [
        ("sysadmin", {"is_active": ""}),
        ("sysadmin", {"title": "主任"}),
        ("auditor", {"is_active": ""}),
        ("secadmin", {"full_name": "改名"}),  # one's own account
        ("sysadmin", {"admin_role": ""}),
    ],
)
def test_no_administrators_account_is_changed_in_the_admin(city: City, target: str, change: dict) -> None:
    admin = getattr(city, target)
    client = _secadmin(city)
    before, rows = db_state(), AuditLog.objects.count()
    url = f"/admin/accounts/user/{admin.pk}/change/"
    response = client.post(url, _change_form(admin, **change))
    assert response.status_code == 200  # the read-only page again, with why
    page = response.content.decode()
    assert "不能" in page
    assert db_state() == before and AuditLog.objects.count() == rows
    for field in ('name="is_active"', 'name="full_name"', 'name="admin_role"', "role_assignments-__prefix__"):
        assert field not in page


def test_no_role_is_given_to_an_administrator_through_the_inline(city: City) -> None:
    client = _secadmin(city)
    form = _change_form(
        city.sysadmin,
        **{
            "role_assignments-TOTAL_FORMS": "1",
            "role_assignments-0-role": Role.LEADER,
            "role_assignments-0-node": city.district.code,
            "role_assignments-0-user": city.sysadmin.pk,
        },
    )
    client.post(f"/admin/accounts/user/{city.sysadmin.pk}/change/", form)
    assert not city.sysadmin.role_assignments.exists()


def test_a_business_account_is_still_managed_in_the_admin(city: City) -> None:
    client = _secadmin(city)
    bob = city.bob
    url = f"/admin/accounts/user/{bob.pk}/change/"
    assert client.post(url, _change_form(bob, title="社区主任", is_active="")).status_code == 302
    bob = User.objects.get(pk=bob.pk)
    assert bob.title == "社区主任" and not bob.is_active
    response = client.post(
        f"/admin/accounts/user/{bob.pk}/password/",
        {"password1": CHOSEN, "password2": CHOSEN, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=bob.pk).check_password(CHOSEN)
