"""``civicgrid apitoken revoke``: it says which token it revoked, or fails."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import ApiToken
from civicgrid.conftest import City
from civicgrid.core.models import AuditLog

pytestmark = pytest.mark.usefixtures("integration_accounts")


def revoke(*args: str) -> str:
    out = StringIO()
    call_command("apitoken", "revoke", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("how", ["prefix", "cg_start", "short_start", "whole_token"])
def test_revoke_accepts_the_prefix_or_the_tokens_own_first_characters(city: City, how: str) -> None:
    token, raw = accounts.api_token_create(actor=city.secadmin, user=city.bob, name="对接")
    other, _ = accounts.api_token_create(actor=city.secadmin, user=city.bob, name="另一个")
    given = {
        "prefix": token.prefix,
        "cg_start": raw[:10],  # cg_ and seven characters: more than the prefix
        "short_start": raw[:7],  # cg_ and four
        "whole_token": raw,
    }[how]
    if how == "short_start" and other.prefix.startswith(raw[3:7]):
        pytest.skip("the two random tokens share their first four characters")
    printed = revoke(f"--prefix={given}")
    assert "已吊销 1 个令牌" in printed and token.prefix in printed
    token.refresh_from_db()
    other.refresh_from_db()
    assert token.revoked_at is not None and other.revoked_at is None
    assert AuditLog.objects.filter(verb="accounts.token_revoked").count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "请用 --prefix 指定"),
        (("--prefix=",), "请用 --prefix 指定"),
        (("--prefix=cg_",), "至少写出"),
        (("--prefix=zzzzzz",), "没有前缀为 zzzzzz 的令牌"),
    ],
)
def test_revoke_without_a_matching_token_fails_and_changes_nothing(
    city: City, args: tuple[str, ...], message: str
) -> None:
    token, _ = accounts.api_token_create(actor=city.secadmin, user=city.bob, name="对接")
    with pytest.raises(CommandError, match=message):
        revoke(*args)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_twice_says_it_was_revoked_already(city: City) -> None:
    token, _ = accounts.api_token_create(actor=city.secadmin, user=city.bob, name="对接")
    revoke(f"--prefix={token.prefix}")
    with pytest.raises(CommandError, match="已经吊销过"):
        revoke(f"--prefix={token.prefix}")


def test_an_ambiguous_start_revokes_nothing(city: City, db: Any) -> None:
    first, _ = accounts.api_token_create(actor=city.secadmin, user=city.bob, name="甲")
    second, _ = accounts.api_token_create(actor=city.secadmin, user=city.carol, name="乙")
    ApiToken.objects.filter(pk=second.pk).update(prefix=first.prefix[:3] + "zzz")
    with pytest.raises(CommandError, match="对应 2 个有效令牌"):
        revoke(f"--prefix={first.prefix[:3]}")
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()
    # --user narrows it down.
    assert "已吊销 1 个令牌" in revoke(f"--prefix={first.prefix[:3]}", "--user=carol")
    second.refresh_from_db()
    assert second.revoked_at is not None
