"""Property companies entering and leaving compounds (物业进驻 · 退出), and their party work."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.property import services
from civicgrid.property.constants import ExitReason, Verb
from civicgrid.property.models import CompanyProfile, ServiceContract
from civicgrid.property.tests.conftest import World, audit_count, today


def test_the_community_records_a_company_entering_its_compound(world: World) -> None:
    c = world.city
    contract = services.contract_start(
        actor=c.bob, compound=world.shengli, company=world.lvcheng, starts_on=today() - timedelta(days=30)
    )
    assert contract.is_open and contract.node_path == world.shengli.path
    row = AuditLog.objects.get(verb=Verb.CONTRACT_STARTED)
    assert row.actor == c.bob and row.node_path == world.shengli.path
    assert row.after is not None and row.after["company"] == world.lvcheng.pk


def test_a_second_company_is_refused_while_one_serves(world: World) -> None:
    first = world.start()
    before = audit_count()
    with pytest.raises(Conflict) as exc:
        services.contract_start(
            actor=world.city.bob, compound=world.shengli, company=world.anju, starts_on=today()
        )
    assert "梁溪绿城物业" in exc.value.message and "先办理退出" in exc.value.message
    assert list(ServiceContract.objects.values_list("pk", flat=True)) == [first.pk]
    assert audit_count() == before


def test_the_database_holds_one_open_contract_per_compound(world: World) -> None:
    world.start()
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceContract.objects.create(
            node=world.shengli, node_path=world.shengli.path, company=world.anju, starts_on=today()
        )


def test_an_outsider_cannot_record_a_contract(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.contract_start(
            actor=world.city.carol, compound=world.shengli, company=world.lvcheng, starts_on=today()
        )
    with pytest.raises(PermissionDenied):  # a grid worker sees, does not manage
        services.contract_start(
            actor=world.city.alice, compound=world.shengli, company=world.lvcheng, starts_on=today()
        )
    assert not ServiceContract.objects.exists() and audit_count() == 0


def test_bad_input_names_the_field_and_changes_nothing(world: World) -> None:
    c = world.city
    with pytest.raises(ValidationError) as exc:
        services.contract_start(
            actor=c.bob, compound=world.shengli, company=world.shop, starts_on=today() + timedelta(days=1)
        )
    assert exc.value.errors == {
        "company": ["所选单位不是物业服务企业"],
        "starts_on": ["进驻日期不能晚于今天"],
    }
    with pytest.raises(ValidationError) as exc:
        services.contract_start(actor=c.bob, compound=c.grid_a1_1, company=world.lvcheng, starts_on=today())
    assert exc.value.errors == {"compound": ["请选择小区"]}
    with pytest.raises(ValidationError) as exc:
        services.contract_start(actor=c.bob, compound=world.shengli, company=world.lvcheng, starts_on=None)
    assert exc.value.errors == {"starts_on": ["请填写进驻日期"]}
    assert not ServiceContract.objects.exists() and audit_count() == 0


def test_exit_closes_the_contract_with_a_reason_then_another_company_may_enter(world: World) -> None:
    c = world.city
    contract = world.start()
    ended = services.contract_end(
        actor=c.bob, contract=contract, ends_on=today() - timedelta(days=10), reason=ExitReason.DISMISSED
    )
    assert not ended.is_open and ended.exit_reason == ExitReason.DISMISSED and ended.version == 1
    row = AuditLog.objects.get(verb=Verb.CONTRACT_ENDED)
    assert row.before is not None and row.after is not None
    assert row.before["ends_on"] is None and row.after["exit_reason"] == "dismissed"
    with pytest.raises(ValidationError) as exc:
        services.contract_start(
            actor=c.bob, compound=world.shengli, company=world.anju, starts_on=today() - timedelta(days=11)
        )
    assert "上一家物业企业的退出日期" in exc.value.errors["starts_on"][0]
    second = services.contract_start(
        actor=c.bob, compound=world.shengli, company=world.anju, starts_on=today() - timedelta(days=9)
    )
    assert second.is_open


def test_exit_refuses_bad_input_and_stale_or_repeated_exits(world: World) -> None:
    c = world.city
    contract = world.start(days_ago=5)
    with pytest.raises(ValidationError) as exc:
        services.contract_end(
            actor=c.bob, contract=contract, ends_on=today() - timedelta(days=6), reason="gone"
        )
    assert exc.value.errors == {"reason": ["请选择有效的退出原因"]}
    with pytest.raises(ValidationError) as exc:
        services.contract_end(
            actor=c.bob, contract=contract, ends_on=today() - timedelta(days=6), reason="expired"
        )
    assert exc.value.errors == {"ends_on": [f"退出日期不能早于进驻日期（{contract.starts_on.isoformat()}）"]}
    with pytest.raises(ValidationError) as exc:
        services.contract_end(actor=c.bob, contract=contract, ends_on=today(), reason=ExitReason.OTHER)
    assert exc.value.errors == {"note": ["请填写退出说明"]}
    with pytest.raises(Conflict):
        services.contract_end(
            actor=c.bob, contract=contract, ends_on=today(), reason="expired", expected_version=7
        )
    assert ServiceContract.objects.get(pk=contract.pk).ends_on is None
    assert audit_count(Verb.CONTRACT_ENDED) == 0
    services.contract_end(
        actor=c.bob, contract=contract, ends_on=today(), reason="expired", expected_version=0
    )
    with pytest.raises(Conflict) as repeated:
        services.contract_end(actor=c.bob, contract=contract, ends_on=today(), reason="withdrew")
    assert "已于" in repeated.value.message
    assert ServiceContract.objects.get(pk=contract.pk).exit_reason == "expired"
    with pytest.raises(PermissionDenied):
        services.contract_end(actor=c.carol, contract=contract, ends_on=today(), reason="expired")


def test_party_work_of_the_company_is_set_with_a_version(world: World) -> None:
    c = world.city
    world.start()
    profile = services.company_profile_set(
        actor=c.bob, company=world.lvcheng, party_instructor="刘指导", has_party_branch=True
    )
    assert (profile.party_instructor, profile.has_party_branch, profile.version) == ("刘指导", True, 1)
    with pytest.raises(Conflict):
        services.company_profile_set(
            actor=c.bob,
            company=world.lvcheng,
            party_instructor="",
            has_party_branch=False,
            expected_version=0,
        )
    assert CompanyProfile.objects.get(company=world.lvcheng).party_instructor == "刘指导"
    with pytest.raises(PermissionDenied):  # anju serves nothing of carol's and is not registered there
        services.company_profile_set(
            actor=c.carol, company=world.anju, party_instructor="x", has_party_branch=True
        )
    with pytest.raises(ValidationError) as exc:
        services.company_profile_set(
            actor=c.bob, company=world.lvcheng, party_instructor="长" * 51, has_party_branch=True
        )
    assert exc.value.errors == {"party_instructor": ["党建指导员最长50个字"]}
    assert audit_count(Verb.PROFILE_SET) == 1
