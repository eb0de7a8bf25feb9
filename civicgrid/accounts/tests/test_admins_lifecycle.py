"""``civicgrid admins reset-password / disable / enable``: an administrator's account, which
the web admin does not change (三员分立), is kept on the server."""

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import Client

from civicgrid.accounts.constants import Verb
from civicgrid.accounts.models import User
from civicgrid.core.models import AuditLog

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("admins", *args, stdout=out)
    return out.getvalue()


def first_passwords() -> dict[str, str]:
    return dict(re.findall(r"用户名 (\S+)\t初始密码 (\S+)", run("create")))


def test_reset_password_prints_a_new_one_to_change_at_sign_in_and_is_audited() -> None:
    old = first_passwords()["secadmin"]
    user = User.objects.get(username="secadmin")
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    printed = run("reset-password", "secadmin")
    new = re.search(r"新密码 (\S+)", printed)
    assert new is not None and new.group(1) != old
    assert authenticate(username="secadmin", password=old) is None
    assert authenticate(username="secadmin", password=new.group(1)) == user
    user.refresh_from_db()
    assert user.must_change_password is True
    row = AuditLog.objects.get(verb=Verb.PASSWORD_SET, target_id=str(user.pk))
    assert row.actor_name == "命令行"
    assert (row.after or {})["must_change_password"] is True
    assert new.group(1) not in str(row.after) and new.group(1) not in str(row.before)
    assert AuditLog.objects.filter(verb="accounts.login_unlocked", target_id="secadmin").exists()


def test_a_staff_account_or_an_unknown_name_is_refused_and_nothing_changes() -> None:
    from civicgrid.conftest import make_user

    first_passwords()
    staff = make_user("zhangsan", "张三")
    before = staff.password
    with pytest.raises(CommandError, match="不是管理员账号"):
        run("reset-password", "zhangsan")
    with pytest.raises(CommandError, match="没有用户名为 nobody"):
        run("disable", "nobody")
    with pytest.raises(CommandError, match="请给出管理员的用户名"):
        run("reset-password")
    with pytest.raises(CommandError, match="不接受用户名"):
        run("list", "sysadmin")
    staff.refresh_from_db()
    assert staff.password == before
    assert not AuditLog.objects.filter(verb__in=[Verb.PASSWORD_SET, Verb.USER_CHANGED]).exists()


def test_disable_ends_the_session_and_lets_create_make_the_successor() -> None:
    passwords = first_passwords()
    old = User.objects.get(username="auditor")
    old.must_change_password = False
    old.save(update_fields=["must_change_password"])
    browser = Client()
    assert browser.login(username="auditor", password=passwords["auditor"])
    assert browser.get("/audit/").status_code == 200

    printed = run("disable", "auditor")
    assert "已停用审计管理员 auditor" in printed and "admins create --audit" in printed
    old.refresh_from_db()
    assert old.is_active is False
    assert browser.get("/audit/").status_code == 302  # the session no longer signs in
    row = AuditLog.objects.get(verb=Verb.USER_CHANGED, target_id=str(old.pk))
    assert (row.before or {})["is_active"] is True and (row.after or {})["is_active"] is False
    assert "未改动" in run("disable", "auditor")

    created = dict(re.findall(r"用户名 (\S+)\t初始密码 (\S+)", run("create", "--audit", "shenji")))
    assert set(created) == {"shenji"}
    # Two active audit administrators would break 三员各一人: the old one stays stopped.
    with pytest.raises(CommandError, match="已有启用的审计管理员 shenji"):
        run("enable", "auditor")
    run("disable", "shenji")
    assert "已启用审计管理员 auditor" in run("enable", "auditor")
    assert User.objects.get(username="auditor").is_active is True
