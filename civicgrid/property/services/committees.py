"""Owners' committees (业委会) of compounds and the check of their candidates.

The community checks each candidate against the negative list (负面清单,
``constants.NegativeItem``) before they join: a candidate with any item ticked is refused,
the items named, and nothing is written.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write, snapshot
from civicgrid.core.errors import Conflict, PermissionDenied
from civicgrid.property.constants import (
    COMMITTEE_MAX_MEMBERS,
    MEMBER_END_NOTE_REQUIRED,
    MEMBER_MIN_AGE,
    TERM_MAX_YEARS,
    CommitteePost,
    MemberEndReason,
    NegativeItem,
    Verb,
)
from civicgrid.property.models import CommitteeMember, OwnersCommittee
from civicgrid.property.permissions import require_manage
from civicgrid.property.services.common import (
    Errors,
    add,
    by,
    check_compound,
    choice,
    day,
    lock_compound,
    raise_if,
    text,
)
from civicgrid.registry.models import Resident
from civicgrid.territory.models import Node

COMMITTEE_AUDIT_FIELDS = ["node", "term_starts_on", "term_ends_on", "note"]
MEMBER_AUDIT_FIELDS = ["committee", "name", "post", "resident", "is_party_member"]
MEMBER_END_AUDIT_FIELDS = ["ended_on", "end_reason", "end_note"]


def _years_later(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


@transaction.atomic
def committee_create(
    *,
    actor: Any,
    compound: Node,
    term_starts_on: date | None,
    term_ends_on: date | None,
    note: str = "",
) -> OwnersCommittee:
    """A new term of the compound's owners' committee; terms of one compound do not overlap."""
    errors: Errors = {}
    check_compound(errors, compound)
    raise_if(errors)
    require_manage(actor, compound.path)
    day(errors, "term_starts_on", term_starts_on, _("任期开始"), today=timezone.localdate())
    day(errors, "term_ends_on", term_ends_on, _("任期结束"), today=None)
    note = text(errors, "note", note, _("备注"), 255, required=False)
    if not errors and term_starts_on is not None and term_ends_on is not None:
        if term_ends_on <= term_starts_on:
            add(errors, "term_ends_on", _("任期结束应晚于任期开始"))
        elif term_ends_on > _years_later(term_starts_on, TERM_MAX_YEARS):
            add(errors, "term_ends_on", _("业委会任期最长{years}年").format(years=TERM_MAX_YEARS))
    raise_if(errors)
    assert term_starts_on is not None and term_ends_on is not None
    lock_compound(compound)
    overlapping = OwnersCommittee.objects.filter(
        node=compound, term_starts_on__lt=term_ends_on, term_ends_on__gt=term_starts_on
    ).first()
    if overlapping is not None:
        add(
            errors,
            "term_starts_on",
            _("任期与该小区已登记的业委会任期（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）重叠").format(
                start=overlapping.term_starts_on, end=overlapping.term_ends_on
            ),
        )
        raise_if(errors)
    committee = OwnersCommittee.objects.create(
        node=compound,
        node_path=compound.path,
        term_starts_on=term_starts_on,
        term_ends_on=term_ends_on,
        note=note,
        created_by=by(actor),
    )
    audit_write(
        actor=actor,
        verb=Verb.COMMITTEE_CREATED,
        target=committee,
        target_label=f"{compound.name} {term_starts_on:%Y}",
        node=compound,
        after=snapshot(committee, COMMITTEE_AUDIT_FIELDS),
    )
    return committee


def age_on(birth: date, day: date) -> int:
    """Whole years of age on ``day`` (someone born on 29 February turns a year older on 1 March)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_cutoff(day: date) -> date:
    """The latest birth date of someone who is ``MEMBER_MIN_AGE`` on ``day``."""
    return _years_later(day, -MEMBER_MIN_AGE)


def check_resident(errors: Errors, committee: OwnersCommittee, resident: Resident, name: str) -> str:
    """The resident lives in the compound and is of full age; a typed name must be theirs.

    Returns the member's name: the resident record's (a blank typed name takes it)."""
    if not resident.node_path.startswith(committee.node_path):
        add(errors, "resident", _("业委会成员应为本小区的居民"))
    birth = resident.birth_date
    if birth is not None and age_on(birth, timezone.localdate()) < MEMBER_MIN_AGE:
        add(
            errors,
            "resident",
            _("业委会成员应年满{age}周岁（该居民出生日期为{birth:%Y-%m-%d}）").format(
                age=MEMBER_MIN_AGE, birth=birth
            ),
        )
    if name and name != resident.name:
        add(
            errors,
            "name",
            _("填写的姓名「{typed}」与所选居民档案的姓名「{recorded}」不一致（可留空，以档案为准）").format(
                typed=name, recorded=resident.name
            ),
        )
    return resident.name


def negative_reasons(errors: Errors, ticked: Iterable[str]) -> list[str]:
    """The labels of the negative-list items ticked for a candidate (unknown ones refused)."""
    chosen = list(dict.fromkeys(str(t) for t in ticked if t))
    unknown = [t for t in chosen if t not in NegativeItem.values]
    if unknown:
        add(errors, "negative_items", _("未知的负面清单项目：{keys}").format(keys="、".join(unknown)))
        return []
    return [str(NegativeItem(t).label) for t in chosen]


def _same_name_serving(members: Any, name: str, resident: Resident | None) -> bool:
    """A serving member has this name and one of the two is not linked to a resident record
    (two records of the same name are two people; a typed name alone cannot tell them apart)."""
    same = members.filter(name=name)
    return bool(same.exists() if resident is None else same.filter(resident__isnull=True).exists())


@transaction.atomic
def committee_member_add(
    *,
    actor: Any,
    committee: OwnersCommittee,
    name: str,
    post: str,
    negative_items: Iterable[str],
    resident: Resident | None = None,
    is_party_member: bool = False,
) -> CommitteeMember:
    """A candidate, checked by the community against the negative list, joins the committee.

    With a ``resident`` record, the member is that resident: of full age (``MEMBER_MIN_AGE``
    on their recorded birth date), living in the compound, named as the record names them
    (a blank ``name`` takes the record's, another name is refused). ``negative_items``: the
    items of ``NegativeItem`` that apply to the candidate; any one refuses the candidate
    (``ValidationError`` on ``negative_items`` naming them)."""
    require_manage(actor, committee.node_path)
    if by(actor) is None:
        raise PermissionDenied(_("候选人审查须由社区工作人员本人记录"))
    errors: Errors = {}
    name = text(errors, "name", name, _("姓名"), 50, required=resident is None)
    if resident is not None:
        name = check_resident(errors, committee, resident, name)
    post = choice(errors, "post", post, CommitteePost, _("职务"))
    if not isinstance(is_party_member, bool):
        add(errors, "is_party_member", _("是否党员应为是或否"))
    reasons = negative_reasons(errors, negative_items)
    if reasons:
        add(
            errors,
            "negative_items",
            _("候选人存在负面清单情形：{items}，不能成为业委会成员").format(items="、".join(reasons)),
        )
    raise_if(errors)
    locked = OwnersCommittee.objects.select_for_update().get(pk=committee.pk)
    if locked.term_ends_on < timezone.localdate():
        raise Conflict(_("该届业委会任期已结束，不能再增补成员"))
    members = locked.members.filter(ended_on__isnull=True)
    if members.count() >= COMMITTEE_MAX_MEMBERS:
        add(errors, "name", _("业委会成员最多{count}人").format(count=COMMITTEE_MAX_MEMBERS))
    if post == CommitteePost.CHAIR and members.filter(post=CommitteePost.CHAIR).exists():
        add(errors, "post", _("该届业委会已有主任"))
    if resident is not None and members.filter(resident=resident).exists():
        add(errors, "resident", _("该居民已是本届业委会成员"))
    elif _same_name_serving(members, name, resident):
        add(
            errors,
            "name",
            _("本届业委会已有在任成员「{name}」；如是另一位同名居民，请选择其居民档案").format(name=name),
        )
    raise_if(errors)
    member = CommitteeMember(
        committee=locked,
        name=name,
        post=post,
        resident=resident,
        is_party_member=bool(is_party_member),
        checked_by=actor,
    )
    try:
        with transaction.atomic():
            member.save(force_insert=True)
    except IntegrityError:
        raise Conflict(_("该职务或该居民已被他人登记，请刷新后再试")) from None
    after = snapshot(member, MEMBER_AUDIT_FIELDS)
    after["negative_list_checked"] = list(NegativeItem.values)
    audit_write(
        actor=actor,
        verb=Verb.MEMBER_ADDED,
        target=member,
        target_label=name,
        node=locked.node,
        after=after,
    )
    return member


@transaction.atomic
def committee_member_end(
    *,
    actor: Any,
    member: CommitteeMember,
    ended_on: date | None,
    reason: str,
    note: str = "",
) -> CommitteeMember:
    """A member leaves the committee (离任: resigned, term ended, a negative-list item found,
    removed by the owners' assembly, other). The row is kept with the day and the reason;
    the post and the resident's seat are free again for a new member.

    ``ended_on`` not in the future, within the term and not before the member was recorded;
    a ``note`` is required for a negative-list item or 其他; a member who already left is a
    ``Conflict``."""
    committee = member.committee
    require_manage(actor, committee.node_path)
    errors: Errors = {}
    today = timezone.localdate()
    day(errors, "ended_on", ended_on, _("离任日期"), today=today)
    reason = choice(errors, "reason", reason, MemberEndReason, _("离任原因"))
    note = text(errors, "note", note, _("离任说明"), 255, required=reason in MEMBER_END_NOTE_REQUIRED)
    if "ended_on" not in errors and ended_on is not None:
        joined = timezone.localdate(member.created_at)
        if ended_on < committee.term_starts_on:
            add(
                errors,
                "ended_on",
                _("离任日期不能早于任期开始（{day:%Y-%m-%d}）").format(day=committee.term_starts_on),
            )
        elif ended_on > committee.term_ends_on:
            add(
                errors,
                "ended_on",
                _("离任日期不能晚于任期结束（{day:%Y-%m-%d}）").format(day=committee.term_ends_on),
            )
        elif ended_on < joined:
            add(
                errors,
                "ended_on",
                _("离任日期不能早于该成员登记加入的日期（{day:%Y-%m-%d}）").format(day=joined),
            )
    raise_if(errors)
    locked = CommitteeMember.objects.select_for_update().get(pk=member.pk)
    if locked.ended_on is not None:
        raise Conflict(_("该成员已于{day:%Y-%m-%d}离任").format(day=locked.ended_on))
    before = snapshot(locked, MEMBER_END_AUDIT_FIELDS)
    locked.ended_on = ended_on
    locked.end_reason = reason
    locked.end_note = note
    locked.ended_by = by(actor)
    locked.save(update_fields=["ended_on", "end_reason", "end_note", "ended_by"])
    audit_write(
        actor=actor,
        verb=Verb.MEMBER_ENDED,
        target=locked,
        target_label=locked.name,
        node=committee.node,
        before=before,
        after=snapshot(locked, MEMBER_END_AUDIT_FIELDS),
    )
    return locked
