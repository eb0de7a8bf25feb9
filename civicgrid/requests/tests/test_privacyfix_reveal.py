"""The reveal of a requester's name and phone says why it is refused (the role, or the
area), in the answer and in the audit row."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.core.errors import PermissionDenied
from civicgrid.core.models import AuditLog
from civicgrid.requests import services
from civicgrid.requests import web_helpers as web
from civicgrid.requests.web_helpers import REQUESTER_PII_REFUSED

pytestmark = pytest.mark.django_db

ROLE = "您的角色无权查看诉求人完整信息"
AREA = "您无权在该区域执行此操作"


@pytest.mark.parametrize("who", ["hank", "dave"])
def test_a_role_without_the_right_is_told_so(client: Client, hotline: Any, who: str) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    user = getattr(hotline, who, None) or getattr(hotline.city, who)
    client.force_login(user)
    response = client.post(f"/requests/{r.pk}/reveal/")
    body = response.content.decode()
    assert response.status_code == 403 and ROLE in body and AREA not in body
    row = AuditLog.objects.get(verb=REQUESTER_PII_REFUSED, actor=user)
    assert row.after == {"status": 403, "reason": ROLE}


def test_a_role_with_the_right_elsewhere_is_told_it_is_the_area(hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())  # community A1
    with pytest.raises(PermissionDenied) as refused:
        web.requester_pii_reveal(actor=hotline.city.carol, request=r)  # community worker of B1
    assert refused.value.message == AREA
