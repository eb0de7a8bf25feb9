"""Outside re-tester: a need made from a request (need_from_request) copied the request's
title, content and address as typed, so the phone and ID number an anonymous resident wrote
into them reached the party pages, the API and the service orders made from the need. And a
meeting time in the year 1 was a bare 日期或数值超出范围 (its duplicate check queried it)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from civicgrid.core.errors import ValidationError
from civicgrid.party import services
from civicgrid.party.constants import NeedCategory
from civicgrid.party.models import Meeting
from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.party.tests.test_committees import meeting, seat_members
from civicgrid.requests.services import request_create
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db

TYPED = "13612342222举报楼上违建 320102199001011234"


def test_a_need_from_an_anonymous_request_masks_the_numbers(pw: PartyWorld, hotline: Hotline) -> None:
    created = request_create(
        actor=pw.city.olivia,
        data=hotline.new(
            title=TYPED, content=f"电话{TYPED}", address="胜利门小区 13612342222", anonymous=True
        ),
    )
    item = services.need_from_request(actor=pw.city.bob, request=created, category=NeedCategory.SAFETY)
    assert item.title == "136****2222举报楼上违建 320***********1234"
    assert "13612342222" not in item.description and "320102199001011234" not in item.description
    assert item.address == "胜利门小区 136****2222"
    created.refresh_from_db()
    assert created.title == TYPED  # the request itself keeps what was typed


def test_a_need_from_an_ordinary_request_keeps_its_text(pw: PartyWorld, hotline: Hotline) -> None:
    created = request_create(actor=pw.city.olivia, data=hotline.new(title="路灯坏了，电话13612342222"))
    item = services.need_from_request(actor=pw.city.bob, request=created, category=NeedCategory.FACILITIES)
    assert item.title == "路灯坏了，电话13612342222"


def test_a_meeting_in_the_year_one_is_refused_on_its_time(pw: PartyWorld) -> None:
    ids = seat_members(pw)
    early = datetime(1, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
    with pytest.raises(ValidationError) as refused:
        services.meeting_record(
            actor=pw.city.bob, committee=pw.committee, data=meeting(pw, ids, held_at=early)
        )
    assert "会议时间不能早于1921年7月1日" in str(refused.value.errors["held_at"])
    assert not Meeting.objects.exists()
    # a sane time still records (the check did not just refuse everything)
    services.meeting_record(
        actor=pw.city.bob,
        committee=pw.committee,
        data=meeting(pw, ids, held_at=timezone.now() - timedelta(days=1)),
    )
    assert Meeting.objects.count() == 1
