"""The meeting form: an empty form names every missing field; a task line with more parts
than 任务|责任人|期限 is refused by its line; the same meeting (committee, time, title) is
not recorded twice."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.party.models import FollowUpTask, Meeting
from civicgrid.party.tests.conftest import PartyWorld, counts

pytestmark = pytest.mark.django_db


def post(pw: PartyWorld, data: dict[str, str]) -> object:
    client = Client()
    client.force_login(pw.city.bob)
    return client.post(reverse("party:meeting_new", args=[pw.committee.pk]), data)


def filled(**kw: str) -> dict[str, str]:
    return {
        "kind": "joint_meeting",
        "title": "联席会议",
        "held_at": timezone.localdate().isoformat() + "T00:00",
        "agenda": "楼道灯",
    } | kw


def test_an_empty_form_names_every_missing_field(pw: PartyWorld) -> None:
    before = counts()
    response = post(pw, {"kind": "", "title": "", "held_at": "", "agenda": ""})
    assert response.status_code == 422  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    for named in ("请填写主题", "请填写议程", "请填写时间", "会议活动类型"):
        assert named in page, named
    assert counts() == before


def test_a_task_line_with_extra_parts_is_refused_by_its_line(pw: PartyWorld) -> None:
    response = post(pw, filled(tasks="楼道灯加装|物业公司\n垃圾分类|网格员|2026-12-30|备注"))
    assert response.status_code == 422  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    assert "第2行" in page and "垃圾分类|网格员|2026-12-30|备注" in page
    assert not Meeting.objects.exists() and not FollowUpTask.objects.exists()


def test_the_same_meeting_is_not_recorded_twice(pw: PartyWorld) -> None:
    assert post(pw, filled()).status_code == 302  # type: ignore[attr-defined]
    before = counts()
    response = post(pw, filled())
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "该会议活动已记录过" in response.content.decode()  # type: ignore[attr-defined]
    assert counts() == before
    # another title at the same time is another meeting
    assert post(pw, filled(title="协商议事会")).status_code == 302  # type: ignore[attr-defined]
    assert Meeting.objects.count() == 2
