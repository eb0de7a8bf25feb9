"""Respond-upon-receipt on the home page: each role's queue and the area's month."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.requests import services
from civicgrid.requests.constants import Light, Status
from civicgrid.requests.home import home_figures
from civicgrid.requests.models import Rating, Request
from civicgrid.territory.locator import locator
from civicgrid.web.contrib import Figure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_locator() -> None:
    locator.invalidate()


def by_label(figures: list[Figure]) -> dict[str, Figure]:
    return {f.label: f for f in figures}


@pytest.fixture
def day(hotline: Any) -> dict[str, Request]:
    """Today: two lift complaints dispatched to subdistrict A (one signed, one red), a
    question without a category waiting in triage, and a request replied last week
    waiting for its callback, rated this month (contacted, solved, satisfied)."""
    olivia = hotline.city.olivia
    first = services.request_create(actor=olivia, data=hotline.new())
    services.request_sign(actor=hotline.hank, request=first)
    red = services.request_create(actor=olivia, data=hotline.new(title="电梯又坏了"))
    Request.objects.filter(pk=red.pk).update(
        light=Light.RED, due_resolution_at=timezone.now() - timedelta(hours=1)
    )
    triage = services.request_create(actor=olivia, data=hotline.new(category=None, title="问一下办事流程"))
    # 电梯 needs 核查: verified on site, it waits for the callback
    replied = services.request_create(actor=olivia, data=hotline.new(title="楼道灯不亮"))
    week_ago = timezone.now() - timedelta(days=7)
    Request.objects.filter(pk=replied.pk).update(status=Status.VERIFIED, replied_at=week_ago)
    now = timezone.now()
    Rating.objects.create(
        request=replied,
        round=1,
        unit=hotline.sub_a_unit,
        node_path=replied.node_path,
        month=timezone.localdate().replace(day=1),
        contacted=True,
        resolution="solved",
        satisfaction="satisfied",
        via=Rating.Via.CALLBACK,
        created_at=now,
    )
    return {"first": first, "red": red, "triage": triage, "replied": replied}


def test_a_handler_sees_their_inbox(hotline: Any, day: dict[str, Request]) -> None:
    shown = by_label(home_figures(hotline.hank))
    assert shown["待签收"].value == 1  # the red one; the first is signed
    assert shown["待签收"].url == "/requests/inbox/?status=dispatched"
    assert shown["待办工单"].value == 2  # the replied one is no longer in the inbox
    assert shown["红灯（已超期）"].value == 1 and shown["红灯（已超期）"].url.endswith("light=red")
    assert "今日受理" not in shown and "本月受理" not in shown  # a handler has no area


def test_an_operator_sees_the_queues_and_the_month(hotline: Any, day: dict[str, Request]) -> None:
    shown = by_label(home_figures(hotline.city.olivia))
    assert shown["今日受理"].value == 4
    today = timezone.localdate().isoformat()
    assert shown["今日受理"].url == f"/requests/ledger/?received_from={today}&received_to={today}"
    assert shown["待分拣派单"].value == 1
    assert shown["待回访"].value == 1
    assert shown["在办诉求"].value == 3 and shown["在办超期"].value == 1
    assert shown["本月响应率"].value == "100.00%"
    assert shown["本月满意率"].hint == "本月已评价 1 件"
    # This month's score links to this month's figures, not to last month's ranking (an
    # outside tester found no unit there with the card's number).
    assert shown["本月综合得分"].url == shown["本月响应率"].url == "/requests/rates/"


def test_the_figures_follow_what_happens(hotline: Any, day: dict[str, Request]) -> None:
    def counts() -> tuple[Any, Any]:
        shown = by_label(home_figures(hotline.city.dave))
        return shown["本月受理"].value, shown["在办诉求"].value

    assert counts() == (4, 3)
    services.request_create(actor=hotline.city.olivia, data=hotline.new(title="再来一件"))
    assert counts() == (5, 4)


def test_the_home_page_shows_the_section_only_to_those_it_concerns(
    hotline: Any, day: dict[str, Request]
) -> None:
    client = Client()
    client.force_login(hotline.city.dave)
    page = client.get("/").content.decode()
    assert (
        "接诉即办" in page
        and "本月满意率" in page
        and 'href="/requests/ledger/?status=open&amp;overdue=on"' in page
    )
    assert home_figures(hotline.city.secadmin) == []
