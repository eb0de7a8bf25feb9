"""A whistle ends with its lead: 改派, 上报, an approved return, 办结 and 合并 end the open
whistles of the old lead (closed as "牵头单位变更，吹哨结束" or the like, on the timeline) and
the summoned units' 吹哨召集 work orders; a reopen does not make the summoned department a
co-handler; the whistle page lists only what can still be reported in.

Before, the whistle stayed open with nobody allowed to close it, the new lead could not summon
the same department again (409), and the department kept the request in its inbox.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.core.errors import Conflict
from civicgrid.requests import services
from civicgrid.requests.constants import Action, AssignmentRole, Status
from civicgrid.requests.models import Request, RequestEvent, Whistle, WorkOrder
from civicgrid.requests.services import engine
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(hotline: Any) -> Request:
    """A request led by hank's subdistrict (崇安寺街道), signed for."""
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    return services.request_sign(actor=hotline.hank, request=request)


def blow(hotline: Any, request: Request, actor: Any = None, *units: Any) -> Whistle:
    return services.request_whistle(
        actor=actor or hotline.hank,
        request=request,
        units=list(units) or [hotline.chengguan],
        reason="违建拆除需联合处置",
        deadline=timezone.now() + timedelta(days=1),
    )


def summons_orders(hotline: Any, request: Request) -> list[WorkOrder]:
    return list(WorkOrder.objects.filter(request=request, unit=hotline.chengguan, is_active=True))


def assert_ended(whistle: Whistle, outcome: str) -> None:
    whistle.refresh_from_db()
    assert whistle.closed_at is not None
    assert whistle.outcome == outcome
    row = RequestEvent.objects.get(request=whistle.request, data__whistle=whistle.pk, data__ended=True)
    assert row.unit_id == whistle.summoning_unit_id
    assert outcome in row.note and "未报到：区城管局" in row.note


def test_reassign_ends_the_old_leads_whistle_and_the_new_lead_may_summon_again(
    hotline: Any, signed: Request
) -> None:
    blown = blow(hotline, signed)
    assert len(summons_orders(hotline, signed)) == 1
    services.request_reassign(
        actor=hotline.city.olivia, request=signed, lead_unit=hotline.sub_b_unit, reason="属通江街道辖区"
    )
    assert_ended(blown, "牵头单位变更，吹哨结束")
    assert summons_orders(hotline, signed) == []
    # the new lead signs and summons the same department: no 409
    bea = _member(hotline, hotline.sub_b_unit, "bea")
    signed.refresh_from_db()
    services.request_sign(actor=bea, request=signed)
    again = blow(hotline, signed, bea, hotline.chengguan)
    assert again.summonses.get().unit == hotline.chengguan
    # the old lead cannot record an outcome on the new lead's whistle; the new lead can
    client = Client()
    client.force_login(hotline.hank)
    assert client.post(f"/requests/whistles/{again.pk}/close/", {"outcome": "处置完毕"}).status_code == 403
    client.force_login(bea)
    response = client.post(f"/requests/whistles/{again.pk}/close/", {"outcome": "处置完毕"})
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.outcome == "处置完毕"


def _member(hotline: Any, unit: Any, username: str) -> Any:
    from civicgrid.accounts import services as accounts
    from civicgrid.accounts.models import Role
    from civicgrid.conftest import make_user
    from civicgrid.requests.models import UnitMembership

    user = make_user(username, "白雪")
    UnitMembership.objects.create(user=user, unit=unit, is_approver=True)
    accounts.role_grant(actor=None, system=True, user=user, role=Role.HANDLER, node=unit.node)
    return user


def test_escalate_ends_the_whistle(hotline: Any, signed: Request) -> None:
    blown = blow(hotline, signed)
    services.request_escalate(actor=hotline.hank, request=signed, reason="需区级协调")
    assert_ended(blown, "牵头单位变更，吹哨结束")
    assert summons_orders(hotline, signed) == []


def test_an_approved_return_ends_the_whistle_and_clears_the_level(hotline: Any, signed: Request) -> None:
    blown = blow(hotline, signed)
    signed.refresh_from_db()
    assert signed.get_level_display() == "街道（乡镇）"
    services.request_return(actor=hotline.hank, request=signed, reason="不属本街道")
    services.request_return_decide(actor=hotline.city.olivia, request=signed, approve=True)
    assert_ended(blown, "已同意退单，吹哨结束")
    signed.refresh_from_db()
    assert signed.lead_unit is None and signed.level == ""
    assert not WorkOrder.objects.filter(request=signed, is_active=True).exists()
    client = Client()
    client.force_login(hotline.city.olivia)
    page = client.get(f"/requests/{signed.pk}/").content.decode()
    assert "街道（乡镇）" not in page.split("办理层级", 1)[1].split("</tr>", 1)[0]
    # dispatched again, the level follows the new lead
    services.request_dispatch(
        actor=hotline.city.olivia,
        request=signed,
        lead_unit=hotline.sub_b_unit,
        note="原单位退回，改派通江街道",
    )
    signed.refresh_from_db()
    assert signed.level == "subdistrict"


def test_merge_ends_the_whistle(hotline: Any, signed: Request) -> None:
    blown = blow(hotline, signed)
    other = services.request_create(actor=hotline.city.olivia, data=hotline.new(title="电梯又停了"))
    services.request_merge(actor=hotline.city.olivia, request=signed, into=other)
    assert_ended(blown, f"诉求已合并至 {other.number}，吹哨结束")
    assert summons_orders(hotline, signed) == []


def _replied(hotline: Any) -> Request:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new(category=hotline.noise))
    request = services.request_sign(actor=hotline.hank, request=request)
    blow(hotline, request)
    return services.request_reply(actor=hotline.hank, request=request, reply="已协调施工方停工")


def test_closing_the_request_ends_the_whistle_and_a_reopen_does_not_copy_the_summons(hotline: Any) -> None:
    request = _replied(hotline)
    blown = Whistle.objects.get(request=request)
    services.request_close(actor=hotline.city.olivia, request=request)
    assert_ended(blown, "诉求已办结，吹哨结束")
    services.request_reopen(actor=hotline.city.olivia, request=request, reason="群众不满意")
    assert summons_orders(hotline, request) == []
    active = WorkOrder.objects.filter(request=request, is_active=True).order_by("role")
    assert list(active.values_list("unit", "role")) == [
        (hotline.district_unit.pk, AssignmentRole.COPY),  # the rule's 抄送 stays (test_copyfix_keep)
        (hotline.sub_a_unit.pk, AssignmentRole.LEAD),
    ]


def test_reopen_copies_a_dispatch_assisting_unit_but_not_a_summons_of_a_closed_whistle(
    hotline: Any,
) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new(category=hotline.noise))
    assert request.lead_unit == hotline.sub_a_unit
    WorkOrder.objects.create(
        request=request,
        unit=hotline.zhujian,
        role=AssignmentRole.ASSIST,
        dispatched_at=timezone.now(),
        rule_label="人工指定",
    )
    request = services.request_sign(actor=hotline.hank, request=request)
    # a closed whistle's order left active by the old code (kept by the link to its whistle)
    blown = blow(hotline, request)
    Whistle.objects.filter(pk=blown.pk).update(closed_at=timezone.now(), outcome="处置完毕")
    request = services.request_reply(actor=hotline.hank, request=request, reply="已处理")
    services.request_close(actor=hotline.city.olivia, request=request)
    services.request_reopen(actor=hotline.city.olivia, request=request, reason="群众不满意")
    assisting = WorkOrder.objects.filter(request=request, is_active=True, role=AssignmentRole.ASSIST)
    assert list(assisting.values_list("unit", flat=True)) == [hotline.zhujian.pk]


def test_the_whistle_page_lists_only_summonses_that_can_still_report_in(hotline: Any) -> None:
    request = _replied(hotline)
    assert request.status == Status.REPLIED
    still = services.request_create(actor=hotline.city.olivia, data=hotline.new(title="电梯异响"))
    still = services.request_sign(actor=hotline.hank, request=still)
    open_one = blow(hotline, still)
    client = Client()
    client.force_login(hotline.dora)
    replied = Whistle.objects.get(request=request)
    # after the reply a summoned unit may still report in, until the whistle is closed
    response = client.get("/requests/whistles/")
    assert sorted(s.whistle_id for s in response.context["to_report"]) == [replied.pk, open_one.pk]
    services.request_close(actor=hotline.city.olivia, request=request)  # ends its whistle
    response = client.get("/requests/whistles/")
    assert [s.whistle_id for s in response.context["to_report"]] == [open_one.pk]


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("close_first", [True, False])
def test_a_close_and_a_reassign_at_once_end_the_whistle_once(
    hotline: Any, signed: Request, monkeypatch: Any, close_first: bool
) -> None:
    """Both lock the request, then the whistle: no deadlock, and whichever comes second sees
    the first (a close after the 改派 is refused; a 改派 after the close ends nothing more)."""
    blown = blow(hotline, signed)

    def close() -> Any:
        return services.whistle_close(actor=hotline.hank, whistle=blown, outcome="联合处置完毕")

    def reassign() -> Any:
        return services.request_reassign(
            actor=hotline.city.olivia, request=signed, lead_unit=hotline.sub_b_unit, reason="属通江街道辖区"
        )

    slow_audit(monkeypatch, engine)
    jobs = (close, reassign) if close_first else (reassign, close)
    results = run_at_once(*jobs)
    blown.refresh_from_db()
    ended = RequestEvent.objects.filter(request=signed, action=Action.NOTE, data__whistle=blown.pk)
    assert ended.count() == 1
    if close_first:
        assert not any(isinstance(r, Exception) for r in results), results
        assert blown.outcome == "联合处置完毕"
    else:
        # told the whistle is over (ended by the 改派), not that the actor may not close it
        assert isinstance(results[1], Conflict) and "该次吹哨已结束" in results[1].message, results
        assert blown.outcome == "牵头单位变更，吹哨结束"
    assert summons_orders(hotline, signed) == []
