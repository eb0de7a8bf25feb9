"""Service orders (点单·派单·接单·晒单): the flow, the takers, who may act, bad input."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.points import selectors as points
from civicgrid.requests.permissions import SYSTEM
from civicgrid.volunteers import selectors, services
from civicgrid.volunteers.constants import AssignmentMode, ConfirmVia, OrderAction, OrderStatus, TakerKind
from civicgrid.volunteers.models import OrderEvent, OrderPhoto, ServiceOrder, Volunteer
from civicgrid.volunteers.services import Taker
from civicgrid.volunteers.tests.conftest import People, png

pytestmark = pytest.mark.django_db


def actions(order: ServiceOrder) -> list[str]:
    return list(OrderEvent.objects.filter(order=order).order_by("id").values_list("action", flat=True))


def test_order_publish_take_complete_confirm_and_show(people: People) -> None:
    c = people.city
    order = services.service_order_create(
        actor=people.wangapo,
        data=services.NewOrder(
            title="帮忙买菜", content="每周二上午帮忙买菜送上楼", orderer_resident=people.r_wangapo
        ),
    )
    assert (
        order.status == OrderStatus.ORDERED and order.node == c.building_a1 and order.community == c.comm_a1
    )
    assert order.beneficiary == people.r_wangapo and order.orderer_label == "王阿婆"
    services.service_order_publish(actor=c.bob, order=order)
    assert [o.pk for o in selectors.orders_open_to(people.v_zhang)] == [order.pk]
    assert list(selectors.orders_open_to(people.v_sun)) == []  # another community
    order = services.service_order_take(actor=people.zhang, order=order)
    assert order.status == OrderStatus.ASSIGNED and order.assignment == AssignmentMode.TAKEN
    assert order.taker_volunteer == people.v_zhang and order.taker_resident == people.r_zhang
    with pytest.raises(Conflict) as err:
        services.service_order_take(actor=people.li, order=order)
    assert "已被他人接单" in err.value.message
    order = services.service_order_complete(
        actor=people.zhang, order=order, note="买了青菜、鸡蛋和米", hours="1.5", photos=[png()]
    )
    assert order.status == OrderStatus.COMPLETED and OrderPhoto.objects.filter(order=order).count() == 1
    assert [o.pk for o in selectors.board_orders(c.comm_a1)] == [order.pk]
    order = services.service_order_confirm(actor=people.wangapo, order=order, rating=5, comment="小张很热心")
    assert order.status == OrderStatus.CONFIRMED and order.confirmed_via == ConfirmVia.SELF
    # elderly_care, 1.5 h, difficulty 2: 15 × 1.25 = 18.75 → 19
    assert order.points == 19 and points.balance(people.r_zhang) == 19
    v = Volunteer.objects.get(pk=people.v_zhang.pk)
    assert v.orders_done == 1 and v.hours_total == Decimal("1.5")
    assert actions(order) == ["create", "publish", "take", "complete", "confirm"]
    assert (
        AuditLog.objects.filter(target_type="volunteers.serviceorder", target_id=str(order.pk)).count() == 5
    )


def test_dispatch_to_a_party_member_and_to_a_unit(people: People) -> None:
    c = people.city
    order = people.order()
    order = services.service_order_dispatch(
        actor=c.bob, order=order, taker=Taker.of_party_member(people.r_chen), note="陈师傅就住隔壁"
    )
    assert order.taker_kind == TakerKind.PARTY_MEMBER and order.assignment == AssignmentMode.DISPATCHED
    # the party member gives it back: a dispatched order returns to 待派单
    order = services.service_order_release(actor=people.chen, order=order, reason="这周出差")
    assert order.status == OrderStatus.ORDERED and order.taker_kind == "" and order.taker_resident is None
    order = services.service_order_dispatch(actor=c.bob, order=order, taker=Taker.of_unit(people.shop))
    assert order.taker_organisation == people.shop and order.taker_label == "胜利门便民超市"
    order = services.service_order_complete(
        actor=c.bob, order=order, note="超市送货上门", hours=1, photos=[png()]
    )
    order = services.service_order_confirm(actor=c.bob, order=order, rating=4)
    assert (
        order.confirmed_via == ConfirmVia.STAFF
        and order.points
        and points.balance(people.shop) == order.points
    )


def test_a_taken_order_released_goes_back_to_the_pool(people: People) -> None:
    order = people.order(publish=True)
    order = services.service_order_take(actor=people.li, order=order)
    order = services.service_order_release(actor=people.li, order=order, reason="临时有事")
    assert order.status == OrderStatus.PUBLISHED


def test_party_member_takes_as_themself_and_the_party_app_as_system(people: People) -> None:
    order = people.order(publish=True)
    with pytest.raises(PermissionDenied):
        services.service_order_take(
            actor=people.zhang, order=order, taker=Taker.of_party_member(people.r_chen)
        )
    order = services.service_order_take(
        actor=people.chen, order=order, taker=Taker.of_party_member(people.r_chen)
    )
    assert order.taker_kind == TakerKind.PARTY_MEMBER and order.taker_user == people.chen
    other = people.order(
        publish=True, origin="party.need:7", orderer_kind="council", orderer_label="党群议事会"
    )
    other = services.service_order_take(actor=SYSTEM, order=other, taker=Taker.of_unit(people.shop))
    assert other.taker_kind == TakerKind.UNIT
    assert [o.pk for o in selectors.orders_with_origin(people.city.bob, "party.need:7")] == [other.pk]


def test_nobody_takes_their_own_order(people: People) -> None:
    from civicgrid.volunteers.services.orders import may

    mine = people.order(actor=people.zhang, orderer_resident=people.r_zhang)
    mine = services.service_order_publish(actor=people.city.bob, order=mine)
    assert not may(people.zhang, mine, OrderAction.TAKE)
    with pytest.raises(ValidationError) as err:
        services.service_order_take(actor=people.zhang, order=mine)
    assert "自己" in err.value.message


def test_skills_and_community_of_the_taker(people: People) -> None:
    order = people.order(publish=True, skills=("elderly_care",))
    with pytest.raises(ValidationError) as err:
        services.service_order_take(actor=people.li, order=order)
    assert "助老陪护" in err.value.message
    with pytest.raises(ValidationError):
        services.service_order_take(actor=people.sun, order=order)  # serves 通江社区
    assert ServiceOrder.objects.get(pk=order.pk).status == OrderStatus.PUBLISHED


def test_reopen_and_cancel(people: People) -> None:
    c = people.city
    order = services.service_order_dispatch(
        actor=c.bob, order=people.order(), taker=Taker.of_volunteer(people.v_li)
    )
    order = services.service_order_complete(
        actor=people.li, order=order, note="已送达", hours=1, photos=[png()]
    )
    order = services.service_order_reopen(actor=people.wangapo, order=order, reason="少买了一袋米")
    assert order.status == OrderStatus.ASSIGNED
    with pytest.raises(Conflict):  # the orderer may not cancel once someone holds it
        services.service_order_cancel(actor=people.wangapo, order=order, reason="不要了")
    order = services.service_order_cancel(actor=c.bob, order=order, reason="老人住院")
    assert order.status == OrderStatus.CANCELLED
    mine = people.order(actor=people.wangapo)
    assert (
        services.service_order_cancel(actor=people.wangapo, order=mine, reason="邻居帮了").status
        == "cancelled"
    )


def test_bad_input_gets_a_chinese_error_and_changes_nothing(people: People) -> None:
    c = people.city
    order = services.service_order_dispatch(
        actor=c.bob, order=people.order(), taker=Taker.of_volunteer(people.v_li)
    )
    before = (AuditLog.objects.count(), OrderEvent.objects.count(), OrderPhoto.objects.count())
    fake = SimpleUploadedFile("virus.png", b"MZ\x90\x00" + b"\x00" * 20, content_type="image/png")
    with pytest.raises(ValidationError) as err:
        services.service_order_complete(actor=people.li, order=order, note="", hours="-1", photos=[fake])
    assert set(err.value.errors) == {"note", "hours", "photos"}
    assert "只接受" in err.value.message
    with pytest.raises(ValidationError):
        services.service_order_complete(actor=people.li, order=order, note="好了", hours=2, photos=[])
    done = services.service_order_complete(actor=people.li, order=order, note="好了", hours=2, photos=[png()])
    before = (AuditLog.objects.count(), OrderEvent.objects.count(), OrderPhoto.objects.count())
    for rating in (0, 6, "5", True):
        with pytest.raises(ValidationError) as err:
            services.service_order_confirm(actor=people.wangapo, order=done, rating=rating)  # type: ignore[arg-type]
        assert "1到5星" in err.value.message
    with pytest.raises(ValidationError):
        services.service_order_create(
            actor=c.bob, data=services.NewOrder(title="", content="", service_type="x", orderer_kind="unit")
        )
    assert (AuditLog.objects.count(), OrderEvent.objects.count(), OrderPhoto.objects.count()) == before
    assert ServiceOrder.objects.get(pk=done.pk).status == OrderStatus.COMPLETED


def test_outsider_sees_nothing_and_changes_nothing(people: People) -> None:
    c = people.city
    ordered = people.order()
    published = people.order(publish=True)
    assert list(selectors.orders_visible(c.carol)) == []
    before = AuditLog.objects.count()
    for call in (
        lambda: services.service_order_publish(actor=c.carol, order=ordered),
        lambda: services.service_order_dispatch(
            actor=c.carol, order=ordered, taker=Taker.of_volunteer(people.v_sun)
        ),
        lambda: services.service_order_cancel(actor=c.carol, order=ordered, reason="x"),
        lambda: services.service_order_take(actor=c.carol, order=published, taker=Taker.of_unit(people.shop)),
        lambda: services.service_order_confirm(actor=people.sun, order=published, rating=5),
        lambda: services.service_order_create(
            actor=c.carol,
            data=services.NewOrder(title="x", content="x", orderer_kind="staff", node=c.comm_a1),
        ),
        lambda: services.service_order_create(
            actor=people.sun,
            data=services.NewOrder(title="x", content="x", orderer_resident=people.r_wangapo),
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert AuditLog.objects.count() == before
    assert [ServiceOrder.objects.get(pk=o.pk).status for o in (ordered, published)] == [
        "ordered",
        "published",
    ]


def test_who_may_act_follows_the_table(people: People) -> None:
    from civicgrid.volunteers.services.orders import may

    order = people.order(publish=True)
    assert may(people.city.bob, order, OrderAction.DISPATCH)
    assert may(people.zhang, order, OrderAction.TAKE) and not may(people.zhang, order, OrderAction.DISPATCH)
    assert may(people.wangapo, order, OrderAction.CANCEL) and not may(
        people.city.carol, order, OrderAction.CANCEL
    )
