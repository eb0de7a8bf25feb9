"""A known key that may not be used now is refused with the reason, as the JSON API does."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.accounts.models import ApiToken, hash_token
from civicgrid.core.models import AuditLog
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


def _fields(api_key: str) -> dict[str, Any]:
    return {
        "api_key": api_key,
        "service_code": "030101",
        "address_string": "胜利门1号楼",
        "description": "路灯不亮",
    }


def test_an_expired_key_is_told_so_when_filing_and_reading(hotline: Any, api_key: str) -> None:
    ApiToken.objects.filter(key_hash=hash_token(api_key)).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    audits = AuditLog.objects.count()
    filed = Client().post(f"{BASE}/requests.json", _fields(api_key))
    assert filed.status_code == 403
    assert filed.json() == [{"code": 403, "description": "令牌已过期，请联系安全管理员重新创建"}]
    read = Client().get(f"{BASE}/requests.json", HTTP_AUTHORIZATION=f"Bearer {api_key}")
    assert read.status_code == 403 and read.json()[0]["description"] == "令牌已过期，请联系安全管理员重新创建"
    assert not Request.objects.exists()
    assert AuditLog.objects.count() == audits


def test_a_key_of_a_disabled_account_is_told_so(hotline: Any, api_key: str) -> None:
    olivia = hotline.city.olivia
    olivia.is_active = False
    olivia.save(update_fields=["is_active"])
    filed = Client().post(f"{BASE}/requests.json", _fields(api_key))
    assert filed.status_code == 403
    assert filed.json() == [{"code": 403, "description": "令牌所属账号已停用"}]
    assert not Request.objects.exists()


def test_an_unknown_key_is_still_missing_or_invalid(hotline: Any) -> None:
    filed = Client().post(f"{BASE}/requests.json", _fields("cg_not_a_token"))
    assert filed.json() == [{"code": 403, "description": "api_key 缺失或无效"}]
    read = Client().get(f"{BASE}/requests.json", HTTP_AUTHORIZATION="Bearer cg_not_a_token")
    assert read.json() == [{"code": 403, "description": "api_key 无效"}]
