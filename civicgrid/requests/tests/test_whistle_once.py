"""A department is summoned once while a whistle is open (同一部门不重复召集).

Two whistles sent at once for the same department, or a second one sent later, used to
summon it twice (two summonses, two messages); now the second is refused with 409 naming
the department and changes nothing, until the first whistle's outcome is recorded.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.accounts.services import api_token_create
from civicgrid.core.errors import Conflict
from civicgrid.core.models import AuditLog
from civicgrid.notify.models import Notification
from civicgrid.requests import services
from civicgrid.requests.models import Request, RequestEvent, Whistle, WhistleSummons
from civicgrid.requests.services import engine
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(hotline: Any) -> Request:
    """A request led by hank's subdistrict, signed for."""
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    return services.request_sign(actor=hotline.hank, request=request)


def whistle(hotline: Any, request: Request, *units: Any) -> Whistle:
    return services.request_whistle(
        actor=hotline.hank,
        request=request,
        units=list(units),
        reason="违建拆除需联合处置",
        deadline=timezone.now() + timedelta(days=1),
    )


def state(request: Request) -> tuple[Any, ...]:
    request.refresh_from_db()
    counts = (Whistle, WhistleSummons, Notification, AuditLog)
    events = RequestEvent.objects.filter(request=request).count()
    return request.status, request.version, events, *(m.objects.count() for m in counts)


def test_a_department_still_summoned_is_not_summoned_again(hotline: Any, signed: Request) -> None:
    whistle(hotline, signed, hotline.chengguan)
    before = state(signed)
    with pytest.raises(Conflict) as refused:
        whistle(hotline, signed, hotline.chengguan)
    assert refused.value.message == "区城管局已被召集，该次吹哨尚未记录处置结果，不能重复召集"
    assert refused.value.detail["units"] == [hotline.chengguan.pk]
    # with a new department beside it: the whole whistle is refused, the new one not summoned
    with pytest.raises(Conflict, match="区城管局已被召集"):
        whistle(hotline, signed, hotline.zhujian, hotline.chengguan)
    assert state(signed) == before
    assert not WhistleSummons.objects.filter(unit=hotline.zhujian).exists()


def test_another_department_or_a_closed_whistle_allows_a_new_summons(hotline: Any, signed: Request) -> None:
    first = whistle(hotline, signed, hotline.chengguan)
    whistle(hotline, signed, hotline.zhujian)
    with pytest.raises(Conflict, match="区城管局、区住建局已被召集"):
        whistle(hotline, signed, hotline.chengguan, hotline.zhujian)
    services.whistle_close(actor=hotline.hank, whistle=first, outcome="第一次处置完毕")
    again = whistle(hotline, signed, hotline.chengguan)
    assert list(again.summonses.values_list("unit", flat=True)) == [hotline.chengguan.pk]


def test_a_department_named_twice_in_one_whistle_is_summoned_once(hotline: Any, signed: Request) -> None:
    blown = whistle(hotline, signed, hotline.chengguan, hotline.chengguan)
    assert list(blown.summonses.values_list("unit", flat=True)) == [hotline.chengguan.pk]
    event = RequestEvent.objects.filter(request=signed, action="whistle").get()
    assert event.data["units"] == [hotline.chengguan.pk]


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_whistles_at_once_summon_the_department_once(
    hotline: Any, signed: Request, monkeypatch: Any
) -> None:
    _, key = api_token_create(actor=None, system=True, user=hotline.hank, name="测试")
    deadline = (timezone.now() + timedelta(days=1)).isoformat()
    body = {"unit_ids": [hotline.chengguan.pk], "reason": "违建拆除需城管执法", "deadline": deadline}

    def send() -> Any:
        return Client().post(
            f"/api/v1/requests/{signed.pk}/whistle",
            body,
            "application/json",
            headers={"Authorization": f"Bearer {key}"},
        )

    slow_audit(monkeypatch, engine)  # the first holds the request's lock while the second arrives
    sent = run_at_once(send, send)
    assert sorted(r.status_code for r in sent) == [200, 409], [getattr(r, "content", r) for r in sent]
    loser = next(r for r in sent if r.status_code == 409).json()
    assert "区城管局已被召集" in loser["message"]
    assert WhistleSummons.objects.filter(whistle__request=signed, unit=hotline.chengguan).count() == 1
    assert Whistle.objects.filter(request=signed).count() == 1
