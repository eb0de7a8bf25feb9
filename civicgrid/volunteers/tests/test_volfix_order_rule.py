"""A confirmed service order is paid by the 点单服务 (service_order) rule of the place, then by
its service type's rule, then by the default; every service type an order or activity may
have can be given a rule."""

from decimal import Decimal

from civicgrid.points import services as points
from civicgrid.points.forms import RuleForm
from civicgrid.points.models import ActivityType, Movement
from civicgrid.points.rules import rule_for
from civicgrid.volunteers import services
from civicgrid.volunteers.constants import ServiceType
from civicgrid.volunteers.points_link import balance
from civicgrid.volunteers.tests.conftest import People, png


def _confirmed_points(people: People, **kw: object) -> int | None:
    c = people.city
    order = people.order(publish=True, **kw)
    order = services.service_order_take(actor=people.zhang, order=order)
    order = services.service_order_complete(
        actor=people.zhang, order=order, note="买好了", hours="1.5", photos=[png()]
    )
    order = services.service_order_confirm(actor=people.wangapo, order=order, rating=5)
    assert order.node.path.startswith(c.comm_a1.path)
    return order.points


def test_order_uses_the_service_order_rule_of_the_community(people: People) -> None:
    c = people.city
    points.rule_save(actor=c.bob, node=c.comm_a1, activity_type="", name="社区默认", points_per_hour=10)
    points.rule_save(
        actor=c.bob,
        node=c.comm_a1,
        activity_type="service_order",
        name="点单服务",
        base_points=5,
        points_per_hour=10,
    )
    # elderly_care, 1.5 h, difficulty 2 (default): (5 + 15) × 1.25 = 25, not 19 of the default rule
    assert _confirmed_points(people) == 25
    assert balance(people.r_zhang) == 25
    movement = Movement.objects.get(source_ref__startswith="order:")
    assert movement.detail["rule_name"] == "点单服务" and movement.activity_type == "elderly_care"


def test_service_order_rule_comes_before_a_deeper_service_type_rule(people: People) -> None:
    c = people.city
    points.rule_save(
        actor=c.bob,
        node=c.comm_a1,
        activity_type="service_order",
        name="点单服务",
        base_points=5,
        points_per_hour=10,
    )
    points.rule_save(
        actor=c.bob, node=c.building_a1, activity_type="elderly_care", name="楼栋助老", points_per_hour=100
    )
    assert _confirmed_points(people) == 25
    # An activity of that type still goes by its own rule.
    assert rule_for(c.building_a1, "elderly_care").name == "楼栋助老"


def test_without_a_service_order_rule_the_service_type_rule_pays(people: People) -> None:
    c = people.city
    points.rule_save(actor=c.bob, node=c.comm_a1, activity_type="", name="社区默认", points_per_hour=1)
    points.rule_save(
        actor=c.bob, node=c.comm_a1, activity_type="elderly_care", name="助老", points_per_hour=20
    )
    # (0 + 30) × 1.25 = 37.5 → 38
    assert _confirmed_points(people) == 38
    assert rule_for(c.comm_a1, "elderly_care", prefer="service_order").name == "助老"
    assert rule_for(c.comm_a1, "law", prefer="service_order").name == "社区默认"
    assert rule_for(c.comm_a1, "law", prefer="service_order").points_for(Decimal(2), 1) == 2


def test_every_service_type_can_have_a_rule(people: People) -> None:
    c = people.city
    assert set(ServiceType.values) <= set(ActivityType.values)
    for code in ("health", "education"):
        form = RuleForm(
            {
                "community": c.comm_a1.pk,
                "activity_type": code,
                "points_per_hour": "10",
                "difficulty_step": "0.25",
            }
        )
        assert form.is_valid(), form.errors
    rule = points.rule_save(actor=c.bob, node=c.comm_a1, activity_type="health", name="健康", base_points=3)
    assert rule.activity_type_label == "健康服务"
    assert rule_for(c.comm_a1, "health").name == "健康"
