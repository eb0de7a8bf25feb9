"""Joint committees: part-time members with terms, meetings, follow-up tasks, the quarterly warning."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.party import selectors, services
from civicgrid.party.constants import CommitteeSource, MeetingKind, TaskStatus, Verb
from civicgrid.party.models import CommitteeWarning, FollowUpTask, PartyOrganisation
from civicgrid.party.services.committees import previous_quarter, quarter_bounds
from civicgrid.party.tests.conftest import PartyWorld, counts

pytestmark = pytest.mark.django_db

SOURCES = [
    ("陈民警", CommitteeSource.COMMUNITY_POLICE, "崇安寺派出所"),
    ("周城管", CommitteeSource.CITY_MANAGEMENT, "梁溪区城管局"),
    ("吴物业", CommitteeSource.PROPERTY_COMPANY, "胜利门物业"),
    ("郑业委", CommitteeSource.OWNERS_COMMITTEE, "胜利门小区业委会"),
    ("钱税务", CommitteeSource.PARTNER_UNIT, "梁溪区税务局"),
    ("冯居民", CommitteeSource.RESIDENT_MEMBER, ""),
]


def seat_members(pw: PartyWorld, committee: PartyOrganisation | None = None) -> list[int]:
    ids = []
    for name, source, unit_name in SOURCES:
        row = services.committee_member_add(
            actor=pw.city.bob,
            committee=committee or pw.committee,
            name=name,
            source=source,
            unit_name=unit_name,
            term_start=date(2024, 1, 1),
            term_end=date(2028, 12, 31),
        )
        ids.append(row.pk)
    return ids


def meeting(pw: PartyWorld, ids: list[int], **kw: object) -> services.MeetingIn:
    data = services.MeetingIn(
        kind=MeetingKind.JOINT_MEETING,
        title="第三季度联席会议",
        held_at=timezone.now() - timedelta(days=1),
        agenda="一、通报楼道灯加装进展；二、商议背街小巷改造",
        minutes="与会委员一致同意……",
        attendance=[services.AttendanceIn(i) for i in ids[:5]]
        + [services.AttendanceIn(ids[5], False, "出差")],
        decisions=["年内完成胜利门小区楼道灯加装", "背街小巷改造报街道立项"],
        tasks=[services.TaskIn("楼道灯加装", "吴物业", date.today() + timedelta(days=30), decision=0)],
    )
    for key, value in kw.items():
        setattr(data, key, value)
    return data


def test_a_meeting_with_attendance_decisions_and_tasks(pw: PartyWorld) -> None:
    ids = seat_members(pw)
    row = services.meeting_record(actor=pw.city.bob, committee=pw.committee, data=meeting(pw, ids))
    assert row.attendance.filter(present=True).count() == 5
    assert next(d.text for d in row.decisions.all()).startswith("年内完成")
    task = row.tasks.get()
    assert task.decision is not None and task.status == TaskStatus.OPEN
    done = services.task_complete(actor=pw.city.bob, task=task, result="已安装42盏")
    assert done.status == TaskStatus.DONE
    with pytest.raises(Conflict):
        services.task_complete(actor=pw.city.bob, task=task, result="再次")
    audit = AuditLog.objects.get(verb=Verb.MEETING_RECORDED)
    assert audit.after is not None and audit.after["present"] == 5 and audit.after["tasks"] == 1


def test_bad_meetings_change_nothing(pw: PartyWorld) -> None:
    ids = seat_members(pw)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.meeting_record(actor=pw.city.bob, committee=pw.committee, data=meeting(pw, ids, agenda=" "))
    assert "议程" in caught.value.errors["agenda"][0]
    with pytest.raises(ValidationError):  # in the future
        services.meeting_record(
            actor=pw.city.bob,
            committee=pw.committee,
            data=meeting(pw, ids, held_at=timezone.now() + timedelta(days=2)),
        )
    with pytest.raises(ValidationError):  # someone who is not on the committee
        services.meeting_record(
            actor=pw.city.bob,
            committee=pw.committee,
            data=meeting(pw, ids, attendance=[services.AttendanceIn(ids[0] + 1000)]),
        )
    with pytest.raises(ValidationError):  # a grid branch is no joint committee
        services.meeting_record(actor=pw.city.bob, committee=pw.branch, data=meeting(pw, ids))
    with pytest.raises(PermissionDenied):
        services.meeting_record(actor=pw.city.carol, committee=pw.committee, data=meeting(pw, ids))
    assert counts() == before


def test_terms_end(pw: PartyWorld) -> None:
    ids = seat_members(pw)
    first = pw.committee.part_time_members.get(pk=ids[0])
    services.committee_member_leave(
        actor=pw.city.bob, committee_member=first, on=date.today() - timedelta(days=10)
    )
    with pytest.raises(ValidationError):  # no longer a member on the meeting's day
        services.meeting_record(actor=pw.city.bob, committee=pw.committee, data=meeting(pw, ids))
    with pytest.raises(ValidationError):
        services.committee_member_add(
            actor=pw.city.bob,
            committee=pw.committee,
            name="错期",
            source=CommitteeSource.PARTNER_UNIT,
            term_start=date(2025, 1, 1),
            term_end=date(2024, 1, 1),
        )


def test_the_quarterly_check_warns_idle_committees_once(pw: PartyWorld) -> None:
    today = date(2026, 7, 15)
    year, quarter = previous_quarter(today)
    assert (year, quarter) == (2026, 2)
    start, end = quarter_bounds(year, quarter)
    assert (start, end) == (date(2026, 4, 1), date(2026, 6, 30))
    ids = seat_members(pw)
    # A1's committee met in May; B1's did not meet at all.
    held = timezone.make_aware(datetime(2026, 5, 20, 15, 0))
    services.meeting_record(actor=pw.city.bob, committee=pw.committee, data=meeting(pw, ids, held_at=held))
    PartyOrganisation.objects.update(created_at=timezone.make_aware(datetime(2025, 1, 1)))
    result = services.committee_activity_check(today=today)
    assert result == {"year": 2026, "quarter": 2, "idle": 1, "warnings": 1}
    warning = CommitteeWarning.objects.get()
    assert warning.committee == pw.committee_b
    again = services.committee_activity_check(today=today)
    assert again["warnings"] == 0 and CommitteeWarning.objects.count() == 1
    assert AuditLog.objects.filter(verb=Verb.COMMITTEE_WARNED).count() == 1
    assert list(selectors.warnings_visible(pw.city.carol)) == [warning]
    assert not selectors.warnings_visible(pw.city.bob).exists()


def test_a_committee_founded_after_the_quarter_is_not_warned(pw: PartyWorld) -> None:
    result = services.committee_activity_check(today=timezone.localdate())
    assert result["warnings"] == 0
    assert FollowUpTask.objects.count() == 0
