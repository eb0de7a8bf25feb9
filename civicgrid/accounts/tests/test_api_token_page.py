"""新增接口令牌 in the security administrator's pages: created through the service (checked
and audited), the clear token shown once on an uncached page; administrators hold none."""

import re

import pytest
from django.test import Client

from civicgrid.accounts.constants import Verb
from civicgrid.accounts.models import ApiToken, hash_token
from civicgrid.conftest import City
from civicgrid.core.models import AuditLog

ADD = "/admin/accounts/apitoken/add/"
NODES = "/api/v1/territory/nodes"


pytestmark = pytest.mark.usefixtures("integration_accounts")


def shown_token(html: str) -> str:
    found = re.search(r'id="token-raw"[^>]*value="(cg_[^"]+)"', html)
    assert found, html
    return found.group(1)


def test_the_security_administrator_creates_a_token_and_sees_it_once(city: City, client: Client) -> None:
    client.force_login(city.secadmin)
    page = client.get(ADD + "?user=bob")
    assert page.status_code == 200
    assert 'value="bob"' in page.content.decode()

    response = client.post(ADD, {"username": "bob", "name": "网格通对接"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    raw = shown_token(html)
    assert "只显示这一次" in html
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.key_hash) == (city.bob, "网格通对接", hash_token(raw))
    row = AuditLog.objects.get(verb=Verb.TOKEN_CREATED)
    assert row.actor_id == city.secadmin.pk and raw not in str(row.after)

    api = Client()
    listed = api.get(NODES, headers={"Authorization": f"Bearer {raw}"})
    assert listed.status_code == 200
    assert [n["name"] for n in listed.json()] == ["胜利门社区"]  # bob's scope

    assert raw not in client.get("/admin/accounts/apitoken/").content.decode()
    assert raw not in client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()


@pytest.mark.parametrize(
    ("username", "name", "reason"),
    [
        ("nobody", "对接", "账号不存在：nobody"),
        ("sysadmin", "对接", "管理员账号不能持有接口令牌"),
        ("bob", "", "此项必填"),
        ("bob", "   ", "此项必填"),
        ("bob", "长" * 101, "100"),
    ],
)
def test_bad_input_is_named_and_creates_nothing(
    city: City, client: Client, username: str, name: str, reason: str
) -> None:
    client.force_login(city.secadmin)
    response = client.post(ADD, {"username": username, "name": name})
    assert response.status_code == 422
    html = response.content.decode()
    assert reason in html
    assert 'id="token-raw"' not in html
    assert not ApiToken.objects.exists()
    assert not AuditLog.objects.filter(verb=Verb.TOKEN_CREATED).exists()


def test_an_inactive_account_gets_no_token(city: City, client: Client) -> None:
    city.bob.is_active = False
    city.bob.save(update_fields=["is_active"])
    client.force_login(city.secadmin)
    html = client.post(ADD, {"username": "bob", "name": "对接"}).content.decode()
    assert "该账号已停用" in html
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("who", ["sysadmin", "auditor", "bob"])
def test_only_the_security_administrator_may_open_it(city: City, client: Client, who: str) -> None:
    client.force_login(getattr(city, who))
    response = client.post(ADD, {"username": "carol", "name": "对接"})
    assert response.status_code in (302, 403)
    assert not ApiToken.objects.exists()


def test_an_administrators_token_made_before_the_rule_is_refused(city: City) -> None:
    raw = ApiToken.generate()
    ApiToken.objects.create(user=city.sysadmin, name="旧令牌", prefix=raw[3:9], key_hash=hash_token(raw))
    response = Client().get(NODES, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401


def test_the_command_refuses_an_administrator_with_a_message(city: City) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="管理员账号不能持有接口令牌"):
        call_command("apitoken", "create", "--user", "secadmin", stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_revoking_in_the_list_is_one_transaction_with_its_audit_rows(city: City, client: Client) -> None:
    from civicgrid.accounts import services as accounts

    first, raw = accounts.api_token_create(actor=city.secadmin, user=city.bob, name="甲")
    second, _ = accounts.api_token_create(actor=city.secadmin, user=city.carol, name="乙")
    client.force_login(city.secadmin)
    response = client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "已吊销 2 个令牌" in response.content.decode()
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 2
    assert AuditLog.objects.filter(verb=Verb.TOKEN_REVOKED).count() == 2
    assert Client().get(NODES, headers={"Authorization": f"Bearer {raw}"}).status_code == 401
