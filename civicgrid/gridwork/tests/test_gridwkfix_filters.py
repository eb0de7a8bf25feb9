"""Bad date filters and a refused 结束巡查 show the page again (422), the field named and
what was typed kept."""

import pytest
from django.test import Client

from civicgrid.gridwork import services
from civicgrid.gridwork.models import Patrol
from civicgrid.gridwork.tests.conftest import Field

pytestmark = pytest.mark.django_db


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_a_bad_from_date_on_the_findings_list_is_named_on_its_field(field: Field) -> None:
    page = signed_in(field.city.bob).get("/gridwork/findings/", {"date_from": "2026-02-30"})
    text = page.content.decode()
    assert page.status_code == 422
    assert "从：应为日期（YYYY-MM-DD）" in text
    assert 'name="date_from" value="2026-02-30" aria-invalid="true"' in text
    assert "没有符合条件的记录" in text  # the list itself is there


@pytest.mark.parametrize(
    ("day", "reason"),
    [("2026-02-30", "日期：应为日期（YYYY-MM-DD）"), ("0001-01-01", "日期：日期不能早于2000-01-01")],
)
def test_a_bad_day_of_the_diary_shows_today_with_the_day_named(field: Field, day: str, reason: str) -> None:
    page = signed_in(field.alice).get("/gridwork/m/log/", {"day": day})
    text = page.content.decode()
    assert page.status_code == 422 and reason in text
    assert f'name="day" type="date" value="{day}" aria-invalid="true"' in text
    assert "当日记录" in text


def test_the_day_log_of_an_extreme_day_is_empty_not_an_error(field: Field) -> None:
    from datetime import date

    from civicgrid.gridwork import logbook

    assert logbook.day_log(field.alice, field.alice, date.min).checks == []
    assert logbook.day_log(field.alice, field.alice, date.max).checks == []


@pytest.mark.parametrize("people", ["abc", "-1"])
def test_a_refused_patrol_end_keeps_the_places_and_the_summary(field: Field, people: str) -> None:
    services.patrol_start(actor=field.alice, client_key="end-form-patrol", grid=field.city.grid_a1_1)
    page = signed_in(field.alice).post(
        "/gridwork/m/patrol/end/", {"places": "3号楼、菜市场", "people_met": people, "note": "路灯不亮"}
    )
    text = page.content.decode()
    assert page.status_code == 422
    assert "接触群众" in text and 'value="3号楼、菜市场"' in text and ">路灯不亮</textarea>" in text
    assert f'name="people_met" type="number" min="0" max="10000" inputmode="numeric" value="{people}"' in text
    assert Patrol.objects.get(client_key="end-form-patrol").ended_at is None
