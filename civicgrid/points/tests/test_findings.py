"""What exploratory testers found in points: a redirect that left the site, a team filter with
repeats, numbers that were cut or rounded instead of refused."""

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from civicgrid.core.errors import ValidationError
from civicgrid.points import services
from civicgrid.points.models import PointsPolicy, PointsRule
from civicgrid.points.tests.conftest import PointsWorld, counts

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example/", "/\\evil.example/"])
def test_a_form_never_sends_back_to_another_site(pw: PointsWorld, target: str) -> None:
    a = services.points_adjust(actor=pw.city.bob, holder=pw.erin, amount=20, reason="签到漏记，补记")
    response = login(pw.city.dave).post(
        f"/points/adjustments/{a.pk}/decide/", {"decision": "reject", "note": "", "next": target}
    )
    assert response.status_code == 302 and response["Location"] == "/points/adjustments/"


def test_a_form_goes_back_to_the_page_it_came_from(pw: PointsWorld) -> None:
    a = services.points_adjust(actor=pw.city.bob, holder=pw.erin, amount=20, reason="签到漏记，补记")
    response = login(pw.city.dave).post(
        f"/points/adjustments/{a.pk}/decide/",
        {"decision": "reject", "note": "", "next": "/points/adjustments/?status=pending"},
    )
    assert response["Location"] == "/points/adjustments/?status=pending"


def test_the_team_filter_lists_every_team_once(pw: PointsWorld) -> None:
    teams = [f"志愿服务队{i:02d}" for i in range(35)] + ["蓝色平安守护队"] * 12
    for i, team in enumerate(teams):
        services.points_earn(
            actor=pw.city.bob,
            holder=pw.erin,
            amount=1,
            source="test",
            source_ref=f"team-{i}",
            node=pw.city.grid_a1_1,
            team=team,
        )
    page = login(pw.city.bob).get("/points/leaderboard/", {"community": pw.city.comm_a1.pk})
    listed = list(page.context["teams"])
    assert listed == sorted(set(teams)) and len(listed) == 36


@pytest.mark.parametrize(
    ("hours", "reason"),
    [
        ("NaN", "服务时长应为数字（小时）"),
        ("Infinity", "服务时长应为数字（小时）"),
        ("-1", "服务时长应在0到24小时之间"),
        ("24.01", "服务时长应在0到24小时之间"),
        ("1.555", "服务时长最多保留2位小数"),
        ("", "请填写服务时长"),
    ],
)
def test_award_hours_that_are_no_number_or_too_precise_are_refused(
    pw: PointsWorld, hours: str, reason: str
) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.points_award(
            actor=pw.city.bob,
            holder=pw.erin,
            activity_type="culture",
            hours=hours,  # type: ignore[arg-type]
            difficulty=1,
            source="t",
            source_ref="x",
            node=pw.city.grid_a1_1,
        )
    assert exc.value.errors["hours"] == [reason]
    assert counts() == before


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("base_points", 2.5, "基础积分应为0到100000之间的整数"),
        ("base_points", "2.5", "基础积分应为0到100000之间的整数"),
        ("max_points", float("inf"), "单次上限应为0到100000之间的整数"),
        ("max_points", True, "单次上限应为0到100000之间的整数"),
        ("base_points", "1e400", "基础积分应为0到100000之间的整数"),
        ("points_per_hour", "12.345", "每小时积分最多保留2位小数"),
        ("difficulty_step", "0.255", "难度系数步长最多保留2位小数"),
        ("points_per_hour", "Infinity", "每小时积分应为数字"),
    ],
)
def test_rule_numbers_are_refused_not_cut_or_rounded(
    pw: PointsWorld, field: str, value: Any, reason: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.rule_save(
            actor=pw.city.bob,
            node=pw.city.comm_a1,
            activity_type="",
            name="社区通用规则",
            **{field: value},
        )
    assert exc.value.errors[field] == [reason]
    assert not PointsRule.objects.filter(node=pw.city.comm_a1).exists()


def test_rule_numbers_within_the_columns_are_kept_as_typed(pw: PointsWorld) -> None:
    rule = services.rule_save(
        actor=pw.city.bob,
        node=pw.city.comm_a1,
        activity_type="",
        name="社区通用规则",
        base_points=5,
        points_per_hour="12.50",
        difficulty_step="0.3",
        max_points=200,
    )
    rule.refresh_from_db()
    assert (rule.base_points, rule.points_per_hour, rule.difficulty_step, rule.max_points) == (
        5,
        Decimal("12.5"),
        Decimal("0.3"),
        200,
    )


@pytest.mark.parametrize(("expiry", "pickup"), [(True, 7), (365, True)])
def test_a_policy_of_true_days_is_refused(pw: PointsWorld, expiry: Any, pickup: Any) -> None:
    with pytest.raises(ValidationError):
        services.policy_set(actor=pw.city.bob, node=pw.city.comm_a1, expiry_days=expiry, pickup_days=pickup)
    assert not PointsPolicy.objects.filter(node=pw.city.comm_a1).exists()
