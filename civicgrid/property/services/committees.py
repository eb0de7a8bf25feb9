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

from civicgrid.accounts.selectors import require
from civicgrid.core.audit import audit_write, snapshot
from civicgrid.core.errors import Conflict, PermissionDenied
from civicgrid.property.constants import (
    COMMITTEE_MAX_MEMBERS,
    TERM_MAX_YEARS,
    CommitteePost,
    NegativeItem,
    Verb,
)
from civicgrid.property.models import CommitteeMember, OwnersCommittee
from civicgrid.property.permissions import MANAGE
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
    require(actor, MANAGE, compound.path)
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


def negative_reasons(errors: Errors, ticked: Iterable[str]) -> list[str]:
    """The labels of the negative-list items ticked for a candidate (unknown ones refused)."""
    chosen = list(dict.fromkeys(str(t) for t in ticked if t))
    unknown = [t for t in chosen if t not in NegativeItem.values]
    if unknown:
        add(errors, "negative_items", _("未知的负面清单项目：{keys}").format(keys="、".join(unknown)))
        return []
    return [str(NegativeItem(t).label) for t in chosen]


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

    ``negative_items``: the items of ``NegativeItem`` that apply to the candidate; any one
    refuses the candidate (``ValidationError`` on ``negative_items`` naming them)."""
    require(actor, MANAGE, committee.node_path)
    if by(actor) is None:
        raise PermissionDenied(_("候选人审查须由社区工作人员本人记录"))
    errors: Errors = {}
    name = text(errors, "name", name, _("姓名"), 50, required=True)
    post = choice(errors, "post", post, CommitteePost, _("职务"))
    if not isinstance(is_party_member, bool):
        add(errors, "is_party_member", _("是否党员应为是或否"))
    if resident is not None and not resident.node_path.startswith(committee.node_path):
        add(errors, "resident", _("业委会成员应为本小区的居民"))
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
    members = locked.members.all()
    if members.count() >= COMMITTEE_MAX_MEMBERS:
        add(errors, "name", _("业委会成员最多{count}人").format(count=COMMITTEE_MAX_MEMBERS))
    if post == CommitteePost.CHAIR and members.filter(post=CommitteePost.CHAIR).exists():
        add(errors, "post", _("该届业委会已有主任"))
    if resident is not None and members.filter(resident=resident).exists():
        add(errors, "resident", _("该居民已是本届业委会成员"))
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
