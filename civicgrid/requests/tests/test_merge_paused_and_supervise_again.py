"""Found by outside testers: a duplicate merged into a suspended request without a word (the
caller's request then waited with it), and 督办 repeated with nothing saying it was not the
first."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.notify.models import Notification
from civicgrid.requests import services
from civicgrid.requests.constants import Action, Status
from civicgrid.requests.models import Request, RequestEvent
from civicgrid.requests.tests.test_api import Caller

pytestmark = pytest.mark.django_db


def _suspended(hotline: Any) -> Request:
    olivia = hotline.city.olivia
    original = services.request_create(actor=olivia, data=hotline.new())
    services.request_sign(actor=hotline.hank, request=original)
    return services.request_suspend(
        actor=olivia, request=Request.objects.get(pk=original.pk), reason="等待配件"
    )


def test_merging_into_a_suspended_request_asks_first_on_the_page(client: Client, hotline: Any) -> None:
    olivia = hotline.city.olivia
    original = _suspended(hotline)
    assert original.status == Status.SUSPENDED
    again = services.request_create(actor=olivia, data=hotline.new(content="3号楼电梯又坏了"))
    client.force_login(olivia)
    url = f"/requests/{again.pk}/act/merge/"
    refused = client.post(url, {"into": original.number, "version": again.version})
    page = refused.content.decode()
    assert refused.status_code == 422
    assert f"诉求 {original.number} 已挂起，合并后本诉求将随其暂停办理" in page and "目标已暂停仍合并" in page
    again.refresh_from_db()
    assert again.status != Status.MERGED and again.merged_into_id is None
    assert not RequestEvent.objects.filter(request=again, action=Action.MERGE).exists()
    done = client.post(url, {"into": original.number, "version": again.version, "paused_ok": "on"})
    assert done.status_code == 302
    again.refresh_from_db()
    assert again.status == Status.MERGED and again.merged_into_id == original.pk


def test_merging_into_a_suspended_request_through_the_api(hotline: Any) -> None:
    olivia = Caller(hotline.city.olivia)
    original = _suspended(hotline)
    again = services.request_create(actor=hotline.city.olivia, data=hotline.new(content="又坏了"))
    refused = olivia.post(f"/{again.pk}/merge", {"into_number": original.number})
    assert refused.status_code == 422 and "已挂起" in refused.json()["detail"]["into"][0]
    assert Request.objects.get(pk=again.pk).status != Status.MERGED
    done = olivia.post(f"/{again.pk}/merge", {"into_number": original.number, "paused_ok": True})
    assert done.status_code == 200 and done.json()["status"] == Status.MERGED


def test_supervision_again_is_numbered_and_the_form_says_so(client: Client, hotline: Any) -> None:
    olivia, dave = hotline.city.olivia, hotline.city.dave
    found = services.request_create(actor=olivia, data=hotline.new())
    client.force_login(dave)
    url = f"/requests/{found.pk}/act/supervise/"
    assert "已督办" not in client.get(url).content.decode()
    services.request_supervise(actor=dave, request=found, note="请三日内解决")
    found.refresh_from_db()
    form = client.get(url).content.decode()
    assert "该诉求已督办 1 次" in form and "请三日内解决" in form and "本次为第 2 次督办" in form
    response = client.post(url, {"note": "仍未解决，再次督办", "version": found.version})
    assert response.status_code == 302
    rounds = list(
        RequestEvent.objects.filter(request=found, action=Action.SUPERVISE)
        .order_by("pk")
        .values_list("data", flat=True)
    )
    assert [d["round"] for d in rounds] == [1, 2]
    bodies = list(
        Notification.objects.filter(subject__contains=found.number)
        .order_by("pk")
        .values_list("body", flat=True)
    )
    sms = [b for b in bodies if "督办" in b]
    assert sms[0].startswith("【督办】") and sms[-1].startswith("【第2次督办】") and "仍未解决" in sms[-1]
