"""A team leader publishes activities for their team through the API and the pages (found
by an outside tester: the API answered 404 区域不存在或您无权查看 to the documented caller)."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.volunteers import services
from civicgrid.volunteers.models import Activity, Team
from civicgrid.volunteers.tests.conftest import People

pytestmark = pytest.mark.django_db
API = "/api/v1/volunteers"


def _red(people: People, leader: bool = True) -> Team:
    c = people.city
    services.teams_create_colours(actor=c.bob, community=c.comm_a1)
    red = Team.objects.get(node=c.comm_a1, colour="red")
    services.team_member_add(actor=c.bob, team=red, volunteer=people.v_zhang, is_leader=leader)
    return red


def _body(node_id: int, team_id: int | None) -> dict[str, Any]:
    start = timezone.now() + timedelta(days=2)
    return {
        "node_id": node_id,
        "team_id": team_id,
        "title": "红色互助：陪老人理发",
        "place": "胜利门1号楼",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "quota": 5,
        "service_type": "mutual_aid",
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(f"{API}/activities", json.dumps(body), content_type="application/json")


def test_leader_publishes_for_the_team_through_the_api(people: People) -> None:
    c = people.city
    red = _red(people)
    zhang = _client(people.zhang)
    done = _post(zhang, _body(c.comm_a1.pk, red.pk))
    assert done.status_code == 201, done.json()
    assert done.json()["team_id"] == red.pk
    grid = _post(zhang, _body(c.grid_a1_1.pk, red.pk))  # a grid of the team's community
    assert grid.status_code == 201, grid.json()
    assert Activity.objects.filter(team=red, published_by=people.zhang).count() == 2
    # not outside the team's community, not without a team, not for another team
    assert _post(zhang, _body(c.comm_b1.pk, red.pk)).status_code == 404
    assert _post(zhang, _body(c.comm_a1.pk, None)).status_code == 404
    green = Team.objects.get(node=c.comm_a1, colour="green")
    assert _post(zhang, _body(c.comm_a1.pk, green.pk)).status_code == 404
    assert Activity.objects.count() == 2
    # staff as before
    assert _post(_client(c.bob), _body(c.comm_a1.pk, green.pk)).status_code == 201


def test_a_member_who_does_not_lead_cannot_publish(people: People) -> None:
    c = people.city
    red = _red(people, leader=False)
    assert _post(_client(people.zhang), _body(c.comm_a1.pk, red.pk)).status_code == 404
    assert not Activity.objects.exists()


def test_leader_publishes_through_the_page_and_runs_the_activity(people: People) -> None:
    c = people.city
    red = _red(people)
    zhang = _client(people.zhang)
    home = zhang.get("/volunteers/h5/").content.decode()
    assert "/volunteers/activities/new/" in home and red.name in home
    form = zhang.get("/volunteers/activities/new/")
    assert form.status_code == 200 and red.name in form.content.decode()
    start = timezone.localtime() + timedelta(days=2)
    posted = zhang.post(
        "/volunteers/activities/new/",
        {
            "node": c.comm_a1.pk,
            "team": red.pk,
            "title": "红色互助：义务理发",
            "place": "胜利门1号楼",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "quota": 3,
            "service_type": "mutual_aid",
            "difficulty": 2,
        },
    )
    activity = Activity.objects.get(team=red)
    assert posted.status_code == 302 and posted["Location"].endswith(f"/volunteers/activities/{activity.pk}/")
    assert zhang.get(posted["Location"]).status_code == 200
    # someone who leads no team still cannot open the page
    assert _client(people.li).get("/volunteers/activities/new/").status_code in (403, 404)
