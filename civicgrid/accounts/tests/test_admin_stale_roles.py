"""The account page's role rows are part of what a stale save is checked against (an
outside tester: two sessions adding roles to one account were silently merged; a row
edited after another session removed it failed with "请更正以下错误。" and nothing to read),
and a role given twice is refused in Chinese, not with the field codes."""

import re
from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.models import Role, RoleAssignment, User
from civicgrid.conftest import City

pytestmark = pytest.mark.django_db

STALE = "该记录在您打开之后已被他人修改，本次修改未保存"


def _session(city: City) -> Client:
    client = Client()
    client.force_login(city.secadmin)
    return client


def _shown(client: Client, user: User) -> dict[str, Any]:
    """The change form as this session sees it now: the account's fields, its role rows, and
    the fingerprint the page carries."""
    page = client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    found = re.search(r'name="edit_fingerprint" value="([0-9a-f]+)"', page)
    assert found is not None
    rows = list(RoleAssignment.objects.filter(user=user).order_by("pk"))
    form: dict[str, Any] = {
        "username": user.username,
        "full_name": user.full_name,
        "title": user.title,
        "admin_role": user.admin_role,
        "is_active": "on",
        "edit_fingerprint": found.group(1),
        "role_assignments-TOTAL_FORMS": str(len(rows)),
        "role_assignments-INITIAL_FORMS": str(len(rows)),
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        form.update(
            {
                f"role_assignments-{i}-id": row.pk,
                f"role_assignments-{i}-user": user.pk,
                f"role_assignments-{i}-role": row.role,
                f"role_assignments-{i}-node": row.node.code,
            }
        )
    return form


def _add(form: dict[str, Any], user: User, role: str, node: Any) -> dict[str, Any]:
    i = int(form["role_assignments-TOTAL_FORMS"])
    return {
        **form,
        "role_assignments-TOTAL_FORMS": str(i + 1),
        f"role_assignments-{i}-user": user.pk,
        f"role_assignments-{i}-role": role,
        f"role_assignments-{i}-node": node.code,
    }


def _roles(user: User) -> set[tuple[str, int]]:
    return set(RoleAssignment.objects.filter(user=user).values_list("role", "node_id"))


def test_two_sessions_adding_roles_the_second_is_refused(city: City) -> None:
    bob = city.bob
    a, b = _session(city), _session(city)
    form_a, form_b = _shown(a, bob), _shown(b, bob)
    assert (
        a.post(
            f"/admin/accounts/user/{bob.pk}/change/", _add(form_a, bob, Role.LEADER, city.comm_a1)
        ).status_code
        == 302
    )
    after_a = _roles(bob)
    response = b.post(f"/admin/accounts/user/{bob.pk}/change/", _add(form_b, bob, Role.OPERATOR, city.sub_a))
    assert response.status_code == 422
    body = response.content.decode()
    assert STALE in body
    assert body.index(STALE) < body.index('name="role_assignments-TOTAL_FORMS"')  # at the top
    assert _roles(bob) == after_a


def test_editing_a_row_another_session_removed_says_why(city: City) -> None:
    bob = city.bob
    a, b = _session(city), _session(city)
    form_a, form_b = _shown(a, bob), _shown(b, bob)
    removed = {**form_a, "role_assignments-0-DELETE": "on"}
    assert a.post(f"/admin/accounts/user/{bob.pk}/change/", removed).status_code == 302
    assert _roles(bob) == set()
    edited = {**form_b, "role_assignments-0-node": city.comm_a2.code}
    response = b.post(f"/admin/accounts/user/{bob.pk}/change/", edited)
    assert response.status_code == 422
    assert STALE in response.content.decode()
    assert _roles(bob) == set()


def test_a_fresh_page_still_saves_role_changes(city: City) -> None:
    bob = city.bob
    a = _session(city)
    a.post(f"/admin/accounts/user/{bob.pk}/change/", _add(_shown(a, bob), bob, Role.LEADER, city.comm_a1))
    response = a.post(
        f"/admin/accounts/user/{bob.pk}/change/", _add(_shown(a, bob), bob, Role.OPERATOR, city.sub_a)
    )
    assert response.status_code == 302
    assert (Role.OPERATOR.value, city.sub_a.pk) in _roles(bob)


def test_the_same_role_twice_is_refused_in_chinese(city: City) -> None:
    bob = city.bob
    a = _session(city)
    form = _add(_add(_shown(a, bob), bob, Role.LEADER, city.comm_a1), bob, Role.LEADER, city.comm_a1)
    response = a.post(f"/admin/accounts/user/{bob.pk}/change/", form)
    assert response.status_code == 422
    body = response.content.decode()
    assert "同一账号不能重复授予同一区域的同一角色" in body
    assert "role 和 node" not in body
    assert (Role.LEADER.value, city.comm_a1.pk) not in _roles(bob)
