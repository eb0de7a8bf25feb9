from typing import Any

import pytest

from civicgrid.core import crypto
from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.gridwork import services
from civicgrid.gridwork.models import Proposal
from civicgrid.gridwork.services import proposals as proposals_module
from civicgrid.gridwork.tests.conftest import Field, audit_count
from civicgrid.registry import services as registry
from civicgrid.registry.models import Household, Resident, ResidentTag
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = pytest.mark.django_db

ID_NUMBER = "320213199003071233"


def propose(field: Field, key: str, **kw: Any) -> Proposal:
    return services.proposal_submit(actor=field.alice, client_key=key, data=services.ProposalIn(**kw)).entry


def verbs_for(proposal: Proposal) -> list[str]:
    rows = AuditLog.objects.filter(target_type="gridwork.proposal", target_id=str(proposal.pk)).order_by("id")
    return list(rows.values_list("verb", flat=True))


def test_moved_out_proposed_in_the_field_and_approved_by_the_community(field: Field) -> None:
    p = propose(field, "prop-moved", kind="moved_out", resident=field.xiao_li, reason="已搬走两个月")
    assert p.state == "pending" and p.summary == "人员迁出：李*明"
    field.xiao_li.refresh_from_db()
    assert field.xiao_li.is_active  # nothing changes before approval
    services.proposal_approve(actor=field.city.bob, proposal=p, note="已核实")
    field.xiao_li.refresh_from_db()
    assert not field.xiao_li.is_active
    assert verbs_for(p) == ["gridwork.proposal_submitted", "gridwork.proposal_approved"]
    registry_row = AuditLog.objects.get(verb="registry.resident_updated", target_id=str(field.xiao_li.pk))
    assert registry_row.actor == field.city.bob and registry_row.after["is_active"] is False


def test_a_new_tenant_keeps_the_id_number_encrypted_until_approved(field: Field) -> None:
    p = propose(
        field,
        "prop-tenant",
        kind="new_resident",
        household=field.household_1,
        name="周晓燕",
        id_number=ID_NUMBER,
        phone="13912345678",
        relation_to_head="租户",
    )
    assert ID_NUMBER not in str(p.payload) and "13912345678" not in str(p.payload)
    assert p.payload["id_number_masked"] == "320***********1233"
    assert "320213199003071233" not in str(
        AuditLog.objects.filter(verb="gridwork.proposal_submitted").get().after
    )
    services.proposal_approve(actor=field.city.bob, proposal=p)
    tenant = Resident.objects.get(name="周晓燕")
    assert tenant.household == field.household_1 and tenant.id_number_masked == "320***********1233"
    assert tenant.residence_type == "floating" and crypto.decrypt(tenant.phone_enc) == "13912345678"


def test_a_new_tenant_in_a_vacant_dwelling_makes_a_household(field: Field) -> None:
    d3 = registry.dwelling_create(
        actor=field.city.bob, node=field.city.building_a1, room="1单元103", use="vacant"
    )
    p = propose(field, "prop-vacant", kind="new_resident", dwelling=d3, name="钱多多", phone="13700001111")
    services.proposal_approve(actor=field.city.bob, proposal=p)
    household = Household.objects.get(dwelling=d3)
    tenant = Resident.objects.get(name="钱多多")
    d3.refresh_from_db()
    assert tenant.household == household and tenant.relation_to_head == "户主" and d3.use == "rented"
    assert p.pk and Proposal.objects.get(pk=p.pk).result == {"resident": tenant.pk, "household": household.pk}


def test_a_tag_added_and_a_dwelling_use_changed(field: Field) -> None:
    low_income = ResidentTag.objects.get(code="low_income")
    p1 = propose(field, "prop-tag-1", kind="add_tag", resident=field.lao_zhang, tag=low_income)
    p2 = propose(field, "prop-use-1", kind="dwelling_use", dwelling=field.dwelling_2, use="rented")
    services.proposal_approve(actor=field.city.bob, proposal=p1)
    services.proposal_approve(actor=field.city.bob, proposal=p2)
    assert set(field.lao_zhang.tags.values_list("code", flat=True)) == {
        "elderly_alone",
        "party_member",
        "low_income",
    }
    field.dwelling_2.refresh_from_db()
    assert field.dwelling_2.use == "rented"


def test_rejecting_needs_a_reason_and_changes_nothing(field: Field) -> None:
    p = propose(field, "prop-reject", kind="moved_out", resident=field.xiao_li)
    with pytest.raises(ValidationError):
        services.proposal_reject(actor=field.city.bob, proposal=p, note=" ")
    services.proposal_reject(actor=field.city.bob, proposal=p, note="本人仍在居住")
    field.xiao_li.refresh_from_db()
    assert field.xiao_li.is_active and Proposal.objects.get(pk=p.pk).state == "rejected"
    with pytest.raises(ValidationError) as exc:
        services.proposal_approve(actor=field.city.bob, proposal=p)
    assert "已驳回" in exc.value.message


def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(field: Field) -> None:
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        propose(
            field, "prop-bad-1", kind="new_resident", household=field.household_1, name="", id_number="123"
        )
    assert set(exc.value.errors) >= {"name", "id_number"}
    with pytest.raises(ValidationError) as exc:
        propose(field, "prop-bad-2", kind="add_tag", resident=field.lao_zhang)
    assert exc.value.errors["tag"] == ["请选择标签"]
    assert not Proposal.objects.exists() and audit_count() == before


def test_a_registry_refusal_at_approval_leaves_the_proposal_pending(field: Field) -> None:
    p = propose(
        field,
        "prop-dup-id",
        kind="new_resident",
        household=field.household_1,
        name="重复",
        id_number=ID_NUMBER,
    )
    # Registered after the proposal was made (a number registered before is refused at once).
    registry.resident_create(
        actor=field.city.bob, node=field.city.building_a1, name="已登记", id_number=ID_NUMBER
    )
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        services.proposal_approve(actor=field.city.bob, proposal=p)
    assert "已登记" in exc.value.message
    assert Proposal.objects.get(pk=p.pk).state == "pending" and audit_count() == before
    assert not Resident.objects.filter(name="重复").exists()


def test_only_the_community_approves_and_only_the_grid_proposes(field: Field) -> None:
    p = propose(field, "prop-scope", kind="moved_out", resident=field.xiao_li)
    before = audit_count()
    for outsider in (field.alice, field.city.carol, field.city.dave):
        with pytest.raises(PermissionDenied):
            services.proposal_approve(actor=outsider, proposal=p)
    with pytest.raises(PermissionDenied):
        services.proposal_submit(
            actor=field.pete,
            client_key="prop-pete-1",
            data=services.ProposalIn(kind="moved_out", resident=field.xiao_li),
        )
    assert Proposal.objects.get(pk=p.pk).state == "pending" and audit_count() == before


def test_the_same_proposal_sent_three_times_is_one(field: Field) -> None:
    for _ in range(3):
        propose(field, "prop-thrice", kind="moved_out", resident=field.xiao_li)
    assert Proposal.objects.count() == 1


# --- findings of the registry tester ---------------------------------------------------------------


def test_a_second_pending_proposal_of_the_same_kind_for_the_same_resident_is_refused(field: Field) -> None:
    first = propose(field, "prop-twice-1", kind="moved_out", resident=field.xiao_li, reason="已搬走")
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        services.proposal_submit(
            actor=field.ivan,
            client_key="prop-twice-2",
            data=services.ProposalIn(kind="moved_out", resident=field.xiao_li, reason="搬走了"),
        )
    assert exc.value.errors["resident"] == [
        "该居民已有一条待审核的同类变更申请（人员迁出：李*明），请等社区审核后再提交"
    ]
    assert list(Proposal.objects.values_list("pk", flat=True)) == [first.pk] and audit_count() == before
    # once decided, a new one may be sent; other kinds, tags and residents are not affected
    services.proposal_reject(actor=field.city.bob, proposal=first, note="本人仍在居住")
    propose(field, "prop-twice-3", kind="moved_out", resident=field.xiao_li)
    low_income, disabled = (
        ResidentTag.objects.get(code="low_income"),
        ResidentTag.objects.get(code="disabled"),
    )
    propose(field, "prop-tag-a", kind="add_tag", resident=field.xiao_li, tag=low_income)
    propose(field, "prop-tag-b", kind="add_tag", resident=field.xiao_li, tag=disabled)
    with pytest.raises(ValidationError) as exc:
        propose(field, "prop-tag-c", kind="add_tag", resident=field.xiao_li, tag=low_income)
    assert "resident" in exc.value.errors
    propose(field, "prop-use-a", kind="dwelling_use", dwelling=field.dwelling_2, use="rented")
    with pytest.raises(ValidationError) as exc:
        propose(field, "prop-use-b", kind="dwelling_use", dwelling=field.dwelling_2, use="owner_occupied")
    assert "该房屋已有一条待审核的使用情况变更" in exc.value.errors["dwelling"][0]


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_proposing_the_same_move_at_once_make_one_proposal(
    field: Field, monkeypatch: Any
) -> None:
    slow_audit(monkeypatch, proposals_module)

    def send(user: Any, key: str) -> Any:
        data = services.ProposalIn(kind="moved_out", resident=field.xiao_li)
        return services.proposal_submit(actor=user, client_key=key, data=data)

    results = run_at_once(lambda: send(field.alice, "prop-race-a"), lambda: send(field.ivan, "prop-race-b"))
    assert sum(isinstance(r, services.Saved) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    assert Proposal.objects.filter(kind="moved_out", resident=field.xiao_li).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_phone_retrying_its_proposal_at_once_gets_the_first_back(field: Field, monkeypatch: Any) -> None:
    """The same entry sent twice at once (a retry on a weak signal): the second waits on the
    resident's lock, then must answer with the first proposal, not refuse it as a twin."""
    slow_audit(monkeypatch, proposals_module)

    def send() -> Any:
        data = services.ProposalIn(kind="moved_out", resident=field.xiao_li)
        return services.proposal_submit(actor=field.alice, client_key="prop-retry", data=data)

    results = run_at_once(send, send)
    assert all(isinstance(r, services.Saved) for r in results), results
    assert {r.entry.pk for r in results} == {Proposal.objects.get(client_key="prop-retry").pk}


def test_the_summary_names_a_household_by_building_and_room_not_the_heads_name(field: Field) -> None:
    p = propose(field, "prop-summary", kind="new_resident", household=field.household_1, name="周晓燕")
    assert "张建国" not in p.summary and field.household_1.code not in p.summary
    building = field.city.building_a1.name
    assert p.summary == f"新住户/新租户：周*燕 入住 {building} 1单元101"
    submitted = AuditLog.objects.get(verb="gridwork.proposal_submitted", target_id=str(p.pk))
    assert "张建国" not in str(submitted.after)


def test_an_approval_that_would_change_nothing_is_refused(field: Field) -> None:
    """The registry changed after the proposals were made (a proposal that changes nothing
    is refused when made: test_gridfix_phone)."""
    party = ResidentTag.objects.get(code="party_member")
    low_income = ResidentTag.objects.get(code="low_income")
    has_it = propose(field, "prop-noop-1", kind="add_tag", resident=field.lao_zhang, tag=low_income)
    lacks_it = propose(field, "prop-noop-2", kind="remove_tag", resident=field.lao_zhang, tag=party)
    same_use = propose(field, "prop-noop-3", kind="dwelling_use", dwelling=field.dwelling_1, use="rented")
    gone = propose(field, "prop-noop-4", kind="moved_out", resident=field.xiao_li)
    bob = field.city.bob
    registry.resident_update(actor=bob, resident=field.lao_zhang, tags=["elderly_alone", "low_income"])
    registry.dwelling_update(actor=bob, dwelling=field.dwelling_1, use="rented")
    registry.resident_update(actor=bob, resident=field.xiao_li, is_active=False)
    before = audit_count()
    expected = {
        has_it.pk: ("tag", "该居民已有「低保户」标签，无需变更，请驳回该申请"),
        lacks_it.pk: ("tag", "该居民没有「党员」标签，无需变更，请驳回该申请"),
        same_use.pk: ("dwelling", "该房屋使用情况已是「出租」，无需变更，请驳回该申请"),
    }
    for p in (has_it, lacks_it, same_use):
        with pytest.raises(ValidationError) as exc:
            services.proposal_approve(actor=bob, proposal=p)
        where, message = expected[p.pk]
        assert exc.value.errors[where] == [message]
        assert Proposal.objects.get(pk=p.pk).state == "pending"
    with pytest.raises(ValidationError) as exc:  # the registry's own refusal
        services.proposal_approve(actor=bob, proposal=gone)
    assert exc.value.message == "该居民已迁出（不在册），不能再次办理迁出"
    for p in (has_it, lacks_it, same_use, gone):
        assert Proposal.objects.get(pk=p.pk).state == "pending"
    assert audit_count() == before
    assert set(field.lao_zhang.tags.values_list("code", flat=True)) == {"elderly_alone", "low_income"}
