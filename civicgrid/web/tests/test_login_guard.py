"""Signing in: audited, and locked after repeated failures (登录失败处理)."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.conftest import City
from civicgrid.core.models import AuditLog
from civicgrid.territory.tests.threads import postgres_only, run_at_once
from civicgrid.web.login import LOGGED_IN, LOGIN_FAILED

pytestmark = pytest.mark.django_db

PASSWORD = "civicgrid-test-pw"  # the fixtures' password


def sign_in(username: str, password: str, address: str = "10.0.0.1") -> tuple[int, str]:
    response = Client(REMOTE_ADDR=address).post("/login/", {"username": username, "password": password})
    return response.status_code, response.content.decode()


def test_success_and_failure_are_audited_with_the_address(city: City) -> None:
    assert sign_in("bob", "wrong-password")[0] == 200
    assert sign_in("bob", PASSWORD)[0] == 302
    failed = AuditLog.objects.get(verb=LOGIN_FAILED)
    assert (failed.target_id, failed.ip, failed.actor_id) == ("bob", "10.0.0.1", None)
    assert "wrong" not in str(failed.after) + str(failed.before)  # the password is never kept
    ok = AuditLog.objects.get(verb=LOGGED_IN)
    assert ok.actor_id == city.bob.pk and ok.target_id == "bob"


def test_five_failures_lock_the_name_even_for_the_right_password(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(5):
        status, page = sign_in("bob", "wrong-password")
        assert "用户名或密码不正确" in page
    status, page = sign_in("bob", PASSWORD)
    assert status == 200 and "该账号已暂时锁定" in page and "15 分钟" in page
    assert AuditLog.objects.filter(verb=LOGIN_FAILED).count() == 5  # locked attempts add nothing
    # Other names are not locked by it.
    assert sign_in("carol", PASSWORD)[0] == 302
    # Once the window has passed (it starts after those failures), the right password works.
    later = timezone.now() + timedelta(seconds=1)
    monkeypatch.setattr("civicgrid.web.login._window_start", lambda: later)
    assert sign_in("bob", PASSWORD)[0] == 302


def test_a_success_clears_the_earlier_failures(city: City) -> None:
    for _ in range(4):
        sign_in("bob", "wrong-password")
    assert sign_in("bob", PASSWORD)[0] == 302
    for _ in range(4):
        sign_in("bob", "wrong-password")
    assert sign_in("bob", PASSWORD)[0] == 302  # 4 since the last success: not locked


def test_guessing_across_names_from_one_address_locks_the_address(city: City) -> None:
    for i in range(20):
        sign_in(f"nobody{i}", "wrong-password", address="10.9.9.9")
    status, page = sign_in("bob", PASSWORD, address="10.9.9.9")
    assert status == 200 and "本机登录失败次数过多" in page
    assert sign_in("bob", PASSWORD, address="10.0.0.2")[0] == 302  # elsewhere, bob signs in


def test_the_admin_sign_in_is_locked_too(city: City) -> None:
    for _ in range(5):
        Client().post("/admin/login/", {"username": "sysadmin", "password": "wrong-password"})
    response = Client().post("/admin/login/?next=/admin/", {"username": "sysadmin", "password": PASSWORD})
    assert response.status_code == 200 and "该账号已暂时锁定" in response.content.decode()
    assert AuditLog.objects.filter(verb=LOGIN_FAILED, target_id="sysadmin").count() == 5


def test_typos_of_one_office_behind_one_address_do_not_lock_the_address(city: City) -> None:
    for name in ("bob", "carol", "dave"):
        for _ in range(4):
            sign_in(name, "wrong-password", address="10.7.7.7")
    assert sign_in("olivia", PASSWORD, address="10.7.7.7")[0] == 302  # 3 names, not 20


def test_the_security_administrator_unlocks_a_name(city: City) -> None:
    for _ in range(5):
        sign_in("bob", "wrong-password")
    assert "该账号已暂时锁定" in sign_in("bob", PASSWORD)[1]
    admin = Client()
    admin.force_login(city.secadmin)
    response = admin.post(
        "/admin/accounts/user/", {"action": "unlock_sign_in", "_selected_action": [city.bob.pk]}, follow=True
    )
    assert "已解除 1 个账号的登录锁定" in response.content.decode()
    assert AuditLog.objects.filter(verb="accounts.login_unlocked", target_id="bob").exists()
    assert sign_in("bob", PASSWORD)[0] == 302


def test_the_old_password_on_the_password_page_counts_as_a_sign_in(city: City) -> None:
    client = Client()
    client.force_login(city.bob)
    for _ in range(5):
        response = client.post(
            "/account/password/",
            {"old_password": "wrong-one", "new_password1": "Qiao-hu-8823", "new_password2": "Qiao-hu-8823"},
        )
        assert response.status_code == 422
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "Qiao-hu-8823", "new_password2": "Qiao-hu-8823"},
    )
    assert response.status_code == 422 and "该账号已暂时锁定" in response.content.decode()
    assert AuditLog.objects.filter(verb=LOGIN_FAILED, target_id="bob").count() == 5
    assert sign_in("bob", PASSWORD)[0] == 200  # and the sign-in page is locked for the name too


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_attempts_sent_at_once_cannot_pass_the_count(city: City, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # a real, slow check
    bob = User.objects.get(username="bob")
    bob.set_password(PASSWORD)
    bob.save()
    results = run_at_once(*[lambda: sign_in("bob", "wrong-password") for _ in range(12)], stagger=0)
    assert all(not isinstance(r, Exception) for r in results), results
    assert AuditLog.objects.filter(verb=LOGIN_FAILED, target_id="bob").count() == 5
    assert sum("该账号已暂时锁定" in page for _status, page in results) == 7
