"""三员分立 guards an outside tester found open: the system administrator made themself a
handling unit's staff, the security administrator disabled the only audit administrator,
and the admin's own password pages skipped the old password's lock and the audit."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.models import AdminRole, User
from civicgrid.conftest import City, make_user
from civicgrid.core.admin_audit import record_fingerprint
from civicgrid.core.models import AuditLog
from civicgrid.requests.constants import UnitKind
from civicgrid.requests.models import HandlingUnit, UnitMembership
from civicgrid.requests.permissions import approver_unit_ids, sees_requests, unit_ids

pytestmark = pytest.mark.django_db
PASSWORD = "civicgrid-test-pw"


def _unit(city: City) -> HandlingUnit:
    return HandlingUnit.objects.create(
        code="B09",
        name="区城管局",
        kind=UnitKind.DEPARTMENT,
        node=city.district,
        node_path=city.district.path,
    )


def _unit_form(unit: HandlingUnit, user: User) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "node": unit.node_id,
        "parent": "",
        "phone": "",
        "is_active": "on",
        "edit_fingerprint": record_fingerprint(HandlingUnit.objects.get(pk=unit.pk)),
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-user": user.username,
        "memberships-0-is_approver": "on",
    }


def test_the_system_admin_cannot_make_themself_unit_staff(client: Client, city: City) -> None:
    unit = _unit(city)
    client.force_login(city.sysadmin)
    response = client.post(f"/admin/requests/handlingunit/{unit.pk}/change/", _unit_form(unit, city.sysadmin))
    assert response.status_code == 422
    assert "不能把自己加为承办单位人员" in response.content.decode()
    assert not UnitMembership.objects.filter(unit=unit).exists()


def test_no_administrator_becomes_unit_staff(client: Client, city: City) -> None:
    unit = _unit(city)
    client.force_login(city.sysadmin)
    for admin in (city.secadmin, city.auditor):
        response = client.post(f"/admin/requests/handlingunit/{unit.pk}/change/", _unit_form(unit, admin))
        assert "管理员账号不能担任承办单位人员（三员分立）" in response.content.decode()
    assert not UnitMembership.objects.filter(unit=unit).exists()
    response = client.post(f"/admin/requests/handlingunit/{unit.pk}/change/", _unit_form(unit, city.bob))
    assert response.status_code == 302
    assert UnitMembership.objects.filter(unit=unit, user=city.bob).exists()


def test_an_administrators_membership_opens_no_requests(client: Client, city: City) -> None:
    unit = _unit(city)
    UnitMembership.objects.create(unit=unit, user=city.sysadmin, is_approver=True)  # made before the rule
    admin = User.objects.get(pk=city.sysadmin.pk)
    assert unit_ids(admin) == set() and approver_unit_ids(admin) == set() and not sees_requests(admin)
    plain = make_user("hank", "韩军")
    UnitMembership.objects.create(unit=unit, user=plain)
    assert unit_ids(plain) == {unit.pk} and sees_requests(plain)


def _user_form(user: User, **fields: Any) -> dict[str, Any]:
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
    return {k: v for k, v in form.items() if v != ""} | {"full_name": user.full_name, "title": ""}


def test_the_security_admin_cannot_disable_or_demote_the_auditor(client: Client, city: City) -> None:
    client.force_login(city.secadmin)
    url = f"/admin/accounts/user/{city.auditor.pk}/change/"
    for change in ({"is_active": ""}, {"admin_role": ""}, {"admin_role": AdminRole.SYSTEM}):
        response = client.post(url, _user_form(city.auditor, **change))
        assert response.status_code == 200, change  # the read-only page again, with why
        assert "civicgrid admins" in response.content.decode()
    auditor = User.objects.get(pk=city.auditor.pk)
    assert auditor.is_active and auditor.admin_role == AdminRole.AUDIT
    # the system administrator likewise; a business account is still managed here
    response = client.post(
        f"/admin/accounts/user/{city.sysadmin.pk}/change/", _user_form(city.sysadmin, is_active="")
    )
    assert response.status_code == 200 and User.objects.get(pk=city.sysadmin.pk).is_active
    response = client.post(f"/admin/accounts/user/{city.bob.pk}/change/", _user_form(city.bob, is_active=""))
    assert response.status_code == 302 and not User.objects.get(pk=city.bob.pk).is_active


def test_the_only_auditor_is_never_left_out(city: City) -> None:
    from civicgrid.accounts.services import admin_change_problem

    # Nobody changes an administrator's account in the admin, one's own included: only
    # ``civicgrid admins`` on the server does, so the admin cannot leave no auditor.
    auditor = User.objects.get(pk=city.auditor.pk)
    make_user("auditor2", "审计管理员二", AdminRole.AUDIT)
    for actor in (auditor, city.secadmin):
        for role, active in (("", True), (AdminRole.AUDIT, False), (AdminRole.AUDIT, True)):
            problem = admin_change_problem(actor=actor, user=auditor, admin_role=role, is_active=active)
            assert "civicgrid admins" in (problem or "")


def test_an_administrator_account_is_not_deleted_in_the_admin(client: Client, city: City) -> None:
    client.force_login(city.secadmin)
    client.post(f"/admin/accounts/user/{city.auditor.pk}/delete/", {"post": "yes"})
    assert User.objects.filter(pk=city.auditor.pk).exists()


def test_admin_password_change_is_the_checked_own_password_page(client: Client, city: City) -> None:
    client.force_login(city.secadmin)
    response = client.get("/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == "/account/password/"
    response = client.post(
        "/admin/password_change/",
        {"old_password": "wrong", "new_password1": "Better-pw-2026", "new_password2": "Better-pw-2026"},
    )
    assert response.status_code == 302 and response["Location"] == "/account/password/"
    assert User.objects.get(pk=city.secadmin.pk).check_password(PASSWORD)


def test_no_administrator_sets_their_own_password_without_the_old_one(client: Client, city: City) -> None:
    client.force_login(city.secadmin)
    url = f"/admin/accounts/user/{city.secadmin.pk}/password/"
    response = client.post(
        url, {"password1": "Better-pw-2026", "password2": "Better-pw-2026", "usable_password": "true"}
    )
    assert response.status_code == 302 and response["Location"] == "/account/password/"
    assert User.objects.get(pk=city.secadmin.pk).check_password(PASSWORD)
    assert not AuditLog.objects.filter(verb="accounts.password_set").exists()
    # another account's password is still set here (and audited)
    response = client.post(
        f"/admin/accounts/user/{city.bob.pk}/password/",
        {"password1": "Better-pw-2026", "password2": "Better-pw-2026", "usable_password": "true"},
    )
    assert response.status_code == 302 and User.objects.get(pk=city.bob.pk).check_password("Better-pw-2026")
