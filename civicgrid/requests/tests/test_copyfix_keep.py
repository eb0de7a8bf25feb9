"""上报 and 重办 keep the request's 抄送, as 改派 does: the district a rule copied the request
to still follows it when the lead unit changes level or handles it again. Before, both
dropped the copy order, and the district lost the request from its ledger."""

from typing import Any

import pytest

from civicgrid.requests import selectors, services
from civicgrid.requests.constants import Action, AssignmentRole
from civicgrid.requests.models import Request, WorkOrder
from civicgrid.requests.tests.people import unit_member

pytestmark = pytest.mark.django_db


def copied(request: Request) -> list[int]:
    active = WorkOrder.objects.filter(request=request, is_active=True, role=AssignmentRole.COPY)
    return list(active.order_by("unit_id").values_list("unit_id", flat=True))


def test_a_reopen_keeps_the_copy_to_the_district(hotline: Any) -> None:
    olivia = hotline.city.olivia
    request = services.request_create(actor=olivia, data=hotline.new(category=hotline.noise))
    assert copied(request) == [hotline.district_unit.pk]
    request = services.request_sign(actor=hotline.hank, request=request)
    request = services.request_reply(actor=hotline.hank, request=request, reply="已协调施工方停工")
    request = services.request_close(actor=olivia, request=request)
    services.request_reopen(actor=olivia, request=request, reason="群众不满意")
    assert copied(request) == [hotline.district_unit.pk]
    event = request.events.get(action=Action.REOPEN)
    assert event.data["copy"] == [hotline.district_unit.pk]
    # the district's own member still finds it
    dan = unit_member(hotline.district_unit, "dan")
    assert selectors.requests_visible(dan).filter(pk=request.pk).exists()


def test_an_escalation_keeps_the_copy_unless_the_copied_unit_now_leads(hotline: Any) -> None:
    olivia = hotline.city.olivia
    request = services.request_create(actor=olivia, data=hotline.new())
    request = services.request_reassign(
        actor=olivia, request=request, lead_unit=hotline.comm_a1_unit, reason="小区内部事务"
    )
    assert copied(request) == [hotline.district_unit.pk]
    cora = unit_member(hotline.comm_a1_unit, "cora")
    request.refresh_from_db()
    request = services.request_escalate(actor=cora, request=request, reason="社区协调不了")
    assert request.lead_unit == hotline.sub_a_unit
    assert copied(request) == [hotline.district_unit.pk]
    assert request.events.get(action=Action.ESCALATE).data["copy"] == [hotline.district_unit.pk]
    # up to the district: the district leads, and is not copied to itself
    request = services.request_escalate(actor=hotline.hank, request=request, reason="需区里协调")
    assert request.lead_unit == hotline.district_unit
    assert copied(request) == []
