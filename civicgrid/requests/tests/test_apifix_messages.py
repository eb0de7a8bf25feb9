"""Refusals of the request API that read right and tell the current state.

* bulk sign-for: a request another signer took first was reported with the status read
  before the lock ("dispatched") beside a message saying "已签收";
* whistle: naming one's own unit was dropped silently ("请选择被召集的部门" for [own unit],
  and [own, other] named only the other);
* "不能{action}" put the label 非本单位职责 in as a verb ("不能非本单位职责").
"""

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from civicgrid.core.errors import Conflict
from civicgrid.requests import services
from civicgrid.requests.api import actions
from civicgrid.requests.constants import Status
from civicgrid.requests.models import Request, Whistle
from civicgrid.requests.tests.test_api import Caller

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle_history() -> None:
    cache.clear()


def test_a_bulk_sign_for_that_lost_the_race_reports_the_status_now(
    hotline: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    original = services.requests_sign_bulk

    def signed_meanwhile(*, actor: Any, requests: list[Request]) -> Any:
        # another signer takes it between the API's read and the service's lock
        services.request_sign(actor=hotline.hank, request=Request.objects.get(pk=request.pk))
        return original(actor=actor, requests=requests)

    monkeypatch.setattr(actions.services, "requests_sign_bulk", signed_meanwhile)
    response = Caller(hotline.hank).post("/sign-bulk", {"ids": [request.pk]})
    assert response.status_code == 200, response.content
    [row] = response.json()
    assert row["ok"] is False and row["status"] == Status.SIGNED == Request.objects.get(pk=request.pk).status
    assert "已签收" in row["message"]


def _whistle(hotline: Any, unit_ids: list[int]) -> Any:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    hank = Caller(hotline.hank)  # 崇安寺街道办事处, the lead
    assert hank.post(f"/{request.pk}/sign").status_code == 200
    deadline = (timezone.now() + timedelta(days=1)).isoformat()
    return hank.post(
        f"/{request.pk}/whistle", {"unit_ids": unit_ids, "reason": "联合执法", "deadline": deadline}
    )


def test_summoning_ones_own_unit_is_refused_by_name(hotline: Any) -> None:
    own = hotline.sub_a_unit
    response = _whistle(hotline, [own.pk])
    assert response.status_code == 422, response.content
    [reason] = response.json()["detail"]["unit_ids"]
    assert f"不能召集本单位「{own.name}」" in reason
    assert "请选择被召集的部门" not in response.json()["message"]
    assert not Whistle.objects.exists()


def test_own_unit_among_others_is_named_with_the_others(hotline: Any) -> None:
    own, district = hotline.sub_a_unit, hotline.district_unit
    response = _whistle(hotline, [own.pk, district.pk])
    assert response.status_code == 422, response.content
    reasons = response.json()["detail"]["unit_ids"]
    assert len(reasons) == 2
    assert own.name in reasons[0] and district.name in reasons[1]
    assert not Whistle.objects.exists()


def test_a_repeated_not_ours_claim_reads_as_a_sentence(hotline: Any) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    services.request_return(actor=hotline.hank, request=request, reason="该楼属于住建局直管", not_ours=True)
    with pytest.raises(Conflict) as refused:
        services.request_return(
            actor=hotline.hank, request=request, reason="该楼属于住建局直管", not_ours=True
        )
    assert refused.value.message == "该诉求当前状态为「退单待审」，不能申报「非本单位职责」"
