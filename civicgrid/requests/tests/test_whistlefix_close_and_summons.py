"""Whistle close, summons and report-in: one rule for who records the outcome (the request's
current lead, page and API alike); only departments and enterprises may be summoned (API and
form); closing ends the summoned units' 吹哨召集 work orders (inbox, actions); an over-long
report-in part or outcome names the field (422) and changes nothing; the timeline rows name
their unit, and the whistle row names the summoned units and the deadline."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.accounts.services import api_token_create
from civicgrid.core.models import AuditLog
from civicgrid.requests import services
from civicgrid.requests.constants import NOTE_MAX, Action
from civicgrid.requests.forms import WhistleForm
from civicgrid.requests.models import Request, RequestEvent, Whistle, WhistleSummons, WorkOrder
from civicgrid.requests.permissions import actor_kinds

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(hotline: Any) -> Request:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    return services.request_sign(actor=hotline.hank, request=request)


def blow(hotline: Any, request: Request) -> Whistle:
    return services.request_whistle(
        actor=hotline.hank,
        request=request,
        units=[hotline.chengguan],
        reason="违建拆除需联合处置",
        deadline=timezone.now() + timedelta(days=1),
    )


def api(user: Any) -> Client:
    _, token = api_token_create(actor=None, system=True, user=user, name="测试")
    return Client(headers={"Authorization": f"Bearer {token}"})


def snapshot(request: Request) -> tuple[Any, ...]:
    request.refresh_from_db()
    return (
        request.version,
        RequestEvent.objects.filter(request=request).count(),
        AuditLog.objects.count(),
        list(Whistle.objects.filter(request=request).values_list("outcome", "closed_at")),
        list(WhistleSummons.objects.filter(whistle__request=request).values_list("reported_at", "part")),
    )


# --- 2: one rule for who records the outcome ------------------------------------------------


def test_page_and_api_agree_on_who_may_close_a_whistle(hotline: Any, signed: Request) -> None:
    blown = blow(hotline, signed)
    # a whistle blown by the lead whose summoning unit is no longer the lead (legacy row):
    # the current lead may close it on the page as in the API, a summoned unit may not
    page, by_api = Client(), api(hotline.dora)
    page.force_login(hotline.dora)
    before = snapshot(signed)
    assert page.post(f"/requests/whistles/{blown.pk}/close/", {"outcome": "x"}).status_code == 403
    refused = by_api.post(
        f"/api/v1/requests/whistles/{blown.pk}/close", {"outcome": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert snapshot(signed) == before
    Whistle.objects.filter(pk=blown.pk).update(summoning_unit=hotline.sub_b_unit)
    page.force_login(hotline.hank)
    assert page.post(f"/requests/whistles/{blown.pk}/close/", {"outcome": "联合处置完毕"}).status_code == 302
    blown.refresh_from_db()
    assert blown.outcome == "联合处置完毕"


# --- 3: who may be summoned -----------------------------------------------------------------


@pytest.mark.parametrize("which", ["district_unit", "sub_b_unit", "comm_a1_unit"])
def test_the_api_refuses_to_summon_a_government_subdistrict_or_community(
    hotline: Any, signed: Request, which: str
) -> None:
    unit = getattr(hotline, which)
    client = api(hotline.hank)
    before = snapshot(signed)
    response = client.post(
        f"/api/v1/requests/{signed.pk}/whistle",
        {
            "unit_ids": [hotline.chengguan.pk, unit.pk],
            "reason": "联合处置",
            "deadline": (timezone.now() + timedelta(days=1)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert list(body["detail"]) == ["unit_ids"]
    assert unit.name in body["detail"]["unit_ids"][0]
    assert "只能召集职能部门或公共服务企业" in body["detail"]["unit_ids"][0]
    assert snapshot(signed) == before


def test_the_form_offers_the_units_the_service_accepts(hotline: Any, signed: Request) -> None:
    form = WhistleForm(actor=hotline.hank, target=signed)
    offered = set(form.fields["units"].queryset)  # type: ignore[attr-defined]
    assert offered == {hotline.chengguan, hotline.zhujian, hotline.water}


# --- 4: closing ends the summons work orders ----------------------------------------------------


def test_closing_a_whistle_ends_the_summoned_units_work_order(hotline: Any, signed: Request) -> None:
    blown = blow(hotline, signed)
    order = WorkOrder.objects.get(request=signed, unit=hotline.chengguan)
    assert order.is_active and order.whistle_id == blown.pk
    services.whistle_close(actor=hotline.hank, whistle=blown, outcome="联合处置完毕")
    order.refresh_from_db()
    assert not order.is_active
    signed.refresh_from_db()
    assert actor_kinds(hotline.dora, signed) == set()
    client = Client()
    client.force_login(hotline.dora)
    assert signed.number not in client.get("/requests/inbox/").content.decode()


def test_a_unit_assisting_by_dispatch_keeps_its_order_after_the_whistle(
    hotline: Any, signed: Request
) -> None:
    dispatched = WorkOrder.objects.create(
        request=signed,
        unit=hotline.chengguan,
        role="assist",
        dispatched_at=timezone.now(),
        rule_label="人工指定",
    )
    blown = blow(hotline, signed)
    assert WorkOrder.objects.filter(request=signed, unit=hotline.chengguan).count() == 1
    services.whistle_close(actor=hotline.hank, whistle=blown, outcome="联合处置完毕")
    dispatched.refresh_from_db()
    assert dispatched.is_active


# --- 6: over-long text names the field ------------------------------------------------------


def test_an_over_long_part_or_outcome_names_the_field_and_changes_nothing(
    hotline: Any, signed: Request
) -> None:
    blown = blow(hotline, signed)
    summons = blown.summonses.get()
    too_long = "长" * (NOTE_MAX + 1)
    before = snapshot(signed)
    client = Client()
    client.force_login(hotline.dora)
    response = client.post(f"/requests/whistles/summons/{summons.pk}/report/", {"part": too_long})
    assert response.status_code == 422
    text = response.content.decode()
    assert "承担的工作" in text and str(NOTE_MAX) in text and "请填写" not in text
    client.force_login(hotline.hank)
    response = client.post(f"/requests/whistles/{blown.pk}/close/", {"outcome": too_long})
    assert response.status_code == 422
    text = response.content.decode()
    assert "处置结果" in text and str(NOTE_MAX) in text and "请填写处置结果" not in text
    assert snapshot(signed) == before


# --- 10: the timeline names the unit ------------------------------------------------------


def test_the_timeline_rows_name_their_unit_and_the_whistle_row_its_summons(
    hotline: Any, signed: Request
) -> None:
    deadline = timezone.now() + timedelta(days=2)
    blown = services.request_whistle(
        actor=hotline.hank,
        request=signed,
        units=[hotline.chengguan, hotline.water],
        reason="联合处置",
        deadline=deadline,
    )
    row = RequestEvent.objects.get(request=signed, action=Action.WHISTLE)
    assert "区城管局" in row.note and "市自来水公司" in row.note
    assert timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M") in row.note
    services.whistle_close(actor=hotline.hank, whistle=blown, outcome="联合处置完毕")
    closed = RequestEvent.objects.get(request=signed, action=Action.NOTE, data__whistle=blown.pk)
    assert closed.unit == hotline.sub_a_unit
    services.request_council(
        actor=hotline.hank,
        request=signed,
        held_on=timezone.localdate(),
        party_branch="李书记",
        owners_committee="王主任",
        property_company="物业张经理",
        outcome="同意加装电梯",
    )
    council = RequestEvent.objects.get(request=signed, action=Action.COUNCIL)
    assert council.unit == hotline.sub_a_unit
