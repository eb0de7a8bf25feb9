"""Editing a published activity (编辑): organiser only, with the version read, checked like
publishing, audited field by field; volunteers signed up are told of a new time or place
after commit, never before."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.notify.models import Notification, State
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit
from civicgrid.volunteers import services
from civicgrid.volunteers.constants import ActivityStatus, SignupStatus, Verb
from civicgrid.volunteers.models import Activity, Signup
from civicgrid.volunteers.services import activities as activity_services
from civicgrid.volunteers.tests.conftest import People, shift

CHANGED = "志愿活动变更"
API = "/api/v1/volunteers"


def _state(activity: Activity) -> tuple[Any, ...]:
    a = Activity.objects.get(pk=activity.pk)
    skills = tuple(sorted(a.skills.values_list("code", flat=True)))
    return (a.title, a.place, a.description, a.starts_at, a.ends_at, a.quota, a.difficulty, a.version, skills)


def _audited(activity: Activity) -> tuple[dict[str, Any], dict[str, Any]]:
    """Before and after of the one edit audited for the activity."""
    row = AuditLog.objects.get(verb=Verb.ACTIVITY_UPDATED, target_id=str(activity.pk))
    assert isinstance(row.before, dict) and isinstance(row.after, dict)
    assert row.node_id == activity.node_id
    return row.before, row.after


def _updates() -> int:
    return AuditLog.objects.filter(verb=Verb.ACTIVITY_UPDATED).count()


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_edit_changes_the_fields_audits_only_them_and_tells_volunteers_after_commit(
    people: People, django_capture_on_commit_callbacks: Any
) -> None:
    a = people.activity(quota=2)
    services.activity_signup(actor=people.zhang, activity=a)
    services.activity_signup(actor=people.li, activity=a)
    assert a.version == 1
    new_start = a.starts_at + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        updated = services.activity_update(
            actor=people.city.bob,
            activity_id=a.pk,
            version=1,
            place="胜利门社区文化广场",
            starts_at=new_start,
            ends_at=new_start + timedelta(hours=3),
            title=a.title,  # unchanged: not audited
        )
        # Written in the transaction, not sent: nothing is sent before commit.
        told = Notification.objects.filter(subject=CHANGED)
        assert told.count() == 2
        assert set(told.values_list("state", flat=True)) == {State.PENDING}
    assert callbacks, "sending is left to after commit"
    stored = Activity.objects.get(pk=a.pk)
    assert (stored.place, stored.starts_at, stored.version) == ("胜利门社区文化广场", new_start, 2)
    assert updated.version == 2
    before, after = _audited(a)
    assert set(before) == set(after) == {"place", "starts_at", "ends_at", "version"}
    assert before["place"] == "胜利门社区党群服务中心" and after["place"] == "胜利门社区文化广场"
    assert AuditLog.objects.get(verb=Verb.ACTIVITY_UPDATED).actor == people.city.bob
    assert {n.recipient_user for n in told} == {people.zhang, people.li}
    assert all("胜利门社区文化广场" in n.body and "1380" not in n.body for n in told)
    for callback in callbacks:  # the commit
        callback()
    assert set(Notification.objects.filter(subject=CHANGED).values_list("state", flat=True)) == {State.SENT}


@pytest.mark.django_db
def test_a_change_of_words_only_tells_nobody_and_a_larger_quota_moves_the_line_up(people: People) -> None:
    a = people.activity(quota=1)
    services.activity_signup(actor=people.zhang, activity=a)
    waiting = services.activity_signup(actor=people.li, activity=a)
    assert waiting.status == SignupStatus.WAITLISTED
    services.activity_update(
        actor=people.city.bob, activity_id=a.pk, version=1, description="带好手套", quota=2
    )
    assert not Notification.objects.filter(subject=CHANGED).exists()
    assert Signup.objects.get(pk=waiting.pk).status == SignupStatus.CONFIRMED
    assert Notification.objects.filter(recipient_user=people.li, subject="候补转正").exists()
    assert set(_audited(a)[1]) == {"description", "quota", "version"}
    # Nothing different: no new version, no audit row.
    services.activity_update(actor=people.city.bob, activity_id=a.pk, version=2, description="带好手套")
    assert Activity.objects.get(pk=a.pk).version == 2 and _updates() == 1


@pytest.mark.django_db
def test_a_stale_version_is_a_conflict_and_changes_nothing(people: People) -> None:
    a = people.activity()
    services.activity_signup(actor=people.zhang, activity=a)
    services.activity_update(actor=people.city.bob, activity_id=a.pk, version=1, place="社区广场")
    before, audits, told = _state(a), AuditLog.objects.count(), Notification.objects.count()
    with pytest.raises(Conflict) as err:
        services.activity_update(actor=people.city.bob, activity_id=a.pk, version=1, place="社区礼堂")
    assert "已被他人修改" in err.value.message and err.value.detail["version"] == 2
    assert (_state(a), AuditLog.objects.count(), Notification.objects.count()) == (before, audits, told)


@pytest.mark.django_db
def test_outsider_is_refused_and_nothing_changes(people: People) -> None:
    a = people.activity()
    before, audits = _state(a), AuditLog.objects.count()
    for outsider in (people.city.carol, people.zhang):  # the other community's staff; a volunteer
        with pytest.raises(PermissionDenied):
            services.activity_update(actor=outsider, activity_id=a.pk, version=1, quota=5)
    with pytest.raises(NotFound):
        services.activity_update(actor=people.city.bob, activity_id=a.pk + 999, version=1, quota=5)
    assert (_state(a), AuditLog.objects.count()) == (before, audits)


@pytest.mark.django_db
def test_bad_input_is_refused_naming_the_field_and_nothing_changes(people: People) -> None:
    a = people.activity(quota=2)
    services.activity_signup(actor=people.zhang, activity=a)
    services.activity_signup(actor=people.li, activity=a)
    before, audits = _state(a), AuditLog.objects.count()
    bob = people.city.bob
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"ends_at": a.starts_at - timedelta(hours=1)}, "ends_at", "结束时间应晚于开始时间"),
        ({"quota": 1}, "quota", "招募人数不能少于已报名人数（2人）"),
        ({"quota": 2.5}, "quota", "招募人数应为1到1000之间的整数"),
        ({"place": "社区\x00广场"}, "place", "活动地点不能包含空字符"),
        ({"title": "  "}, "title", "活动名称不能为空"),
        ({"starts_at": timezone.now() - timedelta(hours=1)}, "starts_at", "开始时间应晚于现在"),
        ({"ends_at": a.starts_at + timedelta(hours=30)}, "ends_at", "一次活动不能超过24小时"),
        ({"service_type": "juggling"}, "service_type", "服务类别无效"),
        ({"skills": ["flying"]}, "skills", "所需技能中有未知技能"),
        ({"version": "abc"}, "version", "版本号应为"),
        ({"node": 1}, "node", "不能修改的项目"),
    ]
    for change, field, reason in cases:
        kwargs: dict[str, Any] = {"version": 1, **change}
        with pytest.raises(ValidationError) as err:
            services.activity_update(actor=bob, activity_id=a.pk, **kwargs)
        assert field in err.value.errors, (change, err.value.errors)
        assert reason in " ".join(err.value.errors[field]), (change, err.value.errors)
    assert (_state(a), AuditLog.objects.count()) == (before, audits)
    assert not Notification.objects.filter(subject=CHANGED).exists()


@pytest.mark.django_db
def test_a_finished_or_cancelled_activity_cannot_be_edited(people: People) -> None:
    bob = people.city.bob
    finished = people.activity()
    services.activity_signup(actor=people.zhang, activity=finished)
    finished = shift(finished, started_ago=timedelta(hours=4))
    services.activity_close(actor=bob, activity=finished)
    cancelled = people.activity()
    services.activity_cancel(actor=bob, activity=cancelled, reason="下雨")
    for a, label in ((finished, "已结束"), (cancelled, "已取消")):
        before, audits = _state(a), AuditLog.objects.count()
        with pytest.raises(Conflict) as err:
            services.activity_update(actor=bob, activity_id=a.pk, version=1, description="补充说明")
        assert f"活动{label}，不能修改" in err.value.message
        assert (_state(a), AuditLog.objects.count()) == (before, audits)


@pytest.mark.django_db
def test_a_running_activity_keeps_its_start_but_may_end_later(people: People) -> None:
    a = people.activity()
    a = shift(a, started_ago=timedelta(minutes=30))
    with pytest.raises(ValidationError) as err:
        services.activity_update(
            actor=people.city.bob, activity_id=a.pk, version=1, starts_at=a.starts_at + timedelta(hours=1)
        )
    assert "活动已开始，不能修改开始时间" in err.value.errors["starts_at"]
    later = a.ends_at + timedelta(hours=1)
    services.activity_update(actor=people.city.bob, activity_id=a.pk, version=1, ends_at=later)
    assert Activity.objects.get(pk=a.pk).ends_at == later


@pytest.mark.django_db
def test_page_flow(people: People) -> None:
    a = people.activity(quota=2)
    services.activity_signup(actor=people.zhang, activity=a)
    bob = login(people.city.bob)
    page = bob.get(f"/volunteers/activities/{a.pk}/").content.decode()
    assert "编辑" in page and 'name="version" value="1"' in page
    assert f"/volunteers/activities/{a.pk}/edit/" in page
    edit_url = f"/volunteers/activities/{a.pk}/edit/"
    assert bob.get(edit_url).status_code == 200
    start = timezone.localtime(a.starts_at)
    form = {
        "version": "1",
        "title": a.title,
        "place": "胜利门社区文化广场",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(a.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "quota": "3",
        "service_type": a.service_type,
        "difficulty": str(a.difficulty),
        "description": "",
    }
    done = bob.post(edit_url, form)
    assert done.status_code == 302 and done["Location"].endswith(f"/volunteers/activities/{a.pk}/")
    stored = Activity.objects.get(pk=a.pk)
    assert (stored.place, stored.quota, stored.version) == ("胜利门社区文化广场", 3, 2)
    # The times were posted as shown (minutes only): not a change, not audited.
    assert stored.starts_at == a.starts_at
    assert set(_audited(a)[1]) == {"place", "quota", "version"}
    assert Notification.objects.filter(subject=CHANGED, recipient_user=people.zhang).count() == 1
    # The same form again: read at version 1, now 2 → refused on the form, nothing changed.
    stale = bob.post(edit_url, {**form, "place": "别处"})
    assert stale.status_code == 409 and "已被他人修改" in stale.content.decode()
    # Bad input: the reason on the form, by its field.
    bad = bob.post(edit_url, {**form, "version": "2", "quota": "0"})
    assert bad.status_code == 422 and "招募人数" in bad.content.decode()
    end_first = bob.post(
        edit_url, {**form, "version": "2", "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")}
    )
    assert end_first.status_code == 422 and "结束时间应晚于开始时间" in end_first.content.decode()
    no_version = bob.post(edit_url, {**form, "version": "²"})
    assert no_version.status_code == 422 and "版本号无效" in no_version.content.decode()
    assert Activity.objects.get(pk=a.pk).place == "胜利门社区文化广场" and _updates() == 1
    # The other community's staff neither sees nor edits it.
    carol = login(people.city.carol)
    assert carol.get(edit_url).status_code == 404
    assert carol.post(edit_url, {**form, "version": "2", "place": "别处"}).status_code == 404
    assert Activity.objects.get(pk=a.pk).place == "胜利门社区文化广场"


@pytest.mark.django_db
def test_page_of_a_finished_activity_offers_no_edit(people: People) -> None:
    a = shift(people.activity(), started_ago=timedelta(hours=4))
    services.activity_close(actor=people.city.bob, activity=a)
    bob = login(people.city.bob)
    page = bob.get(f"/volunteers/activities/{a.pk}/").content.decode()
    assert f"/volunteers/activities/{a.pk}/edit/" not in page
    assert bob.get(f"/volunteers/activities/{a.pk}/edit/").status_code == 302


def _patch(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.patch(API + path, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_api_flow(people: People) -> None:
    a = people.activity(quota=2)
    services.activity_signup(actor=people.zhang, activity=a)
    bob = login(people.city.bob)
    assert bob.get(f"{API}/activities/{a.pk}").json()["version"] == 1
    new_start = a.starts_at + timedelta(hours=2)
    ok = _patch(
        bob,
        f"/activities/{a.pk}",
        {
            "version": 1,
            "starts_at": new_start.isoformat(),
            "ends_at": (new_start + timedelta(hours=2)).isoformat(),
        },
    )
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["version"] == 2 and body["place"] == a.place and body["quota"] == 2
    assert Notification.objects.filter(subject=CHANGED, recipient_user=people.zhang).count() == 1
    state = _state(a)
    stale = _patch(bob, f"/activities/{a.pk}", {"version": 1, "quota": 5})
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["message"]
    missing = _patch(bob, f"/activities/{a.pk}", {"quota": 5})
    assert missing.status_code == 422 and "版本号" in missing.json()["message"]
    low = _patch(bob, f"/activities/{a.pk}", {"version": 2, "quota": 0})
    assert low.status_code == 422 and "招募人数" in low.json()["message"]
    backwards = _patch(bob, f"/activities/{a.pk}", {"version": 2, "ends_at": a.starts_at.isoformat()})
    assert backwards.status_code == 422 and "结束时间应晚于开始时间" in backwards.json()["message"]
    nul = _patch(bob, f"/activities/{a.pk}", {"version": 2, "title": "活动\u0000"})
    assert nul.status_code == 422 and "title" in json.dumps(nul.json())
    outsider = _patch(login(people.city.carol), f"/activities/{a.pk}", {"version": 2, "quota": 5})
    assert outsider.status_code in (403, 404)
    volunteer = _patch(login(people.zhang), f"/activities/{a.pk}", {"version": 2, "quota": 5})
    assert volunteer.status_code == 403
    assert _state(a) == state and _updates() == 1


@pytest.mark.django_db
def test_api_refuses_to_edit_a_cancelled_activity(people: People) -> None:
    a = people.activity()
    services.activity_cancel(actor=people.city.bob, activity=a, reason="下雨")
    answer = _patch(login(people.city.bob), f"/activities/{a.pk}", {"version": 1, "quota": 5})
    assert answer.status_code == 409 and "活动已取消，不能修改" in answer.json()["message"]
    assert Activity.objects.get(pk=a.pk).status == ActivityStatus.CANCELLED


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_organisers_saving_at_once_one_wins_the_other_gets_409(people: People, monkeypatch: Any) -> None:
    a = people.activity()
    services.activity_signup(actor=people.zhang, activity=a)
    slow_audit(monkeypatch, activity_services)
    results = run_at_once(
        lambda: services.activity_update(
            actor=people.city.bob, activity_id=a.pk, version=1, place="文化广场"
        ),
        lambda: services.activity_update(
            actor=people.city.bob, activity_id=a.pk, version=1, place="社区礼堂"
        ),
    )
    won = [r for r in results if isinstance(r, Activity)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1, results
    stored = Activity.objects.get(pk=a.pk)
    assert stored.version == 2 and stored.place == won[0].place
    assert AuditLog.objects.filter(verb=Verb.ACTIVITY_UPDATED, target_id=str(a.pk)).count() == 1
    assert Notification.objects.filter(subject=CHANGED).count() == 1
