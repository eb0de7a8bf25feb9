"""Recording a meeting (/party/committees/<id>/meetings/new/): someone must have attended;
a decision or task typed twice is refused by its line; a task line may name the decision it
follows from (4th part, its number), shown as 对应决定; a bad deadline names the task."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.core.errors import ValidationError
from civicgrid.party import services
from civicgrid.party.models import Decision, FollowUpTask, Meeting
from civicgrid.party.tests.conftest import PartyWorld, counts
from civicgrid.party.tests.test_committees import meeting, seat_members

pytestmark = pytest.mark.django_db


def post(pw: PartyWorld, data: dict[str, object]) -> object:
    client = Client()
    client.force_login(pw.city.bob)
    return client.post(reverse("party:meeting_new", args=[pw.committee.pk]), data)


def filled(ids: list[int], **kw: object) -> dict[str, object]:
    return {
        "kind": "joint_meeting",
        "title": "联席会议",
        "held_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "agenda": "楼道灯",
        "present": [str(i) for i in ids[:3]],
    } | kw


def refused(response: object) -> str:
    assert response.status_code == 422  # type: ignore[attr-defined]
    return response.content.decode()  # type: ignore[attr-defined]


def test_a_meeting_nobody_attended_is_refused(pw: PartyWorld) -> None:
    ids = seat_members(pw)
    before = counts()
    page = refused(post(pw, filled(ids, present=[])))
    assert "出席：请至少勾选一名出席的兼职委员" in page
    assert counts() == before
    with pytest.raises(ValidationError) as error:
        services.meeting_record(
            actor=pw.city.bob,
            committee=pw.committee,
            data=meeting(pw, ids, attendance=[services.AttendanceIn(i, False, "出差") for i in ids]),
        )
    assert "attendance" in error.value.errors
    assert counts() == before


def test_repeated_decisions_and_tasks_are_refused_by_line(pw: PartyWorld) -> None:
    ids = seat_members(pw)
    before = counts()
    page = refused(post(pw, filled(ids, decisions="加装楼道灯\n清理楼道\n加装楼道灯")))
    assert "第3条决定事项「加装楼道灯」与第1条重复" in page
    page = refused(post(pw, filled(ids, tasks="楼道灯|物业\n清理|网格员\n楼道灯|物业")))
    assert "第3项任务「楼道灯」与第1项重复" in page
    assert counts() == before
    # the same task for another owner is another task
    assert post(pw, filled(ids, tasks="楼道灯|物业\n楼道灯|网格员")).status_code == 302  # type: ignore[attr-defined]
    assert FollowUpTask.objects.count() == 2


def test_a_task_follows_from_the_decision_it_names(pw: PartyWorld) -> None:
    ids = seat_members(pw)
    due = (date.today() + timedelta(days=30)).isoformat()
    response = post(
        pw,
        filled(
            ids,
            decisions="加装楼道灯\n背街小巷改造报街道立项",
            tasks=f"楼道灯加装|物业|{due}|1\n改造方案|网格员||第2条\n台账|社工",
        ),
    )
    assert response.status_code == 302  # type: ignore[attr-defined]
    row = Meeting.objects.get()
    tasks = {t.title: t for t in FollowUpTask.objects.select_related("decision")}
    assert tasks["楼道灯加装"].decision == Decision.objects.get(meeting=row, text="加装楼道灯")
    assert tasks["改造方案"].decision is not None and tasks["改造方案"].decision.text.startswith("背街")
    assert tasks["台账"].decision is None
    page = Client()
    page.force_login(pw.city.bob)
    shown = page.get(reverse("party:meeting", args=[row.pk])).content.decode()
    assert shown.count("加装楼道灯") >= 2  # the decision, and the task's 对应决定
    before = counts()
    bad = refused(post(pw, filled(ids, title="另一会", decisions="加装楼道灯", tasks="楼道灯|物业||3")))
    assert "跟进任务第1行「楼道灯|物业||3」" in bad and "1至1" in bad
    assert counts() == before


def test_a_bad_deadline_names_the_task(pw: PartyWorld) -> None:
    ids = seat_members(pw)
    before = counts()
    page = refused(post(pw, filled(ids, tasks="楼道灯|物业|2026-12-30\n清理|网格员|明天")))
    assert "第2项任务「清理」的完成期限" in page
    assert counts() == before
