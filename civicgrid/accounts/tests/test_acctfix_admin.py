"""The security administrator's account pages (tester's defects): deleting an account is
audited with what it held, a role moved to another area is revoked there, a change names
the account's name before and after (and a save without a change writes nothing), locked
accounts are listed, and the system-integration flag keeps tokens off personal accounts."""

import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.test import Client

from civicgrid.accounts import services as accounts
from civicgrid.accounts.constants import Verb
from civicgrid.accounts.models import ApiToken, Role, RoleAssignment, User
from civicgrid.conftest import City
from civicgrid.core.models import AuditLog


def _session(city: City) -> Client:
    client = Client()
    client.force_login(city.secadmin)
    return client


def _change(city: City, client: Client, user: User, **fields: Any) -> Any:
    """Post the account's change page as shown, with ``fields`` edited."""
    page = client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    found = re.search(r'name="edit_fingerprint" value="([0-9a-f]+)"', page)
    assert found is not None
    rows = list(RoleAssignment.objects.filter(user=user).order_by("pk"))
    form: dict[str, Any] = {
        "username": user.username,
        "full_name": user.full_name,
        "title": user.title,
        "email": user.email,
        "admin_role": user.admin_role,
        "edit_fingerprint": found.group(1),
        "role_assignments-TOTAL_FORMS": str(len(rows)),
        "role_assignments-INITIAL_FORMS": str(len(rows)),
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
    }
    if user.is_active:
        form["is_active"] = "on"
    if user.is_integration:
        form["is_integration"] = "on"
    for i, row in enumerate(rows):
        form.update(
            {
                f"role_assignments-{i}-id": row.pk,
                f"role_assignments-{i}-user": user.pk,
                f"role_assignments-{i}-role": row.role,
                f"role_assignments-{i}-node": row.node.code,
            }
        )
    for key, value in fields.items():
        if value is None:
            form.pop(key, None)
        else:
            form[key] = value
    return client.post(f"/admin/accounts/user/{user.pk}/change/", form)


def _grant(city: City, user: User, node: Any) -> RoleAssignment:
    return accounts.role_grant(actor=None, system=True, user=user, role=Role.COMMUNITY_WORKER, node=node)


def test_deleting_an_account_is_audited_with_what_it_held(city: City) -> None:
    user = User.objects.create_user(username="leaver", password="x-Long-pass-1", full_name="离职者")
    _grant(city, user, city.comm_a1)
    accounts.api_token_create(actor=None, system=True, user=user, name="对接")
    client = _session(city)
    response = client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(username="leaver").exists()
    row = AuditLog.objects.get(verb=Verb.USER_DELETED)
    assert row.actor_id == city.secadmin.pk and row.target_id == str(user.pk)
    assert (row.before or {})["username"] == "leaver" and (row.before or {})["full_name"] == "离职者"
    assert (row.before or {})["roles"] == [
        {"role": Role.COMMUNITY_WORKER, "node": city.comm_a1.pk, "node_name": city.comm_a1.name}
    ]
    assert (row.before or {})["active_tokens"] == 1


def test_deleting_accounts_from_the_list_is_audited_for_each(city: City) -> None:
    one = User.objects.create_user(username="one", password="x-Long-pass-1")
    two = User.objects.create_user(username="two", password="x-Long-pass-1")
    response = _session(city).post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [one.pk, two.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[one.pk, two.pk]).exists()
    names = sorted((r.before or {})["username"] for r in AuditLog.objects.filter(verb=Verb.USER_DELETED))
    assert names == ["one", "two"]


def test_moving_a_role_to_another_area_revokes_the_old_one(city: City) -> None:
    user = User.objects.create_user(username="mover", password="x-Long-pass-1")
    row = _grant(city, user, city.comm_a1)
    response = _change(city, _session(city), user, **{"role_assignments-0-node": city.comm_a2.code})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.node_id == city.comm_a2.pk
    revoked = AuditLog.objects.get(verb=Verb.ROLE_REVOKED, target_id=str(user.pk))
    assert revoked.before == {"role": Role.COMMUNITY_WORKER, "node": city.comm_a1.pk}
    assert revoked.node_id == city.comm_a1.pk
    granted = AuditLog.objects.filter(verb=Verb.ROLE_GRANTED, target_id=str(user.pk)).order_by("id").last()
    assert granted is not None and granted.after == {"role": Role.COMMUNITY_WORKER, "node": city.comm_a2.pk}


def test_a_rename_is_recorded_and_an_unchanged_save_writes_nothing(city: City) -> None:
    user = User.objects.create_user(username="oldname", password="x-Long-pass-1", full_name="旧名")
    client = _session(city)
    assert _change(city, client, user, username="newname", full_name="新名").status_code == 302
    row = AuditLog.objects.get(verb=Verb.USER_CHANGED, target_id=str(user.pk))
    assert ((row.before or {})["username"], (row.before or {})["full_name"]) == ("oldname", "旧名")
    assert ((row.after or {})["username"], (row.after or {})["full_name"]) == ("newname", "新名")
    user.refresh_from_db()
    assert _change(city, client, user).status_code == 302
    assert AuditLog.objects.filter(verb=Verb.USER_CHANGED, target_id=str(user.pk)).count() == 1


def test_locked_accounts_are_shown_and_filtered(city: City) -> None:
    from civicgrid.web import login

    with transaction.atomic():
        for _ in range(settings.LOGIN_MAX_FAILURES):
            login.record_failure("bob")
    client = _session(city)
    listed = client.get("/admin/accounts/user/", {"locked": "yes"}).content.decode()
    assert "已锁定" in listed
    assert f"/admin/accounts/user/{city.bob.pk}/change/" in listed
    assert f"/admin/accounts/user/{city.carol.pk}/change/" not in listed
    unlocked = client.get("/admin/accounts/user/", {"locked": "no"}).content.decode()
    assert f"/admin/accounts/user/{city.bob.pk}/change/" not in unlocked
    assert f"/admin/accounts/user/{city.carol.pk}/change/" in unlocked


def test_marking_an_integration_account_clears_its_password(city: City) -> None:
    user = User.objects.create_user(username="hotline", password="x-Long-pass-1")
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    user.refresh_from_db()
    assert _change(city, _session(city), user, is_integration="on").status_code == 302
    user.refresh_from_db()
    assert user.is_integration and not user.has_usable_password() and not user.must_change_password
    row = AuditLog.objects.get(verb=Verb.USER_CHANGED, target_id=str(user.pk))
    assert (row.before or {})["is_integration"] is False and (row.after or {})["is_integration"] is True
    # No password is set for it here: nobody signs in with it.
    response = _session(city).post(
        f"/admin/accounts/user/{user.pk}/password/", {"password1": "Ab-12345xyz", "password2": "Ab-12345xyz"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_an_account_someone_signed_in_with_does_not_become_an_integration_account(city: City) -> None:
    client = _session(city)
    assert city.bob.last_login is None
    Client().force_login(city.bob)  # bob has signed in
    bob = User.objects.get(pk=city.bob.pk)
    response = _change(city, client, bob, is_integration="on")
    assert response.status_code == 422
    assert "该账号已有人登录使用过，不能改为系统对接账号" in response.content.decode()
    bob.refresh_from_db()
    assert not bob.is_integration and bob.has_usable_password()
    assert not AuditLog.objects.filter(verb=Verb.USER_CHANGED, target_id=str(bob.pk)).exists()


def test_unmarking_an_integration_account_revokes_its_tokens(city: City) -> None:
    user = User.objects.create_user(username="feed", password="x-Long-pass-1")
    User.objects.filter(pk=user.pk).update(is_integration=True)
    user.refresh_from_db()
    token, _raw = accounts.api_token_create(actor=city.secadmin, user=user, name="对接")
    assert _change(city, _session(city), user, is_integration=None).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditLog.objects.filter(verb=Verb.TOKEN_REVOKED, target_id=str(token.pk)).exists()
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == 0
