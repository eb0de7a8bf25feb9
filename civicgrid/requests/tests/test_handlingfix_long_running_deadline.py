"""Found by an outside tester: the timeline row of 挂账 showed only the plan, while 办理期限
changed silently (12-08 → 2027-02-28 23:59). It now says 办理期限 X → Y, as an approved
extension's row does."""

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from civicgrid.requests import services
from civicgrid.requests.constants import Action
from civicgrid.requests.models import Request, RequestEvent

pytestmark = pytest.mark.django_db


def shown(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def test_the_long_running_row_shows_the_deadline_change(client: Client, hotline: Any) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    request = services.request_sign(actor=hotline.hank, request=request)
    before = Request.objects.get(pk=request.pk).due_resolution_at
    assert before is not None
    until: date = timezone.localdate() + timedelta(days=120)
    services.request_long_running(
        actor=hotline.city.olivia, request=request, plan="分期改造", plan_until=until
    )
    request.refresh_from_db()
    after = datetime.combine(until, time(23, 59, 59), timezone.get_current_timezone())
    assert request.due_resolution_at == after
    row = RequestEvent.objects.get(request=request, action=Action.LONG_RUNNING)
    assert row.data["plan_until"] == until.isoformat()  # what recompute replays
    client.force_login(hotline.city.olivia)
    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert f"办理期限 {shown(before)} → {shown(after)}" in page
