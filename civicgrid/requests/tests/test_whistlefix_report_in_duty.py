"""Report-in (报到) as the summoned department's own duty: it may report in while the request
is suspended and after the lead replied, until the whistle is closed; its inbox row and home
figures go by its report-in deadline, not the lead's; 临期/超期 warnings for report-in
deadlines, once each; the whistle's deadline is checked against the request's and the form's
default is one working day ahead."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.core.errors import ValidationError
from civicgrid.notify.models import Notification
from civicgrid.requests import services
from civicgrid.requests.constants import Light, Status
from civicgrid.requests.forms import default_whistle_deadline
from civicgrid.requests.home import _inbox_figures
from civicgrid.requests.models import DeadlineWarning, Request, Whistle, WhistleSummons
from civicgrid.requests.services.whistle import report_in_scan
from civicgrid.workcal import clock
from civicgrid.workcal.constants import LimitUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(hotline: Any) -> Request:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    return services.request_sign(actor=hotline.hank, request=request)


def blow(hotline: Any, request: Request, hours: float = 24) -> Whistle:
    return services.request_whistle(
        actor=hotline.hank,
        request=Request.objects.get(pk=request.pk),
        units=[hotline.chengguan],
        reason="违建拆除需联合处置",
        deadline=timezone.now() + timedelta(hours=hours),
    )


def summons_of(whistle: Whistle) -> WhistleSummons:
    return WhistleSummons.objects.get(whistle=whistle)


# --- 1 and 2: report-in while suspended and after the reply, until the whistle is closed ------


def test_report_in_while_suspended(hotline: Any, signed: Request) -> None:
    whistle = blow(hotline, signed)
    services.request_suspend(
        actor=hotline.city.olivia, request=Request.objects.get(pk=signed.pk), reason="等待"
    )
    page = Client()
    page.force_login(hotline.dora)
    shown = page.get("/requests/whistles/").content.decode()
    assert "待本单位报到（1）" in shown
    assert "不随诉求挂起暂停" in shown
    services.whistle_report_in(actor=hotline.dora, summons=summons_of(whistle), part="负责执法")
    assert summons_of(whistle).reported_at is not None


def test_report_in_after_the_reply_until_closed(hotline: Any, signed: Request) -> None:
    whistle = blow(hotline, signed)
    services.request_reply(actor=hotline.hank, request=Request.objects.get(pk=signed.pk), reply="已处置")
    assert Request.objects.get(pk=signed.pk).status == Status.REPLIED
    services.whistle_report_in(actor=hotline.dora, summons=summons_of(whistle), part="负责执法")
    assert summons_of(whistle).reported_at is not None


# --- 3: a summoned unit's inbox and home figures go by its report-in deadline ------------------


def test_inbox_shows_the_report_in_deadline_and_its_light(hotline: Any, signed: Request) -> None:
    whistle = blow(hotline, signed, hours=2)
    # the lead's request is overdue: red for the lead, not for the summoned department
    Request.objects.filter(pk=signed.pk).update(light=Light.RED, due_resolution_at=timezone.now())
    figures = {f.label: f.value for f in _inbox_figures(hotline.dora)}
    assert figures["红灯（已超期）"] == 0
    page = Client()
    page.force_login(hotline.dora)
    shown = page.get("/requests/inbox/").content.decode()
    assert "报到期限 " + timezone.localtime(whistle.deadline).strftime("%m-%d %H:%M") in shown
    assert "待报到" in shown
    # the report-in deadline passes: red for the department
    Whistle.objects.filter(pk=whistle.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    figures = {f.label: f.value for f in _inbox_figures(hotline.dora)}
    assert figures["红灯（已超期）"] == 1
    assert signed.number in page.get("/requests/inbox/?light=red").content.decode()
    # once reported in (late), it counts in no colour
    services.whistle_report_in(actor=hotline.dora, summons=summons_of(whistle), part="负责执法")
    figures = {f.label: f.value for f in _inbox_figures(hotline.dora)}
    assert figures["红灯（已超期）"] == 0
    assert figures["黄灯（临近期限）"] == 0
    assert signed.number not in page.get("/requests/inbox/?light=red").content.decode()
    assert "已报到" in page.get("/requests/inbox/").content.decode()
    # the lead still sees its own red
    assert {f.label: f.value for f in _inbox_figures(hotline.hank)}["红灯（已超期）"] == 1


# --- 4: 临期/超期 warnings for report-in deadlines, once each ---------------------------------


def warned(whistle: Whistle) -> list[str]:
    return sorted(DeadlineWarning.objects.filter(clock=f"w{whistle.pk}").values_list("light", flat=True))


def messages_for(whistle: Whistle) -> int:
    keys = DeadlineWarning.objects.filter(clock=f"w{whistle.pk}").values_list("pk", flat=True)
    return sum(Notification.objects.filter(dedupe_key__startswith=f"warning:{pk}:").count() for pk in keys)


def test_report_in_warnings_once_each(hotline: Any, signed: Request) -> None:
    whistle = blow(hotline, signed, hours=10)
    report_in_scan()
    assert warned(whistle) == []  # green
    report_in_scan(timezone.now() + timedelta(hours=9, minutes=30))
    assert warned(whistle) == [Light.YELLOW]
    sent = messages_for(whistle)
    assert sent >= 1
    report_in_scan(timezone.now() + timedelta(hours=9, minutes=40))  # again: nothing twice
    assert warned(whistle) == [Light.YELLOW] and messages_for(whistle) == sent
    report_in_scan(timezone.now() + timedelta(hours=11))
    assert warned(whistle) == [Light.RED, Light.YELLOW]
    red = DeadlineWarning.objects.get(clock=f"w{whistle.pk}", light=Light.RED)
    red_keys = set(
        Notification.objects.filter(dedupe_key__startswith=f"warning:{red.pk}:").values_list(
            "dedupe_key", flat=True
        )
    )
    # the summoned unit and the summoning unit are told of 超期
    assert any(f":{hotline.chengguan.pk}" in k for k in red_keys)
    assert any(f":{hotline.sub_a_unit.pk}" in k for k in red_keys)
    total = messages_for(whistle)
    assert report_in_scan(timezone.now() + timedelta(hours=12))["warnings"] == 0
    assert messages_for(whistle) == total


def test_no_warning_once_reported_in_or_closed(hotline: Any, signed: Request) -> None:
    whistle = blow(hotline, signed, hours=10)
    services.whistle_report_in(actor=hotline.dora, summons=summons_of(whistle), part="负责执法")
    assert report_in_scan(timezone.now() + timedelta(hours=11)) == {"checked": 0, "warnings": 0}
    assert warned(whistle) == []


# --- 5: deadline checks and the form's default ------------------------------------------------


def test_deadline_after_the_requests_own_is_refused(hotline: Any, signed: Request) -> None:
    due = Request.objects.get(pk=signed.pk).due_resolution_at
    assert due is not None
    with pytest.raises(ValidationError) as refused:
        blow(hotline, signed, hours=(due - timezone.now()).total_seconds() / 3600 + 2)
    assert "报到期限不能晚于诉求的办理期限" in str(refused.value.errors["deadline"])
    # an overdue request may still summon for any time ahead
    Request.objects.filter(pk=signed.pk).update(due_resolution_at=timezone.now() - timedelta(hours=1))
    assert blow(hotline, signed, hours=48).pk


def test_deadline_less_than_an_hour_ahead_is_refused(hotline: Any, signed: Request) -> None:
    with pytest.raises(ValidationError) as refused:
        blow(hotline, signed, hours=0.5)
    assert "至少在1小时之后" in str(refused.value.errors["deadline"])


def test_default_deadline_is_one_working_day_ahead(hotline: Any, signed: Request) -> None:
    now = timezone.now()
    request = Request.objects.get(pk=signed.pk)
    request.due_resolution_at = None
    expected = clock.advance(clock.current_calendar(), now, 1, LimitUnit.WORKING_DAYS).due_at
    default = default_whistle_deadline(request, now)
    assert expected <= default < expected + timedelta(minutes=1)
    assert default - now >= timedelta(hours=1)
    # never after the request's own deadline
    request.due_resolution_at = now + timedelta(hours=3)
    assert default_whistle_deadline(request, now) <= request.due_resolution_at
