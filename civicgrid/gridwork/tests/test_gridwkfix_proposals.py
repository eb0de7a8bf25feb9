"""New-resident proposals refused on 身份证号 when the number is registered or already
proposed; the review's refusals (a decided proposal, an over-long 意见) worded right."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.core import crypto
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.gridwork import services
from civicgrid.gridwork.models import Proposal
from civicgrid.gridwork.services import proposals as proposals_module
from civicgrid.gridwork.tests.conftest import Field
from civicgrid.gridwork.tests.test_api import Phone
from civicgrid.registry import services as registry
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = pytest.mark.django_db

ID_NUMBER = "320213199003071233"


def new_resident(field: Field, key: str, user: Any = None, **kw: Any) -> Any:
    data = services.ProposalIn(
        kind="new_resident", household=field.household_1, name="周晓燕", id_number=ID_NUMBER, **kw
    )
    return services.proposal_submit(actor=user or field.alice, client_key=key, data=data)


def test_an_id_number_held_in_the_workers_grid_is_refused_with_the_masked_holder(field: Field) -> None:
    registry.resident_create(
        actor=field.city.bob, node=field.city.building_a1, name="王登记", id_number=ID_NUMBER
    )
    searches = AuditLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        new_resident(field, "nr-held-aaaa")
    reason = exc.value.errors["id_number"][0]
    assert "该身份证号已登记" in reason and crypto.mask_name("王登记") in reason
    assert "王登记" not in reason  # masked
    assert not Proposal.objects.exists()
    assert AuditLog.objects.count() == searches + 1  # the ID search is audited, and kept


def test_an_id_number_held_elsewhere_is_refused_without_naming_anyone(field: Field) -> None:
    registry.resident_create(
        actor=field.city.carol, node=field.city.building_b1, name="外区人", id_number=ID_NUMBER
    )
    with pytest.raises(ValidationError) as exc:
        new_resident(field, "nr-else-aaaa")
    reason = exc.value.errors["id_number"][0]
    assert reason.startswith("该身份证号已登记") and "外" not in reason and "通江" not in reason


def test_a_second_pending_proposal_for_the_same_id_number_is_refused(field: Field) -> None:
    new_resident(field, "nr-first-aaa")
    with pytest.raises(ValidationError) as exc:
        new_resident(field, "nr-second-ivan", user=field.ivan)
    assert "待审核的新增住户申请" in exc.value.errors["id_number"][0]
    assert Proposal.objects.count() == 1
    assert new_resident(field, "nr-first-aaa").created is False  # the phone's retry: the first back


def test_the_phone_api_and_form_refuse_on_the_id_number_field(field: Field) -> None:
    registry.resident_create(
        actor=field.city.bob, node=field.city.building_a1, name="王登记", id_number=ID_NUMBER
    )
    body = {
        "client_key": "nr-api-aaaaa",
        "kind": "new_resident",
        "household_id": field.household_1.pk,
        "name": "周晓燕",
        "id_number": ID_NUMBER,
    }
    res = Phone(field.alice).post("/proposals", body)
    assert res.status_code == 422 and "该身份证号已登记" in str(res.json()["detail"]["id_number"])
    client = Client()
    client.force_login(field.alice)
    page = client.post("/gridwork/m/proposal/", {**body, "client_key": "nr-form-aaaa"})
    assert page.status_code == 422 and "该身份证号已登记" in page.content.decode()
    assert not Proposal.objects.exists()


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_proposing_the_same_person_at_once_make_one_proposal(
    field: Field, monkeypatch: Any
) -> None:
    reached = slow_audit(monkeypatch, proposals_module)
    results = run_at_once(
        lambda: new_resident(field, "nr-race-alice"),
        lambda: new_resident(field, "nr-race-ivan", user=field.ivan),
        after=reached,
    )
    assert sum(isinstance(r, services.Saved) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    assert Proposal.objects.count() == 1


def test_a_decided_proposal_says_so_once(field: Field) -> None:
    p = new_resident(field, "nr-decided-a").entry
    services.proposal_approve(actor=field.city.bob, proposal=p)
    client = Client()
    client.force_login(field.city.bob)
    page = client.post(f"/gridwork/proposals/{p.pk}/approve/", {"note": ""}, follow=True)
    text = page.content.decode()
    assert "该申请已同意，不能重复审核" in text and "已已" not in text


def test_an_over_long_opinion_is_shown_again_on_its_box(field: Field) -> None:
    p = new_resident(field, "nr-note-aaaa").entry
    client = Client()
    client.force_login(field.city.bob)
    note = "意" * 5000
    page = client.post(f"/gridwork/proposals/{p.pk}/approve/", {"note": note})
    text = page.content.decode()
    assert page.status_code == 422
    assert "审核意见：审核意见最长300个字" in text and "备注：" not in text
    assert f'value="{note}"' in text and 'aria-invalid="true"' in text
    page = client.post(f"/gridwork/proposals/{p.pk}/reject/", {"note": "  "})
    assert page.status_code == 422 and "驳回理由：请填写驳回理由" in page.content.decode()
    assert Proposal.objects.get(pk=p.pk).state == "pending"
