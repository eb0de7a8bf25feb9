"""Dual reporting (双报到): members report to the community where they live; units sign agreements.

Two rules hold under concurrency because the database enforces them (partial unique
indexes): a member has one live report (pending or confirmed), and a unit has one live
agreement with one place. The services check first for a clear message; the index decides
when two attempts race, and the loser gets the same message.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, require
from civicgrid.core import crypto
from civicgrid.core.audit import audit_write, snapshot
from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.notify.models import Channel
from civicgrid.notify.services import notify
from civicgrid.party.constants import (
    ACTIVE_AGREEMENT_STATUSES,
    ACTIVE_REPORT_STATUSES,
    FILE_TYPES,
    REPORTING_CATEGORIES,
    AgreementKind,
    AgreementStatus,
    LocatedBy,
    OrgKind,
    ReportStatus,
    Verb,
)
from civicgrid.party.models import (
    Agreement,
    AgreementFile,
    Alliance,
    AllianceMember,
    MemberReport,
    PartyMember,
    PartyOrganisation,
)
from civicgrid.party.permissions import can_any, can_see_member, is_member_self, member_paths
from civicgrid.party.services.common import (
    Errors,
    add,
    check_upload,
    community_of,
    date_range,
    party_day,
    phone,
    pledges,
    raise_if,
    service_types,
    text,
)
from civicgrid.registry.models import Organisation
from civicgrid.territory.geometry import check_lon_lat, to_wgs84
from civicgrid.territory.locator import locator
from civicgrid.territory.models import Node, NodeKind

REPORT_AUDIT_FIELDS = ["member", "node", "grid", "located_by", "pledges", "service_types", "status"]
AGREEMENT_AUDIT_FIELDS = [
    "kind",
    "unit",
    "party_organisation",
    "alliance",
    "node",
    "title",
    "service_types",
    "signed_on",
    "starts_on",
    "ends_on",
    "status",
]
TWO_COMMUNITIES = gettext_lazy("该党员已向{place}报到（{status}），不能同时向两个社区报到；请先结束原报到")
SAME_COMMUNITY = gettext_lazy("该党员已向{place}报到（{status}），无需重复报到")


# --- where a member lives ----------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    community: Node
    grid: Node | None
    located_by: str
    lon: float | None = None
    lat: float | None = None


def _place_of_node(
    node: Node, located_by: str, lon: float | None = None, lat: float | None = None
) -> Place | None:
    community = community_of(node)
    if community is None:
        return None
    grid = (
        node
        if node.kind == NodeKind.GRID
        else Node.objects.filter(pk__in=node.ancestor_ids, kind=NodeKind.GRID).first()
    )
    return Place(community, grid, located_by, lon, lat)


def member_place(
    member: PartyMember,
    *,
    lon: float | None = None,
    lat: float | None = None,
    crs: str = "wgs84",
    building: Node | None = None,
) -> Place:
    """The community a member lives in: from a chosen building, a point (by the locator),
    or the member's registry entry, in that order."""
    if building is not None:
        if building.kind not in (NodeKind.BUILDING, NodeKind.ENTRANCE):
            raise ValidationError(_("请选择楼栋或单元"), field="building")
        found = _place_of_node(building, LocatedBy.BUILDING, building.lon, building.lat)
        if found is None:
            raise ValidationError(_("所选楼栋不属于任何社区"), field="building")
        return found
    if lon is not None or lat is not None:
        check_lon_lat(lon, lat)
        assert lon is not None and lat is not None
        location = locator.locate(lon, lat, crs=crs)
        if location is None or NodeKind.COMMUNITY not in location.levels:
            raise ValidationError(_("该位置不在辖区内（附近也没有网格），请核对居住地"), field="lon")
        wgs_lon, wgs_lat = to_wgs84(lon, lat, crs)
        community = Node.objects.get(pk=location.levels[NodeKind.COMMUNITY].id)
        grid = Node.objects.get(pk=location.levels[NodeKind.GRID].id) if location.in_grid else None
        return Place(community, grid, LocatedBy.LOCATOR, wgs_lon, wgs_lat)
    if member.resident_id is not None:
        found = _place_of_node(member.resident.node, LocatedBy.RESIDENT)  # type: ignore[union-attr]
        if found is not None:
            return found
    if member.home_node_id is not None:
        found = _place_of_node(member.home_node, LocatedBy.RESIDENT)  # type: ignore[arg-type]
        if found is not None:
            return found
    raise ValidationError(_("请提供居住地：选择楼栋，或提供居住地坐标"), field="lon")


# --- members' reports --------------------------------------------------------------------


def _active_report(member: PartyMember) -> MemberReport | None:
    return (
        MemberReport.objects.select_related("node")
        .filter(member=member, status__in=ACTIVE_REPORT_STATUSES)
        .first()
    )


def _two_communities(existing: MemberReport | None, community: Node | None = None) -> ValidationError:
    """A second active report: to another community (refused), or again to the same one."""
    place = existing.node.name if existing else _("其他社区")
    status = existing.get_status_display() if existing else _("报到中")
    again = existing is not None and community is not None and existing.node_id == community.pk
    message = SAME_COMMUNITY if again else TWO_COMMUNITIES
    return ValidationError(message.format(place=place, status=status), field="member")


@transaction.atomic
def member_report_submit(
    *,
    actor: Any,
    member: PartyMember,
    pledge_list: list[str],
    service_type_list: list[str],
    lon: float | None = None,
    lat: float | None = None,
    crs: str = "wgs84",
    building: Node | None = None,
    address: str = "",
) -> MemberReport:
    """An in-service member (or new-employment worker) reports to the community where they
    live. The member does it themselves (resident account) or staff of that community do."""
    member = PartyMember.objects.select_related("resident__node", "home_node", "node").get(pk=member.pk)
    himself = is_member_self(actor, member)
    if not himself and not can_see_member(actor, member):
        raise PermissionDenied(_("该党员不在您的管辖范围内"))
    errors: Errors = {}
    if not member.is_active:
        add(errors, "member", _("该党员已不在册"))
    elif member.category not in REPORTING_CATEGORIES:
        add(errors, "member", _("社区党员已编入社区党组织，无需报到；在职党员和新就业群体到居住地社区报到"))
    raise_if(errors)
    place = member_place(member, lon=lon, lat=lat, crs=crs, building=building)
    if not himself:
        require(actor, Capability.PARTY_EDIT, place.community.path)
    chosen_pledges = pledges(errors, pledge_list)
    chosen_types = service_types(errors, service_type_list)
    if not chosen_pledges and not chosen_types:
        add(errors, "pledges", _("请至少填写一条承诺或选择一项服务类型"))
    address = text(errors, "address", address, _("居住地址"), 255, required=False)
    raise_if(errors)
    existing = _active_report(member)
    if existing is not None:
        raise _two_communities(existing, place.community)
    report = MemberReport(
        member=member,
        node=place.community,
        node_path=place.community.path,
        grid=place.grid,
        address=address or member.home_address,
        lon=place.lon,
        lat=place.lat,
        located_by=place.located_by,
        pledges=chosen_pledges,
        service_types=chosen_types,
        submitted_at=timezone.now(),
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        raise _two_communities(_active_report(member), place.community) from exc
    if member.home_node_id is None:
        member.home_node = place.grid or place.community
        member.save(update_fields=["home_node", "updated_at"])
    audit_write(
        actor=actor,
        verb=Verb.REPORT_SUBMITTED,
        target=report,
        node=place.community,
        after=snapshot(report, REPORT_AUDIT_FIELDS),
    )
    return report


def _locked_report(report: MemberReport) -> MemberReport:
    return (
        MemberReport.objects.select_for_update(of=("self",))
        .select_related("member", "node")
        .get(pk=report.pk)
    )


def _tell_member(report: MemberReport, subject: str, body: str) -> None:
    member = report.member
    if not member.phone_enc:
        return
    notify(
        dedupe_key=f"party:report:{report.pk}:{report.status}",
        channel=Channel.SMS,
        recipient_label=member.name,
        address=crypto.decrypt(member.phone_enc),
        subject=subject,
        body=body,
        target=report,
    )


@transaction.atomic
def member_report_confirm(*, actor: Any, report: MemberReport, note: str = "") -> MemberReport:
    report = _locked_report(report)
    require(actor, Capability.PARTY_EDIT, report.node_path)
    if report.status != ReportStatus.PENDING:
        raise Conflict(_("该报到已是「{status}」，无需确认").format(status=report.get_status_display()))
    errors: Errors = {}
    note = text(errors, "note", note, _("说明"), 255, required=False)
    raise_if(errors)
    before = {"status": report.status}
    report.status = ReportStatus.CONFIRMED
    report.decided_at, report.decided_by, report.decision_note = timezone.now(), actor, note
    report.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    _tell_member(
        report,
        _("报到已确认"),
        _("【双报到】您已成功向{name}报到，感谢您为社区服务。").format(name=report.node.name),
    )
    audit_write(
        actor=actor,
        verb=Verb.REPORT_CONFIRMED,
        target=report,
        node=report.node,
        before=before,
        after={"status": report.status},
    )
    return report


@transaction.atomic
def member_report_reject(*, actor: Any, report: MemberReport, reason: str) -> MemberReport:
    report = _locked_report(report)
    require(actor, Capability.PARTY_EDIT, report.node_path)
    if report.status != ReportStatus.PENDING:
        raise Conflict(_("该报到已是「{status}」，不能退回").format(status=report.get_status_display()))
    errors: Errors = {}
    reason = text(errors, "reason", reason, _("退回原因"), 255, required=True)
    raise_if(errors)
    report.status = ReportStatus.REJECTED
    report.decided_at, report.decided_by, report.decision_note = timezone.now(), actor, reason
    report.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    _tell_member(
        report,
        _("报到被退回"),
        _("【双报到】您向{name}的报到被退回：{reason}").format(name=report.node.name, reason=reason),
    )
    audit_write(
        actor=actor,
        verb=Verb.REPORT_REJECTED,
        target=report,
        node=report.node,
        before={"status": ReportStatus.PENDING},
        after={"status": report.status, "reason": reason},
    )
    return report


@transaction.atomic
def member_report_end(*, actor: Any, report: MemberReport, reason: str = "") -> MemberReport:
    """End a live report (moved house, left the unit); then the member may report elsewhere.

    Who may: the member themselves, and staff of the community reported to (and above it).
    Staff where the member's unit is see the report but do not end it: it is the receiving
    community's roll. The member is told when staff end it."""
    report = _locked_report(report)
    member = report.member
    himself = is_member_self(actor, member)
    if not himself and not can(actor, Capability.PARTY_EDIT, report.node_path):
        raise PermissionDenied(_("只有报到社区的工作人员或党员本人可以结束该报到"))
    if report.status not in ACTIVE_REPORT_STATUSES:
        raise Conflict(_("该报到已是「{status}」").format(status=report.get_status_display()))
    errors: Errors = {}
    reason = text(errors, "reason", reason, _("原因"), 255, required=False)
    raise_if(errors)
    before = {"status": report.status}
    report.status, report.ended_at = ReportStatus.ENDED, timezone.now()
    if reason:
        report.decision_note = reason
    report.save(update_fields=["status", "ended_at", "decision_note"])
    if not himself:
        body = _("【双报到】您向{name}的报到已结束。").format(name=report.node.name)
        if reason:
            body += _("原因：{reason}").format(reason=reason)
        _tell_member(report, _("报到已结束"), body)
    audit_write(
        actor=actor,
        verb=Verb.REPORT_ENDED,
        target=report,
        node=report.node,
        before=before,
        after={"status": report.status, "reason": reason},
    )
    return report


# --- units' agreements -------------------------------------------------------------------


def _unit_org(unit: Organisation) -> PartyOrganisation | None:
    return PartyOrganisation.objects.filter(kind=OrgKind.UNIT, unit=unit, is_active=True).first()


def _end_expired(unit: Organisation, node: Node, today: date) -> None:
    """An agreement past its end date stops being live when the next one is signed."""
    expired = Agreement.objects.select_for_update().filter(
        unit=unit, node=node, status__in=ACTIVE_AGREEMENT_STATUSES, ends_on__lt=today
    )
    for agreement in expired:
        agreement.status, agreement.ended_at, agreement.end_reason = (
            AgreementStatus.EXPIRED,
            timezone.now(),
            _("协议到期"),
        )
        agreement.save(update_fields=["status", "ended_at", "end_reason"])


def _agreement_place(
    errors: Errors, kind: str, node: Node | None, alliance: Alliance | None, unit: Organisation
) -> Node | None:
    if kind == AgreementKind.DUAL_REPORTING:
        if node is None or node.kind != NodeKind.COMMUNITY:
            add(errors, "node", _("双报到共建协议应与社区签订，请选择社区"))
        return node
    if kind == AgreementKind.ALLIANCE:
        if alliance is None or not alliance.is_active:
            add(errors, "alliance", _("请选择有效的党建联盟"))
            return None
        if not AllianceMember.objects.filter(alliance=alliance, unit=unit, left_on__isnull=True).exists():
            add(errors, "unit", _("该单位不是此联盟的成员单位"))
        return alliance.node
    add(errors, "kind", _("请选择协议类型"))
    return None


AGREEMENT_EMPTY = gettext_lazy("请填写共建内容与承诺，或至少选择一项服务类型")


def _duplicate(unit: Organisation, node: Node) -> ValidationError:
    return ValidationError(
        _("{unit}与{place}已有生效的共建协议，不能重复签订").format(unit=unit.name, place=node.name),
        field="unit",
    )


@transaction.atomic
def agreement_sign(
    *,
    actor: Any,
    unit: Organisation,
    signed_on: date,
    kind: str = AgreementKind.DUAL_REPORTING,
    node: Node | None = None,
    alliance: Alliance | None = None,
    title: str = "",
    pledges_text: str = "",
    service_type_list: list[str] | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Agreement:
    """Record an agreement a unit signed with a community (dual reporting) or an alliance."""
    errors: Errors = {}
    place = _agreement_place(errors, kind, node, alliance, unit)
    if place is not None:
        require(actor, Capability.PARTY_EDIT, place.path)
    starts_on = starts_on or signed_on
    if signed_on is None:
        add(errors, "signed_on", _("请填写签订日期"))
    party_day(errors, "signed_on", signed_on, _("签订日期"), today=timezone.localdate())
    party_day(errors, "starts_on", starts_on, _("开始日期"), today=None)
    date_range(errors, starts_on, ends_on, start_field="starts_on", end_field="ends_on")
    default_title = (
        _("{unit}与{place}共建协议").format(unit=unit.name, place=place.name) if place is not None else ""
    )
    title = text(errors, "title", title or default_title, _("协议名称"), 200, required=True)
    pledges_text = text(errors, "pledges", pledges_text, _("共建内容与承诺"), 2000, required=False)
    types = service_types(errors, service_type_list or [])
    if not pledges_text and not types:  # an agreement says what the unit undertakes
        add(errors, "pledges", str(AGREEMENT_EMPTY))
    contact_name = text(errors, "contact_name", contact_name, _("联系人"), 50, required=False)
    enc, digest, masked = phone(errors, "contact_phone", contact_phone)
    raise_if(errors)
    assert place is not None
    today = timezone.localdate()
    # An agreement that ended before it is registered is a historical record: kept as expired
    # (已到期), never live, so it neither counts in the rates nor blocks a live one.
    already_ended = ends_on is not None and ends_on < today
    if not already_ended:
        _end_expired(unit, place, today)
        if Agreement.objects.filter(unit=unit, node=place, status__in=ACTIVE_AGREEMENT_STATUSES).exists():
            raise _duplicate(unit, place)
    agreement = Agreement(
        kind=kind,
        unit=unit,
        party_organisation=_unit_org(unit),
        alliance=alliance if kind == AgreementKind.ALLIANCE else None,
        node=place,
        node_path=place.path,
        title=title,
        pledges=pledges_text,
        service_types=types,
        contact_name=contact_name,
        contact_phone_enc=enc,
        contact_phone_hash=digest,
        contact_phone_masked=masked,
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if already_ended:
        agreement.status, agreement.ended_at, agreement.end_reason = (
            AgreementStatus.EXPIRED,
            timezone.now(),
            _("协议到期"),
        )
    try:
        with transaction.atomic():
            agreement.save()
    except IntegrityError as exc:
        raise _duplicate(unit, place) from exc
    audit_write(
        actor=actor,
        verb=Verb.AGREEMENT_SIGNED,
        target=agreement,
        node=place,
        after=snapshot(agreement, AGREEMENT_AUDIT_FIELDS),
    )
    return agreement


@transaction.atomic
def agreement_end(*, actor: Any, agreement: Agreement, reason: str) -> Agreement:
    agreement = Agreement.objects.select_for_update(of=("self",)).select_related("node").get(pk=agreement.pk)
    require(actor, Capability.PARTY_EDIT, agreement.node_path)
    if agreement.status != AgreementStatus.ACTIVE:
        raise Conflict(_("该协议已终止"))
    errors: Errors = {}
    reason = text(errors, "reason", reason, _("终止原因"), 255, required=True)
    raise_if(errors)
    agreement.status, agreement.ended_at, agreement.end_reason = AgreementStatus.ENDED, timezone.now(), reason
    agreement.save(update_fields=["status", "ended_at", "end_reason"])
    audit_write(
        actor=actor,
        verb=Verb.AGREEMENT_ENDED,
        target=agreement,
        node=agreement.node,
        before={"status": AgreementStatus.ACTIVE},
        after={"status": agreement.status, "reason": reason},
    )
    return agreement


@transaction.atomic
def agreement_file_add(*, actor: Any, agreement: Agreement, upload: UploadedFile) -> AgreementFile:
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    require(actor, Capability.PARTY_EDIT, agreement.node_path)
    errors: Errors = {}
    check_upload(errors, "file", upload, FILE_TYPES, _("PDF 或 JPG、PNG、WEBP 图片"))
    raise_if(errors)
    row = AgreementFile.objects.create(
        agreement=agreement,
        file=upload,
        name=(upload.name or _("协议文件"))[:200],
        content_type=upload.content_type or "",
        size=upload.size or 0,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_write(
        actor=actor,
        verb=Verb.AGREEMENT_FILE_ADDED,
        target=agreement,
        node=agreement.node,
        after={"file": row.pk, "name": row.name, "size": row.size},
    )
    return row


def member_can_report_here(actor: Any, member: PartyMember) -> bool:
    """Whether the actor may take this member's report somewhere (for pages)."""
    return is_member_self(actor, member) or can_any(actor, Capability.PARTY_EDIT, member_paths(member))
