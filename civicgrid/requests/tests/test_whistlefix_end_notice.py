"""A whistle that ends tells the summoned units still out (吹哨结束通知), and the refusals of a
late report-in or outcome say what happened.

Before, an escalation, a 改派, an approved return, 办结 or 合并 closed the whistle without a
word to the summoned departments (only the new lead heard of a 新工单); a unit that had
reported in was told it was recorded 未报到; a stale outcome form after the whistle ended by
itself was answered "只有当前承办（吹哨）单位才能记录处置结果"; the API's report-in told a
stranger that a summons id existed (403 instead of 404) and named an over-long part ``note``.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.accounts.services import api_token_create
from civicgrid.core.errors import Conflict
from civicgrid.notify.models import Notification
from civicgrid.requests import services
from civicgrid.requests.constants import NOTE_MAX
from civicgrid.requests.models import Request, Whistle, WhistleSummons
from civicgrid.requests.tests.test_whistle_closed import zack  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _whistle(hotline: Any, request: Request) -> Whistle:
    return services.request_whistle(
        actor=hotline.hank,
        request=request,
        units=[hotline.chengguan, hotline.zhujian],
        reason="违建拆除需联合处置",
        deadline=timezone.now() + timedelta(days=1),
    )


@pytest.fixture
def signed(hotline: Any) -> Request:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new(category=hotline.noise))
    return services.request_sign(actor=hotline.hank, request=request)


def end_notices(whistle: Whistle, unit: Any) -> list[Notification]:
    return list(Notification.objects.filter(dedupe_key__startswith=f"whistle-end:{whistle.pk}:{unit.pk}:"))


def test_escalating_tells_the_units_not_reported_in_once(hotline: Any, signed: Request, zack: User) -> None:  # noqa: F811
    blown = _whistle(hotline, signed)
    chengguan = blown.summonses.get(unit=hotline.chengguan)
    services.whistle_report_in(actor=hotline.dora, summons=chengguan, part="派执法队")
    assert end_notices(blown, hotline.zhujian) == []
    signed.refresh_from_db()
    services.request_escalate(actor=hotline.hank, request=signed, reason="需区级协调")
    told = end_notices(blown, hotline.zhujian)
    assert told, "the unit still out is told the whistle ended"
    assert {n.recipient_user_id for n in told} <= {zack.pk, None}
    for notice in told:
        assert notice.subject == f"吹哨结束 {signed.number}"
        assert "【吹哨结束】" in notice.body and "牵头单位变更" in notice.body and "无需再报到" in notice.body
        assert notice.target_id == str(signed.pk)
    assert end_notices(blown, hotline.chengguan) == []  # reported in: nothing to call off
    # the district ends no whistle of its own: nothing is sent twice on a further change
    signed.refresh_from_db()
    services.request_reassign(
        actor=hotline.city.olivia, request=signed, lead_unit=hotline.sub_b_unit, reason="属通江街道辖区"
    )
    assert len(end_notices(blown, hotline.zhujian)) == len(told)


def test_closing_the_request_tells_every_unit_still_out(hotline: Any, signed: Request) -> None:
    blown = _whistle(hotline, signed)
    signed.refresh_from_db()
    replied = services.request_reply(actor=hotline.hank, request=signed, reply="已协调停工")
    services.request_close(actor=hotline.city.olivia, request=replied)
    for unit in (hotline.chengguan, hotline.zhujian):
        told = end_notices(blown, unit)
        assert told and all("诉求已办结" in n.body for n in told)


def test_recording_the_outcome_tells_the_absent_unit(hotline: Any, signed: Request) -> None:
    blown = _whistle(hotline, signed)
    services.whistle_report_in(
        actor=hotline.dora, summons=blown.summonses.get(unit=hotline.chengguan), part="派执法队"
    )
    services.whistle_close(actor=hotline.hank, whistle=blown, outcome="违建已拆除")
    told = end_notices(blown, hotline.zhujian)
    assert told and all("吹哨单位已记录处置结果" in n.body for n in told)
    assert end_notices(blown, hotline.chengguan) == []


def test_an_action_rolled_back_sends_no_notice(hotline: Any, signed: Request) -> None:
    blown = _whistle(hotline, signed)
    signed.refresh_from_db()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.request_escalate(actor=hotline.hank, request=signed, reason="需区级协调")
        raise RuntimeError("rolled back")
    assert end_notices(blown, hotline.zhujian) == []
    blown.refresh_from_db()
    assert blown.closed_at is None


def test_a_unit_that_reported_in_is_told_so_after_the_outcome(hotline: Any, signed: Request) -> None:
    blown = _whistle(hotline, signed)
    summons = blown.summonses.get(unit=hotline.chengguan)
    services.whistle_report_in(actor=hotline.dora, summons=summons, part="派执法队")
    services.whistle_close(actor=hotline.hank, whistle=blown, outcome="违建已拆除")
    with pytest.raises(Conflict) as refused:
        services.whistle_report_in(actor=hotline.dora, summons=summons, part="再次报到")
    assert refused.value.message.startswith("该单位已经报到")
    assert "未报到" not in refused.value.message


def test_a_stale_outcome_form_after_the_whistle_ended_by_itself(hotline: Any, signed: Request) -> None:
    blown = _whistle(hotline, signed)
    signed.refresh_from_db()
    services.request_reassign(
        actor=hotline.city.olivia, request=signed, lead_unit=hotline.sub_b_unit, reason="属通江街道辖区"
    )
    client = Client()
    client.force_login(hotline.hank)
    response = client.post(f"/requests/whistles/{blown.pk}/close/", {"outcome": "处置完毕"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "该次吹哨已结束（牵头单位变更，吹哨结束）" in page
    assert "只有当前承办" not in page
    blown.refresh_from_db()
    assert blown.outcome == "牵头单位变更，吹哨结束"


def test_a_recorded_outcome_is_still_named_as_such(hotline: Any, signed: Request) -> None:
    blown = _whistle(hotline, signed)
    services.whistle_close(actor=hotline.hank, whistle=blown, outcome="违建已拆除")
    with pytest.raises(Conflict) as refused:
        services.whistle_close(actor=hotline.hank, whistle=blown, outcome="再记一次")
    assert refused.value.message == "该次吹哨已记录处置结果"


def _api(user: User) -> dict[str, str]:
    _, token = api_token_create(actor=None, system=True, user=user, name="测试")
    return {"Authorization": f"Bearer {token}"}


def test_report_in_by_a_stranger_answers_as_a_missing_id(hotline: Any, signed: Request) -> None:
    blown = _whistle(hotline, signed)
    summons = blown.summonses.get(unit=hotline.zhujian)
    headers = _api(hotline.walt)  # 市自来水公司: neither summoned nor able to read the request
    existing = Client().post(
        f"/api/v1/requests/whistle-summons/{summons.pk}/report-in",
        {"part": "派人核查"},
        "application/json",
        headers=headers,
    )
    missing = Client().post(
        "/api/v1/requests/whistle-summons/999999/report-in",
        {"part": "派人核查"},
        "application/json",
        headers=headers,
    )
    assert existing.status_code == missing.status_code == 404
    assert existing.json()["message"] == missing.json()["message"]
    summons.refresh_from_db()
    assert summons.reported_at is None


def test_an_over_long_part_is_refused_under_part(hotline: Any, signed: Request, zack: User) -> None:  # noqa: F811
    blown = _whistle(hotline, signed)
    summons = blown.summonses.get(unit=hotline.zhujian)
    response = Client().post(
        f"/api/v1/requests/whistle-summons/{summons.pk}/report-in",
        {"part": "查" * (NOTE_MAX + 1)},
        "application/json",
        headers=_api(zack),
    )
    assert response.status_code == 422, response.content
    assert list(response.json()["detail"]) == ["part"]
    assert WhistleSummons.objects.get(pk=summons.pk).reported_at is None
