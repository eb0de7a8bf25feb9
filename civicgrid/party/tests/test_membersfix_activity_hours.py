"""The member page names what its hours count (服务订单时长) and shows activity hours beside
them, so it does not disagree unexplained with the volunteer card."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.party import selectors
from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.party.tests.test_member_service_hours import served
from civicgrid.volunteers.constants import ServiceType, SignupStatus, VolunteerKind
from civicgrid.volunteers.models import Activity, Signup, Volunteer

pytestmark = pytest.mark.django_db


def test_activity_hours_are_shown_beside_the_order_hours_not_added(pw: PartyWorld) -> None:
    c = pw.city
    served(pw, "2.5", confirm=True)
    volunteer = Volunteer.objects.create(
        node=c.comm_a1,
        node_path=c.comm_a1.path,
        resident=pw.zhang_resident,
        kind=VolunteerKind.IN_SERVICE_MEMBER,
        community=c.comm_a1,
    )
    start = timezone.now() - timedelta(days=2)
    activity = Activity.objects.create(
        node=c.comm_a1,
        node_path=c.comm_a1.path,
        community=c.comm_a1,
        title="楼道清扫",
        place="1号楼",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        quota=5,
        service_type=ServiceType.MUTUAL_AID,
    )
    Signup.objects.create(
        activity=activity, volunteer=volunteer, status=SignupStatus.COMPLETED, hours=Decimal("3")
    )
    service = selectors.member_service(pw.zhang)
    assert (service.hours, service.activity_hours) == (Decimal("2.5"), Decimal("3"))
    bob = Client()
    bob.force_login(c.bob)
    page = bob.get(reverse("party:member", args=[pw.zhang.pk])).content.decode()
    assert "服务订单时长 2.5 小时" in page
    assert "另有志愿活动时长 3.0 小时（不计入服务订单时长）" in page
