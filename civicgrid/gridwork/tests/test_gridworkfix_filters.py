"""The community's lists with a filter that does not parse (巡查覆盖, 关爱走访, 信息变更) show
the page again with 422, the field named beside the list, as 民情记录 does; an area outside
the viewer's scope on 巡查覆盖 is 404, as on the rates and overview pages. The home cards of
this month give both ends of the month so far."""

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.gridwork import services
from civicgrid.gridwork.logbook import home_figures
from civicgrid.gridwork.models import Proposal
from civicgrid.gridwork.tests.conftest import Field
from civicgrid.gridwork.tests.test_gridwkfix_proposals import new_resident

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_coverage_with_an_under_that_is_no_number_shows_the_whole_scope_with_the_field_named(
    field: Field,
) -> None:
    page = signed_in(field.city.bob).get("/gridwork/", {"under": "abc"})
    text = page.content.decode()
    assert page.status_code == 422
    assert "社区：应为整数" in text
    assert '<select name="under" aria-invalid="true">' in text
    assert field.city.grid_a1_1.name in text and field.city.grid_a1_2.name in text  # the list
    assert "今日已巡查网格" in text  # the cards


def test_coverage_of_an_area_outside_the_scope_is_not_found(field: Field) -> None:
    bob = signed_in(field.city.bob)
    assert bob.get("/gridwork/", {"under": field.city.comm_b1.pk}).status_code == 404
    assert bob.get("/gridwork/", {"under": 10**9}).status_code == 404
    mine = bob.get("/gridwork/", {"under": field.city.comm_a1.pk})
    assert mine.status_code == 200 and f"巡查覆盖 · {field.city.comm_a1.name}" in mine.content.decode()


@pytest.mark.parametrize(
    ("params", "reason", "marked"),
    [
        ({"under": "abc"}, "社区：应为整数", 'name="under" aria-invalid="true"'),
        ({"light": "zzz"}, "预警灯：预警灯取值无效", 'name="light" aria-invalid="true"'),
        ({"assignee": "x"}, "走访人：应为整数", None),
    ],
)
def test_care_with_a_bad_filter_shows_the_list_with_the_field_named(
    field: Field, params: dict[str, str], reason: str, marked: str | None
) -> None:
    services.care_plans_generate(actor=field.city.bob, node=field.city.comm_a1)
    page = signed_in(field.city.bob).get("/gridwork/care/", params)
    text = page.content.decode()
    assert page.status_code == 422
    assert reason in text
    assert marked is None or marked in text
    assert field.lao_zhang.name in text  # the list, the bad filter left out
    assert 'action="/gridwork/care/create/"' in text  # the page's forms


def test_care_with_an_area_outside_the_scope_names_it_on_the_list(field: Field) -> None:
    services.care_plans_generate(actor=field.city.bob, node=field.city.comm_a1)
    page = signed_in(field.city.bob).get("/gridwork/care/", {"under": field.city.comm_b1.pk})
    text = page.content.decode()
    assert page.status_code == 422 and "社区：区域不存在或您无权查看" in text
    assert field.lao_zhang.name in text


def test_care_with_good_filters_is_still_200(field: Field) -> None:
    services.care_plans_generate(actor=field.city.bob, node=field.city.comm_a1)
    page = signed_in(field.city.bob).get(
        "/gridwork/care/", {"under": str(field.city.comm_a1.pk), "light": "red"}
    )
    assert page.status_code == 200 and "form-errors" not in page.content.decode()


def test_proposals_with_a_state_that_is_none_shows_every_state_with_the_field_named(field: Field) -> None:
    new_resident(field, "gwfix-state-a")
    summary = Proposal.objects.get().summary
    page = signed_in(field.city.bob).get("/gridwork/proposals/", {"state": "zzz"})
    text = page.content.decode()
    assert page.status_code == 422
    assert "状态：状态取值无效" in text
    assert '<select name="state" aria-invalid="true">' in text
    assert summary in text  # the list (every state)
    good = signed_in(field.city.bob).get("/gridwork/proposals/", {"state": "rejected"})
    assert good.status_code == 200 and summary not in good.content.decode()


def test_the_home_findings_cards_give_both_ends_of_the_month(field: Field) -> None:
    today = timezone.localdate()
    ends = f"date_from={today.replace(day=1).isoformat()}&date_to={today.isoformat()}"
    cards = {f.label: f for f in home_figures(field.city.bob)}
    assert cards["本月发现问题"].url == f"/gridwork/findings/?{ends}"
    assert cards["现场解决"].url == f"/gridwork/findings/?outcome=fixed&{ends}"
    assert cards["上报诉求"].url == f"/gridwork/findings/?outcome=reported&{ends}"
    assert signed_in(field.city.bob).get(cards["本月发现问题"].url).status_code == 200
