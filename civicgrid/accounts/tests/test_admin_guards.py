"""Account administration guards found by an exploratory tester: nobody changes their own
roles, a password set for someone else is audited, a role is bound only to its level."""

from typing import Any

import pytest

from civicgrid.accounts import services as accounts
from civicgrid.accounts.constants import Verb
from civicgrid.accounts.models import Role, User
from civicgrid.conftest import City
from civicgrid.core.admin_audit import record_fingerprint
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog

pytestmark = pytest.mark.django_db


def _change_form(user: User, **fields: Any) -> dict[str, Any]:
    form = {
        "username": user.username,
        "full_name": user.full_name,
        "title": "",
        "admin_role": user.admin_role,
        "is_active": "on",
        "role_assignments-TOTAL_FORMS": "0",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
        "edit_fingerprint": record_fingerprint(User.objects.get(pk=user.pk)),  # as the form shows it
    }
    form.update(fields)
    return form


def test_the_security_admin_cannot_make_their_own_account_a_business_user(client: Any, city: City) -> None:
    client.force_login(city.secadmin)
    me = city.secadmin
    form = _change_form(
        me,
        admin_role="",
        **{
            "role_assignments-TOTAL_FORMS": "1",
            "role_assignments-0-role": Role.COMMUNITY_WORKER,
            "role_assignments-0-node": city.comm_a1.code,
            "role_assignments-0-user": me.pk,
        },
    )
    client.post(f"/admin/accounts/user/{me.pk}/change/", form)
    me.refresh_from_db()
    assert me.admin_role == "security"
    assert not me.role_assignments.exists()
    page = client.get(f"/admin/accounts/user/{me.pk}/change/").content.decode()
    assert 'name="admin_role"' not in page  # shown, not editable
    assert "role_assignments-__prefix__-role" not in page  # no row to add a role to oneself
    other = client.get(f"/admin/accounts/user/{city.bob.pk}/change/").content.decode()
    assert "role_assignments-__prefix__-role" in other


def test_another_account_is_still_managed_from_the_same_page(client: Any, city: City) -> None:
    client.force_login(city.secadmin)
    bob = city.bob
    response = client.post(f"/admin/accounts/user/{bob.pk}/change/", _change_form(bob, title="社区主任"))
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.title == "社区主任"


def test_a_password_set_for_someone_else_is_audited(client: Any, city: City) -> None:
    client.force_login(city.secadmin)
    response = client.post(
        f"/admin/accounts/user/{city.carol.pk}/password/",
        {"password1": "Another-long-pass-42", "password2": "Another-long-pass-42", "usable_password": "true"},
    )
    assert response.status_code == 302
    row = AuditLog.objects.get(verb=Verb.PASSWORD_SET)
    assert row.actor_id == city.secadmin.pk
    assert row.target_id == str(city.carol.pk)
    carol = User.objects.get(pk=city.carol.pk)
    assert carol.check_password("Another-long-pass-42")


def test_a_refused_password_form_writes_no_audit_row(client: Any, city: City) -> None:
    client.force_login(city.secadmin)
    client.post(
        f"/admin/accounts/user/{city.carol.pk}/password/",
        {"password1": "Another-long-pass-42", "password2": "different-pass-43"},
    )
    assert not AuditLog.objects.filter(verb=Verb.PASSWORD_SET).exists()


@pytest.mark.parametrize(
    ("role", "node_name"),
    [(Role.GRID_WORKER, "district"), (Role.GRID_WORKER, "comm_a1"), (Role.COMMUNITY_WORKER, "sub_a")],
)
def test_a_role_is_bound_only_to_its_level(city: City, role: str, node_name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        accounts.role_grant(actor=city.secadmin, user=city.carol, role=role, node=getattr(city, node_name))
    assert "node" in caught.value.errors
    assert not city.carol.role_assignments.filter(node=getattr(city, node_name)).exists()


def test_the_admin_refuses_a_grid_worker_on_a_district(client: Any, city: City) -> None:
    client.force_login(city.secadmin)
    carol = city.carol
    form = _change_form(
        carol,
        **{
            "role_assignments-TOTAL_FORMS": "1",
            "role_assignments-0-role": Role.GRID_WORKER,
            "role_assignments-0-node": city.district.code,
            "role_assignments-0-user": carol.pk,
        },
    )
    response = client.post(f"/admin/accounts/user/{carol.pk}/change/", form)
    assert response.status_code == 422
    assert "网格员只能绑定到网格一级" in response.content.decode()
    assert not carol.role_assignments.filter(role=Role.GRID_WORKER).exists()
