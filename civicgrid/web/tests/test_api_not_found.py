"""Unknown addresses under /api/ and path parameters that are no id (``abc``, ``-1``) are
JSON 404s in the API's error shape with DEBUG off (``core.views.page_not_found``), for a
signed-in caller and a token alike: never Django's HTML page, never the sign-in redirect."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/v1/nope",
    "/api/v1/",
    "/api/v1/requests/abc/reply",
    "/api/v1/requests/-1",
    "/api/v1/requests/abc",
    "/api/v1/requests/1/attachments/x",
    "/api/v1/rates/nope",
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_api_address_is_a_json_404(city: Any, settings: Any, path: str, method: str) -> None:
    settings.DEBUG = False
    _, token = api_token_create(actor=None, system=True, user=city.olivia, name="测试")
    response = getattr(Client(), method)(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "not_found", "message": "页面不存在，请检查地址", "detail": None}
