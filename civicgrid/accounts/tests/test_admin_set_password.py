"""A password an administrator set is known to them: the account must set its own at its
next sign-in before doing anything else (an outside tester: the security administrator
created a system administrator with a password of their choosing, or reset any account's
password, and signed in as it at once — 三员分立 broken)."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts import services as accounts
from civicgrid.accounts.constants import Verb
from civicgrid.accounts.models import AdminRole, User
from civicgrid.conftest import City
from civicgrid.core.models import AuditLog

pytestmark = pytest.mark.django_db

CHOSEN = "Secadmin-chose-4471"
OWN = "Only-I-know-9935"
OLD = "civicgrid-test-pw"  # the fixtures' password


def signed_in(username: str, password: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()
    return client


def _create_hank(city: City) -> User:
    """A staff account the security administrator creates with a password of their choosing
    (an administrator is made only by ``civicgrid admins`` on the server)."""
    admin = Client()
    admin.force_login(city.secadmin)
    response = admin.post(
        "/admin/accounts/user/add/",
        {
            "username": "hank",
            "full_name": "韩军",
            "password1": CHOSEN,
            "password2": CHOSEN,
            "usable_password": "true",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()
    return User.objects.get(username="hank")


def _create_sys2() -> User:
    """An administrator as ``civicgrid admins create`` makes one: held until they change it."""
    sys2: Any = accounts.user_create(
        actor=None,
        system=True,
        username="sys2",
        password=CHOSEN,
        full_name="二号",
        admin_role=AdminRole.SYSTEM,
    )
    User.objects.filter(pk=sys2.pk).update(must_change_password=True)
    return User.objects.get(pk=sys2.pk)


def test_an_account_created_with_a_password_must_change_it_before_anything(city: City) -> None:
    hank = _create_hank(city)
    assert hank.must_change_password
    row = AuditLog.objects.get(verb="accounts.user_created", target_id=str(hank.pk))
    assert (row.after or {})["must_change_password"] is True

    _create_sys2()
    client = signed_in("sys2", CHOSEN)
    for page in ("/", "/admin/", "/admin/territory/node/", "/audit/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == "/account/password/", page
    page = client.get("/account/password/").content.decode()
    assert "您的密码由管理员设置" in page
    htmx = client.get("/", headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == "/account/password/"
    api = client.get("/api/v1/territory/nodes")
    assert api.status_code == 403
    assert "您的密码由管理员设置" in api.json()["message"]
    # the admin's own sign-in page leads to the same place
    via_admin = Client()
    assert via_admin.post("/admin/login/", {"username": "sys2", "password": CHOSEN}).status_code == 302
    assert via_admin.get("/admin/territory/node/")["Location"] == "/account/password/"


def test_the_same_password_again_is_refused_and_a_new_one_opens_the_account(city: City) -> None:
    _create_hank(city)
    client = signed_in("hank", CHOSEN)
    same = {"old_password": CHOSEN, "new_password1": CHOSEN, "new_password2": CHOSEN}
    response = client.post("/account/password/", same)
    assert response.status_code == 422
    assert "新密码不能与管理员设置的密码相同" in response.content.decode()
    assert User.objects.get(username="hank").must_change_password

    own = {"old_password": CHOSEN, "new_password1": OWN, "new_password2": OWN}
    assert client.post("/account/password/", own).status_code == 302
    hank = User.objects.get(username="hank")
    assert not hank.must_change_password and hank.check_password(OWN)
    assert client.get("/").status_code == 200  # the session goes on
    row = AuditLog.objects.filter(verb="accounts.password_changed").get()
    assert row.after == {"required": True}


def test_a_password_reset_in_the_admin_must_be_changed_too(city: City) -> None:
    admin = Client()
    admin.force_login(city.secadmin)
    response = admin.post(
        f"/admin/accounts/user/{city.bob.pk}/password/",
        {"password1": CHOSEN, "password2": CHOSEN, "usable_password": "true"},
    )
    assert response.status_code == 302
    bob = User.objects.get(pk=city.bob.pk)
    assert bob.must_change_password
    assert (AuditLog.objects.get(verb=Verb.PASSWORD_SET).after or {})["must_change_password"] is True
    client = signed_in("bob", CHOSEN)
    assert client.get("/")["Location"] == "/account/password/"
    # the admin's own sign-in page leads to the same place
    # one's own password set on the admin page is one's own: not held
    own = admin.post(
        f"/admin/accounts/user/{city.secadmin.pk}/password/",
        {"password1": OWN, "password2": OWN, "usable_password": "true"},
    )
    assert own.status_code == 302
    assert not User.objects.get(pk=city.secadmin.pk).must_change_password


def test_the_flag_cannot_be_cleared_in_the_admin(city: City) -> None:
    hank = _create_hank(city)
    admin = Client()
    admin.force_login(city.secadmin)
    page = admin.get(f"/admin/accounts/user/{hank.pk}/change/").content.decode()
    assert "须修改密码" in page
    assert 'name="must_change_password"' not in page


def test_accounts_made_by_commands_are_not_held_and_tokens_wait_for_the_change(city: City) -> None:
    made: Any = accounts.user_create(actor=None, system=True, username="demo1", password="Demo-pass-7788")
    assert not made.must_change_password
    assert signed_in("demo1", "Demo-pass-7788").get("/").status_code == 200
    # A token does not get past the forced change of a password an administrator set.
    User.objects.filter(pk=city.carol.pk).update(must_change_password=True)
    _, raw = accounts.api_token_create(actor=None, system=True, user=city.carol, name="热线")
    response = Client().get("/api/v1/territory/nodes", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    assert "须先由本人登录修改密码" in response.json()["message"]


def test_the_password_forms_messages_are_chinese(city: City) -> None:
    client = signed_in("bob", OLD)
    response = client.post(
        "/account/password/", {"old_password": "wrong-one", "new_password1": OWN, "new_password2": OWN + "x"}
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "旧密码" in body
    for english in ("Your old password", "didn’t match", "didn't match", "Old password", "New password"):
        assert english not in body
