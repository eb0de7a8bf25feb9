"""After an administrator's reset the user cannot set the administrator's password back
(tester's defect): the last passwords of an account are refused as a new one."""

from typing import Any

from django.test import Client

from civicgrid.accounts.models import PASSWORD_HISTORY, User
from civicgrid.conftest import City

ADMIN_SET = "Admin-Set-77x"
OWN = "Own-Choice-88y"
OTHER = "Next-Choice-99z"


def _change(client: Client, old: str, new: str) -> Any:
    return client.post(
        "/account/password/", {"old_password": old, "new_password1": new, "new_password2": new}
    )


def test_the_administrators_password_cannot_come_back(city: City) -> None:
    admin = Client()
    admin.force_login(city.secadmin)
    reset = admin.post(
        f"/admin/accounts/user/{city.bob.pk}/password/", {"password1": ADMIN_SET, "password2": ADMIN_SET}
    )
    assert reset.status_code == 302
    bob = Client()
    bob.force_login(User.objects.get(pk=city.bob.pk))
    assert _change(bob, ADMIN_SET, OWN).status_code == 302
    back = _change(bob, OWN, ADMIN_SET)
    assert back.status_code == 422
    assert "新密码不能与最近 5 次用过的密码（含管理员设置的密码）相同" in back.content.decode()
    user = User.objects.get(pk=city.bob.pk)
    assert user.check_password(OWN)  # nothing changed
    assert _change(bob, OWN, OTHER).status_code == 302


def test_only_the_last_passwords_are_kept(city: City) -> None:
    user = User.objects.get(pk=city.bob.pk)
    passwords = [f"Pass-{i}-Word-x" for i in range(PASSWORD_HISTORY + 2)]
    for password in passwords:
        user.set_password(password)
        user.save()
    user.refresh_from_db()
    assert len(user.password_history) == PASSWORD_HISTORY
    assert user.used_password(passwords[-2])
    assert not user.used_password(passwords[0])
    assert not user.used_password(passwords[-1])  # the current one is checked by the form
