"""Roles, unit staff and a position's account are given by the keys people see (an area
code, a login name), not by database ids from a lookup the other administrator cannot open."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.models import RoleAssignment
from civicgrid.core.admin_audit import record_fingerprint
from civicgrid.requests.models import UnitMembership

pytestmark = pytest.mark.django_db


def user_form(user: Any, *rows: tuple[str, str]) -> dict[str, Any]:
    form: dict[str, Any] = {
        "username": user.username,
        "full_name": user.full_name,
        "title": "",
        "admin_role": "",
        "is_active": "on",
        "role_assignments-TOTAL_FORMS": str(len(rows)),
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
        "edit_fingerprint": record_fingerprint(type(user).objects.get(pk=user.pk)),
    }
    for i, (role, node) in enumerate(rows):
        form[f"role_assignments-{i}-role"] = role
        form[f"role_assignments-{i}-node"] = node
        form[f"role_assignments-{i}-user"] = user.pk
    return form


def test_the_security_administrator_grants_a_role_by_area_code(client: Client, city: Any) -> None:
    client.force_login(city.secadmin)
    bob = city.bob
    before = set(bob.role_assignments.values_list("node_id", flat=True))
    # Typed as people copy it: full-width digits, spaces around.
    code = city.comm_a2.code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = client.post(f"/admin/accounts/user/{bob.pk}/change/", user_form(bob, ("leader", f" {code} ")))
    assert response.status_code == 302, response.content.decode()[-3000:]
    added = set(bob.role_assignments.values_list("node_id", flat=True)) - before
    assert added == {city.comm_a2.pk}

    page = client.get(f"/admin/accounts/user/{bob.pk}/change/").content.decode()
    assert f'value="{city.comm_a2.code}"' in page  # shown as its code again, not its id
    assert "/admin/territory/node/?_to_field" not in page  # no lookup the user cannot open


def test_an_unknown_area_code_is_named_and_grants_nothing(client: Client, city: Any) -> None:
    client.force_login(city.secadmin)
    bob = city.bob
    count = RoleAssignment.objects.count()
    response = client.post(f"/admin/accounts/user/{bob.pk}/change/", user_form(bob, ("leader", "999999")))
    assert response.status_code == 422
    assert "没有区域编码为 999999 的区域" in response.content.decode()
    assert RoleAssignment.objects.count() == count
    # A database id is not an area code.
    response = client.post(
        f"/admin/accounts/user/{bob.pk}/change/", user_form(bob, ("leader", str(city.comm_a2.pk)))
    )
    assert response.status_code == 422
    assert RoleAssignment.objects.count() == count


def test_the_system_administrator_adds_unit_staff_by_login_name(client: Client, hotline: Any) -> None:
    unit = hotline.district_unit
    client.force_login(hotline.city.sysadmin)
    change = f"/admin/requests/handlingunit/{unit.pk}/change/"
    page = client.get(change).content.decode()
    assert "/admin/accounts/user/?_to_field" not in page
    members = list(UnitMembership.objects.filter(unit=unit).select_related("user").order_by("pk"))
    form: dict[str, Any] = {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "node": unit.node_id,
        "parent": unit.parent_id or "",
        "phone": unit.phone,
        "is_active": "on" if unit.is_active else "",
        "edit_fingerprint": record_fingerprint(type(unit).objects.get(pk=unit.pk)),
        "memberships-TOTAL_FORMS": str(len(members) + 1),
        "memberships-INITIAL_FORMS": str(len(members)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, m in enumerate(members):
        assert f'value="{m.user.username}"' in page
        form.update(
            {
                f"memberships-{i}-id": m.pk,
                f"memberships-{i}-unit": unit.pk,
                f"memberships-{i}-user": m.user.username,
                f"memberships-{i}-is_approver": "on" if m.is_approver else "",
            }
        )
    new = len(members)
    newcomer = hotline.city.carol
    assert not UnitMembership.objects.filter(unit=unit, user=newcomer).exists()
    bad = client.post(change, {**form, f"memberships-{new}-user": "nobody"})
    assert bad.status_code == 422
    assert "没有用户名为 nobody 的账号" in bad.content.decode()
    assert not UnitMembership.objects.filter(unit=unit, user__username="nobody").exists()

    response = client.post(change, {**form, f"memberships-{new}-user": newcomer.username})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert UnitMembership.objects.filter(unit=unit, user=newcomer).exists()
    assert UnitMembership.objects.filter(unit=unit).count() == len(members) + 1
