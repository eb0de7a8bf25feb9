"""Joint committees (大工委 · 大党委): part-time members, meetings, follow-up tasks, the quarterly check."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require
from civicgrid.core.audit import audit_write, snapshot
from civicgrid.core.errors import Conflict, ValidationError
from civicgrid.party.constants import COMMITTEE_KINDS, CommitteeSource, MeetingKind, TaskStatus, Verb
from civicgrid.party.models import (
    CommitteeMember,
    CommitteeWarning,
    Decision,
    FollowUpTask,
    Meeting,
    MeetingAttendance,
    PartyMember,
    PartyOrganisation,
)
from civicgrid.party.services.common import Errors, add, choice, party_day, raise_if, text
from civicgrid.registry.models import Organisation

MEETING_AUDIT_FIELDS = ["committee", "kind", "title", "held_at", "place"]


def _committee(organisation: PartyOrganisation, errors: Errors) -> None:
    if organisation.kind not in COMMITTEE_KINDS:
        add(errors, "committee", _("只有街道大工委、社区大党委有兼职委员和联席会议"))
    elif not organisation.is_active:
        add(errors, "committee", _("该大党委已撤销"))


def current_part_time_members(committee: PartyOrganisation, on: date) -> Any:
    return committee.part_time_members.filter(term_start__lte=on).filter(
        Q(term_end__isnull=True) | Q(term_end__gte=on)
    )


def _same_name_serving(
    committee: PartyOrganisation, name: str, term_start: date, term_end: date | None
) -> bool:
    """A member of this name whose term overlaps [term_start, term_end] (open: no end).
    The caller holds the committee row locked, so two at once are seen one after the other."""
    overlapping = committee.part_time_members.filter(name=name).filter(
        Q(term_end__isnull=True) | Q(term_end__gte=term_start)
    )
    if term_end is not None:
        overlapping = overlapping.filter(term_start__lte=term_end)
    return bool(overlapping.exists())


@transaction.atomic
def committee_member_add(
    *,
    actor: Any,
    committee: PartyOrganisation,
    name: str,
    source: str,
    term_start: date,
    term_end: date | None = None,
    title: str = "兼职委员",  # i18n: data (the default title stored with the seat)
    unit: Organisation | None = None,
    unit_name: str = "",
    member: PartyMember | None = None,
) -> CommitteeMember:
    """A part-time member (兼职委员) for a term (usually 6 to 12 of them per committee)."""
    committee = PartyOrganisation.objects.select_for_update().get(pk=committee.pk)
    require(actor, Capability.PARTY_EDIT, committee.node_path)
    errors: Errors = {}
    _committee(committee, errors)
    name = text(errors, "name", name, _("姓名"), 50, required=True)
    title = text(errors, "title", title, _("职务"), 50, required=True)
    choice(errors, "source", source, CommitteeSource, _("委员来源"))
    unit_name = text(
        errors, "unit_name", unit_name or (unit.name if unit else ""), _("单位名称"), 100, required=False
    )
    if term_start is None:
        add(errors, "term_start", _("请填写任期开始日期"))
    else:
        # Not before the Party's founding, not a term still to come (the page lists the
        # members serving today, with 离任 beside each: a later one would be nowhere).
        party_day(errors, "term_start", term_start, _("任期开始"), today=timezone.localdate())
        if term_end is not None and term_end < term_start:
            add(errors, "term_end", _("任期结束不能早于开始"))
        elif name and _same_name_serving(committee, name, term_start, term_end):
            add(
                errors,
                "name",
                _("本委员会已有任期重叠的兼职委员「{name}」，请勿重复增补").format(name=name),
            )
    raise_if(errors)
    row = CommitteeMember.objects.create(
        committee=committee,
        node=committee.node,
        node_path=committee.node_path,
        name=name,
        title=title,
        source=source,
        unit=unit,
        unit_name=unit_name,
        member=member,
        term_start=term_start,
        term_end=term_end,
    )
    audit_write(
        actor=actor,
        verb=Verb.COMMITTEE_MEMBER_ADDED,
        target=row,
        node=committee.node,
        after=snapshot(
            row, ["committee", "name", "title", "source", "unit", "unit_name", "term_start", "term_end"]
        ),
    )
    return row


@transaction.atomic
def committee_member_leave(*, actor: Any, committee_member: CommitteeMember, on: date) -> CommitteeMember:
    row = CommitteeMember.objects.select_for_update().get(pk=committee_member.pk)
    require(actor, Capability.PARTY_EDIT, row.node_path)
    if row.term_end is not None and row.term_end < on:
        raise Conflict(_("该委员的任期已结束"))
    if on < row.term_start:
        raise ValidationError(_("任期结束不能早于开始"), field="term_end")
    before = {"term_end": row.term_end.isoformat() if row.term_end else None}
    row.term_end = on
    row.save(update_fields=["term_end"])
    audit_write(
        actor=actor,
        verb=Verb.COMMITTEE_MEMBER_LEFT,
        target=row,
        node=row.node,
        before=before,
        after={"term_end": on.isoformat()},
    )
    return row


@dataclass
class TaskIn:
    title: str
    owner_name: str
    due_on: date | None = None
    decision: int | None = None  # index into the meeting's decisions


@dataclass
class AttendanceIn:
    committee_member_id: int
    present: bool = True
    note: str = ""


@dataclass
class MeetingIn:
    kind: str
    title: str
    held_at: datetime | None
    agenda: str
    place: str = ""
    minutes: str = ""
    attendance: list[AttendanceIn] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    tasks: list[TaskIn] = field(default_factory=list)


def _check_attendance(
    errors: Errors, committee: PartyOrganisation, data: MeetingIn
) -> dict[int, CommitteeMember]:
    on = timezone.localtime(data.held_at).date() if data.held_at else timezone.localdate()
    current = {m.pk: m for m in current_part_time_members(committee, on)}
    ids = [a.committee_member_id for a in data.attendance]
    if len(ids) != len(set(ids)):
        add(errors, "attendance", _("出席名单中有重复的委员"))
    seats = {m.pk: m for m in committee.part_time_members.filter(pk__in=ids)}
    if any(i not in seats for i in ids):
        add(errors, "attendance", _("出席名单中有不是本委员会兼职委员的人"))
    off_term = [seats[i] for i in ids if i in seats and i not in current]
    if off_term:
        add(
            errors,
            "attendance",
            _("会议日期（{day}）时{names}不在兼职委员任期内，请核对会议日期").format(
                day=on.isoformat(), names="、".join(f"{m.name}（{_term(m)}）" for m in off_term)
            ),
        )
    for row in data.attendance:
        if len(row.note) > 100:
            add(errors, "attendance", _("请假事由最长100个字"))
    if current and not any(a.present for a in data.attendance):
        add(errors, "attendance", _("出席：请至少勾选一名出席的兼职委员"))
    return current


def _term(seat: CommitteeMember) -> str:
    if seat.term_end is None:
        return _("任期{start}起").format(start=seat.term_start.isoformat())
    return _("任期{start}至{end}").format(start=seat.term_start.isoformat(), end=seat.term_end.isoformat())


def _check_meeting_day(errors: Errors, committee: PartyOrganisation, data: MeetingIn) -> None:
    """The day held: a date of party life, not before the committee was founded; tasks are
    due on or after it (a task due before the meeting that set it is a slip)."""
    on = timezone.localtime(data.held_at).date()
    party_day(errors, "held_at", on, _("会议时间"), today=None)  # the future: _check_meeting
    if committee.founded_on is not None and on < committee.founded_on:
        add(
            errors,
            "held_at",
            _("会议时间不能早于{name}的成立日期（{day}）").format(
                name=committee.name, day=committee.founded_on.isoformat()
            ),
        )
    for task in data.tasks:
        if task.due_on is not None and task.due_on < on:
            add(
                errors,
                "tasks",
                _("任务「{title}」的完成期限（{due}）不能早于会议日期（{day}）").format(
                    title=task.title, due=task.due_on.isoformat(), day=on.isoformat()
                ),
            )


def _check_meeting(errors: Errors, data: MeetingIn) -> None:
    choice(errors, "kind", data.kind, MeetingKind, _("会议活动类型"))
    data.title = text(errors, "title", data.title, _("主题"), 200, required=True)
    data.agenda = text(errors, "agenda", data.agenda, _("议程"), 5000, required=True)
    data.place = text(errors, "place", data.place, _("地点"), 100, required=False)
    data.minutes = text(errors, "minutes", data.minutes, _("会议纪要"), 20000, required=False)
    if data.held_at is None:
        add(errors, "held_at", _("请填写时间"))
    elif data.held_at > timezone.now() + timedelta(minutes=5):
        add(errors, "held_at", _("请在会议活动结束后记录（时间不能晚于现在）"))
    data.decisions = [d.strip() for d in data.decisions if d and d.strip()]
    if any(len(d) > 500 for d in data.decisions):
        add(errors, "decisions", _("每条决定事项最长500个字"))
    for number, again in _repeated(data.decisions):
        add(
            errors,
            "decisions",
            _("第{number}条决定事项「{text}」与第{first}条重复，请删去一条").format(
                number=number, text=data.decisions[number - 1], first=again
            ),
        )
    for task in data.tasks:
        task.title = text(errors, "tasks", task.title, _("任务"), 200, required=True)
        task.owner_name = text(errors, "tasks", task.owner_name, _("任务责任人"), 100, required=True)
        if task.decision is not None and not 0 <= task.decision < len(data.decisions):
            add(errors, "tasks", _("任务对应的决定事项不存在"))
    for number, again in _repeated([(t.title, t.owner_name, t.due_on) for t in data.tasks]):
        add(
            errors,
            "tasks",
            _("第{number}项任务「{title}」与第{first}项重复，请删去一项").format(
                number=number, title=data.tasks[number - 1].title, first=again
            ),
        )


def _repeated(rows: list[Any]) -> list[tuple[int, int]]:
    """(line, the earlier line it repeats), numbered from 1, for each row seen before."""
    first: dict[Any, int] = {}
    found = []
    for number, row in enumerate(rows, start=1):
        if row in first:
            found.append((number, first[row]))
        else:
            first[row] = number
    return found


def _check_not_recorded(errors: Errors, committee: PartyOrganisation, held_at: datetime, title: str) -> None:
    """The same meeting (this committee, time and title) is recorded once; the committee's
    row is locked, so two sent at once are seen one after the other."""
    same = Meeting.objects.filter(committee=committee, held_at=held_at, title=title).first()
    if same is not None:
        add(
            errors,
            "title",
            _("该会议活动已记录过（{title}，{held_at}），请勿重复记录").format(
                title=same.title, held_at=timezone.localtime(same.held_at).strftime("%Y-%m-%d %H:%M")
            ),
        )


@transaction.atomic
def meeting_record(*, actor: Any, committee: PartyOrganisation, data: MeetingIn) -> Meeting:
    """A meeting or activity held: agenda, attendance, minutes, decisions, follow-up tasks."""
    committee = PartyOrganisation.objects.select_for_update().get(pk=committee.pk)
    require(actor, Capability.PARTY_EDIT, committee.node_path)
    errors: Errors = {}
    _committee(committee, errors)
    _check_meeting(errors, data)
    if data.held_at is not None:
        _check_meeting_day(errors, committee, data)
    current = _check_attendance(errors, committee, data) if data.held_at else {}
    # a time refused already (before 1921: the year 1 would overflow its query) is not looked up
    if data.held_at is not None and data.title and "held_at" not in errors:
        _check_not_recorded(errors, committee, data.held_at, data.title)
    raise_if(errors)
    assert data.held_at is not None  # refused above when missing
    meeting = Meeting.objects.create(
        committee=committee,
        node=committee.node,
        node_path=committee.node_path,
        kind=data.kind,
        title=data.title,
        held_at=data.held_at,
        place=data.place,
        agenda=data.agenda,
        minutes=data.minutes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    MeetingAttendance.objects.bulk_create(
        MeetingAttendance(
            meeting=meeting,
            committee_member=current[a.committee_member_id],
            present=a.present,
            note=a.note.strip(),
        )
        for a in data.attendance
    )
    decisions = [Decision.objects.create(meeting=meeting, text=d) for d in data.decisions]
    for task in data.tasks:
        FollowUpTask.objects.create(
            meeting=meeting,
            decision=decisions[task.decision] if task.decision is not None else None,
            node=committee.node,
            node_path=committee.node_path,
            title=task.title,
            owner_name=task.owner_name,
            due_on=task.due_on,
        )
    present = sum(1 for a in data.attendance if a.present)
    audit_write(
        actor=actor,
        verb=Verb.MEETING_RECORDED,
        target=meeting,
        node=committee.node,
        after=snapshot(meeting, MEETING_AUDIT_FIELDS)
        | {"present": present, "decisions": len(decisions), "tasks": len(data.tasks)},
    )
    _warnings_resolve(actor, committee, meeting)
    return meeting


def _warnings_resolve(actor: Any, committee: PartyOrganisation, meeting: Meeting) -> None:
    """A meeting held in a quarter that was warned about clears that warning: it is deleted,
    the audit log keeps what it was and the meeting that resolved it."""
    year, quarter = quarter_of(timezone.localtime(meeting.held_at).date())
    for warning in CommitteeWarning.objects.select_for_update().filter(
        committee=committee, year=year, quarter=quarter
    ):
        audit_write(
            actor=actor,
            verb=Verb.COMMITTEE_WARNING_RESOLVED,
            target=warning,
            node=committee.node,
            before={"committee": committee.pk, "year": year, "quarter": quarter},
            after={"meeting": meeting.pk, "held_at": meeting.held_at.isoformat()},
        )
        warning.delete()


@transaction.atomic
def task_complete(*, actor: Any, task: FollowUpTask, result: str) -> FollowUpTask:
    task = FollowUpTask.objects.select_for_update().get(pk=task.pk)
    require(actor, Capability.PARTY_EDIT, task.node_path)
    if task.status == TaskStatus.DONE:
        raise Conflict(_("该任务已完成"))
    errors: Errors = {}
    result = text(errors, "result", result, _("办理结果"), 2000, required=True)
    raise_if(errors)
    task.status, task.result, task.done_at = TaskStatus.DONE, result, timezone.now()
    task.save(update_fields=["status", "result", "done_at"])
    audit_write(
        actor=actor,
        verb=Verb.TASK_DONE,
        target=task,
        node=task.node,
        before={"status": TaskStatus.OPEN},
        after={"status": TaskStatus.DONE, "result": result},
    )
    return task


# --- the quarterly check -------------------------------------------------------------------


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * quarter - 2, 1)
    next_start = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, next_start - timedelta(days=1)


def previous_quarter(day: date) -> tuple[int, int]:
    year, quarter = quarter_of(day)
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def _aware(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def committee_activity_check(*, today: date | None = None, actor: Any = None) -> dict[str, int]:
    """Warn about every active committee that held no meeting or activity in the last
    finished quarter (每季度至少开展1次活动). Running it again adds nothing."""
    year, quarter = previous_quarter(today or timezone.localdate())
    start, end = quarter_bounds(year, quarter)
    since, until = _aware(start, time.min), _aware(end + timedelta(days=1), time.min)
    held = Meeting.objects.filter(committee=OuterRef("pk"), held_at__gte=since, held_at__lt=until)
    idle = (
        PartyOrganisation.objects.filter(kind__in=COMMITTEE_KINDS, is_active=True, created_at__lt=until)
        .annotate(held=Exists(held))
        .filter(held=False)
        .select_related("node")
    )
    checked, created = 0, 0
    for committee in idle.iterator():
        checked += 1
        created += _warn(committee, year, quarter, actor, since, until)
    return {"year": year, "quarter": quarter, "idle": checked, "warnings": created}


def _warn(
    committee: PartyOrganisation, year: int, quarter: int, actor: Any, since: datetime, until: datetime
) -> int:
    try:
        with transaction.atomic():
            # as meeting_record does: a meeting recorded meanwhile is seen, no warning left behind
            PartyOrganisation.objects.select_for_update().filter(pk=committee.pk).first()
            if Meeting.objects.filter(committee=committee, held_at__gte=since, held_at__lt=until).exists():
                return 0
            warning = CommitteeWarning.objects.create(
                committee=committee,
                node=committee.node,
                node_path=committee.node_path,
                year=year,
                quarter=quarter,
            )
            audit_write(
                actor=actor,
                verb=Verb.COMMITTEE_WARNED,
                target=warning,
                node=committee.node,
                after={"committee": committee.pk, "year": year, "quarter": quarter},
            )
    except IntegrityError:
        return 0
    return 1
