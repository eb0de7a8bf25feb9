"""Activities: publish, edit, sign up (with a waiting list), cancel, check in and out, close.

Hours of one attendance (``hours_served``)::

    start = max(checked_in_at, starts_at)      # arriving early does not count
    end   = min(checked_out_at, ends_at)       # staying late does not count
    hours = ⌊(end − start) / 30 min⌋ × 0.5      # whole half hours, never below 0

Points are credited at check-out through ``points_link.award`` (the rule of the place, by
the activity's service type, the hours and the difficulty); a check-out is credited once.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write
from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from civicgrid.core.validators import whole_value
from civicgrid.requests.permissions import SYSTEM
from civicgrid.territory.models import Node
from civicgrid.volunteers import points_link
from civicgrid.volunteers.constants import (
    HOLDING_PLACE,
    POINTS_SOURCE_ACTIVITY,
    ActivityStatus,
    CheckVia,
    ServiceType,
    SignupStatus,
    Verb,
    VolunteerStatus,
)
from civicgrid.volunteers.models import Activity, Signup, Skill, Team, TeamMember, Volunteer
from civicgrid.volunteers.permissions import acting_resident, acting_volunteer, is_self, is_staff
from civicgrid.volunteers.services.common import (
    choice,
    community_of,
    difficulty_value,
    notify_resident,
    raise_if,
    text,
    user_or_none,
    within_horizon,
)

HALF_HOUR = timedelta(minutes=30)
# The venue's QR code lets volunteers check in from an hour before the start until the end,
# and check out until three hours after the end; the organiser may record any time in
# [start − 1 h, end + 12 h] that is not in the future.
QR_OPENS_BEFORE = timedelta(hours=1)
QR_CHECK_OUT_AFTER = timedelta(hours=3)
ORGANISER_LATEST_AFTER = timedelta(hours=12)
MAX_DURATION = timedelta(hours=24)
MAX_QUOTA = 1000


def hours_served(activity: Activity, checked_in_at: datetime, checked_out_at: datetime) -> Decimal:
    """Whole half hours between check-in and check-out, within the activity's own time."""
    start = max(checked_in_at, activity.starts_at)
    end = min(checked_out_at, activity.ends_at)
    if end <= start:
        return Decimal("0.0")
    halves = int((end - start) / HALF_HOUR)
    return (Decimal(halves) / 2).quantize(Decimal("0.1"))


def planned_hours(starts_at: datetime, ends_at: datetime) -> Decimal:
    return (Decimal(int((ends_at - starts_at) / HALF_HOUR)) / 2).quantize(Decimal("0.1"))


def is_organiser(actor: Any, activity: Activity) -> bool:
    """Staff of the place, or the leader of the team that runs the activity."""
    if is_staff(actor, activity.node_path):
        return True
    resident = acting_resident(actor)
    if resident is None or activity.team_id is None:
        return False
    return TeamMember.objects.filter(
        team_id=activity.team_id,
        volunteer__resident=resident,
        volunteer__status=VolunteerStatus.APPROVED,
        is_leader=True,
    ).exists()


# --- publish and cancel -------------------------------------------------------------------------


@dataclass
class NewActivity:
    """What a publisher fills in (pages and API build one)."""

    node: Node | None
    title: str
    place: str
    starts_at: datetime | None
    ends_at: datetime | None
    quota: int
    service_type: str
    difficulty: int = 2
    description: str = ""
    skills: tuple[str, ...] = ()
    team: Team | None = None


def _check_publisher(actor: Any, node: Node, team: Team | None) -> None:
    if is_staff(actor, node.path):
        return
    resident = acting_resident(actor)
    leads = (
        team is not None
        and resident is not None
        and TeamMember.objects.filter(
            team=team,
            volunteer__resident=resident,
            volunteer__status=VolunteerStatus.APPROVED,
            is_leader=True,
        ).exists()
    )
    if not leads:
        raise PermissionDenied(_("您无权在该区域发布志愿活动"))


def _quota(value: object, errors: dict[str, list[str]]) -> int:
    """How many volunteers an activity takes (1 to ``MAX_QUOTA``), or 0 with a reason."""
    quota = whole_value(
        value, errors=errors, field="quota", label=_("招募人数"), minimum=1, maximum=MAX_QUOTA
    )
    return 0 if quota is None else quota


def activity_validate(data: NewActivity) -> tuple[dict[str, list[str]], list[Skill]]:
    """Every problem of a new activity at once, and its skills."""
    errors: dict[str, list[str]] = {}
    text(data.title, "title", _("活动名称"), errors, limit=100)
    text(data.place, "place", _("活动地点"), errors, limit=200)
    text(data.description, "description", _("活动内容"), errors, limit=2000, required=False)
    choice(data.service_type, ServiceType, "service_type", _("服务类别"), errors)
    difficulty_value(data.difficulty, errors)
    _quota(data.quota, errors)
    now = timezone.now()
    if data.starts_at is None or data.ends_at is None:
        errors.setdefault("starts_at", []).append(_("请填写开始和结束时间"))
    elif data.ends_at <= data.starts_at:
        errors.setdefault("ends_at", []).append(_("结束时间应晚于开始时间"))
    elif data.ends_at - data.starts_at > MAX_DURATION:
        errors.setdefault("ends_at", []).append(_("一次活动不能超过24小时"))
    elif data.starts_at <= now:
        errors.setdefault("starts_at", []).append(_("开始时间应晚于现在"))
    else:
        within_horizon(data.starts_at, "starts_at", _("开始时间"), errors, now=now)
    codes = list(dict.fromkeys(data.skills))
    skills = list(Skill.objects.filter(code__in=codes))
    if len(skills) != len(codes):
        errors.setdefault("skills", []).append(_("所需技能中有未知技能"))
    return errors, skills


@transaction.atomic
def activity_publish(*, actor: Any, data: NewActivity) -> Activity:
    """Publish an activity of a community (staff) or of a team (staff or the team's leader).

    Sign-up opens at once and closes at the start; ``quota`` places are given in order of
    sign-up, later volunteers wait in line. ``points`` is the estimate for the whole time
    under the points rule of the place (what is credited depends on the hours served).
    """
    community = community_of(data.node)
    assert data.node is not None
    if data.team is not None and data.team.node_id != community.pk:
        raise ValidationError(_("服务队不属于该社区"), field="team")
    _check_publisher(actor, data.node, data.team)
    errors, skills = activity_validate(data)
    raise_if(errors)
    assert data.starts_at is not None and data.ends_at is not None
    activity = Activity.objects.create(
        node=data.node,
        node_path=data.node.path,
        community=community,
        team=data.team,
        title=data.title.strip(),
        description=data.description.strip(),
        place=data.place.strip(),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        quota=_quota(data.quota, {}),  # checked above
        service_type=data.service_type,
        difficulty=difficulty_value(data.difficulty, errors),
        points=points_link.estimate(
            node=data.node,
            activity_type=data.service_type,
            hours=planned_hours(data.starts_at, data.ends_at),
            difficulty=difficulty_value(data.difficulty, errors),
        ),
        published_by=user_or_none(actor),
    )
    activity.skills.set(skills)
    audit_write(
        actor=actor,
        verb=Verb.ACTIVITY_PUBLISHED,
        target=activity,
        node=activity.node,
        after={
            "title": activity.title,
            "starts_at": activity.starts_at,
            "ends_at": activity.ends_at,
            "quota": activity.quota,
            "team": activity.team_id,
            "points": activity.points,
        },
    )
    return activity


def _lock_activity(activity: Activity) -> Activity:
    return Activity.objects.select_for_update(of=("self",)).get(pk=activity.pk)


@transaction.atomic
def activity_cancel(*, actor: Any, activity: Activity, reason: str) -> Activity:
    """Call an activity off: before its start at any time (those already checked in at the
    venue get no hours and are told so), after the start only while no one has checked in
    (then it is ended with ``activity_close``). Everyone signed up or in line is told."""
    if not is_organiser(actor, activity):
        raise PermissionDenied(_("您无权取消该活动"))
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise ValidationError(_("请填写取消原因（最长200个字）"), field="reason")
    locked = _lock_activity(activity)
    if locked.status != ActivityStatus.PUBLISHED:
        raise Conflict(_("活动{label}，不能取消").format(label=ActivityStatus(locked.status).label))
    started = timezone.now() >= locked.starts_at
    # A check-out before the start is refused; one recorded before that rule (0 hours) is
    # withdrawn with the rest, as a check-in before the start is. Hours served are never.
    served = locked.signups.filter(status=SignupStatus.COMPLETED, hours__gt=0).exists()
    attended = locked.signups.filter(status__in=[SignupStatus.CHECKED_IN, SignupStatus.COMPLETED])
    if served or (started and attended.exists()):
        raise Conflict(_("活动已开始且已有志愿者签到，不能取消活动，请结束活动"))
    withdrawn = [SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]
    if not started:
        withdrawn += [SignupStatus.CHECKED_IN, SignupStatus.COMPLETED]
    told = list(
        locked.signups.select_for_update(of=("self",))
        .filter(status__in=withdrawn)
        .select_related("volunteer__resident")
    )
    checked_in = [s for s in told if s.status in (SignupStatus.CHECKED_IN, SignupStatus.COMPLETED)]
    undone = [s for s in checked_in if s.status == SignupStatus.COMPLETED]
    for signup in undone:  # counted as a service by the old check-out before the start
        Volunteer.objects.filter(pk=signup.volunteer_id, activities_done__gt=0).update(
            activities_done=F("activities_done") - 1
        )
    locked.signups.filter(pk__in=[s.pk for s in told]).update(
        status=SignupStatus.CANCELLED, hours=Decimal("0.0")
    )
    locked.status = ActivityStatus.CANCELLED
    locked.cancel_reason = reason
    locked.save(update_fields=["status", "cancel_reason"])
    for signup in told:
        body = _("【志愿服务】您报名的活动「{title}」已取消：{reason}").format(
            title=locked.title, reason=reason
        )
        if signup in checked_in:
            body += _("您的签到已作废，不计服务时长。")
        notify_resident(
            signup.volunteer.resident,
            key=f"activity:{locked.pk}:cancelled:{signup.pk}",
            subject=_("志愿活动取消"),
            body=body,
            target=locked,
        )
    audit_write(
        actor=actor,
        verb=Verb.ACTIVITY_CANCELLED,
        target=locked,
        node=locked.node,
        before={"status": ActivityStatus.PUBLISHED},
        after={
            "status": locked.status,
            "reason": reason,
            "signups_cancelled": len(told),
            "check_ins_voided": len(checked_in),
        },
    )
    return locked


# --- edit after publishing -----------------------------------------------------------------------

# What an organiser may correct once an activity is published (its place in the tree, its
# community and its team stay: they decide who sees it and who may sign up).
EDITABLE = (
    "title",
    "description",
    "place",
    "starts_at",
    "ends_at",
    "quota",
    "service_type",
    "difficulty",
    "skills",
)
# A change of these is told to every volunteer who signed up (or waits in line).
TOLD_OF = ("starts_at", "ends_at", "place")
# Fields whose change alters the points estimate.
ESTIMATE_INPUTS = ("starts_at", "ends_at", "service_type", "difficulty")
MAX_VERSION = 2**31 - 1


def _text_change(
    value: Any, field: str, label: str, errors: dict[str, list[str]], *, limit: int, required: bool = True
) -> str:
    """The stripped text, or a reason naming ``label`` (also for a NUL character, which
    PostgreSQL cannot store: a caller that bypassed the middleware still gets a clear answer)."""
    if value is not None and not isinstance(value, str):
        errors.setdefault(field, []).append(_("{label}应为文本").format(label=label))
        return ""
    if value and "\x00" in value:
        errors.setdefault(field, []).append(
            _("{label}不能包含空字符（一种看不见的字符，多由复制粘贴带入），请删除后重新输入").format(
                label=label
            )
        )
        return ""
    return text(value, field, label, errors, limit=limit, required=required)


def _moment_value(value: Any, field: str, label: str, errors: dict[str, list[str]]) -> datetime | None:
    if value is None or value == "":
        errors.setdefault(field, []).append(_("请填写{label}").format(label=label))
        return None
    if not isinstance(value, datetime) or timezone.is_naive(value):
        errors.setdefault(field, []).append(_("{label}格式不正确").format(label=label))
        return None
    return value


def _check_new_times(
    locked: Activity,
    starts_at: datetime | None,
    ends_at: datetime | None,
    errors: dict[str, list[str]],
    now: datetime,
) -> None:
    """The rules of publishing, for the times that change: the end after the start, at most
    24 hours, a new start after now (and only while the activity has not begun), a new end
    after now, at most two years ahead."""
    if starts_at is None or ends_at is None:
        return
    start_moved = starts_at != locked.starts_at
    end_moved = ends_at != locked.ends_at
    if not (start_moved or end_moved):
        return
    if ends_at <= starts_at:
        errors.setdefault("ends_at", []).append(_("结束时间应晚于开始时间"))
    elif ends_at - starts_at > MAX_DURATION:
        errors.setdefault("ends_at", []).append(_("一次活动不能超过24小时"))
    if start_moved:
        if locked.starts_at <= now:
            errors.setdefault("starts_at", []).append(_("活动已开始，不能修改开始时间"))
        elif starts_at <= now:
            errors.setdefault("starts_at", []).append(_("开始时间应晚于现在"))
        else:
            within_horizon(starts_at, "starts_at", _("开始时间"), errors, now=now)
    if end_moved and ends_at <= now and "ends_at" not in errors:
        errors.setdefault("ends_at", []).append(_("结束时间应晚于现在"))


def _audit_value(field: str, value: Any) -> Any:
    if field == "skills":
        return sorted(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return value


def _when(starts_at: datetime, ends_at: datetime) -> str:
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    until = end.strftime("%H:%M") if end.date() == start.date() else end.strftime("%Y-%m-%d %H:%M")
    return _("{start}至{end}").format(start=start.strftime("%Y-%m-%d %H:%M"), end=until)


@transaction.atomic
def activity_update(*, actor: Any, activity_id: int, version: Any, **changes: Any) -> Activity:
    """Correct a published activity: its title, description, place, times, quota, service
    type, difficulty or skills (``EDITABLE``; the fields not given stay as they are).

    Who: the organiser, as for cancelling (staff of the place, or the leader of the team
    that runs it). ``version`` is the one the caller read: another version is a
    ``Conflict`` (409) and nothing changes. The row is locked while it is checked and
    changed. Checked like publishing, for what changes: the end after the start, at most
    24 hours, a new start after now and not once the activity has begun, a quota not below
    the places already taken (a larger quota gives the new places to the first in line,
    who are told). A cancelled or finished activity cannot be edited. Only the fields that
    change are written and audited (before / after). When the time or the place changes,
    every volunteer signed up or in line gets an SMS, through the outbox: written in this
    transaction, sent after commit, never if it rolls back. Nothing changes: no new version,
    no audit row.
    """
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationError(_("不能修改的项目：{names}").format(names="、".join(unknown)), field=unknown[0])
    errors: dict[str, list[str]] = {}
    expected = whole_value(
        version, errors=errors, field="version", label=_("版本号"), minimum=1, maximum=MAX_VERSION
    )
    raise_if(errors)
    found = Activity.objects.filter(pk=activity_id).first() if isinstance(activity_id, int) else None
    if found is None:
        raise NotFound(_("活动不存在或您无权查看"))
    if not is_organiser(actor, found):
        raise PermissionDenied(_("您无权修改该活动"))
    locked = Activity.objects.select_for_update(of=("self",)).select_related("node").get(pk=found.pk)
    if locked.version != expected:
        raise Conflict(
            _("该活动已被他人修改（当前版本{version}），请刷新后再试").format(version=locked.version),
            detail={"version": locked.version, "status": locked.status},
        )
    if locked.status != ActivityStatus.PUBLISHED:
        raise Conflict(
            _("活动{label}，不能修改").format(label=ActivityStatus(locked.status).label),
            detail={"version": locked.version, "status": locked.status},
        )
    now = timezone.now()
    current: dict[str, Any] = {name: getattr(locked, name) for name in EDITABLE if name != "skills"}
    current["skills"] = set(locked.skills.values_list("code", flat=True))
    wanted = dict(current)
    if "title" in changes:
        wanted["title"] = _text_change(changes["title"], "title", _("活动名称"), errors, limit=100)
    if "place" in changes:
        wanted["place"] = _text_change(changes["place"], "place", _("活动地点"), errors, limit=200)
    if "description" in changes:
        wanted["description"] = _text_change(
            changes["description"], "description", _("活动内容"), errors, limit=2000, required=False
        )
    if "service_type" in changes:
        wanted["service_type"] = choice(
            changes["service_type"], ServiceType, "service_type", _("服务类别"), errors
        )
    if "difficulty" in changes:
        wanted["difficulty"] = difficulty_value(changes["difficulty"], errors)
    taken = locked.signups.filter(status__in=HOLDING_PLACE).count()
    if "quota" in changes:
        quota = _quota(changes["quota"], errors)
        if quota and quota < taken:
            errors.setdefault("quota", []).append(
                _("招募人数不能少于已报名人数（{taken}人）").format(taken=taken)
            )
        wanted["quota"] = quota
    for name, label in (("starts_at", _("开始时间")), ("ends_at", _("结束时间"))):
        if name in changes:
            wanted[name] = _moment_value(changes[name], name, label, errors)
    _check_new_times(locked, wanted["starts_at"], wanted["ends_at"], errors, now)
    skill_rows: list[Skill] = []
    if "skills" in changes:
        raw = changes["skills"]
        if isinstance(raw, str) or not all(isinstance(code, str) for code in raw or ()):
            errors.setdefault("skills", []).append(_("所需技能中有未知技能"))
        else:
            codes = list(dict.fromkeys(raw or ()))
            skill_rows = list(Skill.objects.filter(code__in=codes))
            if len(skill_rows) != len(codes):
                errors.setdefault("skills", []).append(_("所需技能中有未知技能"))
            wanted["skills"] = set(codes)
    raise_if(errors)
    changed = [name for name in EDITABLE if wanted[name] != current[name]]
    if not changed:
        return locked
    before = {name: _audit_value(name, current[name]) for name in changed}
    after = {name: _audit_value(name, wanted[name]) for name in changed}
    fields = [name for name in changed if name != "skills"]
    for name in fields:
        setattr(locked, name, wanted[name])
    if set(changed) & set(ESTIMATE_INPUTS):
        points = points_link.estimate(
            node=locked.node,
            activity_type=locked.service_type,
            hours=planned_hours(locked.starts_at, locked.ends_at),
            difficulty=locked.difficulty,
        )
        if points != locked.points:
            before["points"], after["points"] = locked.points, points
            locked.points = points
            fields.append("points")
    before["version"], after["version"] = locked.version, locked.version + 1
    locked.version += 1
    locked.save(update_fields=[*fields, "version"])
    if "skills" in changed:
        locked.skills.set(skill_rows)
    audit_write(
        actor=actor, verb=Verb.ACTIVITY_UPDATED, target=locked, node=locked.node, before=before, after=after
    )
    if set(changed) & set(TOLD_OF):
        _tell_of_change(locked)
    if "quota" in changed:
        for _place in range(max(0, locked.quota - taken)):
            if _promote_next(actor, locked) is None:
                break
    return locked


def _tell_of_change(activity: Activity) -> None:
    """An SMS to everyone signed up or in line: the new time and place (after commit)."""
    told = activity.signups.filter(
        status__in=[SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]
    ).select_related("volunteer__resident")
    for signup in told:
        notify_resident(
            signup.volunteer.resident,
            key=f"activity:{activity.pk}:v{activity.version}:changed:{signup.pk}",
            subject=_("志愿活动变更"),
            body=_(
                "【志愿服务】您报名的活动「{title}」时间地点有变：{when}，{place}。如不能参加，请取消报名。"
            ).format(
                title=activity.title, when=_when(activity.starts_at, activity.ends_at), place=activity.place
            ),
            target=activity,
        )


# --- sign up and cancel -------------------------------------------------------------------------


def _volunteer_of(actor: Any, volunteer: Volunteer | None) -> Volunteer:
    if volunteer is not None:
        return volunteer
    mine = acting_volunteer(actor)
    if mine is None:
        raise PermissionDenied(_("请先注册成为志愿者"))
    return mine


def _check_signup(activity: Activity, volunteer: Volunteer, now: datetime) -> None:
    if volunteer.status == VolunteerStatus.SUSPENDED:
        raise ValidationError(_("志愿者已暂停服务，不能报名"), field="volunteer")
    if volunteer.status != VolunteerStatus.APPROVED:
        raise ValidationError(_("志愿者审核通过后才能报名"), field="volunteer")
    if activity.status != ActivityStatus.PUBLISHED:
        raise ValidationError(
            _("活动{label}，不能报名").format(label=ActivityStatus(activity.status).label), field="activity"
        )
    if now >= activity.starts_at:
        raise ValidationError(_("活动已开始，报名已截止"), field="activity")
    needed = set(activity.skills.values_list("code", flat=True))
    missing = needed - set(volunteer.skills.values_list("code", flat=True))
    if missing:
        names = "、".join(Skill.objects.filter(code__in=missing).values_list("name", flat=True))
        raise ValidationError(_("该活动需要技能：{names}").format(names=names), field="skills")


def _already_signed_up(signup: Signup) -> str:
    """Why a second sign-up is not needed, in words that do not repeat themselves."""
    if signup.status == SignupStatus.CONFIRMED:
        return _("已报名该活动，无需重复报名")
    if signup.status == SignupStatus.WAITLISTED:
        return _("已在该活动的候补名单中，无需重复报名")
    return _("已报名该活动（当前状态：{label}），无需重复报名").format(
        label=SignupStatus(signup.status).label
    )


@transaction.atomic
def activity_signup(*, actor: Any, activity: Activity, volunteer: Volunteer | None = None) -> Signup:
    """Sign a volunteer up (the volunteer themself, or the organiser for them).

    The activity row is locked while places are counted, so two sign-ups for the last place
    cannot both get it: the later one waits in line (候补) and moves up when a place frees.
    """
    volunteer = _volunteer_of(actor, volunteer)
    if not (is_self(actor, volunteer.resident) or is_organiser(actor, activity)):
        raise PermissionDenied(_("您无权为该志愿者报名"))
    now = timezone.now()
    locked = _lock_activity(activity)
    _check_signup(locked, volunteer, now)
    taken = locked.signups.filter(status__in=HOLDING_PLACE).count()
    status = SignupStatus.CONFIRMED if taken < locked.quota else SignupStatus.WAITLISTED
    signup = Signup.objects.filter(activity=locked, volunteer=volunteer).first()
    if signup is not None and signup.status != SignupStatus.CANCELLED:
        raise ValidationError(_already_signed_up(signup), field="activity")
    if signup is None:
        signup = Signup.objects.create(activity=locked, volunteer=volunteer, status=status, queued_at=now)
    else:
        signup.status, signup.queued_at = status, now
        signup.save(update_fields=["status", "queued_at", "updated_at"])
    audit_write(
        actor=actor,
        verb=Verb.SIGNED_UP,
        target=locked,
        node=locked.node,
        after={"volunteer": volunteer.pk, "status": status},
    )
    return signup


def _promote_next(actor: Any, activity: Activity) -> Signup | None:
    """Give the freed place to the first in line (the caller holds the activity's lock)."""
    nxt = (
        activity.signups.select_for_update(of=("self",))
        .filter(status=SignupStatus.WAITLISTED)
        .order_by("queued_at", "id")
        .first()
    )
    if nxt is None:
        return None
    nxt.status = SignupStatus.CONFIRMED
    nxt.save(update_fields=["status", "updated_at"])
    resident = nxt.volunteer.resident
    notify_resident(
        resident,
        key=f"activity:{activity.pk}:promoted:{nxt.pk}:{nxt.updated_at.isoformat()}",
        subject=_("候补转正"),
        body=_("【志愿服务】{name}：您候补的活动「{title}」有空位，已为您转为正式报名。").format(
            name=resident.name, title=activity.title
        ),
        target=activity,
    )
    audit_write(
        actor=actor,
        verb=Verb.SIGNUP_PROMOTED,
        target=activity,
        node=activity.node,
        after={"volunteer": nxt.volunteer_id, "status": nxt.status},
    )
    return nxt


@transaction.atomic
def activity_signup_cancel(*, actor: Any, activity: Activity, volunteer: Volunteer | None = None) -> Signup:
    """Withdraw a sign-up before the start; a freed place goes to the first in line."""
    volunteer = _volunteer_of(actor, volunteer)
    if not (is_self(actor, volunteer.resident) or is_organiser(actor, activity)):
        raise PermissionDenied(_("您无权取消该报名"))
    locked = _lock_activity(activity)
    signup = locked.signups.select_for_update(of=("self",)).filter(volunteer=volunteer).first()
    if signup is None or signup.status not in (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED):
        raise ValidationError(_("没有可以取消的报名"), field="activity")
    if timezone.now() >= locked.starts_at:
        raise ValidationError(_("活动已开始，不能取消报名"), field="activity")
    _withdraw(actor, locked, signup, volunteer)
    return signup


def _withdraw(actor: Any, locked: Activity, signup: Signup, volunteer: Volunteer, reason: str = "") -> None:
    """Cancel a locked sign-up (confirmed or in line); a freed place goes to the first in line."""
    held_place = signup.status == SignupStatus.CONFIRMED
    signup.status = SignupStatus.CANCELLED
    signup.save(update_fields=["status", "updated_at"])
    after: dict[str, Any] = {"volunteer": volunteer.pk, "held_place": held_place}
    if reason:
        after["reason"] = reason
    audit_write(actor=actor, verb=Verb.SIGNUP_CANCELLED, target=locked, node=locked.node, after=after)
    if held_place:
        _promote_next(actor, locked)


def signups_withdraw_suspended(actor: Any, volunteer: Volunteer) -> list[Activity]:
    """Withdraw a suspended volunteer's sign-ups (confirmed or in line) to activities not yet
    started, as a cancellation does: a freed place goes to the first in line, who is told.
    The caller holds the volunteer's lock inside a transaction; the activities are locked
    in id order. Returns the activities withdrawn from (the volunteer is told by the caller)."""
    now = timezone.now()
    ids = sorted(
        set(
            Signup.objects.filter(
                volunteer=volunteer,
                status__in=[SignupStatus.CONFIRMED, SignupStatus.WAITLISTED],
                activity__status=ActivityStatus.PUBLISHED,
                activity__starts_at__gt=now,
            ).values_list("activity_id", flat=True)
        )
    )
    withdrawn = []
    for activity_id in ids:
        locked = Activity.objects.select_for_update(of=("self",)).select_related("node").get(pk=activity_id)
        signup = _lock_signup(locked, volunteer)
        if (
            signup is None
            or signup.status not in (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)
            or locked.status != ActivityStatus.PUBLISHED
            or locked.starts_at <= now
        ):
            continue
        _withdraw(actor, locked, signup, volunteer, reason="suspended")
        withdrawn.append(locked)
    return withdrawn


# --- check in and out ---------------------------------------------------------------------------


def _moment(
    actor: Any, activity: Activity, volunteer: Volunteer, code: str, at: datetime | None
) -> tuple[datetime, str]:
    """When and how: the organiser records any plausible time; a volunteer scans the code now."""
    now = timezone.now()
    if is_organiser(actor, activity):
        moment = at or now
        if moment > now + timedelta(minutes=1):
            raise ValidationError(_("时间不能晚于现在"), field="at")
        if not activity.starts_at - QR_OPENS_BEFORE <= moment <= activity.ends_at + ORGANISER_LATEST_AFTER:
            raise ValidationError(_("时间应在活动开始前1小时至结束后12小时之间"), field="at")
        return moment, CheckVia.ORGANISER
    if not is_self(actor, volunteer.resident):
        raise PermissionDenied(_("您无权为该志愿者签到签退"))
    if not code or not secrets.compare_digest(code, activity.check_code):
        raise ValidationError(_("签到码无效，请扫描活动现场的二维码"), field="code")
    return now, CheckVia.QR


def _lock_signup(activity: Activity, volunteer: Volunteer) -> Signup | None:
    return (
        Signup.objects.select_for_update(of=("self",)).filter(activity=activity, volunteer=volunteer).first()
    )


@transaction.atomic
def activity_check_in(
    *,
    actor: Any,
    activity: Activity,
    volunteer: Volunteer | None = None,
    code: str = "",
    at: datetime | None = None,
) -> Signup:
    """Check a volunteer in: by scanning the venue's QR code (``code``) or by the organiser.

    The sign-up row is locked and must still be waiting for check-in, so a volunteer is never
    checked in twice, even by two scans (or a scan and the organiser) at the same moment.
    The organiser may also check in a volunteer in line or one who did not sign up.
    """
    volunteer = _volunteer_of(actor, volunteer)
    moment, via = _moment(actor, activity, volunteer, code, at)
    locked = _lock_activity(activity)
    # the row afresh: a suspension may have come after the caller read it
    status = Volunteer.objects.filter(pk=volunteer.pk).values_list("status", flat=True).first()
    if status == VolunteerStatus.SUSPENDED:
        raise ValidationError(_("志愿者已暂停服务，不能签到"), field="volunteer")
    if status != VolunteerStatus.APPROVED:
        raise ValidationError(_("志愿者审核通过后才能参加活动"), field="volunteer")
    if locked.status != ActivityStatus.PUBLISHED:
        raise ValidationError(
            _("活动{label}，不能签到").format(label=ActivityStatus(locked.status).label), field="activity"
        )
    if via == CheckVia.QR and not locked.starts_at - QR_OPENS_BEFORE <= moment <= locked.ends_at:
        raise ValidationError(_("不在签到时间内（活动开始前1小时至活动结束）"), field="code")
    signup = _lock_signup(locked, volunteer)
    if signup is not None and signup.status in (SignupStatus.CHECKED_IN, SignupStatus.COMPLETED):
        when = timezone.localtime(signup.checked_in_at).strftime("%H:%M") if signup.checked_in_at else ""
        raise Conflict(_("{volunteer}已于{when}签到，不能重复签到").format(volunteer=volunteer, when=when))
    if via == CheckVia.QR and (signup is None or signup.status != SignupStatus.CONFIRMED):
        raise ValidationError(_("您没有该活动的正式报名，请联系活动组织者"), field="activity")
    if signup is None:
        try:
            with transaction.atomic():
                signup = Signup.objects.create(
                    activity=locked, volunteer=volunteer, status=SignupStatus.CONFIRMED, queued_at=moment
                )
        except IntegrityError as exc:  # pragma: no cover - the activity lock serialises this
            raise Conflict(_("该志愿者的报名刚刚发生变化，请刷新后再试")) from exc
    signup.status = SignupStatus.CHECKED_IN
    signup.checked_in_at, signup.check_in_via = moment, via
    signup.save(update_fields=["status", "checked_in_at", "check_in_via", "updated_at"])
    audit_write(
        actor=actor,
        verb=Verb.CHECKED_IN,
        target=locked,
        node=locked.node,
        after={"volunteer": volunteer.pk, "at": moment, "via": via},
    )
    return signup


def _finish(actor: Any, activity: Activity, signup: Signup, moment: datetime, via: str) -> Signup:
    """Check out: hours, the volunteer's counters, points (the caller holds the row locks)."""
    assert signup.checked_in_at is not None
    signup.status = SignupStatus.COMPLETED
    signup.checked_out_at, signup.check_out_via = moment, via
    signup.hours = hours_served(activity, signup.checked_in_at, moment)
    volunteer = signup.volunteer
    if signup.hours > 0:
        signup.points = points_link.award(
            actor=actor if is_staff(actor, activity.node_path) else SYSTEM,
            holder=volunteer.resident,
            activity_type=activity.service_type,
            hours=signup.hours,
            difficulty=activity.difficulty,
            source=POINTS_SOURCE_ACTIVITY,
            source_ref=f"signup:{signup.pk}",
            node=activity.node,
            note=_("志愿活动：{title}").format(title=activity.title),
            team=points_link.team_key(activity),
            at=min(moment, timezone.now()),  # a phone's clock may run a little ahead (allowed above)
        )
    signup.save(update_fields=["status", "checked_out_at", "check_out_via", "hours", "points", "updated_at"])
    if signup.hours > 0:  # a check-out with no whole half hour served is no service
        Volunteer.objects.filter(pk=volunteer.pk).update(
            hours_total=F("hours_total") + signup.hours, activities_done=F("activities_done") + 1
        )
    audit_write(
        actor=actor,
        verb=Verb.CHECKED_OUT,
        target=activity,
        node=activity.node,
        after={
            "volunteer": volunteer.pk,
            "at": moment,
            "via": via,
            "hours": signup.hours,
            "points": signup.points,
        },
    )
    return signup


@transaction.atomic
def activity_check_out(
    *,
    actor: Any,
    activity: Activity,
    volunteer: Volunteer | None = None,
    code: str = "",
    at: datetime | None = None,
) -> Signup:
    """Check a volunteer out (QR code or organiser): hours are computed and points credited."""
    volunteer = _volunteer_of(actor, volunteer)
    moment, via = _moment(actor, activity, volunteer, code, at)
    locked = _lock_activity(activity)
    if via == CheckVia.QR and moment > locked.ends_at + QR_CHECK_OUT_AFTER:
        raise ValidationError(_("已超过签退时间，请联系活动组织者"), field="code")
    if moment < locked.starts_at:
        raise ValidationError(
            _("活动尚未开始（{start}开始），开始后才能签退").format(
                start=timezone.localtime(locked.starts_at).strftime("%m-%d %H:%M")
            ),
            field="at" if via == CheckVia.ORGANISER else "code",
        )
    signup = (
        Signup.objects.select_for_update(of=("self",))
        .select_related("volunteer__resident")
        .filter(activity=locked, volunteer=volunteer)
        .first()
    )
    if signup is None or signup.status != SignupStatus.CHECKED_IN:
        if signup is not None and signup.status == SignupStatus.COMPLETED:
            raise Conflict(_("{volunteer}已签退，不能重复签退").format(volunteer=volunteer))
        raise ValidationError(_("尚未签到，不能签退"), field="activity")
    assert signup.checked_in_at is not None
    if moment < signup.checked_in_at:
        raise ValidationError(_("签退时间不能早于签到时间"), field="at")
    return _finish(actor, locked, signup, moment, via)


@dataclass(frozen=True)
class Closing:
    no_shows: int
    auto_checked_out: int
    completed: int
    not_selected: int = 0


@transaction.atomic
def activity_close(*, actor: Any, activity: Activity) -> Closing:
    """End an activity once it has started: confirmed volunteers who never checked in are
    recorded as no-shows; those still checked in are checked out at the end time; those
    still on the waiting list were not selected (未入选)."""
    if not is_organiser(actor, activity):
        raise PermissionDenied(_("您无权结束该活动"))
    locked = _lock_activity(activity)
    if locked.status != ActivityStatus.PUBLISHED:
        raise Conflict(_("活动{label}").format(label=ActivityStatus(locked.status).label))
    now = timezone.now()
    if now < locked.starts_at:
        raise ValidationError(_("活动尚未开始，不能结束（可以取消活动）"), field="activity")
    absent = list(locked.signups.select_for_update(of=("self",)).filter(status=SignupStatus.CONFIRMED))
    Signup.objects.filter(pk__in=[s.pk for s in absent]).update(status=SignupStatus.NO_SHOW)
    for signup in absent:
        Volunteer.objects.filter(pk=signup.volunteer_id).update(no_shows=F("no_shows") + 1)
    still_in = list(
        locked.signups.select_for_update(of=("self",))
        .select_related("volunteer__resident")
        .filter(status=SignupStatus.CHECKED_IN)
    )
    for signup in still_in:
        _finish(actor, locked, signup, min(now, locked.ends_at), CheckVia.AUTO)
    # The waiting list is over: those on it were not selected (they kept 候补中 for ever, with a
    # cancel button that could only fail).
    not_selected = locked.signups.filter(status=SignupStatus.WAITLISTED).update(
        status=SignupStatus.NOT_SELECTED
    )
    locked.status = ActivityStatus.CLOSED
    locked.closed_at = now
    locked.save(update_fields=["status", "closed_at"])
    done = locked.signups.filter(status=SignupStatus.COMPLETED).count()
    result = Closing(
        no_shows=len(absent), auto_checked_out=len(still_in), completed=done, not_selected=not_selected
    )
    audit_write(
        actor=actor,
        verb=Verb.ACTIVITY_CLOSED,
        target=locked,
        node=locked.node,
        before={"status": ActivityStatus.PUBLISHED},
        after={"status": locked.status, **result.__dict__},
    )
    return result


def activity_by_code(activity_id: int, code: str) -> Activity:
    """The activity a venue QR code points at (the code must match)."""
    activity = Activity.objects.select_related("community", "team").filter(pk=activity_id).first()
    if activity is None or not code or not secrets.compare_digest(code, activity.check_code):
        raise NotFound(_("签到码无效或活动不存在"))
    return activity


def signups_of(activity: Activity, statuses: Iterable[str] | None = None) -> list[Signup]:
    qs = activity.signups.select_related("volunteer__resident")
    if statuses is not None:
        qs = qs.filter(status__in=list(statuses))
    return list(qs.order_by("queued_at", "id"))
