"""Property companies entering and leaving compounds (物业进驻 · 退出), and their party work.

One company serves a compound at a time: ``contract_start`` locks the compound's node row
and refuses while a contract is open; the database's partial unique index
(``property_one_open_contract``) holds the rule even against a writer that skipped the lock.
A contract entered by mistake is voided (撤销录入, ``contract_void``): it stays as a row,
marked, and counts nowhere. The next company may enter on the day the last one left (交接).
"""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write, snapshot
from civicgrid.core.errors import Conflict, PermissionDenied
from civicgrid.property.constants import ExitReason, Verb
from civicgrid.property.models import CompanyProfile, ServiceContract
from civicgrid.property.permissions import may_manage, require_manage
from civicgrid.property.services.common import (
    Errors,
    add,
    by,
    check_company,
    check_compound,
    choice,
    day,
    lock_compound,
    raise_if,
    text,
)
from civicgrid.registry.models import Organisation
from civicgrid.territory.models import Node

CONTRACT_AUDIT_FIELDS = ["node", "company", "starts_on", "ends_on", "exit_reason", "exit_note", "note"]
CONTRACT_VOID_AUDIT_FIELDS = ["voided_at", "void_reason", "version"]
PROFILE_AUDIT_FIELDS = ["company", "party_instructor", "has_party_branch"]


def _open_conflict(found: ServiceContract) -> Conflict:
    return Conflict(
        _("该小区已有在管物业企业「{name}」（{day:%Y-%m-%d} 进驻），请先办理退出").format(
            name=found.company.name, day=found.starts_on
        ),
        detail={"contract_id": found.pk},
    )


@transaction.atomic
def contract_start(
    *, actor: Any, compound: Node, company: Organisation, starts_on: date | None, note: str = ""
) -> ServiceContract:
    """``company`` starts serving ``compound`` on ``starts_on`` (not in the future, not before
    the last company's exit: on that day itself is a handover, 交接; voided contracts do not count)."""
    errors: Errors = {}
    check_compound(errors, compound)
    raise_if(errors)
    require_manage(actor, compound.path)
    check_company(errors, company)
    day(errors, "starts_on", starts_on, _("进驻日期"), today=timezone.localdate())
    note = text(errors, "note", note, _("备注"), 255, required=False)
    raise_if(errors)
    assert starts_on is not None
    lock_compound(compound)
    contracts = ServiceContract.objects.filter(node=compound, voided_at__isnull=True)
    found = contracts.filter(ends_on__isnull=True).select_related("company").first()
    if found is not None:
        raise _open_conflict(found)
    last_end = contracts.aggregate(last=Max("ends_on"))["last"]
    if last_end is not None and starts_on < last_end:
        add(
            errors,
            "starts_on",
            _("进驻日期不能早于上一家物业企业的退出日期（{day:%Y-%m-%d}）").format(day=last_end),
        )
        raise_if(errors)
    contract = ServiceContract(
        node=compound,
        node_path=compound.path,
        company=company,
        starts_on=starts_on,
        note=note,
        created_by=by(actor),
    )
    try:
        with transaction.atomic():
            contract.save(force_insert=True)
    except IntegrityError:
        found = contracts.filter(ends_on__isnull=True).select_related("company").first()
        if found is None:
            raise
        raise _open_conflict(found) from None
    audit_write(
        actor=actor,
        verb=Verb.CONTRACT_STARTED,
        target=contract,
        target_label=f"{compound.name} · {company.name}",
        node=compound,
        after=snapshot(contract, CONTRACT_AUDIT_FIELDS),
    )
    return contract


@transaction.atomic
def contract_end(
    *,
    actor: Any,
    contract: ServiceContract,
    ends_on: date | None,
    reason: str,
    note: str = "",
    expected_version: int | None = None,
) -> ServiceContract:
    """The company leaves the compound on ``ends_on`` (not in the future) for ``reason``."""
    require_manage(actor, contract.node_path)
    errors: Errors = {}
    day(errors, "ends_on", ends_on, _("退出日期"), today=timezone.localdate())
    reason = choice(errors, "reason", reason, ExitReason, _("退出原因"))
    note = text(errors, "note", note, _("退出说明"), 255, required=reason == ExitReason.OTHER)
    raise_if(errors)
    assert ends_on is not None
    # The compound first, then the contract, as inspection_record takes them: an inspection
    # of the compound still being written is committed before the latest-inspection check.
    lock_compound(contract.node)
    locked = ServiceContract.objects.select_for_update().select_related("node", "company").get(pk=contract.pk)
    if locked.voided_at is not None:
        raise Conflict(_("该进驻记录已撤销录入"), detail={"version": locked.version})
    if locked.ends_on is not None:
        raise Conflict(
            _("该物业企业已于 {day:%Y-%m-%d} 退出该小区").format(day=locked.ends_on),
            detail={"version": locked.version},
        )
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(_("该合同已被他人修改，请刷新后再试"), detail={"version": locked.version})
    if ends_on < locked.starts_on:
        add(errors, "ends_on", _("退出日期不能早于进驻日期（{day:%Y-%m-%d}）").format(day=locked.starts_on))
    last_inspected = locked.inspections.filter(voided_at__isnull=True).aggregate(last=Max("inspected_on"))[
        "last"
    ]
    if last_inspected is not None and ends_on < last_inspected:
        add(
            errors,
            "ends_on",
            _("退出日期不能早于该企业在本小区最近一次检查的日期（{day:%Y-%m-%d}）").format(
                day=last_inspected
            ),
        )
    raise_if(errors)
    before = snapshot(locked, CONTRACT_AUDIT_FIELDS)
    locked.ends_on = ends_on
    locked.exit_reason = reason
    locked.exit_note = note
    locked.version += 1
    locked.save(update_fields=["ends_on", "exit_reason", "exit_note", "version"])
    audit_write(
        actor=actor,
        verb=Verb.CONTRACT_ENDED,
        target=locked,
        target_label=f"{locked.node.name} · {locked.company.name}",
        node=locked.node,
        before=before,
        after=snapshot(locked, CONTRACT_AUDIT_FIELDS),
    )
    return locked


@transaction.atomic
def contract_void(
    *, actor: Any, contract: ServiceContract, reason: str, expected_version: int | None = None
) -> ServiceContract:
    """Void (撤销录入) a contract entered by mistake, open or ended, with a ``reason``: it stays
    as a row marked with who and why and counts nowhere (not serving, not in 服务小区, not
    for the next entry's date), so the right company can be entered from the same day. Refused
    while an inspection that is not voided counts against it (void those first)."""
    require_manage(actor, contract.node_path)
    if by(actor) is None:
        raise PermissionDenied(_("撤销录入须由工作人员本人记录"))
    errors: Errors = {}
    reason = text(errors, "reason", reason, _("撤销原因"), 255, required=True)
    raise_if(errors)
    lock_compound(contract.node)
    locked = ServiceContract.objects.select_for_update().select_related("node", "company").get(pk=contract.pk)
    if locked.voided_at is not None:
        raise Conflict(_("该进驻记录已撤销录入"), detail={"version": locked.version})
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(_("该合同已被他人修改，请刷新后再试"), detail={"version": locked.version})
    counted = locked.inspections.filter(voided_at__isnull=True).count()
    if counted:
        raise Conflict(
            _(
                "该企业在本小区已有{count}次检查记录计入信用分，不能撤销录入；如检查也系误录，请先作废这些检查"
            ).format(count=counted),
            detail={"version": locked.version, "inspections": counted},
        )
    before = snapshot(locked, CONTRACT_VOID_AUDIT_FIELDS)
    locked.voided_at = timezone.now()
    locked.voided_by = actor
    locked.void_reason = reason
    locked.version += 1
    locked.save(update_fields=["voided_at", "voided_by", "void_reason", "version"])
    after = snapshot(locked, CONTRACT_VOID_AUDIT_FIELDS)
    after.update(snapshot(locked, CONTRACT_AUDIT_FIELDS))
    audit_write(
        actor=actor,
        verb=Verb.CONTRACT_VOIDED,
        target=locked,
        target_label=f"{locked.node.name} · {locked.company.name}",
        node=locked.node,
        before=before,
        after=after,
    )
    return locked


def may_manage_company(actor: Any, company: Organisation) -> bool:
    """Staff of the company's own place, or of a compound it serves now."""
    if may_manage(actor, company.node_path):
        return True
    paths = ServiceContract.objects.filter(
        company=company, ends_on__isnull=True, voided_at__isnull=True
    ).values_list("node_path", flat=True)
    return any(may_manage(actor, path) for path in paths)


@transaction.atomic
def company_profile_set(
    *,
    actor: Any,
    company: Organisation,
    party_instructor: str,
    has_party_branch: bool,
    expected_version: int | None = None,
) -> CompanyProfile:
    """The company's party instructor (党建指导员) and whether it has a party branch."""
    errors: Errors = {}
    check_company(errors, company)
    raise_if(errors)
    if not may_manage_company(actor, company):
        raise PermissionDenied(_("您无权修改该物业企业的党建信息"))
    party_instructor = text(
        errors, "party_instructor", party_instructor, _("党建指导员"), 50, required=False, person=True
    )
    if not isinstance(has_party_branch, bool):
        add(errors, "has_party_branch", _("是否建立党组织应为是或否"))
    raise_if(errors)
    CompanyProfile.objects.get_or_create(company=company)
    profile = CompanyProfile.objects.select_for_update().get(company=company)
    if expected_version is not None and profile.version != expected_version:
        raise Conflict(_("该企业的党建信息已被他人修改，请刷新后再试"), detail={"version": profile.version})
    before = snapshot(profile, PROFILE_AUDIT_FIELDS)
    profile.party_instructor = party_instructor
    profile.has_party_branch = has_party_branch
    profile.version += 1
    profile.updated_at = timezone.now()
    profile.save(update_fields=["party_instructor", "has_party_branch", "version", "updated_at"])
    audit_write(
        actor=actor,
        verb=Verb.PROFILE_SET,
        target=profile,
        target_label=company.name,
        node=company.node,
        before=before,
        after=snapshot(profile, PROFILE_AUDIT_FIELDS),
    )
    return profile
