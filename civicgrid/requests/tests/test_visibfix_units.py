"""Who sees a request by its units: the lead unit's parent unit (it supervises it, 督办), a
unit that worked on a request it lost (not one moved away before doing anything), and the
district's 抄送 kept when the lead changes."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.requests import selectors, services
from civicgrid.requests.constants import AssignmentRole
from civicgrid.requests.models import Request, WorkOrder
from civicgrid.requests.tests.people import unit_member

pytestmark = pytest.mark.django_db


def api(user: Any) -> Client:
    _, token = api_token_create(actor=None, system=True, user=user, name="测试")
    return Client(headers={"Authorization": f"Bearer {token}"})


def led_by_community(hotline: Any) -> Request:
    """A request in 胜利门社区's grid that the operator gives to the community itself."""
    olivia = hotline.city.olivia
    request = services.request_create(actor=olivia, data=hotline.new(category=None))
    assert request.status == "received"
    return services.request_dispatch(
        actor=olivia,
        request=request,
        category=hotline.lift,
        lead_unit=hotline.comm_a1_unit,
        note="社区物业问题，由社区牵头",
    )


def test_the_subdistrict_sees_and_supervises_what_its_community_leads(client: Client, hotline: Any) -> None:
    request = led_by_community(hotline)
    hank = hotline.hank  # 崇安寺街道办事处, the community's parent unit: no work order of its own
    assert not WorkOrder.objects.filter(request=request, unit=hotline.sub_a_unit).exists()

    client.force_login(hank)
    page = client.get(f"/requests/{request.pk}/")
    assert page.status_code == 200 and "督办" in page.content.decode()
    assert client.get("/requests/ledger/").content.decode().count(request.number) >= 1
    shown = api(hank).get(f"/api/v1/requests/{request.pk}")
    assert shown.status_code == 200 and "supervise" in shown.json()["allowed_actions"]
    listed = api(hank).get("/api/v1/requests/", {"unit": hotline.comm_a1_unit.pk}).json()
    assert [r["id"] for r in listed["results"]] == [request.pk]

    done = client.post(
        f"/requests/{request.pk}/act/supervise/", {"version": request.version, "note": "请加快办理"}
    )
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.supervised


def test_only_the_parent_unit_sees_it(hotline: Any) -> None:
    request = led_by_community(hotline)
    other_subdistrict = unit_member(hotline.sub_b_unit, "tong")
    district = unit_member(hotline.district_unit, "qu")  # the parent of the parent: not by that
    department = unit_member(hotline.chengguan, "cg")
    for user in (other_subdistrict, district, department):
        assert not selectors.requests_visible(user).filter(pk=request.pk).exists(), user
        assert api(user).get(f"/api/v1/requests/{request.pk}").status_code == 404
    # once the community no longer leads it, its parent no longer sees it by that
    services.request_reassign(
        actor=hotline.city.olivia, request=request, lead_unit=hotline.sub_b_unit, reason="跨街道"
    )
    assert not selectors.requests_visible(hotline.hank).filter(pk=request.pk).exists()


def test_a_unit_moved_away_before_signing_loses_the_request(client: Client, hotline: Any) -> None:
    olivia, hank = hotline.city.olivia, hotline.hank
    request = services.request_create(actor=olivia, data=hotline.new())
    assert request.lead_unit == hotline.sub_a_unit
    assert selectors.requests_visible(hank).filter(pk=request.pk).exists()
    services.request_reassign(
        actor=olivia, request=request, lead_unit=hotline.sub_b_unit, reason="位置在通江"
    )

    client.force_login(hank)
    assert client.get(f"/requests/{request.pk}/").status_code == 404
    assert api(hank).get(f"/api/v1/requests/{request.pk}").status_code == 404
    assert request.number not in client.get("/requests/ledger/").content.decode()
    # the unit that has it now sees it
    assert selectors.requests_visible(unit_member(hotline.sub_b_unit, "tong")).filter(pk=request.pk).exists()


@pytest.mark.parametrize("worked", ["sign", "note", "not_ours"])
def test_a_unit_that_worked_on_it_keeps_reading_it(client: Client, hotline: Any, worked: str) -> None:
    olivia, hank = hotline.city.olivia, hotline.hank
    request = services.request_create(actor=olivia, data=hotline.new())
    if worked == "sign":
        services.request_sign(actor=hank, request=request)
    elif worked == "note":
        services.request_note(actor=hank, request=request, note="已联系物业，明天到场")
    else:
        services.request_return(actor=hank, request=request, reason="属住建局直管", not_ours=True)
        services.request_return_decide(actor=olivia, request=request, approve=True)
        request.refresh_from_db()
        services.request_dispatch(actor=olivia, request=request, lead_unit=hotline.zhujian)
    request.refresh_from_db()
    if worked != "not_ours":
        services.request_reassign(actor=olivia, request=request, lead_unit=hotline.sub_b_unit, reason="改派")
    client.force_login(hank)
    assert client.get(f"/requests/{request.pk}/").status_code == 200
    assert api(hank).get(f"/api/v1/requests/{request.pk}").status_code == 200


def test_a_dispatchers_row_under_the_units_name_gives_it_nothing(hotline: Any) -> None:
    """The dispatch and reassign rows name the unit but were written by the operator."""
    olivia = hotline.city.olivia
    request = services.request_create(actor=olivia, data=hotline.new())
    services.request_reassign(actor=olivia, request=request, lead_unit=hotline.sub_b_unit, reason="改派")
    request.refresh_from_db()
    services.request_reassign(actor=olivia, request=request, lead_unit=hotline.zhujian, reason="再改派")
    tong = unit_member(hotline.sub_b_unit, "tong")
    assert not selectors.requests_visible(tong).filter(pk=request.pk).exists()


def test_a_reassign_keeps_the_copy_to_the_district(hotline: Any) -> None:
    olivia = hotline.city.olivia
    request = services.request_create(actor=olivia, data=hotline.new())
    copies = WorkOrder.objects.filter(request=request, role=AssignmentRole.COPY, is_active=True)
    assert [w.unit_id for w in copies] == [hotline.district_unit.pk]
    services.request_reassign(actor=olivia, request=request, lead_unit=hotline.sub_b_unit, reason="改派")
    assert [w.unit_id for w in copies.all()] == [hotline.district_unit.pk]
    assert WorkOrder.objects.filter(
        request=request, is_active=True, role=AssignmentRole.LEAD
    ).get().unit_id == (hotline.sub_b_unit.pk)
    event = request.events.filter(action="reassign").get()
    assert event.data["copy"] == [hotline.district_unit.pk]
    # a lead that is the copied unit is not copied to itself
    request.refresh_from_db()
    services.request_reassign(actor=olivia, request=request, lead_unit=hotline.district_unit, reason="区里办")
    assert not copies.all().exists()
