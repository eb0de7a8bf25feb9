"""A repeated one-click alarm keeps the resident's new details (outside tester): within the
repeat window the same phone (or, without one, the same browser) files no second emergency,
but a new note goes on the first alarm's timeline as the resident's follow-up (a 备注 row the
duty staff see), and the page says so; an empty repeat writes nothing."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.notify.models import Notification
from civicgrid.requests.constants import Action, RequestType, Status
from civicgrid.requests.doorplate import doorplate_token
from civicgrid.requests.models import Request, RequestEvent
from civicgrid.requests.tests.people import unit_member
from civicgrid.territory.tests.threads import postgres_only, run_at_once

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def _url(hotline: Any) -> str:
    return reverse("requests:doorplate_alarm", args=[doorplate_token(hotline.city.building_a1)])


def _form(client: Client, url: str, **kw: str) -> dict[str, str]:
    """The confirm step as a browser loads it: a fresh one-time token each time."""
    page = client.get(url).content.decode()
    token = re.search(r'name="once_token" value="([0-9a-f]{32})"', page)
    assert token is not None
    return {"confirm": "1", "once_token": token.group(1), **kw}


def _alarms() -> list[Request]:
    return list(Request.objects.filter(type=RequestType.EMERGENCY).order_by("pk"))


def _additions(alarm: Request) -> list[RequestEvent]:
    return list(RequestEvent.objects.filter(request=alarm, action=Action.NOTE).order_by("pk"))


def test_the_same_phone_again_adds_its_note_to_the_first_alarm(client: Client, hotline: Any) -> None:
    url = _url(hotline)
    client.post(url, _form(client, url, phone="13811112222", note="着火了"))
    [alarm] = _alarms()
    version = alarm.version
    other = Client()  # another browser: the phone alone tells the repeat
    page = other.post(url, _form(other, url, phone="+86 138-1111-2222", note="有人被困"), follow=True)
    body = page.content.decode()
    assert [a.pk for a in _alarms()] == [alarm.pk]
    [row] = _additions(alarm)
    assert "有人被困" in row.note and "138****2222" in row.note and "13811112222" not in row.note
    assert row.data["follow_up"] is True and row.data["phone_hash"] == alarm.requester_phone_hash
    alarm.refresh_from_db()
    assert alarm.version == version + 1  # through the service, under the row lock
    assert f"您补充的情况已记入报警（编号{alarm.number}）" in body
    assert "这次没有再发出新的报警" in body
    # The duty staff read it on the request's page.
    staff = Client()
    staff.force_login(hotline.city.olivia)
    detail = staff.get(reverse("requests:detail", args=[alarm.pk])).content.decode()
    assert "有人被困" in detail


def test_the_lead_unit_is_told_of_what_the_resident_adds(client: Client, hotline: Any) -> None:
    url = _url(hotline)
    client.post(url, _form(client, url, phone="13811112222", note="着火了"))
    [alarm] = _alarms()
    assert alarm.lead_unit is not None
    unit_member(alarm.lead_unit, "duty", phone="13900001111")  # reachable from now on
    client.post(url, _form(client, url, phone="13811112222", note="有人被困"))
    [row] = _additions(alarm)
    [told] = Notification.objects.filter(dedupe_key__startswith=f"follow-up:{row.pk}:{alarm.lead_unit.pk}")
    assert told.subject == f"紧急诉求补充 {alarm.number}"
    assert "居民补充情况：有人被困" in told.body and alarm.lead_unit.name in told.body


def test_without_a_phone_the_same_browser_adds_its_note(client: Client, hotline: Any) -> None:
    url = _url(hotline)
    client.post(url, _form(client, url, note="着火了"))
    [alarm] = _alarms()
    body = client.post(url, _form(client, url, note="有人被困"), follow=True).content.decode()
    assert [a.pk for a in _alarms()] == [alarm.pk]
    [row] = _additions(alarm)
    assert "有人被困" in row.note and "数字门牌" in row.note
    assert "phone_hash" not in row.data
    assert f"您补充的情况已记入报警（编号{alarm.number}）" in body
    assert "您没有留下电话" in body


def test_an_empty_repeat_writes_nothing(client: Client, hotline: Any) -> None:
    url = _url(hotline)
    client.post(url, _form(client, url, phone="13811112222", note="着火了"))
    [alarm] = _alarms()
    events = RequestEvent.objects.filter(request=alarm).count()
    body = client.post(url, _form(client, url, phone="13811112222", note="  "), follow=True).content.decode()
    assert len(_alarms()) == 1
    assert RequestEvent.objects.filter(request=alarm).count() == events
    assert f"您刚刚已报警（编号{alarm.number}）" in body and "您补充的情况" not in body
    # Without a phone, the same browser: nothing either.
    fresh = Client()
    fresh.post(url, _form(fresh, url))
    second = _alarms()[-1]
    count = RequestEvent.objects.filter(request=second).count()
    body = fresh.post(url, _form(fresh, url), follow=True).content.decode()
    assert len(_alarms()) == 2
    assert RequestEvent.objects.filter(request=second).count() == count
    assert f"您刚刚已报警（编号{second.number}）" in body


def test_a_note_the_alarm_holds_already_is_not_written_twice(client: Client, hotline: Any) -> None:
    url = _url(hotline)
    client.post(url, _form(client, url, phone="13811112222", note="着火了"))
    client.post(url, _form(client, url, phone="13811112222", note="着火了"))  # Back, form as it was
    [alarm] = _alarms()
    assert _additions(alarm) == []
    client.post(url, _form(client, url, phone="13811112222", note="有人被困"))
    body = client.post(url, _form(client, url, phone="13811112222", note="有人被困"), follow=True)
    assert len(_additions(alarm)) == 1
    assert "您补充的情况已记入报警" in body.content.decode()


def test_a_resent_addition_is_written_once_and_says_so(client: Client, hotline: Any) -> None:
    url = _url(hotline)
    client.post(url, _form(client, url, phone="13811112222"))
    [alarm] = _alarms()
    form = _form(client, url, phone="13811112222", note="有人被困")
    client.post(url, form)
    body = client.post(url, form, follow=True).content.decode()  # the same form again
    assert len(_additions(alarm)) == 1
    assert f"您补充的情况已记入报警（编号{alarm.number}）" in body


def test_a_note_for_a_closed_alarm_files_a_new_one(client: Client, hotline: Any) -> None:
    url = _url(hotline)
    client.post(url, _form(client, url, phone="13811112222", note="着火了"))
    [alarm] = _alarms()
    Request.objects.filter(pk=alarm.pk).update(status=Status.CLOSED)
    client.post(url, _form(client, url, phone="13811112222"))  # nothing new: shown the first
    assert len(_alarms()) == 1
    client.post(url, _form(client, url, phone="13811112222", note="又着火了"))
    alarms = _alarms()
    assert len(alarms) == 2 and "又着火了" in alarms[1].content
    assert _additions(alarm) == []


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_repeats_at_once_are_both_recorded(hotline: Any) -> None:
    url = _url(hotline)
    first = Client()
    first.post(url, _form(first, url, phone="13811112222", note="着火了"))
    [alarm] = _alarms()
    version = alarm.version
    clients = [Client() for _ in range(4)]
    notes = ["有人被困", "三楼有老人", "火势变大", "烟很大"]
    forms = [_form(c, url, phone="13811112222", note=n) for c, n in zip(clients, notes, strict=True)]
    answers = run_at_once(
        *[lambda c=c, f=f: c.post(url, f) for c, f in zip(clients, forms, strict=True)], stagger=0.005
    )
    assert [a.status_code for a in answers] == [302] * 4, answers
    assert [a.pk for a in _alarms()] == [alarm.pk]
    written = [row.note for row in _additions(alarm)]
    assert len(written) == 4 and all(any(n in w for w in written) for n in notes)
    alarm.refresh_from_db()
    assert alarm.version == version + 4  # each addition moved the version on, none lost


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_repeats_at_once_from_one_browser_without_a_phone_are_both_recorded(hotline: Any) -> None:
    url = _url(hotline)
    first = Client()
    first.post(url, _form(first, url, note="着火了"))
    [alarm] = _alarms()
    tabs = [Client(), Client()]
    for tab in tabs:  # two tabs of the same browser: one session
        tab.cookies = first.cookies
    forms = [_form(t, url, note=n) for t, n in zip(tabs, ["有人被困", "烟很大"], strict=True)]
    answers = run_at_once(
        *[lambda t=t, f=f: t.post(url, f) for t, f in zip(tabs, forms, strict=True)], stagger=0.005
    )
    assert [a.status_code for a in answers] == [302, 302], answers
    assert [a.pk for a in _alarms()] == [alarm.pk]
    assert len(_additions(alarm)) == 2
