"""Found by an outside tester: ten 督办 (or ten identical notes) sent at once without
``expected_version`` all succeeded — 第1…第10次督办 within a second, ten timeline rows, ten
audit rows, ten SMS. The same person's identical 督办 or note on the same request within
``REQUESTS_REPEAT_SECONDS`` is now a double click or a retry: 409 naming the earlier one,
nothing written. The check runs under the request's row lock, so it holds under concurrency."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_settings

from civicgrid.core.errors import Conflict
from civicgrid.core.models import AuditLog
from civicgrid.core.tests import images
from civicgrid.notify.models import Notification
from civicgrid.requests import services
from civicgrid.requests.constants import Action
from civicgrid.requests.models import Request, RequestEvent
from civicgrid.requests.tests.test_api import Caller
from civicgrid.territory.tests.threads import postgres_only, run_at_once

pytestmark = pytest.mark.django_db


def _rows(found: Request, action: str) -> int:
    return RequestEvent.objects.filter(request=found, action=action).count()


# ---------------------------------------------------------------- on any database


def test_the_same_supervision_again_at_once_is_refused_and_writes_nothing(hotline: Any) -> None:
    c = hotline.city
    found = services.request_create(actor=c.olivia, data=hotline.new())
    services.request_supervise(actor=c.dave, request=found, note="请三日内解决")
    audits = AuditLog.objects.filter(verb="requests.supervise").count()
    sms = Notification.objects.count()
    version = Request.objects.get(pk=found.pk).version
    with pytest.raises(Conflict) as refused:
        services.request_supervise(actor=c.dave, request=found, note=" 请三日内解决 ")
    assert refused.value.message.startswith("刚刚已督办（第1次，")
    assert refused.value.message.endswith("），请勿重复提交")
    first = RequestEvent.objects.get(request=found, action=Action.SUPERVISE)
    assert refused.value.detail["event"] == first.pk
    assert _rows(found, Action.SUPERVISE) == 1
    assert AuditLog.objects.filter(verb="requests.supervise").count() == audits
    assert Notification.objects.count() == sms
    assert Request.objects.get(pk=found.pk).version == version


def test_another_text_another_leader_or_a_later_time_is_a_new_round(hotline: Any) -> None:
    c = hotline.city
    found = services.request_create(actor=c.olivia, data=hotline.new())
    services.request_supervise(actor=c.dave, request=found, note="请三日内解决")
    services.request_supervise(actor=c.dave, request=found, note="仍未解决，再次督办")
    # the hotline (a dispatcher) may supervise too: another person's 督办 is no repeat
    services.request_supervise(actor=c.olivia, request=found, note="请三日内解决")
    RequestEvent.objects.filter(request=found, action=Action.SUPERVISE).update(
        created_at=RequestEvent.objects.get(request=found, note="仍未解决，再次督办").created_at
        - timedelta(seconds=61)
    )
    services.request_supervise(actor=c.dave, request=found, note="请三日内解决")
    rounds = RequestEvent.objects.filter(request=found, action=Action.SUPERVISE).order_by("pk")
    assert [e.data["round"] for e in rounds] == [1, 2, 3, 4]


@override_settings(REQUESTS_REPEAT_SECONDS=0)
def test_the_window_can_be_switched_off(hotline: Any) -> None:
    c = hotline.city
    found = services.request_create(actor=c.olivia, data=hotline.new())
    services.request_supervise(actor=c.dave, request=found, note="请三日内解决")
    services.request_supervise(actor=c.dave, request=found, note="请三日内解决")
    assert _rows(found, Action.SUPERVISE) == 2


def test_the_api_answers_409_for_a_repeated_supervision_and_note(hotline: Any) -> None:
    c = hotline.city
    found = services.request_create(actor=c.olivia, data=hotline.new())
    dave = Caller(c.dave)
    assert dave.post(f"/{found.pk}/supervise", {"note": "请三日内解决"}).status_code == 200
    again = dave.post(f"/{found.pk}/supervise", {"note": "请三日内解决"})
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert "刚刚已督办（第1次" in again.json()["message"]
    olivia = Caller(c.olivia)
    assert olivia.post(f"/{found.pk}/notes", {"note": "来电催办"}).status_code == 200
    twice = olivia.post(f"/{found.pk}/notes", {"note": "来电催办"})
    assert twice.status_code == 409
    assert "刚刚已添加过相同的备注" in twice.json()["message"] and "请勿重复提交" in twice.json()["message"]
    assert olivia.post(f"/{found.pk}/notes", {"note": "来电催办，情绪激动"}).status_code == 200
    assert _rows(found, Action.NOTE) == 2
    assert _rows(found, Action.SUPERVISE) == 1


def test_a_note_with_other_attachments_or_another_caller_is_no_repeat(hotline: Any) -> None:
    c = hotline.city
    found = services.request_create(actor=c.olivia, data=hotline.new())

    def photo(name: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, images.png(), content_type="image/png")

    services.request_note(actor=c.olivia, request=found, note="见附件", attachments=[photo("a.png")])
    services.request_note(actor=c.olivia, request=found, note="见附件", attachments=[photo("b.png")])
    with pytest.raises(Conflict):
        services.request_note(actor=c.olivia, request=found, note="见附件", attachments=[photo("b.png")])
    services.request_note(actor=c.olivia, request=found, note="再次来电", caller_phone="13812345678")
    services.request_note(actor=c.olivia, request=found, note="再次来电", caller_phone="13900001111")
    with pytest.raises(Conflict):
        services.request_note(actor=c.olivia, request=found, note="再次来电", caller_phone="139 0000 1111")
    assert _rows(found, Action.NOTE) == 4


def test_the_note_page_says_it_was_just_added(client: Client, hotline: Any) -> None:
    c = hotline.city
    found = services.request_create(actor=c.olivia, data=hotline.new())
    client.force_login(c.olivia)
    url = f"/requests/{found.pk}/act/note/"
    # the note's page sends the version it was read at, but a note does not check it
    assert client.post(url, {"note": "来电催办", "version": found.version}).status_code == 302
    again = client.post(url, {"note": "来电催办", "version": found.version})
    assert again.status_code == 409 and "刚刚已添加过相同的备注" in again.content.decode()
    assert _rows(found, Action.NOTE) == 1


# ---------------------------------------------------------------- at once, on PostgreSQL


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_supervisions_at_once_make_one_round(hotline: Any) -> None:
    c = hotline.city
    found = services.request_create(actor=c.olivia, data=hotline.new())
    dave = Caller(c.dave)
    answers = run_at_once(
        *[lambda: dave.post(f"/{found.pk}/supervise", {"note": "请三日内解决"}) for _ in range(10)],
        stagger=0.005,
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] + [409] * 9, codes
    assert all("刚刚已督办（第1次" in a.json()["message"] for a in answers if a.status_code == 409)
    assert _rows(found, Action.SUPERVISE) == 1
    assert AuditLog.objects.filter(verb="requests.supervise").count() == 1
    sent = Notification.objects.filter(subject__contains="督办")
    assert sent.exists() and not sent.filter(subject__contains="第2次").exists()
    assert Request.objects.get(pk=found.pk).version == found.version + 1


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_identical_notes_at_once_make_one(hotline: Any) -> None:
    c = hotline.city
    found = services.request_create(actor=c.olivia, data=hotline.new())
    olivia = Caller(c.olivia)
    answers = run_at_once(
        *[lambda: olivia.post(f"/{found.pk}/notes", {"note": "来电催办"}) for _ in range(10)], stagger=0.005
    )
    assert sorted(a.status_code for a in answers) == [200] + [409] * 9
    assert _rows(found, Action.NOTE) == 1
    assert AuditLog.objects.filter(verb="requests.note").count() == 1
