"""API tokens cannot make the security administrator into a person (tester's defect): the
admin's pages issue tokens only for system-integration accounts, a token waits for the
forced password change and stops with its account, and every token expires."""

import re
from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from civicgrid.accounts import services as accounts
from civicgrid.accounts.constants import Verb
from civicgrid.accounts.models import ApiToken, User
from civicgrid.conftest import City
from civicgrid.core.models import AuditLog

ADD = "/admin/accounts/apitoken/add/"
NODES = "/api/v1/territory/nodes"


def _admin(city: City) -> Client:
    client = Client()
    client.force_login(city.secadmin)
    return client


def _call(raw: str) -> tuple[int, str]:
    response = Client().get(NODES, headers={"Authorization": f"Bearer {raw}"})
    return response.status_code, response.json().get("message", "") if response.status_code != 200 else ""


def _integration(user: User) -> User:
    user.is_integration = True
    user.save(update_fields=["is_integration"])
    return user


def test_the_admin_page_refuses_a_token_for_a_personal_account(city: City) -> None:
    response = _admin(city).post(ADD, {"username": "bob", "name": "冒用", "days": "30"})
    html = response.content.decode()
    assert "账号用户名：bob 不是系统对接账号" in html
    assert 'id="token-raw"' not in html
    assert 'value="冒用"' in html  # what was typed is kept
    assert not ApiToken.objects.exists()
    assert not AuditLog.objects.filter(verb=Verb.TOKEN_CREATED).exists()


def test_the_admin_page_issues_a_token_for_an_integration_account_with_its_expiry(city: City) -> None:
    _integration(city.bob)
    response = _admin(city).post(ADD, {"username": "bob", "name": "网格通", "days": "30"})
    found = re.search(r'id="token-raw"[^>]*value="(cg_[^"]+)"', response.content.decode())
    assert found is not None
    token = ApiToken.objects.get()
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert "有效期至" in response.content.decode()
    assert _call(found.group(1))[0] == 200
    listing = _admin(city).get("/admin/accounts/apitoken/").content.decode()
    assert "到期时间" in listing


def test_days_out_of_range_is_named(city: City) -> None:
    _integration(city.bob)
    html = _admin(city).post(ADD, {"username": "bob", "name": "对接", "days": "0"}).content.decode()
    assert "有效天数" in html and 'id="token-raw"' not in html
    assert not ApiToken.objects.exists()


def test_a_token_waits_for_the_forced_password_change(city: City) -> None:
    _integration(city.carol)
    _, raw = accounts.api_token_create(actor=city.secadmin, user=city.carol, name="对接")
    assert _call(raw)[0] == 200
    User.objects.filter(pk=city.carol.pk).update(must_change_password=True)
    status, message = _call(raw)
    assert status == 401 and "须先由本人登录修改密码" in message
    User.objects.filter(pk=city.carol.pk).update(must_change_password=False)
    assert _call(raw)[0] == 200


def test_a_token_of_a_disabled_account_says_so(city: City) -> None:
    _, raw = accounts.api_token_create(actor=None, system=True, user=city.bob, name="对接")
    User.objects.filter(pk=city.bob.pk).update(is_active=False)
    status, message = _call(raw)
    assert status == 401 and "令牌所属账号已停用" in message


def test_an_expired_token_is_refused(city: City) -> None:
    token, raw = accounts.api_token_create(actor=None, system=True, user=city.bob, name="对接", days=1)
    assert _call(raw)[0] == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    status, message = _call(raw)
    assert status == 401 and "令牌已过期" in message
    listing = StringIO()
    call_command("apitoken", "list", stdout=listing)
    assert "已过期" in listing.getvalue()


def test_the_command_still_creates_for_a_personal_account_but_warns(city: City) -> None:
    out, err = StringIO(), StringIO()
    call_command("apitoken", "create", "--user", "bob", "--days", "10", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert _call(raw)[0] == 200
    assert "不是系统对接账号" in err.getvalue() and "有效期至" in err.getvalue()
    token = ApiToken.objects.get()
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + timedelta(days=10))) < timedelta(minutes=1)


def test_the_command_does_not_warn_for_an_integration_account(city: City) -> None:
    _integration(city.bob)
    err = StringIO()
    call_command("apitoken", "create", "--user", "bob", stdout=StringIO(), stderr=err)
    assert "不是系统对接账号" not in err.getvalue()
    token = ApiToken.objects.get()
    assert token.expires_at is not None
    assert token.expires_at - timezone.now() > timedelta(days=364)
