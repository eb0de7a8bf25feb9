"""API tokens: created by the service or the command, used as a bearer token, revocable."""

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from civicgrid.accounts import services as accounts
from civicgrid.accounts.constants import Verb
from civicgrid.accounts.models import ApiToken, hash_token
from civicgrid.conftest import City
from civicgrid.core.errors import PermissionDenied
from civicgrid.core.models import AuditLog
from civicgrid.registry.tests.factories import CHINESE

NODES = "/api/v1/territory/nodes"


pytestmark = pytest.mark.usefixtures("integration_accounts")


def get(client: Client, token: str, header: str = "bearer") -> Any:
    if header == "bearer":
        return client.get(NODES, headers={"Authorization": f"Bearer {token}"})
    return client.get(NODES, headers={"X-API-Token": token})


@pytest.mark.parametrize("header", ["bearer", "x-api-token"])
def test_a_token_authenticates_as_its_user(city: City, client: Client, header: str) -> None:
    token, raw = accounts.api_token_create(actor=city.secadmin, user=city.carol, name="12345 热线")
    response = get(client, raw, header)
    assert response.status_code == 200, response.content
    assert [n["name"] for n in response.json()] == ["通江社区"]  # carol's scope, not everything
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_the_hash_of_a_token_is_stored(city: City) -> None:
    token, raw = accounts.api_token_create(actor=city.secadmin, user=city.bob, name="对接")
    assert token.key_hash == hash_token(raw)
    assert raw.startswith("cg_") and raw[3:9] == token.prefix
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert raw not in {str(v) for v in stored.values()}
    row = AuditLog.objects.get(verb=Verb.TOKEN_CREATED, target_id=str(token.pk))
    assert raw not in str(row.after)


@pytest.mark.parametrize("case", ["unknown", "revoked", "inactive_user", "missing"])
def test_bad_tokens_get_401_json(city: City, client: Client, case: str) -> None:
    token, raw = accounts.api_token_create(actor=city.secadmin, user=city.bob, name="对接")
    assert get(client, raw).status_code == 200
    if case == "unknown":
        raw = "cg_" + "x" * 43
    elif case == "revoked":
        out = StringIO()
        call_command("apitoken", "revoke", f"--prefix={token.prefix}", stdout=out)
        assert "已吊销 1 个令牌" in out.getvalue()
    elif case == "inactive_user":
        city.bob.is_active = False
        city.bob.save(update_fields=["is_active"])
    response = client.get(NODES) if case == "missing" else get(client, raw)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthorized"
    assert CHINESE.search(body["message"])


def test_the_command_prints_a_token_that_works(city: City, client: Client) -> None:
    out = StringIO()
    call_command("apitoken", "create", "--user", "bob", "--name", "网格通", stdout=out)
    raw = out.getvalue().strip()
    assert raw.startswith("cg_")
    response = get(client, raw)
    assert response.status_code == 200
    assert [n["name"] for n in response.json()] == ["胜利门社区"]
    row = AuditLog.objects.get(verb=Verb.TOKEN_CREATED)
    assert row.actor_name == "命令行" and row.actor_id is None

    listing = StringIO()
    call_command("apitoken", "list", stdout=listing)
    assert raw[3:9] in listing.getvalue() and "有效" in listing.getvalue()


def test_the_command_refuses_an_unknown_user(city: City) -> None:
    with pytest.raises(CommandError, match="账号不存在"):
        call_command("apitoken", "create", "--user", "nobody", stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_only_the_security_administrator_creates_tokens_for_others(city: City) -> None:
    with pytest.raises(PermissionDenied):
        accounts.api_token_create(actor=city.bob, user=city.bob, name="自助")
    assert not ApiToken.objects.exists()


def test_token_prefixes_never_start_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    """A prefix is typed after --prefix; "-abc" would read as an option."""
    from civicgrid.accounts import models

    drawn = iter(["-dash-first" + "x" * 32, "Ok1" + "x" * 40])
    monkeypatch.setattr(models.secrets, "token_urlsafe", lambda n: next(drawn))
    assert models.ApiToken.generate() == "cg_Ok1" + "x" * 40


def test_a_tokens_last_use_is_written_at_most_once_a_minute(city: City, client: Client) -> None:
    token, raw = accounts.api_token_create(actor=city.secadmin, user=city.bob, name="对接")
    assert get(client, raw).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    assert get(client, raw).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    assert get(client, raw).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > first


def test_a_token_carries_every_role_of_its_user_on_active_nodes(city: City, client: Client) -> None:
    from civicgrid.accounts.models import Role

    accounts.role_grant(
        actor=None, system=True, user=city.carol, role=Role.COMMUNITY_WORKER, node=city.comm_a1
    )
    _, raw = accounts.api_token_create(actor=city.secadmin, user=city.carol, name="对接")
    assert {n["name"] for n in get(client, raw).json()} == {"通江社区", "胜利门社区"}
    type(city.comm_a1).objects.filter(pk=city.comm_a1.pk).update(is_active=False)
    assert [n["name"] for n in get(client, raw).json()] == ["通江社区"]
