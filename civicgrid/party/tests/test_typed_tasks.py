"""Follow-up tasks typed as a Chinese keyboard types them: the full-width ｜ between the
parts, and the due day as 2026/12/30 (or 2026.12.30, 2026年12月30日)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.party.models import FollowUpTask
from civicgrid.party.tests.conftest import PartyWorld

pytestmark = pytest.mark.django_db


def post_meeting(pw: PartyWorld, tasks: str) -> object:
    client = Client()
    client.force_login(pw.city.bob)
    return client.post(
        reverse("party:meeting_new", args=[pw.committee.pk]),
        {
            "kind": "joint_meeting",
            "title": "联席会议",
            "held_at": timezone.localdate().isoformat() + "T00:00",
            "agenda": "楼道灯",
            "tasks": tasks,
        },
    )


def test_full_width_bars_and_slashed_dates_are_read(pw: PartyWorld) -> None:
    due = timezone.localdate() + timedelta(days=30)
    response = post_meeting(
        pw,
        f"楼道灯加装｜物业公司｜{due:%Y/%m/%d}\n"
        f"垃圾分类宣传｜网格员｜{due.year}年{due.month}月{due.day}日\n"
        "走访独居老人 | 王书记 |",
    )
    assert response.status_code == 302, response.content.decode()  # type: ignore[attr-defined]
    rows = {t.title: (t.owner_name, t.due_on) for t in FollowUpTask.objects.all()}
    assert rows == {
        "楼道灯加装": ("物业公司", due),
        "垃圾分类宣传": ("网格员", due),
        "走访独居老人": ("王书记", None),
    }


def test_an_impossible_day_is_still_refused_by_its_name(pw: PartyWorld) -> None:
    response = post_meeting(pw, "楼道灯加装｜物业公司｜2026/02/30")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "完成期限应为有效日期" in response.content.decode()  # type: ignore[attr-defined]
    assert not FollowUpTask.objects.exists()
