"""The rules page keeps what was typed and says each refusal at its field; the pages say
activity types, movement sources and stock references in Chinese, not as codes."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.core.errors import ValidationError
from civicgrid.points import selectors, services
from civicgrid.points.constants import Source
from civicgrid.points.models import PointsPolicy, PointsRule, Redemption
from civicgrid.points.tests.conftest import PointsWorld, counts, earn

pytestmark = pytest.mark.django_db

CODES = (
    "activity_type：",
    "name：",
    "base_points：",
    "max_points：",
    "points_per_hour：",
    "difficulty_step：",
)


def as_(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return str(response.content.decode())


def rule(pw: PointsWorld, **kw: str) -> dict[str, Any]:
    data = {
        "community": str(pw.city.comm_a1.pk),
        "activity_type": "elderly_care",
        "name": "助老服务积分",
        "base_points": "2",
        "points_per_hour": "12",
        "difficulty_step": "0.5",
        "max_points": "0",
    }
    data.update(kw)
    return data


def test_a_rule_name_too_long_is_refused_not_cut(pw: PointsWorld, client: Client) -> None:
    before = counts()
    answer = as_(client, pw.city.bob).post("/points/rules/", rule(pw, name="长" * 10_000))
    assert answer.status_code == 422
    form = answer.context["rule_form"]
    assert form.errors["name"] == ["规则名称最长100个字（现有10000个）"]
    assert form["name"].value() == "长" * 10_000 and form["points_per_hour"].value() == "12"
    assert "积分规则已保存" not in text(answer)
    assert not PointsRule.objects.exists() and counts() == before


def test_a_negative_cap_is_refused_on_its_own_field(pw: PointsWorld, client: Client) -> None:
    answer = as_(client, pw.city.bob).post("/points/rules/", rule(pw, max_points="-1"))
    assert answer.status_code == 422
    errors = answer.context["rule_form"].errors
    assert errors["max_points"] == ["单次上限应为0到100000之间的整数"] and "base_points" not in errors
    assert not PointsRule.objects.exists()


def test_the_service_names_the_field_it_refuses(pw: PointsWorld) -> None:
    with pytest.raises(ValidationError) as caught:
        services.rule_save(actor=pw.city.bob, node=pw.city.comm_a1, activity_type="", name="x", max_points=-1)
    assert caught.value.errors == {"max_points": ["单次上限应为0到100000之间的整数"]}
    with pytest.raises(ValidationError) as caught:
        services.rule_save(
            actor=pw.city.bob, node=pw.city.comm_a1, activity_type="", name="长" * 101, base_points=10**12
        )
    assert set(caught.value.errors) == {"name", "base_points"}
    with pytest.raises(ValidationError) as caught:
        services.rule_save(
            actor=pw.city.bob, node=pw.city.comm_a1, activity_type="", name="x", points_per_hour="NaN"
        )
    assert caught.value.errors == {"points_per_hour": ["每小时积分应为数字"]}
    assert not PointsRule.objects.exists()


def test_service_refusals_show_at_their_fields_with_the_input_kept(pw: PointsWorld, client: Client) -> None:
    data = rule(pw, name="", points_per_hour="2000", difficulty_step="5")
    answer = as_(client, pw.city.bob).post("/points/rules/", data)
    assert answer.status_code == 422
    errors = answer.context["rule_form"].errors
    assert errors["name"] == ["请填写规则名称"]
    assert errors["points_per_hour"] == ["每小时积分应在0到1000之间"]
    assert errors["difficulty_step"] == ["难度系数步长应在0到2之间"]
    page = text(answer)
    assert 'value="2000"' in page and '<option value="elderly_care" selected>' in page
    for code in CODES:
        assert code not in page
    assert not PointsRule.objects.exists()


def test_an_unknown_activity_type_and_words_for_numbers(pw: PointsWorld, client: Client) -> None:
    answer = as_(client, pw.city.bob).post(
        "/points/rules/", rule(pw, activity_type="dancing", base_points="三")
    )
    assert answer.status_code == 422
    errors = answer.context["rule_form"].errors
    assert errors["activity_type"] == ["未知的服务类型"] and errors["base_points"] == ["请填写整数"]
    assert not PointsRule.objects.exists()


def test_a_refused_policy_names_both_fields(pw: PointsWorld, client: Client) -> None:
    data = {"action": "policy", "community": pw.city.comm_a1.pk, "expiry_days": "99999", "pickup_days": "0"}
    answer = as_(client, pw.city.bob).post("/points/rules/", data)
    assert answer.status_code == 422
    errors = answer.context["policy_form"].errors
    assert errors["expiry_days"] == ["有效期应在0到3650天之间（0表示永不过期）"]
    assert errors["pickup_days"] == ["取货码有效期应在1到90天之间"]
    assert answer.context["policy_form"]["expiry_days"].value() == "99999"
    assert not PointsPolicy.objects.exists()


def test_a_saved_rule_is_listed_with_its_type_in_chinese(pw: PointsWorld, client: Client) -> None:
    answer = as_(client, pw.city.bob).post("/points/rules/", rule(pw))
    assert answer.status_code == 302
    page = text(client.get(answer["Location"]))
    assert "<td>助老助残</td>" in page and "<td>elderly_care</td>" not in page
    assert PointsRule.objects.get().name == "助老服务积分"


def test_sources_and_stock_references_read_in_chinese(pw: PointsWorld, client: Client) -> None:
    earn(pw, pw.erin, 30, "a")
    services.points_earn(
        actor=pw.city.bob,
        holder=pw.erin,
        amount=5,
        source="volunteers.order",
        source_ref="order:96",
        node=pw.city.grid_a1_1,
    )
    services.points_earn(
        actor=pw.city.bob,
        holder=pw.erin,
        amount=5,
        source=Source.MANUAL,
        source_ref="tok",
        node=pw.city.grid_a1_1,
    )
    services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap)
    code = Redemption.objects.get().code
    as_(client, pw.city.bob)
    account = selectors.account_for(pw.erin)
    assert account is not None
    page = text(client.get(f"/points/accounts/{account.pk}/"))
    assert f'<a href="/points/redemptions/?code={code}">积分兑换（取货码 {code}）</a>' in page
    assert '<a href="/volunteers/orders/96/">点单服务</a>' in page
    assert "线下活动发放" in page and "其他来源" in page  # "test", a source no page knows
    for raw in ('class="muted">points.redemption<', ">volunteers.order<", ">points.manual<"):
        assert raw not in page
    goods = text(client.get(f"/points/goods/{pw.soap.pk}/"))
    assert f"兑换单（取货码 {code}）" in goods and ">redemption:" not in goods
