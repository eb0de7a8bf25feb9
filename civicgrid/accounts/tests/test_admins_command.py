"""``civicgrid admins``: the three administrators of a new installation."""

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from civicgrid.accounts.models import AdminRole, User
from civicgrid.core.models import AuditLog

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("admins", *args, stdout=out)
    return out.getvalue()


def test_create_makes_the_three_administrators_once_with_printed_passwords() -> None:
    printed = run("create")
    passwords = dict(re.findall(r"用户名 (\S+)\t初始密码 (\S+)", printed))
    assert set(passwords) == {"sysadmin", "secadmin", "auditor"}
    for name, role in (
        ("sysadmin", AdminRole.SYSTEM),
        ("secadmin", AdminRole.SECURITY),
        ("auditor", AdminRole.AUDIT),
    ):
        user = User.objects.get(username=name)
        assert user.admin_role == role
        assert authenticate(username=name, password=passwords[name]) == user
        assert len(passwords[name]) == 16
    assert len(set(passwords.values())) == 3
    assert AuditLog.objects.filter(verb="accounts.user_created").count() == 3
    # A second run changes nothing and prints no password.
    again = run("create")
    assert "初始密码" not in again and again.count("已存在") == 3
    assert authenticate(username="sysadmin", password=passwords["sysadmin"]) is not None
    assert "sysadmin" in run("list")


def test_names_can_be_chosen_and_must_be_three_distinct_accounts() -> None:
    run("create", "--system", "xitong", "--security", "anquan", "--audit", "shenji")
    assert set(User.objects.exclude(admin_role="").values_list("username", flat=True)) == {
        "xitong",
        "anquan",
        "shenji",
    }
    with pytest.raises(CommandError, match="三个不同的账号"):
        run("create", "--system", "same", "--security", "same", "--audit", "other")


def test_a_staff_account_of_that_name_is_refused_and_nothing_is_created() -> None:
    from civicgrid.conftest import make_user

    make_user("secadmin", "普通账号")
    with pytest.raises(CommandError, match="secadmin"):
        run("create")
    assert not User.objects.filter(username__in=["sysadmin", "auditor"]).exists()  # all or nothing


def test_a_second_run_with_other_names_makes_no_second_set() -> None:
    run("create", "--system", "xitong", "--security", "anquan", "--audit", "shenji")
    printed = run("create")  # the default names, as a deployment script might
    assert "初始密码" not in printed and printed.count("未新建") == 3
    assert User.objects.exclude(admin_role="").count() == 3


def test_an_overlong_name_is_refused_by_name() -> None:
    with pytest.raises(CommandError, match="最长"):
        run("create", "--system", "x" * 200)
    assert not User.objects.exists()
