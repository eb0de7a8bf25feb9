"""Separation of the three administrators (三员分立) and of administrators from business roles."""

import pytest

from civicgrid.accounts import services as accounts
from civicgrid.accounts.constants import Verb
from civicgrid.accounts.models import AdminRole, Role, RoleAssignment, User
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import forget_scope, scope_paths
from civicgrid.conftest import City, make_user
from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.registry.tests.factories import db_state


@pytest.mark.parametrize("admin", ["sysadmin", "secadmin", "auditor"])
def test_an_administrator_cannot_hold_a_business_role(city: City, admin: str) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        accounts.role_grant(
            actor=city.secadmin, user=getattr(city, admin), role=Role.COMMUNITY_WORKER, node=city.comm_a1
        )
    assert "role" in refused.value.errors and "三员分立" in refused.value.message
    assert db_state() == before


def test_an_account_with_a_business_role_cannot_become_administrator(city: City) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        accounts.admin_role_set(actor=city.secadmin, user=city.bob, admin_role=AdminRole.AUDIT)
    assert "admin_role" in refused.value.errors
    assert db_state() == before
    assert User.objects.get(pk=city.bob.pk).admin_role == ""


@pytest.mark.parametrize("value", ["system,security", "superuser", "system security"])
def test_no_account_holds_two_admin_roles(city: City, value: str) -> None:
    user = make_user("newadmin", "新管理员", AdminRole.SYSTEM)
    with pytest.raises(ValidationError) as refused:
        accounts.admin_role_set(actor=city.secadmin, user=user, admin_role=value)
    assert "admin_role" in refused.value.errors
    with pytest.raises(ValidationError):
        accounts.user_create(
            actor=city.secadmin, username="twohats", password="long-enough-pw", admin_role=value
        )
    assert not User.objects.filter(username="twohats").exists()
    assert User.objects.get(pk=user.pk).admin_role == AdminRole.SYSTEM


def test_changing_the_admin_role_replaces_it_and_its_group(city: City) -> None:
    # only as the system (a command on the server): a person is refused (test_deploy_admin_lanes)
    user = make_user("rotating", "轮岗管理员", AdminRole.SYSTEM)
    accounts.admin_role_set(actor=None, system=True, user=user, admin_role=AdminRole.SECURITY)
    user.refresh_from_db()
    assert user.admin_role == AdminRole.SECURITY and user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == ["安全管理员"]
    accounts.admin_role_set(actor=None, system=True, user=user, admin_role=AdminRole.AUDIT)
    user.refresh_from_db()
    assert user.admin_role == AdminRole.AUDIT and not user.is_staff
    assert not user.groups.exists()
    rows = AuditLog.objects.filter(verb=Verb.ADMIN_ROLE_SET, target_id=str(user.pk)).order_by("id")
    assert [r.after["admin_role"] for r in rows] == ["security", "audit"]


def test_an_administrator_cannot_change_their_own_role(city: City) -> None:
    with pytest.raises(ValidationError):
        accounts.admin_role_set(actor=city.secadmin, user=city.secadmin, admin_role=AdminRole.SYSTEM)
    assert User.objects.get(pk=city.secadmin.pk).admin_role == AdminRole.SECURITY


@pytest.mark.parametrize("admin", ["sysadmin", "auditor"])
def test_only_the_security_administrator_manages_accounts(city: City, admin: str) -> None:
    before = db_state()
    with pytest.raises(PermissionDenied):
        accounts.role_grant(actor=getattr(city, admin), user=city.carol, role=Role.LEADER, node=city.district)
    assert db_state() == before
    grant = accounts.role_grant(actor=city.secadmin, user=city.carol, role=Role.LEADER, node=city.district)
    assert grant.role == Role.LEADER
    assert AuditLog.objects.filter(
        verb=Verb.ROLE_GRANTED, actor=city.secadmin, target_id=str(city.carol.pk)
    ).exists()


def test_role_grant_and_revoke_move_the_scope(city: City) -> None:
    carol = User.objects.get(pk=city.carol.pk)
    assert scope_paths(carol, Capability.REGISTRY_VIEW) == [city.comm_b1.path]
    grant = accounts.role_grant(actor=city.secadmin, user=carol, role=Role.GRID_WORKER, node=city.grid_a1_2)
    forget_scope(carol)
    assert scope_paths(carol, Capability.REGISTRY_VIEW) == sorted([city.comm_b1.path, city.grid_a1_2.path])
    accounts.role_revoke(actor=city.secadmin, assignment=grant)
    forget_scope(carol)
    assert scope_paths(carol, Capability.REGISTRY_VIEW) == [city.comm_b1.path]
    assert not RoleAssignment.objects.filter(pk=grant.pk).exists()


@pytest.mark.parametrize(
    ("admin", "capability", "expected"),
    [
        ("secadmin", Capability.REGISTRY_VIEW, []),
        ("secadmin", Capability.ACCOUNT_MANAGE, [""]),
        ("secadmin", Capability.AUDIT_VIEW, []),
        ("auditor", Capability.AUDIT_VIEW, [""]),
        ("auditor", Capability.ACCOUNT_MANAGE, []),
        ("auditor", Capability.TERRITORY_EDIT, []),
        ("sysadmin", Capability.TERRITORY_EDIT, [""]),
        ("sysadmin", Capability.AUDIT_VIEW, []),
        ("sysadmin", Capability.ACCOUNT_MANAGE, []),
        ("sysadmin", Capability.PII_VIEW, []),
    ],
)
def test_each_administrator_acts_only_in_their_lane(
    city: City, admin: str, capability: Capability, expected: list[str]
) -> None:
    assert scope_paths(getattr(city, admin), capability) == expected


def test_a_nested_grant_does_not_widen_scope_twice(city: City) -> None:
    accounts.role_grant(actor=city.secadmin, user=city.bob, role=Role.COMMUNITY_WORKER, node=city.grid_a1_1)
    bob = User.objects.get(pk=city.bob.pk)
    assert scope_paths(bob, Capability.REGISTRY_EDIT) == [city.comm_a1.path]
