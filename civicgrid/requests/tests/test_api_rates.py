"""The three rates, the ranking and the weekly report under /api/v1/rates/: the pages'
figures (the same functions, and a recount from the rating rows), the pages' scope, and
bad filters refused with the field named."""

from datetime import date, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.services import api_token_create
from civicgrid.requests.constants import Action
from civicgrid.requests.models import HandlingUnit, Rating, Request, RequestEvent
from civicgrid.requests.rates.access import scope_target, target_rates, unit_target
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.figures import Period, add_months
from civicgrid.requests.rates.report import weekly_report
from civicgrid.territory.models import Node

pytestmark = pytest.mark.django_db

BASE = "/api/v1/rates"
_numbers = count(1)

# (contacted, resolution, satisfaction) of sub A's ten ratings last month
SUB_A = [
    (True, "solved", "satisfied"),
    (True, "solved", "satisfied"),
    (True, "solved", "satisfied"),
    (True, "solved", "satisfied"),
    (True, "solved", "basic"),
    (True, "solved", "basic"),
    (True, "partly", "satisfied"),
    (True, "partly", "basic"),
    (True, "unsolved", "unsatisfied"),
    (False, "unsolved", "unsatisfied"),
]


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def make_request(node: Node, unit: HandlingUnit, received: datetime) -> Request:
    return Request.objects.create(
        number=f"R{next(_numbers):09d}",
        channel="hotline",
        type="complaint",
        title="测试诉求",
        content="测试内容",
        node=node,
        node_path=node.path,
        lead_unit=unit,
        received_at=received,
    )


def rate(request: Request, when: datetime, contacted: bool, resolution: str, satisfaction: str) -> None:
    Rating.objects.create(
        request=request,
        round=1,
        unit=request.lead_unit,
        node_path=request.node_path,
        month=timezone.localtime(when).date().replace(day=1),
        contacted=contacted,
        resolution=resolution,
        satisfaction=satisfaction,
        via=Rating.Via.CALLBACK,
        created_at=when,
    )


@pytest.fixture
def month(hotline: Any) -> date:
    """Last month: sub A's ten ratings in grid A1-1 (four of its requests closed, one of
    them reopened), sub B's three in grid B1-1."""
    c, first = hotline.city, add_months(current_month(), -1)
    for i, (contacted, resolution, satisfaction) in enumerate(SUB_A):
        request = make_request(c.grid_a1_1, hotline.sub_a_unit, at(first + timedelta(days=i)))
        rate(request, at(first + timedelta(days=i), 11), contacted, resolution, satisfaction)
        if i < 4:
            RequestEvent.objects.create(request=request, action=Action.CLOSE, created_at=at(first, 15))
    reopened = Request.objects.filter(lead_unit=hotline.sub_a_unit).order_by("id")[0]
    RequestEvent.objects.create(
        request=reopened, action=Action.REOPEN, unit=hotline.sub_a_unit, created_at=at(first, 16)
    )
    for i in range(3):
        request = make_request(c.grid_b1_1, hotline.sub_b_unit, at(first + timedelta(days=i)))
        rate(request, at(first + timedelta(days=i), 11), True, "solved", "satisfied")
    return first


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ---------------------------------------------------------------- the figures


def test_figures_are_the_pages_figures_and_a_recount_of_the_ratings(hotline: Any, month: date) -> None:
    dave, unit = hotline.city.dave, hotline.sub_a_unit
    params = {"unit": unit.pk, "month": f"{month:%Y-%m}"}
    body = signed_in(dave).get(f"{BASE}/figures", params).json()

    page = signed_in(dave).get(reverse("requests:rates"), params)
    assert page.status_code == 200
    assert body["counts"] == page.context["rates"].counts.as_dict()
    assert body["shown"] == page.context["shown"]
    rates, source = target_rates(unit_target(dave, unit.pk), Period.month(month))
    assert body["rates"] == rates.chart() and body["source"] == source

    ratings = Rating.objects.filter(unit=unit, month=month).aggregate(
        rated=Count("id"),
        contacted=Count("id", filter=Q(contacted=True)),
        solved=Count("id", filter=Q(resolution="solved")),
        partly=Count("id", filter=Q(resolution="partly")),
        satisfied=Count("id", filter=Q(satisfaction="satisfied")),
        basic=Count("id", filter=Q(satisfaction="basic")),
    )
    assert (
        {k: body["counts"][k] for k in ratings}
        == ratings
        == {
            "rated": 10,
            "contacted": 9,
            "solved": 6,
            "partly": 2,
            "satisfied": 5,
            "basic": 3,
        }
    )
    assert (body["counts"]["received"], body["counts"]["closed"], body["counts"]["reopened"]) == (10, 4, 1)
    # 9/10; (6 + 0.5·2)/10; (5 + 0.8·3)/10; 100·(0.1·0.9 + 0.45·0.7 + 0.45·0.74); 1/4
    assert body["rates"] == {
        "response": 90.0,
        "resolution": 70.0,
        "satisfaction": 74.0,
        "composite": 73.8,
        "rework": 25.0,
    }
    assert body["shown"]["composite"] == "73.80"
    assert body["target"] == {"kind": "unit", "id": unit.pk, "label": unit.name}
    assert body["period"]["month"] == f"{month:%Y-%m}" and body["live"] is False
    assert body["trend"] is None


def test_figures_of_an_area_a_date_range_and_the_trend(hotline: Any, month: date) -> None:
    c = hotline.city
    client = signed_in(c.dave)
    area = client.get(f"{BASE}/figures", {"node": c.sub_b.pk, "month": f"{month:%Y-%m}"}).json()
    assert area["target"]["kind"] == "area" and area["counts"]["rated"] == 3
    assert area["rates"]["composite"] == 100.0
    days = {
        "start": f"{month:%Y-%m-%d}",
        "end": f"{month + timedelta(days=2):%Y-%m-%d}",
        "unit": hotline.sub_a_unit.pk,
    }
    ranged = client.get(f"{BASE}/figures", days).json()
    assert ranged["counts"]["rated"] == 3 and ranged["period"]["month"] is None
    whole = client.get(f"{BASE}/figures", {"month": f"{month:%Y-%m}", "trend": "true"}).json()
    assert whole["counts"]["rated"] == 13  # dave's district: both subdistricts
    assert len(whole["trend"]) == 12 and whole["trend"][-1]["month"] == f"{month:%Y-%m}"
    assert whole["trend"][-1]["counts"] == whole["counts"]


def test_ranking_is_the_pages_ranking(hotline: Any, month: date, settings: Any) -> None:
    settings.RATES_MIN_RATINGS = 3
    body = signed_in(hotline.city.dave).get(f"{BASE}/ranking", {"month": f"{month:%Y-%m}"}).json()
    page = signed_in(hotline.city.dave).get(reverse("requests:ranking"), {"month": f"{month:%Y-%m}"})
    assert body["month"] == f"{month:%Y-%m}" and body["thresholds"]["min_ratings"] == 3
    for board, shown in zip(body["boards"], page.context["boards"], strict=True):
        assert board["kind"] == shown["ranking"].kind
        assert [r["unit_id"] for r in board["ranked"]] == [r.unit_id for r in shown["ranked"]]
        assert [r["unit_id"] for r in board["unranked"]] == [r.unit_id for r in shown["unranked"]]
        assert [(c["label"], c["count"]) for c in board["classes"]] == [
            (str(k), n) for k, n in shown["classes"]
        ]
    subdistricts = body["boards"][0]
    assert [(r["name"], r["rank"], r["shown"]["composite"]) for r in subdistricts["ranked"]] == [
        ("通江街道办事处", 1, "100.00"),
        ("崇安寺街道办事处", 2, "73.80"),
    ]
    assert subdistricts["ranked"][0]["rank_class"] == "advanced"


def test_weekly_report_is_the_pages_report(hotline: Any) -> None:
    c = hotline.city
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7)
    for node, unit in ((c.grid_a1_1, hotline.sub_a_unit), (c.grid_b1_1, hotline.sub_b_unit)):
        request = make_request(node, unit, at(monday + timedelta(days=1)))
        rate(request, at(monday + timedelta(days=2)), True, "solved", "satisfied")
    body = signed_in(c.dave).get(f"{BASE}/weekly", {"week": f"{monday + timedelta(days=3):%Y-%m-%d}"}).json()
    report = weekly_report(c.dave, monday)
    assert body["period"]["start"] == f"{monday:%Y-%m-%d}" and body["live"] is False
    assert (body["intake"], body["closed"], body["overdue"]) == (report.intake, report.closed, report.overdue)
    assert body["intake"] == 2 and body["counts"]["rated"] == 2 and body["shown"] == report.rates.display()
    assert body["by_channel"] == [{"name": name, "count": n} for name, n in report.by_channel]
    assert [s["name"] for s in body["hot_spots"]] == [s.name for s in report.hot_spots]
    assert body["scope"]["label"] == scope_target(c.dave).label
    default = signed_in(c.dave).get(f"{BASE}/weekly").json()  # the last complete week
    assert default["period"]["start"] == f"{monday:%Y-%m-%d}"


# ---------------------------------------------------------------- scope


def test_a_handler_reads_only_their_own_subdistrict(hotline: Any, month: date) -> None:
    _, token = api_token_create(actor=None, system=True, user=hotline.hank, name="测试")
    headers = {"Authorization": f"Bearer {token}"}
    client, c, m = Client(), hotline.city, f"{month:%Y-%m}"
    own = client.get(f"{BASE}/figures", {"unit": hotline.sub_a_unit.pk, "month": m}, headers=headers)
    assert own.status_code == 200 and own.json()["counts"]["rated"] == 10
    mine = client.get(f"{BASE}/figures", {"month": m}, headers=headers).json()
    assert mine["counts"]["rated"] == 10  # sub A's places only: sub B's three left out
    for params in ({"unit": hotline.sub_b_unit.pk}, {"node": c.sub_b.pk}, {"node": c.district.pk}):
        response = client.get(f"{BASE}/figures", {**params, "month": m}, headers=headers)
        assert response.status_code == 404, params
        page = signed_in(hotline.hank).get(reverse("requests:rates"), {**params, "month": m})
        assert page.status_code == 404, params
    ranked = client.get(f"{BASE}/ranking", {"month": m}, headers=headers).json()
    names = [r["name"] for b in ranked["boards"] for r in b["ranked"] + b["unranked"]]
    assert "崇安寺街道办事处" in names and "通江街道办事处" not in names
    for board in ranked["boards"]:  # the counts are of the rows shown, as on the page
        assert sum(c["count"] for c in board["classes"]) == board["ranked_count"] == len(board["ranked"])
    week = client.get(f"{BASE}/weekly", {"week": f"{month:%Y-%m-%d}"}, headers=headers).json()
    assert (
        0 < week["intake"] == weekly_report(hotline.hank, month).intake < weekly_report(c.dave, month).intake
    )


@pytest.mark.parametrize("path", ["/figures", "/ranking", "/weekly"])
def test_roles_without_rates_view_are_refused_as_by_the_pages(hotline: Any, path: str) -> None:
    for who in ("alice", "sysadmin"):
        response = signed_in(getattr(hotline.city, who)).get(f"{BASE}{path}")
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert Client().get(f"{BASE}{path}").status_code == 401


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/figures", {"month": "2026-13"}, "month"),
        ("/figures", {"month": "上个月"}, "month"),
        ("/figures", {"month": "2099-12"}, "month"),  # not begun: no figures, not zeros
        ("/figures", {"start": "2099-01-01", "end": "2099-01-31"}, "start"),
        ("/figures", {"start": "2026-02-30", "end": "2026-03-01"}, "start"),
        ("/figures", {"start": "2026-03-01"}, "end"),
        ("/figures", {"start": "2026-03-02", "end": "2026-03-01"}, "end"),
        ("/figures", {"start": "2020-01-01", "end": "2026-03-01"}, "end"),
        ("/figures", {"unit": "abc"}, "unit"),
        ("/figures", {"node": "1.5"}, "node"),
        ("/figures", {"unit": "1", "node": "1"}, "unit"),
        ("/figures", {"trend": "maybe"}, "trend"),
        ("/ranking", {"month": "2026/10"}, "month"),
        ("/weekly", {"week": "next week"}, "week"),
    ],
)
def test_a_bad_filter_is_a_422_naming_the_field(
    hotline: Any, path: str, params: dict[str, str], field: str
) -> None:
    response = signed_in(hotline.city.dave).get(f"{BASE}{path}", params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and field in body["detail"], body


@pytest.mark.parametrize(
    ("params", "field", "reason"),
    [
        ({"start": "2026-03-01"}, "end", "请填写结束日期"),
        ({"end": "2026-03-01"}, "start", "请填写开始日期"),
    ],
)
def test_one_end_of_a_range_left_blank_is_named_as_missing(
    hotline: Any, params: dict[str, str], field: str, reason: str
) -> None:
    """An outside tester got 结束日期应为有效日期 for an end date simply left blank."""
    response = signed_in(hotline.city.dave).get(f"{BASE}/figures", params)
    assert response.status_code == 422 and response.json()["detail"][field] == [reason]
    page = signed_in(hotline.city.dave).get(reverse("requests:rates"), params)
    assert page.status_code == 422 and reason in page.content.decode()


@pytest.mark.parametrize("unit", ["٣", "99999999999999999999"])
def test_the_page_reads_a_unit_id_as_the_api_does(hotline: Any, unit: str) -> None:
    """'٣' (Arabic-Indic 3) opened a unit on the page while the API refused it."""
    assert signed_in(hotline.city.dave).get(f"{BASE}/figures", {"unit": unit}).status_code == 422
    page = signed_in(hotline.city.dave).get(reverse("requests:rates"), {"unit": unit})
    assert page.status_code == 422 and "承办单位参数无效" in page.content.decode()


def test_a_week_not_yet_begun_is_refused(hotline: Any) -> None:
    next_week = timezone.localdate() + timedelta(days=7)
    response = signed_in(hotline.city.dave).get(f"{BASE}/weekly", {"week": f"{next_week:%Y-%m-%d}"})
    assert response.status_code == 422 and "尚未开始" in response.json()["message"]


def test_a_month_not_yet_begun_has_no_ranking(hotline: Any) -> None:
    next_month = add_months(current_month(), 1)
    response = signed_in(hotline.city.dave).get(f"{BASE}/ranking", {"month": f"{next_month:%Y-%m}"})
    assert response.status_code == 422 and "尚未开始" in response.json()["message"]
