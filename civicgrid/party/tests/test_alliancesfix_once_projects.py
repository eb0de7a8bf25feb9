"""One project per need while it lives; a double post of 立项 or 登记需求 writes once."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.conftest import City
from civicgrid.core.errors import ValidationError
from civicgrid.party import services
from civicgrid.party.constants import NeedCategory, NeedSource, ProjectStatus
from civicgrid.party.models import Need, Project
from civicgrid.party.services import alliances
from civicgrid.party.tests.conftest import PartyWorld, build_party_world
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = pytest.mark.django_db


def _need(pw: PartyWorld) -> Need:
    data = services.NeedIn(
        title="胜利门小区楼道灯损坏", category=NeedCategory.FACILITIES, source=NeedSource.RESIDENT
    )
    return services.need_create(actor=pw.city.bob, node=pw.city.grid_a1_1, data=data)


def _project_form(token: str) -> dict[str, str]:
    return {
        "action": "project",
        "title": "楼道灯加装",
        "owner_name": "钱主任",
        "budget": "0",
        "starts_on": date.today().isoformat(),
        "ends_on": (date.today() + timedelta(days=10)).isoformat(),
        "once_token": token,
    }


def test_a_second_project_for_a_need_is_refused_while_the_first_lives(pw: PartyWorld) -> None:
    need = _need(pw)
    data = services.ProjectIn(
        title="楼道灯加装", owner_name="钱", starts_on=date.today(), ends_on=date.today()
    )
    first = services.project_create(actor=pw.city.bob, need=need, data=data)
    with pytest.raises(ValidationError) as caught:
        services.project_create(actor=pw.city.bob, need=need, data=data)
    assert "不能重复立项" in caught.value.errors["need"][0]
    assert Project.objects.filter(need=need).count() == 1
    # once the first is cancelled, the need may be taken up again
    services.project_status_change(
        actor=pw.city.bob, project=first, to_status=ProjectStatus.CANCELLED, note="方案调整"
    )
    services.project_create(actor=pw.city.bob, need=need, data=data)
    assert Project.objects.filter(need=need).count() == 2


def test_the_project_form_posted_twice_makes_one_project(pw: PartyWorld) -> None:
    need = _need(pw)
    client = Client()
    client.force_login(pw.city.bob)
    url = reverse("party:need_act", args=[need.pk])
    form = _project_form("a" * 32)
    assert client.post(url, form).status_code == 302
    again = client.post(url, form)
    project = Project.objects.get(need=need)
    assert again.status_code == 302 and again["Location"] == reverse("party:project", args=[project.pk])
    # a fresh form (new token) is refused by the one-live-project rule, naming it
    refused = client.post(url, _project_form("b" * 32))
    assert refused.status_code == 422 and "不能重复立项" in refused.content.decode()
    assert Project.objects.filter(need=need).count() == 1


def test_the_need_form_posted_twice_lists_one_need(pw: PartyWorld) -> None:
    client = Client()
    client.force_login(pw.city.bob)
    form = {
        "title": "活动室空调坏了",
        "node": str(pw.city.grid_a1_1.pk),
        "category": NeedCategory.FACILITIES,
        "source": NeedSource.RESIDENT,
        "once_token": "c" * 32,
    }
    first = client.post(reverse("party:need_new"), form)
    second = client.post(reverse("party:need_new"), form, follow=True)
    assert first.status_code == 302
    assert "已提交，请勿重复提交" in second.content.decode()
    assert Need.objects.filter(title="活动室空调坏了").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_project_posts_at_once_make_one_project(city: City, monkeypatch: Any) -> None:
    pw = build_party_world(city)
    need = _need(pw)
    slow_audit(monkeypatch, alliances)
    data = services.ProjectIn(
        title="楼道灯加装", owner_name="钱", starts_on=date.today(), ends_on=date.today()
    )
    results = run_at_once(
        lambda: alliances.project_create(actor=city.bob, need=need, data=data),
        lambda: alliances.project_create(actor=city.bob, need=need, data=data),
    )
    made = [r for r in results if isinstance(r, Project)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert Project.objects.filter(need=need).count() == 1
