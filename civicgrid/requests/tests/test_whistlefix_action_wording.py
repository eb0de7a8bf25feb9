"""Refusals of the action API say what is wrong: an over-long text is named by the field the
client sent (reason, not the timeline's note); an expected_version the request never had is
invalid (not "已在您的另一个页面或窗口中处理过"); an action of the former lead just after a 改派
names the 改派 instead of "您无权…"."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.core.errors import PermissionDenied
from civicgrid.requests import services
from civicgrid.requests.constants import NOTE_MAX, Status
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db


def _api(user: Any) -> dict[str, str]:
    _, token = api_token_create(actor=None, system=True, user=user, name="测试")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def signed(hotline: Any) -> Request:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    return services.request_sign(actor=hotline.hank, request=request)


@pytest.mark.parametrize("path", ["return", "suspend", "escalate"])
def test_an_over_long_reason_is_refused_under_reason(hotline: Any, signed: Request, path: str) -> None:
    actor = hotline.city.olivia if path == "suspend" else hotline.hank
    before = Request.objects.get(pk=signed.pk).version
    response = Client().post(
        f"/api/v1/requests/{signed.pk}/{path}",
        {"reason": "长" * (NOTE_MAX + 1)},
        "application/json",
        headers=_api(actor),
    )
    assert response.status_code == 422, response.content
    assert list(response.json()["detail"]) == ["reason"]
    assert Request.objects.get(pk=signed.pk).version == before


@pytest.mark.parametrize("sent", [999, -1])
def test_a_version_the_request_never_had_is_invalid(hotline: Any, signed: Request, sent: int) -> None:
    current = Request.objects.get(pk=signed.pk).version
    response = Client().post(
        f"/api/v1/requests/{signed.pk}/start",
        {"expected_version": sent},
        "application/json",
        headers=_api(hotline.hank),
    )
    assert response.status_code == 409, response.content
    message = response.json()["message"]
    assert message.startswith("版本号无效") and str(current) in message
    assert "另一个页面" not in message
    assert Request.objects.get(pk=signed.pk).version == current


def test_an_older_version_is_still_a_stale_page(hotline: Any, signed: Request) -> None:
    response = Client().post(
        f"/api/v1/requests/{signed.pk}/start",
        {"expected_version": 0},
        "application/json",
        headers=_api(hotline.hank),
    )
    assert response.status_code == 409
    assert "版本号无效" not in response.json()["message"]


def test_the_former_lead_is_told_of_the_reassign(hotline: Any, signed: Request) -> None:
    """The page was read before the 改派 and sent no version: the check under the row lock
    (the service's, as when the 改派 commits while the action waits for the lock) names it."""
    services.request_reassign(
        actor=hotline.city.olivia, request=signed, lead_unit=hotline.sub_b_unit, reason="属通江街道辖区"
    )
    with pytest.raises(PermissionDenied) as refused:
        services.request_start(actor=hotline.hank, request=signed)
    message = refused.value.message
    assert "周静" in message and "改派" in message and "通江街道办事处" in message
    assert "您无权" not in message
    assert Request.objects.get(pk=signed.pk).status == Status.DISPATCHED


def test_an_outsider_still_hears_no_more_than_no_right(hotline: Any, signed: Request) -> None:
    with pytest.raises(PermissionDenied) as refused:
        services.request_start(actor=hotline.walt, request=signed)
    assert refused.value.message == "您无权对该诉求执行「开始办理」"


def test_the_api_tells_the_former_lead_of_a_committed_reassign(hotline: Any, signed: Request) -> None:
    """After the 改派 has committed the API's own check (``api.common.guard``, before the
    service) refuses: it names the 改派 too, not only "您无权"."""
    services.request_reassign(
        actor=hotline.city.olivia, request=signed, lead_unit=hotline.sub_b_unit, reason="属通江街道辖区"
    )
    response = Client().post(
        f"/api/v1/requests/{signed.pk}/start", {}, "application/json", headers=_api(hotline.hank)
    )
    assert response.status_code == 403
    message = response.json()["message"]
    assert "周静" in message and "改派" in message and "通江街道办事处" in message and "您无权" not in message
