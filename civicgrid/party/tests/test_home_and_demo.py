"""Home figures, the menu, list pages' query counts, the periodic command and the demo seeder."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from civicgrid.conftest import City
from civicgrid.party import services
from civicgrid.party.constants import MemberCategory, ServiceType
from civicgrid.party.demo import seed_demo
from civicgrid.party.home import home_figures
from civicgrid.party.models import CommitteeWarning, MemberReport, PartyMember, PartyOrganisation
from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.registry import services as registry
from civicgrid.web.menu import menu_for

pytestmark = pytest.mark.django_db


def test_home_figures_follow_the_scope(pw: PartyWorld) -> None:
    row = services.member_report_submit(
        actor=pw.zhang_user, member=pw.zhang, pledge_list=["助老"], service_type_list=[ServiceType.ELDERLY]
    )
    services.member_report_confirm(actor=pw.city.bob, report=row)
    bob = {f.label: f.value for f in home_figures(pw.city.bob)}
    assert bob["在职党员报到率"] == "50.0%" and bob["待确认的报到"] == 0
    carol = {f.label: f.value for f in home_figures(pw.city.carol)}
    assert carol["在职党员报到率"] == "—"
    assert home_figures(pw.city.olivia) == []  # the operator has no party capability
    labels = [item["label"] for item in menu_for(pw.city.bob)]
    assert "党建引领" in labels and "党员报到" not in labels
    assert "党员报到" in [item["label"] for item in menu_for(pw.zhang_user)]


def test_list_pages_do_not_grow_with_rows(pw: PartyWorld, django_assert_max_num_queries: object) -> None:
    client = Client()
    client.force_login(pw.city.bob)
    for n in range(25):
        services.member_create(
            actor=pw.city.bob, name=f"党员{n}", category=MemberCategory.COMMUNITY, organisation=pw.group
        )
    for name in ("party:members", "party:reports", "party:organisations", "party:committees"):
        with django_assert_max_num_queries(14):  # type: ignore[operator]
            assert client.get(reverse(name)).status_code == 200


def test_the_periodic_command_is_idempotent(pw: PartyWorld) -> None:
    PartyOrganisation.objects.update(created_at="2020-01-01T00:00:00+08:00")
    out = StringIO()
    call_command("party_tick", stdout=out)
    first = CommitteeWarning.objects.count()
    call_command("party_tick", stdout=out)
    assert first == 2 and CommitteeWarning.objects.count() == 2
    assert "新预警 0 条" in out.getvalue().splitlines()[-1]


def test_the_demo_seeds_the_city_once(city: City) -> None:
    for n in range(12):
        registry.resident_create(
            actor=city.bob, node=city.building_a1, name=f"党员{n}", tags=["party_member"]
        )
    registry.organisation_create(actor=city.bob, node=city.grid_a1_2, name="梁溪区某局", kind="organ")
    lines: list[str] = []
    seed_demo(seed=1, out=lines.append)
    assert PartyOrganisation.objects.filter(kind="community_committee").count() == 3
    assert PartyOrganisation.objects.filter(kind="grid_branch").count() == 4
    assert PartyMember.objects.count() >= 12 and MemberReport.objects.exists()
    assert "党组织" in lines[-1]
    seed_demo(seed=1, out=lines.append)
    assert lines[-1].strip() == "党建演示数据已存在，跳过"


def test_demo_times_are_never_in_the_future() -> None:
    """Today's 15:00 is still to come just after midnight: the demo's times stop a minute ago
    (the seed failed between 00:00 and 15:00 local time)."""
    import random
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from civicgrid.party.demo import World

    world = World(rng=random.Random(1), today=timezone.localdate(), nodes={})
    now = timezone.now()
    assert world.at(0, hour=23) <= now - timedelta(seconds=59)
    yesterday = world.today - timedelta(days=1)
    assert world.at(1, hour=10) == timezone.make_aware(datetime.combine(yesterday, time(10)))
