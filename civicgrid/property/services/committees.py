"""Owners' committees (业委会) of compounds and the check of their candidates.

The community checks each candidate against the negative list (负面清单,
``constants.NegativeItem``) before they join: a candidate with any item ticked is refused,
the items named, and nothing is written.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write, snapshot
from civicgrid.core.errors import Conflict, PermissionDenied
from civicgrid.exchange.cells import person_name
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
MEMBER_AUDIT_FIELDS = ["committee", "name", "post", "resident", "is_party_member", "joined_on"]
MEMBER_LINK_AUDIT_FIELDS = ["name", "resident"]
MEMBER_END_AUDIT_FIELDS = ["ended_on", "end_reason", "end_note"]


def _years_later(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def term_last_day(start: date) -> date:
    """The last day of a term of ``TERM_MAX_YEARS`` from ``start``: the day before the same day
    that many years on (2022-01-01 → 2026-12-31; 2024-02-29 → 2029-02-28, the anniversary of
    29 February falling on 1 March)."""
    try:
        anniversary = start.replace(year=start.year + TERM_MAX_YEARS)
    except ValueError:  # 29 February in a common year
        anniversary = date(start.year + TERM_MAX_YEARS, 3, 1)
    return anniversary - timedelta(days=1)


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
    _term_errors(errors, term_starts_on, term_ends_on, timezone.localdate())
    note = text(errors, "note", note, _("备注"), 255, required=False)
    raise_if(errors)
    assert term_starts_on is not None and term_ends_on is not None
    lock_compound(compound)
    # Both days of a term are in it: a term starting on another's last day overlaps it.
    overlapping = OwnersCommittee.objects.filter(
        node=compound, term_starts_on__lte=term_ends_on, term_ends_on__gte=term_starts_on
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


def check_resident(
    errors: Errors, committee: OwnersCommittee, resident: Resident, name: str, joined_on: date | None = None
) -> str:
    """The resident lives in the compound and is of full age on the day they join (today when
    not given); a typed name must be theirs.

    Returns the member's name: the resident record's (a blank typed name takes it)."""
    if not resident.node_path.startswith(committee.node_path):
        add(errors, "resident", _("业委会成员应为本小区的居民"))
    birth = resident.birth_date
    if birth is not None and age_on(birth, joined_on or timezone.localdate()) < MEMBER_MIN_AGE:
        add(
            errors,
            "resident",
            _("业委会成员应年满{age}周岁（该居民出生日期为{birth:%Y-%m-%d}）").format(
                age=MEMBER_MIN_AGE, birth=birth
            ),
        )
    if name and person_name(name) != person_name(resident.name):
        add(
            errors,
            "name",
            _("填写的姓名「{typed}」与所选居民档案的姓名「{recorded}」不一致（可留空，以档案为准）").format(
                typed=name, recorded=resident.name
            ),
        )
    return resident.name


def _check_joined(errors: Errors, committee: OwnersCommittee, joined_on: Any, today: date) -> None:
    """A joining day within the committee's term and not in the future."""
    if not isinstance(joined_on, date):
        add(errors, "joined_on", _("请填写有效的加入日期"))
        return
    if joined_on > today:
        add(errors, "joined_on", _("加入日期不能晚于今天"))
    elif joined_on < committee.term_starts_on:
        add(
            errors,
            "joined_on",
            _("加入日期不能早于任期开始（{day:%Y-%m-%d}）").format(day=committee.term_starts_on),
        )
    elif joined_on > committee.term_ends_on:
        add(
            errors,
            "joined_on",
            _("加入日期不能晚于任期结束（{day:%Y-%m-%d}）").format(day=committee.term_ends_on),
        )


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
    # Compared as cleaned names: a row saved before names were cleaned ("吴\u3000十") is 吴十.
    wanted = person_name(name)
    same = [m for m in members.only("name", "resident_id") if person_name(m.name) == wanted]
    return any(True if resident is None else m.resident_id is None for m in same)


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
    joined_on: date | None = None,
) -> CommitteeMember:
    """A candidate, checked by the community against the negative list, joins the committee
    on ``joined_on`` (today when not given; within the term and not in the future, so that
    a committee elected earlier, even a term already ended, can be entered as it was).

    With a ``resident`` record, the member is that resident: of full age (``MEMBER_MIN_AGE``
    on their recorded birth date), living in the compound, named as the record names them
    (a blank ``name`` takes the record's, another name is refused). ``negative_items``: the
    items of ``NegativeItem`` that apply to the candidate; any one refuses the candidate
    (``ValidationError`` on ``negative_items`` naming them)."""
    require_manage(actor, committee.node_path)
    if by(actor) is None:
        raise PermissionDenied(_("候选人审查须由社区工作人员本人记录"))
    errors: Errors = {}
    today = timezone.localdate()
    joined_on = today if joined_on is None else joined_on
    _check_joined(errors, committee, joined_on, today)
    name = text(errors, "name", name, _("姓名"), 50, required=resident is None, person=True)
    if resident is not None:
        name = check_resident(
            errors, committee, resident, name, joined_on if "joined_on" not in errors else None
        )
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
    if (locked.term_starts_on, locked.term_ends_on) != (committee.term_starts_on, committee.term_ends_on):
        raise Conflict(_("该届业委会的任期已被他人更正，请刷新后再试"))
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
        joined_on=joined_on,
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

    ``ended_on`` not in the future, within the term and not before the member joined;
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
        joined = member.joined_on
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
                _("离任日期不能早于该成员的加入日期（{day:%Y-%m-%d}）").format(day=joined),
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


@transaction.atomic
def committee_member_link(*, actor: Any, member: CommitteeMember, resident: Resident) -> CommitteeMember:
    """Link a member entered by a typed name to their resident record (关联居民档案): the
    resident lives in the compound and was of full age on the joining day; the member then
    bears the record's name (the typed one kept in the audit row). A member already linked,
    or a resident already serving on the committee, is refused."""
    committee = member.committee
    require_manage(actor, committee.node_path)
    errors: Errors = {}
    locked = CommitteeMember.objects.select_for_update().select_related("committee__node").get(pk=member.pk)
    if locked.resident_id is not None:
        raise Conflict(_("该成员已关联居民档案"))
    check_resident(errors, locked.committee, resident, "", locked.joined_on)
    raise_if(errors)
    serving = locked.committee.members.filter(ended_on__isnull=True, resident=resident).exclude(pk=locked.pk)
    if locked.ended_on is None and serving.exists():
        add(errors, "resident", _("该居民已是本届业委会成员"))
        raise_if(errors)
    before = snapshot(locked, MEMBER_LINK_AUDIT_FIELDS)
    locked.resident = resident
    locked.name = resident.name
    try:
        with transaction.atomic():
            locked.save(update_fields=["resident", "name"])
    except IntegrityError:
        raise Conflict(_("该居民已被他人登记为本届业委会成员，请刷新后再试")) from None
    audit_write(
        actor=actor,
        verb=Verb.MEMBER_LINKED,
        target=locked,
        target_label=locked.name,
        node=locked.committee.node,
        before=before,
        after=snapshot(locked, MEMBER_LINK_AUDIT_FIELDS),
    )
    return locked


def _term_errors(errors: Errors, term_starts_on: date | None, term_ends_on: date | None, today: date) -> None:
    day(errors, "term_starts_on", term_starts_on, _("任期开始"), today=today)
    day(errors, "term_ends_on", term_ends_on, _("任期结束"), today=None)
    if not errors and term_starts_on is not None and term_ends_on is not None:
        if term_ends_on <= term_starts_on:
            add(errors, "term_ends_on", _("任期结束应晚于任期开始"))
        elif term_ends_on > term_last_day(term_starts_on):
            add(errors, "term_ends_on", _("业委会任期最长{years}年").format(years=TERM_MAX_YEARS))


def _term_fits_members(errors: Errors, committee: OwnersCommittee, starts: date, ends: date) -> None:
    """Every member's joining and leaving days stay within the corrected term."""
    members = committee.members.all()
    early = members.filter(joined_on__lt=starts).order_by("joined_on").first()
    if early is not None:
        add(
            errors,
            "term_starts_on",
            _("成员「{name}」的加入日期（{day:%Y-%m-%d}）早于更正后的任期开始").format(
                name=early.name, day=early.joined_on
            ),
        )
    late = members.filter(joined_on__gt=ends).order_by("-joined_on").first()
    left = members.filter(ended_on__gt=ends).order_by("-ended_on").first()
    if late is not None:
        add(
            errors,
            "term_ends_on",
            _("成员「{name}」的加入日期（{day:%Y-%m-%d}）晚于更正后的任期结束").format(
                name=late.name, day=late.joined_on
            ),
        )
    elif left is not None:
        add(
            errors,
            "term_ends_on",
            _("成员「{name}」的离任日期（{day:%Y-%m-%d}）晚于更正后的任期结束").format(
                name=left.name, day=left.ended_on
            ),
        )


@transaction.atomic
def committee_term_correct(
    *,
    actor: Any,
    committee: OwnersCommittee,
    term_starts_on: date | None,
    term_ends_on: date | None,
    reason: str,
) -> OwnersCommittee:
    """Correct the term of a committee entered with wrong dates (更正任期), with a ``reason``.
    The same rules as a new term (start not in the future, at most five years, no overlap with
    another term of the compound), and every member's joining and leaving days must stay
    within it; the audit row keeps the term before and after."""
    require_manage(actor, committee.node_path)
    errors: Errors = {}
    _term_errors(errors, term_starts_on, term_ends_on, timezone.localdate())
    reason = text(errors, "reason", reason, _("更正原因"), 255, required=True)
    raise_if(errors)
    assert term_starts_on is not None and term_ends_on is not None
    lock_compound(committee.node)
    locked = OwnersCommittee.objects.select_for_update().select_related("node").get(pk=committee.pk)
    overlapping = (
        OwnersCommittee.objects.filter(
            node_id=locked.node_id, term_starts_on__lte=term_ends_on, term_ends_on__gte=term_starts_on
        )
        .exclude(pk=locked.pk)
        .first()
    )
    if overlapping is not None:
        add(
            errors,
            "term_starts_on",
            _("任期与该小区已登记的业委会任期（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）重叠").format(
                start=overlapping.term_starts_on, end=overlapping.term_ends_on
            ),
        )
    _term_fits_members(errors, locked, term_starts_on, term_ends_on)
    raise_if(errors)
    before = snapshot(locked, ["term_starts_on", "term_ends_on"])
    locked.term_starts_on = term_starts_on
    locked.term_ends_on = term_ends_on
    locked.save(update_fields=["term_starts_on", "term_ends_on"])
    after = snapshot(locked, ["term_starts_on", "term_ends_on"])
    after["reason"] = reason
    audit_write(
        actor=actor,
        verb=Verb.COMMITTEE_TERM_CORRECTED,
        target=locked,
        target_label=f"{locked.node.name} {term_starts_on:%Y}",
        node=locked.node,
        before=before,
        after=after,
    )
    return locked
