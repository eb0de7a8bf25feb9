"""Volunteers: registration (by the resident or by the community), approval, profile; teams."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can
from civicgrid.core import crypto
from civicgrid.core.audit import audit_write, snapshot
from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.registry.constants import Verb as RegistryVerb
from civicgrid.registry.models import Organisation, Resident
from civicgrid.registry.pii import may_reveal
from civicgrid.territory.models import Node, NodeKind
from civicgrid.volunteers.constants import (
    COLOUR_TEAM_DUTIES,
    COLOUR_TEAM_NAMES,
    Availability,
    OrderStatus,
    TeamColour,
    Verb,
    VolunteerKind,
    VolunteerStatus,
)
from civicgrid.volunteers.models import ServiceOrder, Skill, Team, TeamMember, Volunteer
from civicgrid.volunteers.permissions import is_self, is_staff
from civicgrid.volunteers.services.activities import signups_withdraw_suspended
from civicgrid.volunteers.services.common import (
    COMMUNITY_OR_BELOW,
    community_of,
    notify_resident,
    raise_if,
    text,
    user_or_none,
)
from civicgrid.volunteers.services.orders import service_order_release

AUDIT_FIELDS = [
    "status",
    "kind",
    "community",
    "node",
    "organisation",
    "availability",
    "intro",
    "guardian_consent",
]


def _skills(codes: Iterable[str], errors: dict[str, list[str]]) -> list[Skill]:
    wanted = list(dict.fromkeys(c for c in codes if c))
    found = {s.code: s for s in Skill.objects.filter(code__in=wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        errors.setdefault("skills", []).append(
            gettext("未知技能：{missing}").format(missing="、".join(missing))
        )
    return [found[c] for c in wanted if c in found]


def _availability(values: Iterable[str], errors: dict[str, list[str]]) -> list[str]:
    wanted = list(dict.fromkeys(v for v in values if v))
    bad = [v for v in wanted if v not in Availability.values]
    if bad:
        errors.setdefault("availability", []).append(
            gettext("可服务时间无效：{bad}").format(bad="、".join(bad))
        )
    return [v for v in wanted if v in Availability.values]


def _service_area(area: Node | None, community: Node, errors: dict[str, list[str]]) -> Node:
    if area is None:
        return community
    if area.kind not in COMMUNITY_OR_BELOW or not area.path.startswith(community.path):
        errors.setdefault("service_area", []).append(gettext("服务区域应为服务社区或其下的网格、小区"))
        return community
    return area


def _default_community(resident: Resident, kind: str, organisation: Organisation | None) -> Node:
    """Residents and in-service members serve where they live; unit staff where their unit is."""
    if kind == VolunteerKind.UNIT_STAFF and organisation is not None:
        return community_of(organisation.node, field="organisation")
    return community_of(resident.node, field="resident")


ADULT_AGE = 18
# The youngest who may register. The Civil Code (art. 19-20) makes a child under 8 a person
# without civil capacity, who cannot take part in a legal act such as this registration even
# with a guardian's consent; from 8 to 17 a minor serves with that consent (志愿服务条例 art. 15).
# An age under 8 in the registry is far likelier a mistyped birth year than a volunteer.
MIN_AGE = 8


def age_on(resident: Resident, day: date) -> int | None:
    """Whole years of age on ``day``; None when the registry has no birth date."""
    born = resident.birth_date
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def is_minor(resident: Resident) -> bool:
    """Under 18 today by the registry's birth date (unknown: not known to be a minor)."""
    age = age_on(resident, timezone.localdate())
    return age is not None and age < ADULT_AGE


def _age_allowed(resident: Resident, errors: dict[str, list[str]]) -> bool:
    """A birth date in the future or an age under ``MIN_AGE`` is refused (under "birth_date",
    naming the registry's 出生日期); an unknown birth date is allowed, as before."""
    today = timezone.localdate()
    age = age_on(resident, today)
    if age is None:
        return True
    if resident.birth_date is not None and resident.birth_date > today:
        errors.setdefault("birth_date", []).append(
            gettext("出生日期（{born}）晚于今天，请先在居民档案中更正").format(
                born=resident.birth_date.isoformat()
            )
        )
    elif age < MIN_AGE:
        errors.setdefault("birth_date", []).append(
            gettext("出生日期：该居民未满{minimum}周岁（{age}岁），不能登记为志愿者").format(
                minimum=MIN_AGE, age=age
            )
        )
    else:
        return True
    return False


def consent_masked(consent: str) -> str:
    """The guardian's consent as pages, the API and audit rows show it: every phone (and ID
    number) in it masked (``13812345678`` -> ``138****5678``, ``crypto.mask_numbers_in_text``);
    the full text only through ``volunteer_consent_reveal``."""
    return crypto.mask_numbers_in_text(consent or "")


def _audit(volunteer: Volunteer) -> dict[str, Any]:
    """What an audit row keeps: the guardian's phone masked, as the registry keeps PII."""
    row = snapshot(volunteer, AUDIT_FIELDS)
    row["guardian_consent"] = consent_masked(volunteer.guardian_consent)
    return row


@transaction.atomic
def volunteer_consent_reveal(*, actor: Any, volunteer: Volunteer) -> str:
    """The full consent (the guardian's phone unmasked) for staff of the volunteer's community
    who may see the resident's PII; audited as the registry's reveal is."""
    resident = volunteer.resident
    if not (is_staff(actor, volunteer.node_path) and may_reveal(actor, resident)):
        raise PermissionDenied(gettext("您无权查看监护人的完整联系方式"))
    audit_write(
        actor=actor,
        verb=RegistryVerb.RESIDENT_PII_VIEWED,
        target=resident,
        node=resident.node,
        after={"fields": ["guardian_consent"], "volunteer": volunteer.pk},
    )
    return volunteer.guardian_consent


def _guardian_consent(resident: Resident, value: str, errors: dict[str, list[str]]) -> str:
    """A minor serves with a guardian's consent (志愿服务条例; 未成年人保护法): who agreed and how
    must be written down. Adults need none (what was typed is dropped)."""
    consent = text(value, "guardian_consent", gettext("监护人同意情况"), errors, limit=200, required=False)
    age = age_on(resident, timezone.localdate())
    if age is None or age >= ADULT_AGE:
        return ""
    if not consent:
        errors.setdefault("guardian_consent", []).append(
            gettext(
                "该居民未满18周岁（{age}岁），须经监护人同意才能登记为志愿者："
                "请填写监护人同意情况（监护人姓名、关系、联系方式）"
            ).format(age=age)
        )
    return consent


def _check_register(
    actor: Any, resident: Resident, kind: str, community: Node, organisation: Organisation | None
) -> bool:
    """Who may register: the resident themself, or a community worker who sees the resident
    in the registry and manages the community to be served. True when staff registers."""
    if is_staff(actor, community.path) and can(actor, Capability.REGISTRY_VIEW, resident.node_path):
        return True
    if not is_self(actor, resident):
        raise PermissionDenied(gettext("您无权为该居民登记志愿者"))
    allowed = {community_of(resident.node, field="resident").pk}
    if kind == VolunteerKind.UNIT_STAFF and organisation is not None:
        allowed.add(community_of(organisation.node, field="organisation").pk)
    if community.pk not in allowed:
        raise ValidationError(gettext("只能在居住地社区或所在共建单位的社区注册"), field="community")
    return False


@transaction.atomic
def volunteer_register(
    *,
    actor: Any,
    resident: Resident,
    kind: str = VolunteerKind.RESIDENT,
    community: Node | None = None,
    service_area: Node | None = None,
    organisation: Organisation | None = None,
    skills: Iterable[str] = (),
    availability: Iterable[str] = (),
    intro: str = "",
    teams: Iterable[Team] = (),
    guardian_consent: str = "",
) -> Volunteer:
    """Register a resident as a volunteer of a community.

    The resident registers through their own account (status 待审核 until the community
    approves), or a community worker registers them (approved at once). ``kind``: a resident,
    an in-service party member (serves where they live) or the staff of a partner unit
    (``organisation`` required; serves the unit's community by default). A resident whose
    earlier application was rejected may apply again; anyone else registers once. A minor
    (under 18 by the registry's birth date) needs ``guardian_consent``: who agreed and how.
    """
    errors: dict[str, list[str]] = {}
    # the row afresh: a page's copy may have its birth date reduced to the year (registry.pii)
    resident = Resident.objects.select_related("node").get(pk=resident.pk)
    if kind not in VolunteerKind.values:
        raise ValidationError(gettext("志愿者类别无效"), field="kind")
    if kind == VolunteerKind.UNIT_STAFF and organisation is None:
        raise ValidationError(gettext("共建单位职工须填写所在单位"), field="organisation")
    if not resident.is_active:
        raise ValidationError(gettext("该居民已不在册"), field="resident")
    community = (
        community_of(community, "community")
        if community
        else _default_community(resident, kind, organisation)
    )
    by_staff = _check_register(actor, resident, kind, community, organisation)
    area = _service_area(service_area, community, errors)
    skill_rows = _skills(skills, errors)
    slots = _availability(availability, errors)
    intro = text(intro, "intro", gettext("个人简介"), errors, limit=200, required=False)
    consent = _guardian_consent(resident, guardian_consent, errors) if _age_allowed(resident, errors) else ""
    team_rows = list(teams)
    if any(t.node_id != community.pk for t in team_rows):
        errors.setdefault("teams", []).append(gettext("只能加入服务社区的志愿服务队"))
    raise_if(errors)
    now = timezone.now()
    values = {
        "kind": kind,
        "organisation": organisation,
        "community": community,
        "node": area,
        "node_path": area.path,
        "availability": slots,
        "intro": intro,
        "guardian_consent": consent,
        "status": VolunteerStatus.APPROVED if by_staff else VolunteerStatus.PENDING,
        "applied_at": now,
        "registered_by": user_or_none(actor),
        "decided_at": now if by_staff else None,
        "decided_by": user_or_none(actor) if by_staff else None,
        "decision_note": gettext("社区登记") if by_staff else "",
    }
    volunteer = _create_or_reapply(resident, values)
    volunteer.skills.set(skill_rows)
    for team in team_rows:
        TeamMember.objects.get_or_create(team=team, volunteer=volunteer)
    audit_write(
        actor=actor,
        verb=Verb.VOLUNTEER_REGISTERED,
        target=volunteer,
        node=area,
        after={**_audit(volunteer), "skills": [s.code for s in skill_rows]},
    )
    return volunteer


def _create_or_reapply(resident: Resident, values: dict[str, Any]) -> Volunteer:
    existing = Volunteer.objects.select_for_update(of=("self",)).filter(resident=resident).first()
    if existing is not None:
        if existing.status != VolunteerStatus.REJECTED:
            raise ValidationError(gettext("该居民已注册为志愿者"), field="resident")
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        return existing
    try:
        with transaction.atomic():
            return Volunteer.objects.create(resident=resident, **values)
    except IntegrityError as exc:  # registered at the same moment by someone else
        raise ValidationError(gettext("该居民已注册为志愿者"), field="resident") from exc


def _locked(volunteer: Volunteer) -> Volunteer:
    return Volunteer.objects.select_for_update(of=("self",)).select_related("resident").get(pk=volunteer.pk)


@transaction.atomic
def volunteer_decide(*, actor: Any, volunteer: Volunteer, approve: bool, note: str = "") -> Volunteer:
    """The community approves or rejects an application (a suspended volunteer may be
    approved again). Rejecting needs a reason; the resident is told by SMS."""
    if not is_staff(actor, volunteer.node_path):
        raise PermissionDenied(gettext("您无权审核该社区的志愿者"))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError(gettext("请填写不通过的原因"), field="note")
    if len(note) > 200:
        raise ValidationError(gettext("审核意见最长200个字"), field="note")
    locked = _locked(volunteer)
    allowed = {VolunteerStatus.PENDING, VolunteerStatus.SUSPENDED} if approve else {VolunteerStatus.PENDING}
    if locked.status not in allowed:
        raise Conflict(
            gettext("该志愿者当前状态为「{label}」，无法审核").format(
                label=VolunteerStatus(locked.status).label
            )
        )
    before = _audit(locked)
    reinstated = approve and locked.status == VolunteerStatus.SUSPENDED
    locked.status = VolunteerStatus.APPROVED if approve else VolunteerStatus.REJECTED
    locked.decided_at = timezone.now()
    locked.decided_by = user_or_none(actor)
    locked.decision_note = note
    locked.save(update_fields=["status", "decided_at", "decided_by", "decision_note", "updated_at"])
    audit_write(
        actor=actor,
        verb=Verb.VOLUNTEER_APPROVED if approve else Verb.VOLUNTEER_REJECTED,
        target=locked,
        node=locked.node,
        before=before,
        after={**_audit(locked), "note": note},
    )
    if reinstated:
        body = gettext("【志愿服务】{name}：您的志愿者资格已恢复，可以继续报名活动、接单服务。").format(
            name=locked.resident.name
        )
        if note:
            body += gettext("说明：{note}").format(note=note)
        notify_resident(
            locked.resident,
            key=f"volunteer:{locked.pk}:reinstated:{locked.decided_at.isoformat()}",
            subject=gettext("志愿者恢复服务"),
            body=body,
            target=locked,
        )
        return locked
    result = (
        gettext("已通过审核，欢迎加入志愿服务！")
        if approve
        else gettext("未通过审核：{note}").format(note=note)
    )
    notify_resident(
        locked.resident,
        key=f"volunteer:{locked.pk}:decided:{locked.decided_at.isoformat()}",
        subject=gettext("志愿者注册审核结果"),
        body=gettext("【志愿服务】{name}：您的志愿者注册申请{result}").format(
            name=locked.resident.name, result=result
        ),
        target=locked,
    )
    return locked


@transaction.atomic
def volunteer_suspend(*, actor: Any, volunteer: Volunteer, note: str) -> Volunteer:
    """Pause a volunteer (no sign-ups, no check-ins, no orders) with a reason. Their sign-ups
    to activities not yet started are withdrawn (a freed place goes to the first in line,
    who is told); the volunteer is told by SMS, with the reason and what was withdrawn."""
    if not is_staff(actor, volunteer.node_path):
        raise PermissionDenied(gettext("您无权管理该社区的志愿者"))
    note = (note or "").strip()
    if not note or len(note) > 200:
        raise ValidationError(gettext("请填写暂停原因（最长200个字）"), field="note")
    locked = _locked(volunteer)
    if locked.status != VolunteerStatus.APPROVED:
        raise Conflict(gettext("只有已通过审核的志愿者可以暂停"))
    withdrawn, released = _suspend(actor, locked, note)
    body = gettext(
        "【志愿服务】{name}：您的志愿者资格已暂停，暂停期间不能报名活动、签到和接单。原因：{note}。"
    ).format(name=locked.resident.name, note=note.rstrip("。."))
    if withdrawn:
        body += gettext("已取消您报名的活动：{titles}。").format(
            titles="、".join(f"「{a.title}」" for a in withdrawn)
        )
    if released:
        body += gettext("您正在服务的服务单已退回社区另行安排：{titles}。").format(
            titles="、".join(f"「{o.title}」" for o in released)
        )
    notify_resident(
        locked.resident,
        key=f"volunteer:{locked.pk}:suspended:{locked.updated_at.isoformat()}",
        subject=gettext("志愿者暂停服务"),
        body=body,
        target=locked,
    )
    return locked


RELEASE_REASON_MAX = 200  # an order's release reason (services.orders._reason)


def _suspend(actor: Any, locked: Volunteer, note: str) -> tuple[list[Any], list[ServiceOrder]]:
    """Suspend a locked volunteer: their sign-ups to activities not yet started are withdrawn
    and the orders they serve go back; the audit row. Returns (activities, orders)."""
    before = _audit(locked)
    locked.status = VolunteerStatus.SUSPENDED
    locked.decision_note = note
    locked.save(update_fields=["status", "decision_note", "updated_at"])
    withdrawn = signups_withdraw_suspended(actor, locked)
    released = _orders_released(actor, locked, note)
    audit_write(
        actor=actor,
        verb=Verb.VOLUNTEER_SUSPENDED,
        target=locked,
        node=locked.node,
        before=before,
        after={
            **_audit(locked),
            "signups_withdrawn": [a.pk for a in withdrawn],
            "orders_released": [o.pk for o in released],
        },
    )
    return withdrawn, released


def volunteer_stop_for_left_resident(*, actor: Any, resident: Resident) -> list[str]:
    """Called by the registry, in its transaction, when ``resident`` leaves the register
    (迁出, 死亡, 其他; ``registry.services.resident_update``, authorised there): their
    volunteer record, pending or approved, is suspended with the reason, their sign-ups to
    activities not yet started are withdrawn and the orders they serve go back. Nobody is
    sent an SMS: the resident has left (or died). Returns what it did, for the registry's
    audit row and message."""
    volunteer = Volunteer.objects.filter(resident=resident).first()
    if volunteer is None:
        return []
    locked = _locked(volunteer)
    if locked.status not in (VolunteerStatus.APPROVED, VolunteerStatus.PENDING):
        return []
    note = gettext("居民{status}").format(status=resident.left_summary)
    withdrawn, released = _suspend(actor, locked, note)
    done = gettext("志愿者资格已暂停")
    if withdrawn:
        done += gettext("，取消活动报名 {count} 项").format(count=len(withdrawn))
    if released:
        done += gettext("，退回服务单 {count} 张").format(count=len(released))
    return [done]


def _orders_released(actor: Any, volunteer: Volunteer, note: str) -> list[ServiceOrder]:
    """The orders a suspended volunteer was serving go back (taken ones to 待接单, dispatched
    ones to 待派单) for someone else, each with the reason on its history: those the actor
    may act on; one elsewhere stays for the staff of its place."""
    reason = gettext("接单志愿者已暂停服务：{note}").format(note=note)
    if len(reason) > RELEASE_REASON_MAX:  # the whole note stays on the volunteer and the audit row
        reason = reason[: RELEASE_REASON_MAX - 1] + "…"
    released = []
    held = ServiceOrder.objects.filter(taker_volunteer=volunteer, status=OrderStatus.ASSIGNED).order_by("id")
    for order in held:
        try:
            released.append(service_order_release(actor=actor, order=order, reason=reason))
        except PermissionDenied:
            continue
    return released


@transaction.atomic
def volunteer_update(
    *,
    actor: Any,
    volunteer: Volunteer,
    skills: Iterable[str] | None = None,
    availability: Iterable[str] | None = None,
    service_area: Node | None = None,
    intro: str | None = None,
    guardian_consent: str | None = None,
) -> Volunteer:
    """Change skills, availability, service area (within the community) or introduction;
    the volunteer themself or the community. ``guardian_consent`` (a minor's guardian's
    consent, e.g. for one registered before consent was asked for, or a renewed one) is
    recorded by the community only, and only for a volunteer who is a minor today."""
    staff = is_staff(actor, volunteer.node_path)
    if not (is_self(actor, volunteer.resident) or staff):
        raise PermissionDenied(gettext("您无权修改该志愿者的信息"))
    if guardian_consent is not None and not staff:
        raise PermissionDenied(gettext("监护人同意情况由社区工作人员登记"))
    errors: dict[str, list[str]] = {}
    locked = _locked(volunteer)
    before = _audit(locked)
    if guardian_consent is not None:
        if is_minor(locked.resident):
            locked.guardian_consent = _guardian_consent(locked.resident, guardian_consent, errors)
        else:
            errors.setdefault("guardian_consent", []).append(
                gettext("该志愿者已年满18周岁（或档案中没有出生日期），无需登记监护人同意")
            )
    skill_rows = _skills(skills, errors) if skills is not None else None
    if availability is not None:
        locked.availability = _availability(availability, errors)
    if service_area is not None:
        area = _service_area(service_area, locked.community, errors)
        locked.node, locked.node_path = area, area.path
    if intro is not None:
        locked.intro = text(intro, "intro", gettext("个人简介"), errors, limit=200, required=False)
    raise_if(errors)
    locked.save()
    if skill_rows is not None:
        locked.skills.set(skill_rows)
    audit_write(
        actor=actor,
        verb=Verb.VOLUNTEER_UPDATED,
        target=locked,
        node=locked.node,
        before=before,
        after=_audit(locked),
    )
    return locked


# --- teams ----------------------------------------------------------------------------------


def _community_for_team(actor: Any, community: Node) -> Node:
    if community.kind != NodeKind.COMMUNITY:
        raise ValidationError(gettext("志愿服务队应建在社区"), field="community")
    if not is_staff(actor, community.path):
        raise PermissionDenied(gettext("您无权管理该社区的志愿服务队"))
    return community


@transaction.atomic
def team_create(
    *, actor: Any, community: Node, name: str, colour: str = TeamColour.OTHER, duties: str = ""
) -> Team:
    """A volunteer team of a community; at most one team of each of the five colours."""
    _community_for_team(actor, community)
    errors: dict[str, list[str]] = {}
    name = text(name, "name", gettext("队伍名称"), errors, limit=60)
    duties = text(duties, "duties", gettext("服务内容"), errors, limit=200, required=False)
    if colour not in TeamColour.values:
        errors.setdefault("colour", []).append(gettext("队伍类别无效"))
    raise_if(errors)
    if Team.objects.filter(node=community, name=name).exists():
        raise ValidationError(gettext("本社区已有同名的志愿服务队"), field="name")
    if colour != TeamColour.OTHER and Team.objects.filter(node=community, colour=colour).exists():
        raise ValidationError(
            gettext("本社区已有{label}志愿服务队").format(label=TeamColour(colour).label), field="colour"
        )
    try:
        with transaction.atomic():
            team = Team.objects.create(
                node=community, node_path=community.path, name=name, colour=colour, duties=duties
            )
    except IntegrityError as exc:
        raise ValidationError(gettext("本社区已有同名或同类别的志愿服务队"), field="name") from exc
    audit_write(
        actor=actor,
        verb=Verb.TEAM_CREATED,
        target=team,
        node=community,
        after={"name": name, "colour": colour, "duties": duties},
    )
    return team


def teams_create_colours(*, actor: Any, community: Node) -> list[Team]:
    """The five colour teams of a community (红 互助, 绿 环保, 蓝 平安, 黄 法律, 紫 文化);
    those that exist already are kept."""
    _community_for_team(actor, community)
    existing = set(Team.objects.filter(node=community).values_list("colour", flat=True))
    created = []
    with transaction.atomic():
        for colour, name in COLOUR_TEAM_NAMES.items():
            if colour not in existing:
                created.append(
                    team_create(
                        actor=actor,
                        community=community,
                        name=name,
                        colour=colour,
                        duties=COLOUR_TEAM_DUTIES[colour],
                    )
                )
    return created


@transaction.atomic
def team_member_add(*, actor: Any, team: Team, volunteer: Volunteer, is_leader: bool = False) -> TeamMember:
    """Put an approved volunteer of the team's community in the team (or make them its leader)."""
    if not is_staff(actor, team.node_path):
        raise PermissionDenied(gettext("您无权管理该志愿服务队"))
    if volunteer.community_id != team.node_id:
        raise ValidationError(gettext("只能加入本社区的志愿者"), field="volunteer")
    if volunteer.status != VolunteerStatus.APPROVED:
        raise ValidationError(gettext("只有已通过审核的志愿者可以入队"), field="volunteer")
    member, _ = TeamMember.objects.get_or_create(team=team, volunteer=volunteer)
    if member.is_leader != is_leader:
        member.is_leader = is_leader
        member.save(update_fields=["is_leader"])
    audit_write(
        actor=actor,
        verb=Verb.TEAM_MEMBER_ADDED,
        target=team,
        node=team.node,
        after={"volunteer": volunteer.pk, "is_leader": is_leader},
    )
    return member


@transaction.atomic
def team_member_remove(*, actor: Any, team: Team, volunteer: Volunteer) -> None:
    if not is_staff(actor, team.node_path):
        raise PermissionDenied(gettext("您无权管理该志愿服务队"))
    deleted, _ = TeamMember.objects.filter(team=team, volunteer=volunteer).delete()
    if not deleted:
        raise ValidationError(gettext("该志愿者不在此队伍中"), field="volunteer")
    audit_write(
        actor=actor,
        verb=Verb.TEAM_MEMBER_REMOVED,
        target=team,
        node=team.node,
        after={"volunteer": volunteer.pk},
    )
