"""Input a secretary would never mean, refused with a reason that says what is wrong:
dates before the Party existed, a task due before the meeting that set it, a meeting dated
before its members' terms, an agreement that commits to nothing, a "photo" that is only an
image's first bytes. And what is kept is shown as it is (an absence without a leave note)."""

import zlib
from datetime import date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.core.errors import ValidationError
from civicgrid.party import services
from civicgrid.party.constants import CommitteeSource, MeetingKind, MemberCategory, ReportStatus, ServiceType
from civicgrid.party.demo import demo_png
from civicgrid.party.models import CommitteeMember, Project
from civicgrid.party.tests.conftest import PartyWorld, counts

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


# --- dates --------------------------------------------------------------------------------


def test_a_member_joining_in_1900_is_refused(pw: PartyWorld) -> None:
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.member_create(
            actor=pw.city.bob,
            name="陈老党员",
            category=MemberCategory.COMMUNITY,
            organisation=pw.branch,
            join_date=date(1900, 1, 1),
        )
    assert refused.value.errors == {"join_date": ["入党日期不能早于1921年7月1日"]}
    assert counts() == before


def test_a_member_joining_on_the_founding_day_is_kept(pw: PartyWorld) -> None:
    member = services.member_create(
        actor=pw.city.bob,
        name="陈老党员",
        category=MemberCategory.COMMUNITY,
        organisation=pw.branch,
        join_date=date(1921, 7, 1),
    )
    assert member.join_date == date(1921, 7, 1)


def _seat(pw: PartyWorld, start: date) -> CommitteeMember:
    return services.committee_member_add(
        actor=pw.city.bob,
        committee=pw.committee,
        name="陈民警",
        source=CommitteeSource.COMMUNITY_POLICE,
        term_start=start,
    )


def _meeting(
    held_at: datetime, seat: CommitteeMember | None = None, tasks: list[services.TaskIn] | None = None
) -> services.MeetingIn:
    return services.MeetingIn(
        kind=MeetingKind.JOINT_MEETING,
        title="联席会议",
        held_at=held_at,
        agenda="议程",
        attendance=[services.AttendanceIn(seat.pk)] if seat else [],
        decisions=["加装楼道灯"],
        tasks=tasks or [],
    )


def test_a_task_due_before_its_meeting_is_refused(pw: PartyWorld) -> None:
    held = timezone.now() - timedelta(days=3)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.meeting_record(
            actor=pw.city.bob,
            committee=pw.committee,
            data=_meeting(held, tasks=[services.TaskIn("楼道灯", "物业", due_on=date(2020, 1, 1))]),
        )
    (reason,) = refused.value.errors["tasks"]
    day = timezone.localtime(held).date().isoformat()
    assert reason == f"任务「楼道灯」的完成期限（2020-01-01）不能早于会议日期（{day}）"
    assert counts() == before


def test_a_meeting_in_1900_says_so_and_names_who_was_not_yet_serving(pw: PartyWorld) -> None:
    seat = _seat(pw, date(2024, 1, 1))
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.meeting_record(
            actor=pw.city.bob,
            committee=pw.committee,
            data=_meeting(timezone.make_aware(datetime(1900, 1, 1, 10)), seat),
        )
    assert refused.value.errors["held_at"] == ["会议时间不能早于1921年7月1日"]
    assert refused.value.errors["attendance"] == [
        "会议日期（1900-01-01）时陈民警（任期2024-01-01起）不在兼职委员任期内，请核对会议日期"
    ]
    assert counts() == before


def test_the_meeting_page_shows_the_date_reasons(pw: PartyWorld) -> None:
    _seat(pw, date(2024, 1, 1))
    before = counts()
    response = _client(pw.city.bob).post(
        reverse("party:meeting_new", args=[pw.committee.pk]),
        {
            "kind": "joint_meeting",
            "title": "旧会议",
            "held_at": "1900-01-01T10:00",
            "agenda": "x",
            "present": [],
        },
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "会议时间不能早于1921年7月1日" in body and "不在兼职委员任期内" in body
    assert "不是本届兼职委员" not in body
    assert counts() == before


def test_an_absence_without_a_leave_note_is_recorded_as_such(pw: PartyWorld) -> None:
    """Kept: a member who did not come and sent no word is a fact the minutes must hold;
    refusing it would have the secretary invent a leave note."""
    seat = _seat(pw, date(2024, 1, 1))
    other = services.committee_member_add(  # someone attended (a meeting nobody came to is refused)
        actor=pw.city.bob,
        committee=pw.committee,
        name="吴物业",
        source=CommitteeSource.PROPERTY_COMPANY,
        term_start=date(2024, 1, 1),
    )
    data = _meeting(timezone.now() - timedelta(hours=2))
    absent = services.AttendanceIn(seat.pk, present=False, note="")
    data.attendance = [absent, services.AttendanceIn(other.pk)]
    meeting = services.meeting_record(actor=pw.city.bob, committee=pw.committee, data=data)
    body = _client(pw.city.bob).get(reverse("party:meeting", args=[meeting.pk])).content.decode()
    assert "缺席（未请假）" in body


# --- agreements ---------------------------------------------------------------------------


def test_an_agreement_that_commits_to_nothing_is_refused(pw: PartyWorld) -> None:
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.agreement_sign(actor=pw.city.bob, unit=pw.tax, node=pw.city.comm_a1, signed_on=date.today())
    assert refused.value.errors == {"pledges": ["请填写共建内容与承诺，或至少选择一项服务类型"]}
    assert counts() == before
    kept = services.agreement_sign(
        actor=pw.city.bob,
        unit=pw.tax,
        node=pw.city.comm_a1,
        signed_on=date.today(),
        service_type_list=[ServiceType.ELDERLY],
    )
    assert kept.service_types == [ServiceType.ELDERLY]


# --- photos -------------------------------------------------------------------------------


@pytest.fixture
def project(pw: PartyWorld) -> Project:
    return services.project_create(
        actor=pw.city.bob,
        node=pw.city.comm_a1,
        data=services.ProjectIn(
            title="楼道灯加装", owner_name="钱主任", starts_on=date.today(), ends_on=date.today()
        ),
    )


WHOLE = demo_png((200, 16, 46))
BROKEN = {
    "signature only": ("image/png", WHOLE[:8]),
    "cut short": ("image/png", WHOLE[: len(WHOLE) // 2]),
    "bad checksum": ("image/png", WHOLE[:40] + bytes([WHOLE[40] ^ 0xFF]) + WHOLE[41:]),
    "no image data": ("image/png", WHOLE[:33] + WHOLE[-12:]),
    "not deflate": (
        "image/png",
        WHOLE[:33] + b"\x00\x00\x00\x04IDATabcd" + zlib.crc32(b"IDATabcd").to_bytes(4, "big") + WHOLE[-12:],
    ),
    "jpeg header only": (
        "image/jpeg",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
    ),
    "webp header only": ("image/webp", b"RIFF\x24\x00\x00\x00WEBPVP8 "),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_photo_that_is_not_a_whole_image_is_refused(pw: PartyWorld, project: Project, case: str) -> None:
    content_type, data = BROKEN[case]
    before = counts()
    response = _client(pw.city.bob).post(
        reverse("party:project_act", args=[project.pk]),
        {"action": "photo", "file": SimpleUploadedFile("完工.png", data, content_type=content_type)},
        follow=True,
    )
    assert "完工.png：只接受JPG、PNG 或 WEBP 图片" in response.content.decode()
    assert counts() == before


def test_a_whole_png_is_kept(pw: PartyWorld, project: Project) -> None:
    photo = services.project_photo_add(
        actor=pw.city.bob,
        project=project,
        upload=SimpleUploadedFile("完工.png", WHOLE, content_type="image/png"),
    )
    assert photo.size == len(WHOLE)


# --- the member's own page ------------------------------------------------------------------


def test_the_members_page_states_one_reporting_state(pw: PartyWorld) -> None:
    zhang = _client(pw.zhang_user)
    page = zhang.get(reverse("party:h5_home")).content.decode()
    assert "您尚未向居住地社区报到" in page and "已报到" not in page
    report = services.member_report_submit(
        actor=pw.zhang_user, member=pw.zhang, pledge_list=["助老"], service_type_list=[ServiceType.ELDERLY]
    )
    page = zhang.get(reverse("party:h5_home")).content.decode()
    assert "待 <b>胜利门社区</b> 确认" in page and "尚未" not in page
    services.member_report_confirm(actor=pw.city.bob, report=report)
    assert report.__class__.objects.get(pk=report.pk).status == ReportStatus.CONFIRMED
    page = zhang.get(reverse("party:h5_home")).content.decode()
    assert "社区已确认" in page and "尚未" not in page and "提交报到" not in page
