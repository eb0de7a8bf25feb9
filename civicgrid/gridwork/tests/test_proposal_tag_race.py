"""Approvals that change the same resident (or dwelling) at the same moment keep every change:
the approval locks the row before it reads what is there, so the second one builds on the
first instead of writing back what it read before the first was committed."""

from typing import Any

import pytest

from civicgrid.core.models import AuditLog
from civicgrid.gridwork import services
from civicgrid.gridwork.models import Proposal
from civicgrid.gridwork.tests.conftest import Field
from civicgrid.registry import services as registry
from civicgrid.registry.models import Dwelling, Resident, ResidentTag
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit


def propose(field: Field, key: str, **kw: Any) -> Proposal:
    return services.proposal_submit(actor=field.alice, client_key=key, data=services.ProposalIn(**kw)).entry


def tag(code: str) -> ResidentTag:
    return ResidentTag.objects.get(code=code)


def tags_of(resident: Resident) -> set[str]:
    return set(Resident.objects.get(pk=resident.pk).tags.values_list("code", flat=True))


def approve(field: Field, proposal: Proposal) -> Any:
    return lambda: services.proposal_approve(actor=field.city.bob, proposal=proposal)


@pytest.mark.django_db
def test_two_tag_proposals_approved_one_after_the_other_keep_both(field: Field) -> None:
    alone = propose(field, "tag-seq-1", kind="add_tag", resident=field.xiao_li, tag=tag("elderly_alone"))
    nest = propose(field, "tag-seq-2", kind="add_tag", resident=field.xiao_li, tag=tag("empty_nest"))
    services.proposal_approve(actor=field.city.bob, proposal=alone)
    services.proposal_approve(actor=field.city.bob, proposal=nest)
    assert tags_of(field.xiao_li) == {"elderly_alone", "empty_nest"}


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_tags_added_at_once_are_both_kept(field: Field, monkeypatch: Any) -> None:
    alone = propose(field, "tag-race-1", kind="add_tag", resident=field.xiao_li, tag=tag("elderly_alone"))
    nest = propose(field, "tag-race-2", kind="add_tag", resident=field.xiao_li, tag=tag("empty_nest"))
    slow_audit(monkeypatch, registry)  # the first holds the resident, uncommitted, while the second reads
    results = run_at_once(approve(field, alone), approve(field, nest))
    assert [getattr(r, "state", r) for r in results] == ["approved", "approved"], results
    assert tags_of(field.xiao_li) == {"elderly_alone", "empty_nest"}
    rows = AuditLog.objects.filter(verb="registry.resident_updated", target_id=str(field.xiao_li.pk))
    first, second = rows.order_by("id")
    assert first.before is not None and second.before is not None and second.after is not None
    assert first.before["tags"] == [] and second.before["tags"] != []  # the second saw the first
    assert second.after["tags"] == ["独居老人", "空巢老人"]


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_tag_added_and_another_removed_at_once(field: Field, monkeypatch: Any) -> None:
    nest = propose(field, "tag-race-3", kind="add_tag", resident=field.lao_zhang, tag=tag("empty_nest"))
    party = propose(field, "tag-race-4", kind="remove_tag", resident=field.lao_zhang, tag=tag("party_member"))
    slow_audit(monkeypatch, registry)
    results = run_at_once(approve(field, nest), approve(field, party))
    assert [getattr(r, "state", r) for r in results] == ["approved", "approved"], results
    assert tags_of(field.lao_zhang) == {"elderly_alone", "empty_nest"}


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_approval_during_a_registry_tag_edit_keeps_the_edit(field: Field, monkeypatch: Any) -> None:
    """The registry page saves the whole tag list (adding 低保户) while the community approves
    a proposed 空巢老人: both end on the resident."""
    nest = propose(field, "tag-race-5", kind="add_tag", resident=field.lao_zhang, tag=tag("empty_nest"))
    slow_audit(monkeypatch, registry)
    edited, approved = run_at_once(
        lambda: registry.resident_update(
            actor=field.city.bob,
            resident=field.lao_zhang,
            tags=["elderly_alone", "party_member", "low_income"],
        ),
        approve(field, nest),
    )
    assert isinstance(edited, Resident), edited
    assert getattr(approved, "state", approved) == "approved", approved
    assert tags_of(field.lao_zhang) == {"elderly_alone", "party_member", "low_income", "empty_nest"}


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_tenant_approved_while_the_dwelling_is_marked_occupied(field: Field, monkeypatch: Any) -> None:
    """A new tenant turns a vacant dwelling into a rented one; if the registry has just
    marked it owner-occupied, the approval sees that (as it would a moment later) and
    leaves it, instead of acting on the vacancy it read before that edit was committed."""
    tenant = propose(
        field,
        "tenant-race",
        kind="new_resident",
        dwelling=field.dwelling_2,
        name="钱多多",
        phone="13700001111",
    )
    slow_audit(monkeypatch, registry)
    marked, approved = run_at_once(
        lambda: registry.dwelling_update(
            actor=field.city.bob, dwelling=field.dwelling_2, use="owner_occupied"
        ),
        approve(field, tenant),
    )
    assert isinstance(marked, Dwelling), marked
    assert getattr(approved, "state", approved) == "approved", approved
    assert Dwelling.objects.get(pk=field.dwelling_2.pk).use == "owner_occupied"
    assert Resident.objects.filter(name="钱多多", household__dwelling=field.dwelling_2).exists()
