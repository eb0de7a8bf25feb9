"""Dates that cannot be: a project done before it began, an agreement signed in 1800, a
unit joining an alliance before it was founded, a resource already expired when listed."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.accounts.models import User
from civicgrid.core.errors import ValidationError
from civicgrid.party import services
from civicgrid.party.constants import NeedCategory, NeedSource, ProjectStatus, ResourceKind
from civicgrid.party.models import Project, Resource
from civicgrid.party.tests.conftest import PartyWorld, counts

pytestmark = pytest.mark.django_db
TODAY = date.today()


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def project(pw: PartyWorld, starts_on: date) -> Project:
    need = services.need_create(
        actor=pw.city.bob,
        node=pw.city.grid_a1_1,
        data=services.NeedIn(
            title="楼道灯损坏", category=NeedCategory.FACILITIES, source=NeedSource.RESIDENT
        ),
    )
    data = services.ProjectIn(
        title="楼道灯加装", owner_name="钱主任", starts_on=starts_on, ends_on=starts_on + timedelta(days=30)
    )
    return services.project_create(actor=pw.city.bob, need=need, data=data)


def test_a_project_is_not_done_before_it_started(pw: PartyWorld) -> None:
    row = project(pw, TODAY - timedelta(days=20))
    services.project_status_change(actor=pw.city.bob, project=row, to_status=ProjectStatus.IN_PROGRESS)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.project_status_change(
            actor=pw.city.bob,
            project=row,
            to_status=ProjectStatus.DONE,
            results="加装42盏",
            done_on=TODAY - timedelta(days=30),
        )
    start = (TODAY - timedelta(days=20)).isoformat()
    assert caught.value.errors["done_on"] == [f"完成日期不能早于项目开始日期（{start}）"]
    assert counts() == before and Project.objects.get(pk=row.pk).status == ProjectStatus.IN_PROGRESS
    done = services.project_status_change(
        actor=pw.city.bob,
        project=row,
        to_status=ProjectStatus.DONE,
        results="加装42盏",
        done_on=TODAY - timedelta(days=20),
    )
    assert done.done_on == TODAY - timedelta(days=20)


def test_work_begun_ahead_of_plan_is_done_from_the_day_it_began(pw: PartyWorld) -> None:
    row = project(pw, TODAY + timedelta(days=10))
    services.project_status_change(actor=pw.city.bob, project=row, to_status=ProjectStatus.IN_PROGRESS)
    done = services.project_status_change(
        actor=pw.city.bob, project=row, to_status=ProjectStatus.DONE, results="提前完工"
    )
    assert done.status == ProjectStatus.DONE and done.done_on == TODAY


def test_an_agreement_is_not_signed_before_the_party_existed(pw: PartyWorld) -> None:
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.agreement_sign(
            actor=pw.city.bob,
            unit=pw.tax,
            node=pw.city.comm_a1,
            signed_on=date(1800, 1, 1),
            pledges_text="共建",
        )
    assert caught.value.errors["signed_on"] == ["签订日期不能早于1921年7月1日"]
    with pytest.raises(ValidationError) as caught:
        services.agreement_sign(
            actor=pw.city.bob,
            unit=pw.tax,
            node=pw.city.comm_a1,
            signed_on=TODAY + timedelta(days=1),
            pledges_text="共建",
        )
    assert caught.value.errors["signed_on"] == ["签订日期不能晚于今天"]
    assert counts() == before


def test_a_unit_joins_an_alliance_after_it_was_founded(pw: PartyWorld) -> None:
    alliance = services.alliance_create(
        actor=pw.city.bob, node=pw.city.comm_a1, name="胜利门红色联盟", founded_on=date(2020, 1, 1)
    )
    before = counts()
    for day, reason in (
        (date(1900, 1, 1), "加入日期不能早于1921年7月1日"),
        (date(2019, 12, 31), "加入日期不能早于联盟成立日期（2020-01-01）"),
    ):
        with pytest.raises(ValidationError) as caught:
            services.alliance_unit_join(actor=pw.city.bob, alliance=alliance, unit=pw.tax, joined_on=day)
        assert reason in caught.value.errors["joined_on"]
    assert counts() == before
    row = services.alliance_unit_join(
        actor=pw.city.bob, alliance=alliance, unit=pw.tax, joined_on=date(2020, 1, 1)
    )
    assert row.joined_on == date(2020, 1, 1)


def test_an_expired_resource_is_refused_and_an_old_one_shown_as_expired(pw: PartyWorld) -> None:
    def offer(until: date) -> Resource:
        return services.resource_create(
            actor=pw.city.bob,
            node=pw.city.grid_a1_2,
            unit=pw.tax,
            data=services.ResourceIn(kind=ResourceKind.VENUE, title="活动室", available_until=until),
        )

    before = counts()
    with pytest.raises(ValidationError) as caught:
        offer(date(2001, 1, 1))
    assert "available_until" in caught.value.errors
    assert counts() == before
    kept = offer(TODAY)
    Resource.objects.filter(pk=kept.pk).update(available_until=date(2001, 1, 1))  # a row from before
    page = client_for(pw.city.bob).get(reverse("party:resources")).content.decode()
    assert "已过期" in page
