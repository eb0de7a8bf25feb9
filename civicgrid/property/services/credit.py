"""Inspections of compounds (物业检查) and the credit ledger of companies (信用分).

Every inspection writes one ledger row for the company that served the compound on the
inspection day (its points: minus the total deduction). Districts and subdistricts add
awards and manual deductions (``credit_adjust``). The ledger is append-only: nothing here
changes or removes a row; a mistake is put right by another row, a reversal (冲正) that
names the row it cancels: ``credit_reverse`` for an award or a manual deduction,
``inspection_void`` (作废) for an inspection's row.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write, snapshot
from civicgrid.core.errors import Conflict, PermissionDenied
from civicgrid.property.constants import (
    ADJUST_MAX,
    AWARD_YEAR_MAX,
    CHECK_ITEM_MAX,
    INSPECTION_MAX_AGE_YEARS,
    MANUAL_SOURCES,
    RECTIFY_DAYS,
    RECTIFY_MAX_DAYS,
    CheckItem,
    CreditSource,
    Verb,
)
from civicgrid.property.models import CreditEntry, Inspection, InspectionItem, ServiceContract
from civicgrid.property.permissions import ADJUSTING_KINDS, may_adjust, require_manage
from civicgrid.property.services.common import (
    Errors,
    add,
    by,
    check_company,
    check_compound,
    day,
    lock_compound,
    raise_if,
    text,
    whole,
    years_before,
)
from civicgrid.registry.models import Organisation
from civicgrid.territory.models import Node

INSPECTION_AUDIT_FIELDS = [
    "node",
    "company",
    "contract",
    "inspected_on",
    "total_deduction",
    "rectify_by",
    "note",
]
ENTRY_AUDIT_FIELDS = ["company", "year", "points", "reason", "source", "source_id", "node", "reverses"]
VOID_AUDIT_FIELDS = ["voided_at", "void_reason"]


@dataclass(frozen=True)
class ItemIn:
    """One line of the checklist as typed: the deduction (0 to the item's most) and a note."""

    deduction: Any = 0
    note: str = ""


def serving_contract(compound: Node, on: date) -> ServiceContract | None:
    """The contract of the company that served ``compound`` on ``on``, if any (a voided one
    never). On a handover day (one leaves, the next enters) it is the incoming company's."""
    return (
        ServiceContract.objects.select_related("company")
        .filter(node=compound, starts_on__lte=on, voided_at__isnull=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .order_by("-starts_on", "-id")
        .first()
    )


def _items(errors: Errors, items: Mapping[str, ItemIn]) -> list[InspectionItem]:
    unknown = [key for key in items if key not in CheckItem.values]
    if unknown:
        add(errors, "items", _("未知的检查项目：{keys}").format(keys="、".join(map(str, unknown))))
    rows = []
    for item in CheckItem:
        given = items.get(item.value, ItemIn())
        field = f"items.{item.value}"
        label = _("{item}扣分").format(item=item.label)
        points = whole(errors, field, given.deduction, label, minimum=0, maximum=CHECK_ITEM_MAX[item])
        note = text(
            errors,
            f"{field}.note",
            given.note,
            _("{item}问题说明").format(item=item.label),
            200,
            required=False,
        )
        rows.append(InspectionItem(item=item.value, deduction=points, note=note))
    return rows


def _rectify_by(errors: Errors, total: int, inspected_on: date, rectify_by: date | None) -> date | None:
    if total == 0:
        if rectify_by is not None:
            add(errors, "rectify_by", _("本次检查未扣分，无需填写整改期限"))
        return None
    if rectify_by is None:
        return inspected_on + timedelta(days=RECTIFY_DAYS)
    if rectify_by < inspected_on:
        add(errors, "rectify_by", _("整改期限不能早于检查日期"))
    elif rectify_by > inspected_on + timedelta(days=RECTIFY_MAX_DAYS):
        add(errors, "rectify_by", _("整改期限最长为检查后{days}天").format(days=RECTIFY_MAX_DAYS))
    return rectify_by


@transaction.atomic
def inspection_record(
    *,
    actor: Any,
    compound: Node,
    inspected_on: date | None,
    items: Mapping[str, ItemIn],
    note: str = "",
    rectify_by: date | None = None,
) -> Inspection:
    """An inspection of ``compound`` by the actor, of the company serving it that day, with
    its credit ledger row. A deduction sets a rectification deadline (default 15 days)."""
    errors: Errors = {}
    check_compound(errors, compound)
    raise_if(errors)
    require_manage(actor, compound.path)
    if by(actor) is None:
        raise PermissionDenied(_("检查须由工作人员本人记录"))
    today = timezone.localdate()
    day(errors, "inspected_on", inspected_on, _("检查日期"), today=today)
    earliest = years_before(today, INSPECTION_MAX_AGE_YEARS)
    if "inspected_on" not in errors and inspected_on is not None and inspected_on < earliest:
        add(errors, "inspected_on", _("检查日期不能早于一年前（{day:%Y-%m-%d}）").format(day=earliest))
    rows = _items(errors, items)
    note = text(errors, "note", note, _("检查说明"), 500, required=False)
    raise_if(errors)
    assert inspected_on is not None
    total = sum(r.deduction for r in rows)
    deadline = _rectify_by(errors, total, inspected_on, rectify_by)
    lock_compound(compound)
    if Inspection.objects.filter(node=compound, inspected_on=inspected_on, voided_at__isnull=True).exists():
        add(
            errors,
            "inspected_on",
            _("该小区{day:%Y-%m-%d}已有检查记录，同一小区每天只记一次检查").format(day=inspected_on),
        )
        raise_if(errors)
    contract = serving_contract(compound, inspected_on)
    if contract is None:
        add(errors, "inspected_on", _("该小区在{day:%Y-%m-%d}没有在管物业企业").format(day=inspected_on))
    raise_if(errors)
    assert contract is not None
    inspection = Inspection.objects.create(
        node=compound,
        node_path=compound.path,
        contract=contract,
        company=contract.company,
        inspected_on=inspected_on,
        inspector=actor,
        total_deduction=total,
        rectify_by=deadline,
        note=note,
    )
    for row in rows:
        row.inspection = inspection
    InspectionItem.objects.bulk_create(rows)
    entry = CreditEntry.objects.create(
        node=compound,
        node_path=compound.path,
        company=contract.company,
        year=inspected_on.year,
        points=-total,
        reason=_("{day:%Y-%m-%d} {compound}物业检查").format(day=inspected_on, compound=compound.name),
        source=CreditSource.INSPECTION,
        source_id=inspection.pk,
        actor=actor,
    )
    after = snapshot(inspection, INSPECTION_AUDIT_FIELDS)
    after["items"] = {r.item: r.deduction for r in rows if r.deduction}
    after["credit_entry"] = entry.pk
    audit_write(
        actor=actor,
        verb=Verb.INSPECTION_RECORDED,
        target=inspection,
        target_label=f"{compound.name} {inspected_on:%Y-%m-%d}",
        node=compound,
        after=after,
    )
    return inspection


def served_under(company: Organisation, node: Node, year: int) -> bool:
    """The company served a compound under ``node`` at some time in ``year``."""
    return (
        ServiceContract.objects.filter(
            company=company, node_path__startswith=node.path, voided_at__isnull=True
        )
        .filter(starts_on__lte=date(year, 12, 31))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=date(year, 1, 1)))
        .exists()
    )


def _check_award_cap(errors: Errors, company: Organisation, year: int, points: int) -> None:
    """Refuse an award that takes the company's awards of ``year`` above ``AWARD_YEAR_MAX``.

    The company's row is locked first, so two awards at once are summed one after the other."""
    Organisation.objects.select_for_update().filter(pk=company.pk).first()
    # An award that was reversed (冲正) no longer uses the cap.
    rows = CreditEntry.objects.filter(
        company=company, year=year, source=CreditSource.AWARD, reversed_by__isnull=True
    )
    given = rows.aggregate(total=Sum("points"))["total"] or 0
    if given + points > AWARD_YEAR_MAX:
        add(
            errors,
            "points",
            _("该企业{year}年已获加分{given}分，每年加分合计不超过{most}分，本次最多可加{left}分").format(
                year=year, given=given, most=AWARD_YEAR_MAX, left=max(AWARD_YEAR_MAX - given, 0)
            ),
        )
        raise_if(errors)


@transaction.atomic
def credit_adjust(
    *, actor: Any, company: Organisation, node: Node, year: Any, points: Any, reason: str
) -> CreditEntry:
    """An award (points > 0) or a manual deduction (points < 0) of credit, made by the
    district or subdistrict ``node`` for a company that served a compound there in ``year``. A
    company's awards of one year add up to at most ``AWARD_YEAR_MAX`` (20) points."""
    errors: Errors = {}
    check_company(errors, company)
    if node is None or node.kind not in ADJUSTING_KINDS:
        add(errors, "node", _("加分或扣分须以区或街道的名义作出"))
    raise_if(errors)
    if not may_adjust(actor, node):
        raise PermissionDenied(_("只有区、街道的工作人员可以给物业企业加分或扣分"))
    this_year = timezone.localdate().year
    year = whole(errors, "year", year, _("年度"), minimum=this_year - 1, maximum=this_year)
    points = whole(errors, "points", points, _("分值"), minimum=-ADJUST_MAX, maximum=ADJUST_MAX)
    if "points" not in errors and points == 0:
        add(errors, "points", _("分值不能为0"))
    reason = text(errors, "reason", reason, _("事由"), 255, required=True)
    raise_if(errors)
    if not served_under(company, node, year):
        add(
            errors,
            "company",
            _("该企业{year}年在{node}没有服务过小区").format(year=year, node=node.name),
        )
        raise_if(errors)
    if points > 0:
        _check_award_cap(errors, company, year, points)
    entry = CreditEntry.objects.create(
        node=node,
        node_path=node.path,
        company=company,
        year=year,
        points=points,
        reason=reason,
        source=CreditSource.AWARD if points > 0 else CreditSource.DEDUCTION,
        actor=by(actor),
    )
    audit_write(
        actor=actor,
        verb=Verb.CREDIT_AWARDED if points > 0 else Verb.CREDIT_DEDUCTED,
        target=entry,
        target_label=f"{company.name} {year} {points:+d}",
        node=node,
        after=snapshot(entry, ENTRY_AUDIT_FIELDS),
    )
    return entry


def _reversal(*, actor: Any, entry: CreditEntry, reason: str) -> CreditEntry:
    """The row cancelling ``entry`` (locked, not reversed yet): its points with the other
    sign, the same company, year and place. Two at once: the unique ``reverses`` lets one in."""
    reversal = CreditEntry(
        node_id=entry.node_id,
        node_path=entry.node_path,
        company_id=entry.company_id,
        year=entry.year,
        points=-entry.points,
        reason=reason,
        source=CreditSource.REVERSAL,
        reverses=entry,
        actor=by(actor),
    )
    try:
        with transaction.atomic():
            reversal.save(force_insert=True)
    except IntegrityError:
        raise Conflict(_("该记录已被他人冲正，请刷新后查看")) from None
    return reversal


def _already_reversed(entry: CreditEntry) -> bool:
    return CreditEntry.objects.filter(reverses=entry).exists()


@transaction.atomic
def credit_reverse(*, actor: Any, entry: CreditEntry, reason: str) -> CreditEntry:
    """A reversal (冲正) of one award or manual deduction made by mistake: a new row with the
    opposite points, naming ``entry``; the entry stays. Made by whoever may award or deduct in
    the entry's name (``may_adjust`` on its district or subdistrict), with a ``reason``. An
    entry is reversed once (a second time, also by two people at once, is a ``Conflict``); a
    reversed award no longer counts against the year's award cap. An inspection's row is put
    right by voiding the inspection (``inspection_void``), a reversal is not reversed."""
    errors: Errors = {}
    if entry.source not in MANUAL_SOURCES:
        add(errors, "entry", _("只能冲正手工加分或扣分；检查扣分请作废该次检查，冲正记录不能再冲正"))
    raise_if(errors)
    if not may_adjust(actor, entry.node):
        raise PermissionDenied(_("只有以该单位名义加分或扣分的工作人员可以冲正这条记录"))
    if by(actor) is None:
        raise PermissionDenied(_("冲正须由工作人员本人记录"))
    reason = text(errors, "reason", reason, _("冲正原因"), 255, required=True)
    raise_if(errors)
    locked = CreditEntry.objects.select_for_update().select_related("company", "node").get(pk=entry.pk)
    if _already_reversed(locked):
        raise Conflict(_("该记录已冲正，不能重复冲正"))
    reversal = _reversal(actor=actor, entry=locked, reason=reason)
    audit_write(
        actor=actor,
        verb=Verb.CREDIT_REVERSED,
        target=reversal,
        target_label=f"{locked.company.name} {locked.year} {reversal.points:+d}",
        node=locked.node,
        before=snapshot(locked, ENTRY_AUDIT_FIELDS),
        after=snapshot(reversal, ENTRY_AUDIT_FIELDS),
    )
    return reversal


@transaction.atomic
def inspection_void(*, actor: Any, inspection: Inspection, reason: str) -> Inspection:
    """Void (作废) an inspection recorded by mistake, with a ``reason``: it stays visible as
    作废 with who and why, its ledger row is cancelled by a reversal (the score no longer
    counts it), and it counts neither on the board nor in the one-per-day rule, so a
    corrected inspection of the same day can be recorded. Voiding twice is a ``Conflict``."""
    require_manage(actor, inspection.node_path)
    if by(actor) is None:
        raise PermissionDenied(_("作废检查须由工作人员本人记录"))
    errors: Errors = {}
    reason = text(errors, "reason", reason, _("作废原因"), 255, required=True)
    raise_if(errors)
    lock_compound(inspection.node)
    locked = Inspection.objects.select_for_update().select_related("node").get(pk=inspection.pk)
    if locked.voided_at is not None:
        raise Conflict(_("该检查记录已于{day:%Y-%m-%d}作废").format(day=timezone.localtime(locked.voided_at)))
    before = snapshot(locked, VOID_AUDIT_FIELDS)
    locked.voided_at = timezone.now()
    locked.voided_by = actor
    locked.void_reason = reason
    locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
    entry = (
        CreditEntry.objects.select_for_update()
        .filter(source=CreditSource.INSPECTION, source_id=locked.pk)
        .first()
    )
    after = snapshot(locked, VOID_AUDIT_FIELDS)
    if entry is not None and not _already_reversed(entry):
        label = _("作废{day:%Y-%m-%d}检查：{reason}").format(day=locked.inspected_on, reason=reason)
        after["credit_reversal"] = _reversal(actor=actor, entry=entry, reason=label[:255]).pk
    audit_write(
        actor=actor,
        verb=Verb.INSPECTION_VOIDED,
        target=locked,
        target_label=f"{locked.node.name} {locked.inspected_on:%Y-%m-%d}",
        node=locked.node,
        before=before,
        after=after,
    )
    return locked
