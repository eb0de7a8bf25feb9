"""Registry updates seen in the field: a grid worker proposes, the community approves.

Approval applies the change through ``civicgrid.registry.services`` (their public
functions only), as the approving community worker, in one transaction with the
proposal's own state change; the audit log keeps the proposal, the approval and the
registry's own rows. ID numbers and phones of a new resident are kept encrypted in the
proposal and shown masked.
"""

from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, require
from civicgrid.core import crypto
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import NotFound, PermissionDenied, ValidationError
from civicgrid.core.validators import id_number_problem, normalise_id_number
from civicgrid.gridwork.constants import ProposalKind, ProposalState, Verb
from civicgrid.gridwork.models import Proposal
from civicgrid.gridwork.services.campaigns import place_name
from civicgrid.gridwork.services.common import Saved, check_key, claim, replay
from civicgrid.registry import services as registry
from civicgrid.registry.models import (
    Dwelling,
    DwellingUse,
    Gender,
    Household,
    LeftReason,
    ResidenceType,
    Resident,
    ResidentTag,
)
from civicgrid.registry.pii import id_holder_checked
from civicgrid.territory.models import Node

REASON_MAX = 1000
# The kinds that take a resident out of the register, with the register's reason.
LEAVING_KINDS: dict[ProposalKind, str] = {
    ProposalKind.MOVED_OUT: LeftReason.MOVED_OUT,
    ProposalKind.DECEASED: LeftReason.DECEASED,
}


@dataclass
class ProposalIn:
    kind: str
    reason: str = ""
    resident: Resident | None = None
    household: Household | None = None
    dwelling: Dwelling | None = None
    tag: ResidentTag | None = None
    # new resident
    name: str = ""
    gender: str = ""
    id_number: str = ""
    phone: str = ""
    residence_type: str = ResidenceType.FLOATING
    relation_to_head: str = ""
    # dwelling use
    use: str = ""


def _require(errors: dict[str, list[str]], value: Any, field: str, message: str) -> None:
    if value is None:
        errors[field] = [message]


def _new_resident(data: ProposalIn, errors: dict[str, list[str]]) -> dict[str, Any]:
    if data.household is None and data.dwelling is None:
        errors["household"] = [_("请选择新住户入住的户或房屋")]
    elif (
        data.household is not None
        and data.dwelling is not None
        and data.household.dwelling_id != data.dwelling.pk
    ):
        # The approval puts the resident in the household (and would mark this other dwelling
        # as rented): one place, not two that disagree.
        errors["dwelling"] = [
            _(
                "所选的户（{household}）不住在房屋{dwelling}：请只选择入住的户，"
                "或只选择房屋（审核通过后在该房屋新建一户）"
            ).format(household=data.household.code, dwelling=data.dwelling)
        ]
    problems = registry.resident_validate(
        {
            "name": data.name,
            "id_number": data.id_number,
            "phone": data.phone,
            "gender": data.gender,
            "residence_type": data.residence_type,
        }
    )
    errors.update(problems)
    if len(data.relation_to_head) > 20:
        errors["relation_to_head"] = [_("与户主关系最长20个字")]
    id_number, phone = data.id_number.strip().upper(), data.phone.strip()
    return {
        "name": data.name.strip(),
        "gender": data.gender or Gender.UNKNOWN,
        "residence_type": data.residence_type or ResidenceType.FLOATING,
        "relation_to_head": data.relation_to_head.strip(),
        "id_number_enc": crypto.encrypt(id_number),
        # The blind index (as the register's): a second pending proposal for the same person is found by it.
        "id_number_hash": crypto.blind_index(id_number) if id_number else "",
        "id_number_masked": crypto.mask_id_number(id_number) if id_number else "",
        "phone_enc": crypto.encrypt(phone),
        "phone_masked": crypto.mask_phone(phone) if phone else "",
    }


def _check(data: ProposalIn) -> tuple[Node, dict[str, Any], str]:
    """(where, payload, summary) of a valid proposal, else ValidationError with every problem."""
    errors: dict[str, list[str]] = {}
    payload: dict[str, Any] = {}
    kind = data.kind
    _check_kind(kind)
    if len(data.reason) > REASON_MAX:
        errors["reason"] = [_("情况说明最长{reason_max}个字").format(reason_max=REASON_MAX)]
    if kind in (*LEAVING_KINDS, ProposalKind.ADD_TAG, ProposalKind.REMOVE_TAG):
        _require(errors, data.resident, "resident", _("请选择居民"))
    if kind in (ProposalKind.ADD_TAG, ProposalKind.REMOVE_TAG):
        _require(errors, data.tag, "tag", _("请选择标签"))
    if kind in LEAVING_KINDS and data.resident is not None and not data.resident.is_active:
        errors["resident"] = [_("该居民已不在册")]
    if kind == ProposalKind.NEW_RESIDENT:
        payload = _new_resident(data, errors)
    if kind == ProposalKind.DWELLING_USE:
        _require(errors, data.dwelling, "dwelling", _("请选择房屋"))
        if data.use not in DwellingUse.values:
            errors["use"] = [_("使用情况只能是自住、出租或空置")]
        payload = {"use": data.use}
    if errors:
        raise ValidationError(errors=errors)
    return _where(data), payload, _summary(data)


def _check_kind(kind: str) -> None:
    if kind not in ProposalKind.values:
        raise ValidationError(_("变更类型无效"), field="kind")


def _where(data: ProposalIn) -> Node:
    for target in (data.resident, data.household, data.dwelling):
        if target is not None:
            return target.node
    raise ValidationError(_("请选择变更对象"), field="resident")


def _room(dwelling: Dwelling | None) -> str:
    if dwelling is None:
        return ""
    return f"{place_name(dwelling.node)} {dwelling.room}".strip()


def _household_place(household: Household) -> str:
    if household.dwelling is not None:
        return _room(household.dwelling)
    return place_name(household.node) if household.node is not None else ""


def _summary(data: ProposalIn) -> str:
    """What the proposal changes, with every name masked: a household and a dwelling are
    named by building and room ("胜利门1号楼 101"), never by the household's code nor by
    ``str(household)`` (which is "code head_name": the head's full name)."""
    kind = ProposalKind(data.kind)
    if kind == ProposalKind.NEW_RESIDENT:
        place = _household_place(data.household) if data.household is not None else _room(data.dwelling)
        return _("{label}：{mask_name} 入住 {place}").format(
            label=kind.label, mask_name=crypto.mask_name(data.name.strip()), place=place
        )
    if kind == ProposalKind.DWELLING_USE:
        return _("{label}：{dwelling} 改为{use}").format(
            label=kind.label, dwelling=_room(data.dwelling), use=DwellingUse(data.use).label
        )
    who = crypto.mask_name(data.resident.name) if data.resident else ""
    if kind in (ProposalKind.ADD_TAG, ProposalKind.REMOVE_TAG):
        return f"{kind.label}：{who} {data.tag}"
    return f"{kind.label}：{who}"


def proposal_submit(*, actor: Any, client_key: str, data: ProposalIn) -> Saved[Proposal]:
    """A grid worker proposes a registry change for the community to approve.

    A new resident whose ID number is on the register already (in or out of it) could never
    be approved: refused now on ``id_number``. Whether it is registered is asked first, out
    of the proposal's transaction (``registry.pii.id_holder_checked``: an ID search, counted
    and audited, and the audit row must outlive the refusal)."""
    key = check_key(client_key)
    if data.kind == ProposalKind.NEW_RESIDENT and replay(Proposal, key, actor) is None:
        _refuse_registered_id(actor, data)
    return _proposal_submit(actor=actor, key=key, data=data)


def _id_number(data: ProposalIn) -> str:
    """The new resident's ID number, normalised, when it is well-formed; else ""."""
    number = normalise_id_number(data.id_number or "")
    return "" if not number or id_number_problem(number) else number


def _refuse_registered_id(actor: Any, data: ProposalIn) -> None:
    """422 on ``id_number`` when a resident holds it. Only for a proposal in the worker's own
    grids (else nothing is looked up: the proposal is refused by its scope). The holder is
    placed only when the worker sees them anyway (a resident of their grids, shown masked);
    elsewhere the answer is only that the number is registered."""
    number = _id_number(data)
    target = data.household or data.dwelling
    if not number or target is None or not can(actor, Capability.PATROL, target.node.path):
        return
    holders = Resident.objects.filter(id_number_hash=crypto.blind_index(number))
    holder = id_holder_checked(actor=actor, qs=holders)
    if holder is None:
        return
    if not can(actor, Capability.PATROL, holder.node_path):
        reason = _("该身份证号已登记，无需新增住户；如有疑问请联系社区核实")
    elif holder.is_active:
        reason = _("该身份证号已登记：本网格在册居民{name}，无需新增住户").format(
            name=crypto.mask_name(holder.name)
        )
    else:
        reason = _("该身份证号已登记：本网格已迁出居民{name}；如其迁回，请联系社区恢复在册").format(
            name=crypto.mask_name(holder.name)
        )
    raise ValidationError(reason, field="id_number", code="id_registered")


@transaction.atomic
def _proposal_submit(*, actor: Any, key: str, data: ProposalIn) -> Saved[Proposal]:
    found = replay(Proposal, key, actor)
    if found is not None:
        return Saved(found, False)
    _check_kind(data.kind)
    if data.resident is None and data.household is None and data.dwelling is None:
        _check(data)  # no target at all: refused naming the field this kind needs
    node = _where(data)
    if not can(actor, Capability.PATROL, node.path):
        raise PermissionDenied(_("只能提出自己负责网格内的信息变更"))
    node, payload, summary = _check(data)
    unchanged = _unchanged(data.kind, data.resident, data.tag, data.dwelling, data.use)
    if unchanged is not None:
        field, reason = unchanged
        raise ValidationError(reason, field=field)
    _refuse_a_second_pending(data, key, actor)

    def create() -> Proposal:
        proposal = Proposal.objects.create(
            node=node,
            node_path=node.path,
            kind=data.kind,
            proposer=actor,
            client_key=key,
            resident=data.resident,
            household=data.household,
            dwelling=data.dwelling,
            tag=data.tag,
            payload=payload,
            summary=summary[:300],
            reason=data.reason.strip(),
        )
        audit_write(
            actor=actor,
            verb=Verb.PROPOSAL_SUBMITTED,
            target=proposal,
            node=node,
            after={"kind": proposal.kind, "summary": proposal.summary, "reason": proposal.reason},
        )
        return proposal

    return claim(Proposal, key, actor, create)


def _refuse_a_second_pending(data: ProposalIn, key: str, actor: Any) -> None:
    """One pending proposal of a kind per resident (per resident and tag for tags, per
    dwelling for its use), so the community does not approve the same change twice. The
    resident's (or dwelling's) row is locked first: of two workers proposing at once, the
    second waits, then sees the first one's proposal and is told so. The phone's own retry
    of the same entry (same key) is no second proposal: ``claim`` answers it with the first."""
    twins = Proposal.objects.filter(state=ProposalState.PENDING, kind=data.kind).exclude(
        client_key=key, proposer=actor
    )
    number = _id_number(data) if data.kind == ProposalKind.NEW_RESIDENT else ""
    if number:
        # Found by the blind index kept with the proposal, never by decrypting; two workers
        # proposing the same person at once take turns (PostgreSQL: an advisory lock).
        digest = crypto.blind_index(number)
        _serialise_id(digest)
        if twins.filter(payload__id_number_hash=digest).exists():
            raise ValidationError(
                _("该身份证号已有一条待审核的新增住户申请，请等社区审核后再提交"), field="id_number"
            )
        return
    if data.kind == ProposalKind.DWELLING_USE and data.dwelling is not None:
        list(Dwelling.objects.select_for_update().filter(pk=data.dwelling.pk).values_list("pk"))
        twins, field = twins.filter(dwelling=data.dwelling), "dwelling"
        message = _("该房屋已有一条待审核的使用情况变更（{summary}），请等社区审核后再提交")
    elif data.kind != ProposalKind.NEW_RESIDENT and data.resident is not None:
        list(Resident.objects.select_for_update().filter(pk=data.resident.pk).values_list("pk"))
        twins, field = twins.filter(resident=data.resident), "resident"
        if data.kind in (ProposalKind.ADD_TAG, ProposalKind.REMOVE_TAG):
            twins = twins.filter(tag=data.tag)
        message = _("该居民已有一条待审核的同类变更申请（{summary}），请等社区审核后再提交")
    else:
        return
    first = twins.order_by("id").first()
    if first is not None:
        raise ValidationError(message.format(summary=first.summary), field=field)


def _serialise_id(digest: str) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite writes one transaction at a time anyway
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"civicgrid.proposal-id:{digest}"])


def _locked_pending(actor: Any, proposal: Proposal) -> Proposal:
    locked = Proposal.objects.select_for_update().filter(pk=proposal.pk).first()
    if locked is None:
        raise NotFound(_("变更申请不存在"))
    require(actor, Capability.GRIDWORK_MANAGE, locked.node_path)
    if locked.state != ProposalState.PENDING:
        raise ValidationError(
            _("该申请{label}，不能重复审核").format(label=ProposalState(locked.state).label)
        )
    return locked


def _lock_targets(p: Proposal) -> None:
    """Lock the resident and dwelling the approval changes, and read them afresh, before
    anything is read from them: an approval, or a registry edit, committed meanwhile is then
    seen, not overwritten by what was read before it (two tags approved at once both stay)."""
    if p.resident_id is not None:
        p.resident = Resident.objects.select_for_update().get(pk=p.resident_id)
    dwelling_id = p.dwelling_id or (p.household.dwelling_id if p.household is not None else None)
    if dwelling_id is not None:
        dwelling = Dwelling.objects.select_for_update().get(pk=dwelling_id)
        if p.dwelling_id is not None:
            p.dwelling = dwelling
        else:
            assert p.household is not None
            p.household.dwelling = dwelling


def _apply_new_resident(actor: Any, p: Proposal) -> dict[str, Any]:
    d = p.payload
    household = p.household
    dwelling = p.dwelling or (household.dwelling if household else None)
    relation = d.get("relation_to_head", "")
    if household is None:
        assert dwelling is not None
        household = registry.household_create(
            actor=actor, node=dwelling.node, dwelling=dwelling, head_name=d["name"]
        )
        relation = relation or _("户主")
    resident = registry.resident_create(
        actor=actor,
        node=household.node,
        name=d["name"],
        id_number=crypto.decrypt(d.get("id_number_enc", "")),
        phone=crypto.decrypt(d.get("phone_enc", "")),
        gender=d.get("gender", ""),
        residence_type=d.get("residence_type", ResidenceType.FLOATING),
        household=household,
        relation_to_head=relation,
    )
    if dwelling is not None and dwelling.use == DwellingUse.VACANT:
        registry.dwelling_update(actor=actor, dwelling=dwelling, use=DwellingUse.RENTED)
    return {"resident": resident.pk, "household": household.pk}


def _unchanged(
    kind: str, resident: Resident | None, tag: ResidentTag | None, dwelling: Dwelling | None, use: str
) -> tuple[str, str] | None:
    """(field, reason) when the registry already is as proposed, else None: adding a tag the
    resident has, removing one they lack, setting a dwelling to the use it has. Checked when
    the proposal is made (422, nothing stored) and again at approval (the registry may have
    changed since, or the same change been proposed twice). Moving out a resident no longer
    on the register is refused by ``_check`` and by the registry itself."""
    if kind == ProposalKind.DWELLING_USE and dwelling is not None and dwelling.use == use:
        return "dwelling", _("该房屋使用情况已是「{use}」，无需变更").format(use=DwellingUse(use).label)
    if kind in (ProposalKind.ADD_TAG, ProposalKind.REMOVE_TAG) and resident is not None and tag is not None:
        has_it = resident.tags.filter(pk=tag.pk).exists()
        if kind == ProposalKind.ADD_TAG and has_it:
            return "tag", _("该居民已有「{tag}」标签，无需变更").format(tag=tag)
        if kind == ProposalKind.REMOVE_TAG and not has_it:
            return "tag", _("该居民没有「{tag}」标签，无需变更").format(tag=tag)
    return None


def _apply(actor: Any, p: Proposal) -> dict[str, Any]:
    _lock_targets(p)
    if p.kind == ProposalKind.NEW_RESIDENT:
        return _apply_new_resident(actor, p)
    unchanged = _unchanged(p.kind, p.resident, p.tag, p.dwelling, p.payload.get("use", ""))
    if unchanged is not None:  # approving would write nothing: refused, the proposal stays, to be rejected
        field, reason = unchanged
        raise ValidationError(_("{reason}，请驳回该申请").format(reason=reason), field=field)
    if p.kind == ProposalKind.DWELLING_USE:
        assert p.dwelling is not None
        registry.dwelling_update(actor=actor, dwelling=p.dwelling, use=p.payload["use"])
        return {"dwelling": p.dwelling.pk}
    resident = p.resident
    assert resident is not None
    if p.kind in LEAVING_KINDS:  # the registry refuses a resident already out of the register
        # The grid worker's account of it (where to, or how) becomes the register's note;
        # the day is the day of approval.
        left = registry.resident_update(
            actor=actor,
            resident=resident,
            is_active=False,
            left_reason=LEAVING_KINDS[ProposalKind(p.kind)],
            left_note=p.reason[:255],
        )
        return {"resident": resident.pk, "stopped": list(left.left_consequences)}
    codes = list(resident.tags.values_list("code", flat=True))  # the resident is locked: current tags
    assert p.tag is not None
    if p.kind == ProposalKind.ADD_TAG:
        codes.append(p.tag.code)
    elif p.kind == ProposalKind.REMOVE_TAG:
        codes = [c for c in codes if c != p.tag.code]
    registry.resident_update(actor=actor, resident=resident, tags=codes)
    return {"resident": resident.pk, "tags": codes}


@transaction.atomic
def proposal_approve(*, actor: Any, proposal: Proposal, note: str = "") -> Proposal:
    """Approve and apply through the registry's services; if the registry refuses, nothing changes."""
    locked = _locked_pending(actor, proposal)
    if len(note) > 300:
        raise ValidationError(_("审核意见最长300个字"), field="note")
    locked.result = _apply(actor, locked)
    locked.state = ProposalState.APPROVED
    locked.decided_by, locked.decided_at, locked.decision_note = actor, timezone.now(), note.strip()
    locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "result"])
    audit_write(
        actor=actor,
        verb=Verb.PROPOSAL_APPROVED,
        target=locked,
        node=locked.node,
        before={"state": ProposalState.PENDING},
        after={"state": locked.state, "result": locked.result, "note": locked.decision_note},
    )
    return locked


@transaction.atomic
def proposal_reject(*, actor: Any, proposal: Proposal, note: str) -> Proposal:
    locked = _locked_pending(actor, proposal)
    if not note.strip():
        raise ValidationError(_("请填写驳回理由"), field="note")
    if len(note) > 300:
        raise ValidationError(_("审核意见最长300个字"), field="note")
    locked.state = ProposalState.REJECTED
    locked.decided_by, locked.decided_at, locked.decision_note = actor, timezone.now(), note.strip()
    locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit_write(
        actor=actor,
        verb=Verb.PROPOSAL_REJECTED,
        target=locked,
        node=locked.node,
        before={"state": ProposalState.PENDING},
        after={"state": locked.state, "note": locked.decision_note},
    )
    return locked
