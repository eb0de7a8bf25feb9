"""Outside re-tester: the lists masked a hidden requester's numbers, but the messages to units
(新工单, 吹哨召集, 督办, deadline warnings, tell_lead_unit) and the merge rows written on another
request's timeline carried the title as typed. Where a request hides its requester (anonymous
or confidential), its text goes out masked (``permissions.text_for_anyone``)."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from civicgrid.notify.models import Notification
from civicgrid.requests import services
from civicgrid.requests.constants import Action
from civicgrid.requests.models import RequestEvent
from civicgrid.requests.permissions import text_for_anyone
from civicgrid.requests.tests.people import unit_member

pytestmark = pytest.mark.django_db

TYPED = "13612342222举报隔壁违建 320102199001011234"
MASKED = "136****2222举报隔壁违建 320***********1234"


def bodies(prefix: str) -> list[str]:
    return list(Notification.objects.filter(dedupe_key__startswith=prefix).values_list("body", flat=True))


def test_messages_to_units_mask_an_anonymous_requests_numbers(hotline: Any) -> None:
    unit_member(hotline.sub_a_unit, "duty", phone="13900001111")
    unit_member(hotline.chengguan, "guan", phone="13900002222")
    olivia = hotline.city.olivia
    request = services.request_create(actor=olivia, data=hotline.new(title=TYPED, anonymous=True))
    assert request.lead_unit == hotline.sub_a_unit
    [dispatched] = bodies(f"dispatch:{request.pk}:")
    assert MASKED in dispatched and "13612342222" not in dispatched
    request = services.request_sign(actor=hotline.hank, request=request)
    services.request_whistle(
        actor=hotline.hank,
        request=request,
        units=[hotline.chengguan],
        reason="联合处置",
        deadline=timezone.now() + timedelta(days=1),
    )
    [summoned] = bodies("whistle:")
    assert MASKED in summoned and "320102199001011234" not in summoned
    request.refresh_from_db()
    services.request_supervise(actor=olivia, request=request, note="请加快")
    [supervised] = bodies("supervise:")
    assert MASKED in supervised


def test_an_ordinary_request_goes_out_as_typed(hotline: Any) -> None:
    unit_member(hotline.sub_a_unit, "duty", phone="13900001111")
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new(title=TYPED))
    assert text_for_anyone(request) == TYPED
    [dispatched] = bodies(f"dispatch:{request.pk}:")
    assert TYPED in dispatched


def test_a_merge_row_on_the_target_masks_a_confidential_duplicates_title(hotline: Any) -> None:
    olivia = hotline.city.olivia
    duplicate = services.request_create(actor=olivia, data=hotline.new(title=TYPED, confidential=True))
    target = services.request_create(actor=olivia, data=hotline.new(title="电梯停运"))
    services.request_merge(actor=olivia, request=duplicate, into=target)
    row = RequestEvent.objects.get(request=target, action=Action.NOTE, data__merged_from=duplicate.pk)
    assert MASKED in row.note and "13612342222" not in row.note
