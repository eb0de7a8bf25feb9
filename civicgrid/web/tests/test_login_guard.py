"""Signing in: audited, and locked after repeated failures (登录失败处理): a name from one
address, a name from any addresses at a much higher count, an address across names."""

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django import forms
from django.test import Client
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.conftest import City
from civicgrid.core.models import AuditLog
from civicgrid.territory.tests.threads import postgres_only, run_at_once
from civicgrid.web.login import LOGGED_IN, LOGIN_FAILED, LOGIN_UNLOCKED, guarded, known_address, unlock

pytestmark = pytest.mark.django_db

PASSWORD = "civicgrid-test-pw"  # the fixtures' password
PAIR_LOCKED = "该账号在本机登录失败次数过多"  # this name from this address
NAME_LOCKED = "该账号已暂时锁定"  # this name from everywhere


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


def test_five_failures_lock_the_name_from_that_address_even_for_the_right_password(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(5):
        status, page = sign_in("bob", "wrong-password")
        assert "用户名或密码不正确" in page
    status, page = sign_in("bob", PASSWORD)
    assert status == 200 and PAIR_LOCKED in page and "15 分钟" in page
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
    assert response.status_code == 200 and PAIR_LOCKED in response.content.decode()
    assert AuditLog.objects.filter(verb=LOGIN_FAILED, target_id="sysadmin").count() == 5


def test_typos_of_one_office_behind_one_address_do_not_lock_the_address(city: City) -> None:
    for name in ("bob", "carol", "dave"):
        for _ in range(4):
            sign_in(name, "wrong-password", address="10.7.7.7")
    assert sign_in("olivia", PASSWORD, address="10.7.7.7")[0] == 302  # 3 names, not 20


def test_the_security_administrator_unlocks_a_name(city: City) -> None:
    for _ in range(5):
        sign_in("bob", "wrong-password")
    assert PAIR_LOCKED in sign_in("bob", PASSWORD)[1]
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
    assert response.status_code == 422 and PAIR_LOCKED in response.content.decode()
    assert AuditLog.objects.filter(verb=LOGIN_FAILED, target_id="bob").count() == 5
    # The sign-in page is locked for the name from that address too (the test client's), not elsewhere.
    assert sign_in("bob", PASSWORD, address="127.0.0.1")[0] == 200
    assert sign_in("bob", PASSWORD, address="10.0.0.2")[0] == 302


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
    assert sum(PAIR_LOCKED in page for _status, page in results) == 7


def fail_from_addresses(username: str, addresses: int, times: int = 5) -> None:
    for a in range(addresses):
        for _ in range(times):
            sign_in(username, "wrong-password", address=f"10.3.0.{a + 1}")


def test_failures_from_elsewhere_do_not_lock_the_name_at_its_own_desk(city: City) -> None:
    """Knowing a hotline operator's user name is not enough to keep them out all day."""
    for _ in range(5):
        sign_in("bob", "wrong-password", address="203.0.113.7")  # someone who knows the name
    assert PAIR_LOCKED in sign_in("bob", PASSWORD, address="203.0.113.7")[1]  # still locked there
    for _ in range(4):
        sign_in("bob", "wrong-password", address="10.0.0.1")  # the operator's own typos
    assert sign_in("bob", PASSWORD, address="10.0.0.1")[0] == 302  # their own count: 4
    assert PAIR_LOCKED in sign_in("bob", PASSWORD, address="203.0.113.7")[1]  # that clears only theirs
    assert AuditLog.objects.filter(verb=LOGIN_FAILED, target_id="bob").count() == 9


def test_a_success_clears_only_the_count_from_its_own_address(city: City) -> None:
    for address in ("10.0.0.1", "10.0.0.2"):
        for _ in range(4):
            sign_in("bob", "wrong-password", address=address)
    assert sign_in("bob", PASSWORD, address="10.0.0.2")[0] == 302
    sign_in("bob", "wrong-password", address="10.0.0.1")  # the fifth from 10.0.0.1
    assert PAIR_LOCKED in sign_in("bob", PASSWORD, address="10.0.0.1")[1]
    assert sign_in("bob", PASSWORD, address="10.0.0.2")[0] == 302


def test_many_failures_from_many_addresses_lock_the_name_everywhere(city: City) -> None:
    """LOGIN_MAX_FAILURES_PER_NAME_ANY_ADDRESS (50): a guess spread over addresses is slowed."""
    fail_from_addresses("bob", addresses=9)  # 45
    for _ in range(4):
        sign_in("bob", "wrong-password", address="10.3.0.10")  # 49
    assert sign_in("bob", PASSWORD, address="10.0.0.1")[0] == 302  # not yet; a success...
    sign_in("bob", "wrong-password", address="10.3.0.11")  # ...does not clear the 50th
    status, page = sign_in("bob", PASSWORD, address="10.0.0.99")
    assert status == 200 and NAME_LOCKED in page and PAIR_LOCKED not in page
    assert NAME_LOCKED in sign_in("bob", "wrong-password", address="10.0.0.98")[1]
    assert AuditLog.objects.filter(verb=LOGIN_FAILED, target_id="bob").count() == 50
    assert sign_in("carol", PASSWORD, address="10.3.0.1")[0] == 302  # other names are not locked


def test_the_unlocking_clears_the_name_from_every_address(city: City) -> None:
    fail_from_addresses("bob", addresses=10)
    assert NAME_LOCKED in sign_in("bob", PASSWORD, address="10.0.0.1")[1]
    admin = Client()
    admin.force_login(city.secadmin)
    admin.post("/admin/accounts/user/", {"action": "unlock_sign_in", "_selected_action": [city.bob.pk]})
    assert AuditLog.objects.filter(verb=LOGIN_UNLOCKED, target_id="bob").count() == 1
    assert sign_in("bob", PASSWORD, address="10.3.0.1")[0] == 302  # an address that had failed 5 times
    for _ in range(4):
        sign_in("bob", "wrong-password", address="10.3.0.2")  # its 5 before the unlocking no longer count
    assert sign_in("bob", PASSWORD, address="10.3.0.2")[0] == 302


def test_attempts_without_an_address_count_as_one_address(city: City) -> None:
    def wrong() -> None:
        raise forms.ValidationError("wrong", code="invalid_login")

    for _ in range(5):
        with pytest.raises(forms.ValidationError):
            guarded("bob", wrong)  # no request: no address
    with pytest.raises(forms.ValidationError) as locked:
        guarded("bob", lambda: None)
    assert locked.value.code == "locked" and PAIR_LOCKED in locked.value.message
    assert set(AuditLog.objects.filter(verb=LOGIN_FAILED).values_list("ip", flat=True)) == {None}
    assert sign_in("bob", PASSWORD, address="10.0.0.1")[0] == 302


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_attempts_sent_at_once_from_many_addresses_cannot_pass_the_name_count(
    city: City, settings: Any
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # a real, slow check
    settings.LOGIN_MAX_FAILURES_PER_NAME_ANY_ADDRESS = 4
    bob = User.objects.get(username="bob")
    bob.set_password(PASSWORD)
    bob.save()
    jobs = [lambda a=a: sign_in("bob", "wrong-password", address=f"10.4.0.{a}") for a in range(1, 11)]
    results = run_at_once(*jobs, stagger=0)
    assert all(not isinstance(r, Exception) for r in results), results
    assert AuditLog.objects.filter(verb=LOGIN_FAILED, target_id="bob").count() == 4
    assert sum(NAME_LOCKED in page for _status, page in results) == 6


def test_the_name_wide_lock_leaves_the_names_own_desk_open(city: City, settings: Any) -> None:
    """50 failures spread over many addresses lock the name everywhere except at an address
    it signed in from lately (LOGIN_KNOWN_ADDRESS_DAYS); that desk still has its own count."""
    assert sign_in("bob", PASSWORD, address="10.0.0.1")[0] == 302  # the operator's desk
    fail_from_addresses("bob", addresses=10)  # 50 from elsewhere
    assert NAME_LOCKED in sign_in("bob", PASSWORD, address="10.0.0.2")[1]  # a new address: locked
    assert sign_in("bob", PASSWORD, address="10.0.0.1")[0] == 302  # the desk: open
    for _ in range(5):
        sign_in("bob", "wrong-password", address="10.0.0.1")
    assert PAIR_LOCKED in sign_in("bob", PASSWORD, address="10.0.0.1")[1]  # but not for guessing
    settings.LOGIN_KNOWN_ADDRESS_DAYS = 0  # turned off: the desk is locked like the rest
    unlock(actor=city.secadmin, username="bob")
    fail_from_addresses("bob", addresses=10)
    assert NAME_LOCKED in sign_in("bob", PASSWORD, address="10.0.0.1")[1]


def test_a_success_long_ago_does_not_make_a_known_desk(city: City) -> None:
    assert sign_in("bob", PASSWORD, address="10.0.0.1")[0] == 302
    later = timezone.now()
    with mock.patch.object(timezone, "now", return_value=later + timedelta(days=29)):
        assert known_address("bob", "10.0.0.1") and not known_address("bob", "10.0.0.2")
    with mock.patch.object(timezone, "now", return_value=later + timedelta(days=31)):
        assert not known_address("bob", "10.0.0.1")
