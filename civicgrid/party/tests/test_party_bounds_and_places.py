"""Bounds the party forms missed: a part-time member's term starting in 2099 (seated where
the page never shows him) or 1800, the same person seated twice; a project planned for
1800 or 2099 (and the list showing only its start's month and day); a tampered area id
on 登记需求/登记资源 answered with an empty form instead of the field's error."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.core.errors import ValidationError
from civicgrid.party import services
from civicgrid.party.constants import CommitteeSource, NeedCategory, NeedSource, ResourceKind
from civicgrid.party.models import CommitteeMember, Need, Project, Resource
from civicgrid.party.tests.conftest import PartyWorld

pytestmark = pytest.mark.django_db
TODAY = date.today()


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def seat(pw: PartyWorld, name: str, start: date, end: date | None = None) -> CommitteeMember:
    return services.committee_member_add(
        actor=pw.city.bob,
        committee=pw.committee,
        name=name,
        source=CommitteeSource.COMMUNITY_POLICE,
        term_start=start,
        term_end=end,
    )


# --- part-time members ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "reason"),
    [
        (date(2099, 1, 1), "任期开始不能晚于今天"),
        (TODAY + timedelta(days=1), "任期开始不能晚于今天"),
        (date(1800, 1, 1), "任期开始不能早于1921年7月1日"),
    ],
)
def test_a_term_starts_in_the_party_s_time_and_not_later_than_today(
    pw: PartyWorld, start: date, reason: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        seat(pw, "测试委员", start, start + timedelta(days=365))
    assert caught.value.errors["term_start"] == [reason]
    assert not CommitteeMember.objects.filter(name="测试委员").exists()
    assert seat(pw, "测试委员", TODAY).term_start == TODAY


def test_the_same_name_is_not_seated_twice_while_serving(pw: PartyWorld) -> None:
    first = seat(pw, "测试委员", TODAY - timedelta(days=30))
    with pytest.raises(ValidationError) as caught:
        seat(pw, " 测试委员 ", TODAY)
    assert "测试委员" in caught.value.errors["name"][0]
    # Still refused when the new term would have begun before the first one ends.
    services.committee_member_leave(actor=pw.city.bob, committee_member=first, on=TODAY)
    with pytest.raises(ValidationError):
        seat(pw, "测试委员", TODAY - timedelta(days=1))
    # A term after the first one ended, or another name, is fine.
    assert CommitteeMember.objects.filter(name="测试委员").count() == 1
    seat(pw, "测试委员二", TODAY)


def test_the_committee_page_refuses_a_second_seat_and_a_far_start(pw: PartyWorld) -> None:
    client = client_for(pw.city.bob)
    url = reverse("party:committee_act", args=[pw.committee.pk])
    base = {"action": "seat", "name": "测试委员", "source": CommitteeSource.COMMUNITY_POLICE}
    future = client.post(url, base | {"term_start": "2099-01-01", "term_end": "2100-01-01"}, follow=True)
    assert "任期开始不能晚于今天" in future.content.decode()
    old = client.post(url, base | {"term_start": "1800-01-01"}, follow=True)
    assert "任期开始不能早于1921年7月1日" in old.content.decode()
    assert not CommitteeMember.objects.exists()
    client.post(url, base | {"term_start": TODAY.isoformat()})
    again = client.post(url, base | {"term_start": TODAY.isoformat()}, follow=True)
    assert "已有任期重叠的兼职委员「测试委员」" in again.content.decode()
    assert CommitteeMember.objects.filter(name="测试委员").count() == 1


# --- projects ---------------------------------------------------------------------------------


def a_need(pw: PartyWorld) -> Need:
    return services.need_create(
        actor=pw.city.bob,
        node=pw.city.grid_a1_1,
        data=services.NeedIn(
            title="楼道灯损坏", category=NeedCategory.FACILITIES, source=NeedSource.RESIDENT
        ),
    )


def plan(pw: PartyWorld, need: Need, starts_on: date, ends_on: date) -> Project:
    data = services.ProjectIn(title="楼道灯加装", owner_name="钱主任", starts_on=starts_on, ends_on=ends_on)
    return services.project_create(actor=pw.city.bob, need=need, data=data)


def test_a_project_is_planned_within_the_party_s_time_and_five_years_ahead(pw: PartyWorld) -> None:
    need = a_need(pw)
    with pytest.raises(ValidationError) as caught:
        plan(pw, need, date(1800, 1, 1), TODAY)
    assert caught.value.errors["starts_on"] == ["计划开始日期不能早于1921年7月1日"]
    with pytest.raises(ValidationError) as caught:
        plan(pw, need, date(2099, 1, 1), date(2099, 2, 1))
    assert caught.value.errors["starts_on"][0].startswith("计划开始日期不能晚于")
    assert caught.value.errors["ends_on"][0].startswith("计划完成日期不能晚于")
    with pytest.raises(ValidationError) as caught:
        plan(pw, need, TODAY, date(2099, 2, 1))
    assert list(caught.value.errors) == ["ends_on"]
    assert not Project.objects.exists()
    row = plan(pw, need, TODAY - timedelta(days=400), TODAY + timedelta(days=365 * 4))
    assert row.starts_on == TODAY - timedelta(days=400)


def test_the_need_page_refuses_a_project_of_1800_with_the_form_kept(pw: PartyWorld) -> None:
    need = a_need(pw)
    response = client_for(pw.city.bob).post(
        reverse("party:need_act", args=[need.pk]),
        {
            "action": "project",
            "title": "加装声控灯",
            "owner_name": "钱主任",
            "starts_on": "1800-01-01",
            "ends_on": "2026-12-31",
            "budget": "100",
        },
    )
    assert response.status_code == 422
    assert "计划开始日期不能早于1921年7月1日" in response.content.decode()
    assert not Project.objects.exists()


def test_the_projects_list_shows_the_start_s_year(pw: PartyWorld) -> None:
    start = TODAY - timedelta(days=400)
    plan(pw, a_need(pw), start, TODAY + timedelta(days=30))
    body = client_for(pw.city.bob).get(reverse("party:projects")).content.decode()
    assert f"{start.isoformat()} 至 {(TODAY + timedelta(days=30)).isoformat()}" in body


# --- a tampered area on 登记需求 / 登记资源 ---------------------------------------------------


NEED_FORM = {
    "title": "楼道堆物清理",
    "category": NeedCategory.FACILITIES,
    "source": NeedSource.RESIDENT,
    "description": "三单元楼道",
}
RESOURCE_FORM = {"title": "会议室", "kind": ResourceKind.VENUE, "address": "社区服务中心二楼"}


@pytest.mark.parametrize("node", ["999999", "carol's"])
def test_an_unknown_or_unseen_area_is_the_node_field_s_error(pw: PartyWorld, node: str) -> None:
    node_id = str(pw.city.grid_b1_1.pk) if node == "carol's" else node
    client = client_for(pw.city.bob)
    response = client.post(reverse("party:need_new"), NEED_FORM | {"node": node_id})
    body = response.content.decode()
    assert response.status_code == 422
    assert "区域不存在或您无权查看" in body
    assert 'value="楼道堆物清理"' in body and "三单元楼道</textarea>" in body
    assert not Need.objects.filter(title="楼道堆物清理").exists()
    response = client.post(reverse("party:resource_new"), RESOURCE_FORM | {"node": node_id})
    body = response.content.decode()
    assert response.status_code == 422
    assert "区域不存在或您无权查看" in body
    assert 'value="会议室"' in body and 'value="社区服务中心二楼"' in body
    assert not Resource.objects.filter(title="会议室").exists()


# --- a need's or resource's point in the area chosen for it ----------------------------------


BEIJING = {"lon": "116.4", "lat": "39.9"}


def test_a_point_far_from_the_chosen_grid_is_refused_on_the_lon_field(pw: PartyWorld) -> None:
    data = services.NeedIn(
        title="楼道灯损坏", category=NeedCategory.FACILITIES, source=NeedSource.RESIDENT, lon=116.4, lat=39.9
    )
    with pytest.raises(ValidationError) as caught:
        services.need_create(actor=pw.city.bob, node=pw.city.grid_a1_1, data=data)
    assert "该位置不在所选区域" in caught.value.errors["lon"][0]
    assert "胜利门一网格" in caught.value.errors["lon"][0]
    with pytest.raises(ValidationError) as caught:
        services.resource_create(
            actor=pw.city.bob,
            node=pw.city.building_a1,  # no polygon: its grid's is the one to be in
            unit=pw.tax,
            data=services.ResourceIn(kind=ResourceKind.VENUE, title="会议室", lon=116.4, lat=39.9),
        )
    assert "该位置不在所选区域" in caught.value.errors["lon"][0]
    # In grid A1-2, not A1-1 chosen (about 0.5 km away): refused too.
    data.lon, data.lat = 120.315, 31.575
    with pytest.raises(ValidationError):
        services.need_create(actor=pw.city.bob, node=pw.city.grid_a1_1, data=data)
    assert not Need.objects.exists() and not Resource.objects.exists()
    # Inside, or just outside within the locator's "near" (200 m; this is about 100 m), is taken.
    data.lon, data.lat = 120.305, 31.575
    services.need_create(actor=pw.city.bob, node=pw.city.grid_a1_1, data=data)
    data.lon, data.lat = 120.311, 31.575
    services.need_create(actor=pw.city.bob, node=pw.city.grid_a1_1, data=data)
    assert Need.objects.count() == 2


def test_the_lists_forms_refuse_beijing_with_the_form_kept(pw: PartyWorld) -> None:
    client = client_for(pw.city.bob)
    node = {"node": str(pw.city.grid_a1_1.pk)}
    response = client.post(reverse("party:need_new"), NEED_FORM | node | BEIJING)
    body = response.content.decode()
    assert response.status_code == 422
    assert "该位置不在所选区域" in body and 'value="116.4"' in body and 'value="楼道堆物清理"' in body
    response = client.post(reverse("party:resource_new"), RESOURCE_FORM | node | BEIJING)
    assert response.status_code == 422
    assert "该位置不在所选区域" in response.content.decode()
    assert not Need.objects.exists() and not Resource.objects.exists()


def test_the_api_refuses_beijing_on_lon(pw: PartyWorld) -> None:
    client = client_for(pw.city.bob)
    response = client.post(
        "/api/v1/party/needs",
        {
            "title": "楼道灯损坏",
            "category": NeedCategory.FACILITIES,
            "source": NeedSource.RESIDENT,
            "node_id": pw.city.grid_a1_1.pk,
            "lon": 116.4,
            "lat": 39.9,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "lon" in response.content.decode()
    assert not Need.objects.exists()
