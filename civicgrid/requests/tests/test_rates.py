"""The three rates, the monthly ranking and the weekly report: exact figures, scope, pages."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from io import BytesIO
from itertools import count
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.core.errors import ValidationError
from civicgrid.requests import services
from civicgrid.requests.constants import Action, Status, UnitKind
from civicgrid.requests.models import HandlingUnit, Rating, Request, RequestEvent
from civicgrid.requests.rates import (
    Counts,
    Period,
    by_paths,
    by_unit,
    cells,
    ranking,
    ranking_recompute_check,
    rates_of,
    raw_cells,
    rollup_build,
    rollup_cells,
)
from civicgrid.requests.rates.access import scope_target, units_visible
from civicgrid.requests.rates.cells import AUTO, RAW, ROLLUP, Slice, current_month
from civicgrid.requests.rates.figures import add_months, rounded
from civicgrid.requests.rates.ranking import RankClass, share_count
from civicgrid.requests.rates.report import weekly_report, weekly_report_xlsx
from civicgrid.requests.rollups import RateRollup, RateRollupMonth
from civicgrid.territory.models import Node

pytestmark = pytest.mark.django_db

_numbers: Iterator[int] = count(1)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def last_month() -> date:
    return add_months(current_month(), -1)


def make_request(node: Node, unit: HandlingUnit | None, received: datetime) -> Request:
    return Request.objects.create(
        number=f"T{next(_numbers):09d}",
        channel="hotline",
        type="complaint",
        title="测试诉求",
        content="测试内容",
        node=node,
        node_path=node.path,
        lead_unit=unit,
        received_at=received,
    )


def rate(
    request: Request,
    when: datetime,
    *,
    contacted: bool = True,
    resolution: str = "solved",
    satisfaction: str = "satisfied",
    round: int = 1,
) -> Rating:
    return Rating(
        request=request,
        round=round,
        unit=request.lead_unit,
        node_path=request.node_path,
        month=timezone.localtime(when).date().replace(day=1),
        contacted=contacted,
        resolution=resolution,
        satisfaction=satisfaction,
        via=Rating.Via.CALLBACK,
        created_at=when,
    )


def event(request: Request, action: str, when: datetime, unit: HandlingUnit | None = None) -> RequestEvent:
    return RequestEvent.objects.create(request=request, action=action, unit=unit, created_at=when)


# Formulas ------------------------------------------------------------------------------------

HAND_MADE = [  # (contacted, resolution, satisfaction): 10 ratings with known answers
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


@pytest.fixture
def hand_made(hotline: Any) -> Request:
    """Nine requests rated once and one reopened request rated twice, in sub A last month."""
    month = last_month()
    first = None
    for i, (contacted, resolution, satisfaction) in enumerate(HAND_MADE):
        when = at(month + timedelta(days=i))
        if i < 9:
            request = make_request(hotline.city.grid_a1_1, hotline.sub_a_unit, when)
            first = first or request
            rate(request, when, contacted=contacted, resolution=resolution, satisfaction=satisfaction).save()
        else:
            assert first is not None  # the reopened request, rated again: counts again
            rate(
                first, when, contacted=contacted, resolution=resolution, satisfaction=satisfaction, round=2
            ).save()
    requests = list(Request.objects.filter(lead_unit=hotline.sub_a_unit).order_by("id"))
    for request in requests[:4]:
        event(request, Action.CLOSE, at(month, 15))
    event(requests[0], Action.REOPEN, at(month, 16), unit=hotline.sub_a_unit)
    return requests[0]


def test_formulas_on_hand_made_ratings(hotline: Any, hand_made: Request) -> None:
    found, source = cells(Period.month(last_month()), Slice(unit_ids=frozenset({hotline.sub_a_unit.pk})))
    assert source == RAW
    counts = by_unit(found)[hotline.sub_a_unit.pk]
    assert counts == Counts(
        rated=10,
        contacted=9,
        solved=6,
        partly=2,
        unsolved=2,
        satisfied=5,
        basic=3,
        unsatisfied=2,
        received=9,
        closed=4,
        reopened=1,
    )
    r = rates_of(counts)
    assert r.response == Fraction(9, 10)
    assert r.resolution == Fraction(7, 10)  # (6 + 0.5·2) / 10
    assert r.satisfaction == Fraction(37, 50)  # (5 + 0.8·3) / 10
    assert r.composite == Fraction(369, 5)  # 100·(0.1·0.9 + 0.45·0.7 + 0.45·0.74) = 73.8
    assert r.rework == Fraction(1, 4)
    assert r.display() == {
        "response": "90.00%",
        "resolution": "70.00%",
        "satisfaction": "74.00%",
        "composite": "73.80",
        "rework": "25.00%",
    }


def test_display_rounds_half_up_from_exact_fractions_and_empty_sets_show_a_dash() -> None:
    r = rates_of(Counts(rated=3, contacted=2, solved=1, satisfied=1, basic=1, closed=0))
    assert r.display()["response"] == "66.67%"
    assert r.display()["resolution"] == "33.33%"
    assert r.satisfaction == Fraction(3, 5)  # (1 + 0.8) / 3
    assert rates_of(Counts(rated=8, contacted=1)).display()["response"] == "12.50%"
    assert rounded(Fraction(1, 200)) == Decimal("0.01")  # exactly half: up
    assert rounded(Fraction(10**30 - 1, 2 * 10**32)) == Decimal("0.00")  # just under half: down
    empty = rates_of(Counts())
    assert empty.composite is None and empty.display()["composite"] == "—"


def test_weights_come_from_settings(settings: Any) -> None:
    settings.RATES_WEIGHTS = {"response": 0.2, "resolution": 0.4, "satisfaction": 0.4}
    settings.RATES_PARTLY_SOLVED_WEIGHT = 0
    r = rates_of(Counts(rated=4, contacted=4, solved=2, partly=2, satisfied=4))
    assert r.resolution == Fraction(1, 2)
    assert r.composite == 100 * (Fraction(1, 5) + Fraction(2, 5) * Fraction(1, 2) + Fraction(2, 5))


def test_date_range_counts_ratings_by_their_day(hotline: Any, hand_made: Request) -> None:
    month = last_month()
    week = Period(month, month + timedelta(days=2))
    found, source = cells(week, Slice(unit_ids=frozenset({hotline.sub_a_unit.pk})))
    assert source == RAW
    counts = by_unit(found)[hotline.sub_a_unit.pk]
    assert (counts.rated, counts.received, counts.closed, counts.reopened) == (3, 3, 4, 1)


# Grouping ------------------------------------------------------------------------------------


@pytest.fixture
def spread(hotline: Any) -> date:
    """Ratings last month for sub A (in A1), sub B (in B1), 城管局 (in A and B), and one
    direct close with no unit at the district level."""
    c, month = hotline.city, last_month()
    plan = [
        (c.grid_a1_1, hotline.sub_a_unit, 3, "solved"),
        (c.grid_a2_1, hotline.sub_a_unit, 2, "partly"),
        (c.grid_b1_1, hotline.sub_b_unit, 4, "unsolved"),
        (c.grid_a1_2, hotline.chengguan, 1, "solved"),
        (c.grid_b1_1, hotline.chengguan, 2, "partly"),
    ]
    ratings = []
    for node, unit, n, resolution in plan:
        for i in range(n):
            request = make_request(node, unit, at(month + timedelta(days=i)))
            ratings.append(rate(request, at(month + timedelta(days=i), 11), resolution=resolution))
            event(request, Action.CLOSE, at(month + timedelta(days=i), 12))
    Rating.objects.bulk_create(ratings)
    answered = make_request(c.district, None, at(month, 9))
    event(answered, Action.DIRECT_CLOSE, at(month, 9))
    return month


def test_grouping_by_unit(hotline: Any, spread: date) -> None:
    grouped = by_unit(raw_cells(Period.month(spread)))
    a, b, cg = hotline.sub_a_unit.pk, hotline.sub_b_unit.pk, hotline.chengguan.pk
    assert (grouped[a].rated, grouped[a].solved, grouped[a].partly) == (5, 3, 2)
    assert (grouped[b].rated, grouped[b].unsolved) == (4, 4)
    assert (grouped[cg].rated, grouped[cg].solved, grouped[cg].partly, grouped[cg].closed) == (3, 1, 2, 3)
    assert grouped[None] == Counts(received=1, closed=1)


def test_grouping_by_territory_node(hotline: Any, spread: date) -> None:
    c = hotline.city
    paths = [c.district.path, c.sub_a.path, c.sub_b.path, c.comm_a1.path, c.grid_b1_1.path]
    grouped = by_paths(raw_cells(Period.month(spread)), paths)
    assert grouped[c.sub_a.path].rated == 6  # 3 + 2 of sub A and 1 of 城管局 in A1-2
    assert grouped[c.sub_b.path].rated == 6  # 4 of sub B and 2 of 城管局
    assert grouped[c.comm_a1.path].rated == 4  # grids A1-1 and A1-2 only
    assert grouped[c.grid_b1_1.path].rated == 6
    assert grouped[c.district.path].rated == 12
    assert grouped[c.district.path].closed == 13  # the direct close counts for the district


# Ranking -------------------------------------------------------------------------------------

# Unit i ranks i+1 this month; its rank last month:
PREVIOUS = [10, 1, 2, 3, 4, 8, 5, 6, 7, 9, 14, 11, 12, 13, 15, 16, 17, 18, 19, 20]
RATINGS_EACH = 20


@dataclass
class Board:
    month: date
    units: list[HandlingUnit]
    thin: HandlingUnit


def _rate_unit(unit: HandlingUnit, node: Node, month: date, good: int, total: int) -> list[Rating]:
    request = make_request(node, unit, at(month, 8))
    return [
        rate(
            request,
            at(month + timedelta(days=i % 20), 12),
            round=i + 1,
            contacted=i < good,
            resolution="solved" if i < good else "unsolved",
            satisfaction="satisfied" if i < good else "unsatisfied",
        )
        for i in range(total)
    ]


@pytest.fixture
def board(hotline: Any) -> Board:
    """Twenty subdistrict units with distinct scores (unit i: 20 − i good ratings of 20), one
    with only four ratings; unit 18 received many requests, unit 19 few."""
    c, month = hotline.city, last_month()
    units = [
        HandlingUnit.objects.create(
            code=f"S{10 + i}",
            name=f"测试街道{i:02d}",
            kind=UnitKind.SUBDISTRICT,
            node=c.sub_a,
            node_path=c.sub_a.path,
        )
        for i in range(20)
    ]
    thin = HandlingUnit.objects.create(
        code="S99", name="评价不足街道", kind=UnitKind.SUBDISTRICT, node=c.sub_b, node_path=c.sub_b.path
    )
    ratings: list[Rating] = []
    for i, unit in enumerate(units):
        ratings += _rate_unit(unit, c.grid_a1_1, month, RATINGS_EACH - i, RATINGS_EACH)
        ratings += _rate_unit(unit, c.grid_a1_1, add_months(month, -1), 21 - PREVIOUS[i], RATINGS_EACH)
        extra = {18: 49, 0: 39, 1: 39, 2: 39}.get(i, 0)  # one request each is already there
        for _ in range(extra):
            make_request(c.grid_a1_1, unit, at(month, 9))
    ratings += _rate_unit(thin, c.grid_b1_1, month, 4, 4)
    Rating.objects.bulk_create(ratings)
    return Board(month, units, thin)


def test_the_bottom_list_is_left_out_where_it_would_repeat_the_table(board: Board, settings: Any) -> None:
    settings.RATES_BOTTOM_LIST = 20  # as many as are ranked
    assert ranking(board.month, UnitKind.SUBDISTRICT).bottom == []
    settings.RATES_BOTTOM_LIST = 19
    bottom = ranking(board.month, UnitKind.SUBDISTRICT).bottom
    assert [r.code for r in bottom] == [f"S{29 - i}" for i in range(19)]
    assert [r.rank for r in bottom] == list(range(20, 1, -1))


def test_ranking_classes_on_a_constructed_month(board: Board, hotline: Any) -> None:
    result = ranking(board.month, UnitKind.SUBDISTRICT)
    ranks = {r.unit_id: r.rank for r in result.ranked}
    assert [ranks[u.pk] for u in board.units] == list(range(1, 21))
    classes = {u.code: "" for u in board.units} | {r.code: r.klass for r in result.ranked}
    assert {code for code, k in classes.items() if k == RankClass.ADVANCED} == {"S10", "S11"}
    assert {code for code, k in classes.items() if k == RankClass.GOVERNANCE} == {"S28"}
    assert {code for code, k in classes.items() if k == RankClass.RECTIFICATION} == {"S29"}
    # S20 rose from 14th to 11th (3 places); S15 rose 2; S10 rose 9 but is advanced.
    assert {code for code, k in classes.items() if k == RankClass.IMPROVING} == {"S20"}
    assert [r.code for r in result.bottom] == [f"S{29 - i}" for i in range(10)]  # the last first
    unranked = {r.code for r in result.unranked}
    assert unranked == {"S99", hotline.sub_a_unit.code, hotline.sub_b_unit.code}
    thin = next(r for r in result.unranked if r.code == "S99")
    assert thin.rank is None and thin.counts.rated == 4
    top = result.ranked[0]
    assert top.rates.composite == 100 and top.previous_rank == 10 and top.movement == "↑9"


def test_equal_scores_share_a_rank_and_shares_round_down_but_cover_one() -> None:
    from civicgrid.requests.rates.ranking import _competition_ranks

    assert _competition_ranks({1: Fraction(9), 2: Fraction(8), 3: Fraction(8), 4: Fraction(7)}) == {
        1: 1,
        2: 2,
        3: 2,
        4: 4,
    }
    assert [share_count(Fraction(1, 10), n) for n in (0, 1, 9, 10, 19, 20, 300)] == [0, 1, 1, 1, 1, 2, 30]


def test_recompute_check_equal_before_and_after_rollup(board: Board) -> None:
    check = ranking_recompute_check(board.month)
    assert check.ok and check.sources[UnitKind.SUBDISTRICT] == RAW
    assert check.compared == 23 + 2 + 1  # subdistrict units, departments, the water company
    rollup_build(board.month)
    rollup_build(add_months(board.month, -1))
    check = ranking_recompute_check(board.month)
    assert check.sources[UnitKind.SUBDISTRICT] == ROLLUP
    assert check.ok, check.differences


def test_ranking_reads_a_fixed_number_of_queries(board: Board, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(9):  # units; per month: "built?" and 3 aggregates of raw rows
        ranking(board.month, UnitKind.SUBDISTRICT)
    rollup_build(board.month)
    rollup_build(add_months(board.month, -1))
    with django_assert_max_num_queries(5):  # units, then "built?" and one sum per month
        assert ranking(board.month, UnitKind.SUBDISTRICT).source == ROLLUP


def test_recompute_check_finds_a_tampered_rollup(board: Board) -> None:
    rollup_build(board.month)
    row = RateRollup.objects.filter(month=board.month, unit=board.units[5]).get()
    RateRollup.objects.filter(pk=row.pk).update(satisfied=row.satisfied - 1, unsatisfied=row.unsatisfied + 1)
    check = ranking_recompute_check(board.month)
    assert not check.ok
    assert any(f"单位#{board.units[5].pk}" in d for d in check.differences)


# Rollup == raw ----------------------------------------------------------------------------


def test_rollup_equals_raw_for_units_and_nodes(hotline: Any, spread: date, hand_made: Request) -> None:
    c = hotline.city
    period = Period.month(spread)
    raw = raw_cells(period)
    marker = rollup_build(spread)
    assert marker.rated == sum(x.rated for x in raw.values()) == 22
    rolled = rollup_cells(spread)
    assert by_unit(rolled) == by_unit(raw)
    paths = ["", c.city.path, c.district.path, c.sub_a.path, c.sub_b.path]
    assert by_paths(rolled, paths) == by_paths(raw, paths)
    assert {area for _, area in rolled} == {c.sub_a.path, c.sub_b.path, c.district.path}
    for target_paths in [(c.sub_a.path,), (c.district.path,)]:
        found, source = cells(period, Slice(paths=target_paths))
        assert source == ROLLUP
        assert found == rollup_cells(spread, Slice(paths=target_paths))
    found, source = cells(period, Slice(paths=(c.comm_a1.path,)))  # below the subdistricts: raw
    assert source == RAW and by_paths(found, [c.comm_a1.path]) == by_paths(raw, [c.comm_a1.path])


def test_rollup_rebuild_is_idempotent_and_the_current_month_is_built_too(hotline: Any, spread: date) -> None:
    rollup_build(spread)
    first = set(RateRollup.objects.filter(month=spread).values_list("unit_id", "area_path", "rated"))
    rollup_build(spread)
    again = list(RateRollup.objects.filter(month=spread).values_list("unit_id", "area_path", "rated"))
    assert len(again) == len(first) == 5 and set(again) == first
    _, source = cells(Period.month(current_month()), source=AUTO)
    assert source == RAW  # not built yet
    rollup_build(current_month())
    _, source = cells(Period.month(current_month()), source=AUTO)
    assert source == ROLLUP
    with pytest.raises(ValidationError) as excinfo:
        rollup_build(add_months(current_month(), 1))
    assert "month" in excinfo.value.errors
    assert not RateRollupMonth.objects.filter(month=add_months(current_month(), 1)).exists()


def test_rates_rollup_command(hotline: Any, spread: date, capsys: Any) -> None:
    call_command("rates_rollup", "--month", f"{spread:%Y-%m}")
    assert "评价 12 件次" in capsys.readouterr().out
    assert RateRollupMonth.objects.filter(month=spread).exists()
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("rates_rollup", "--month", "2026/10")
    with pytest.raises(CommandError, match="尚未开始"):
        call_command("rates_rollup", "--month", f"{add_months(current_month(), 1):%Y-%m}")
    call_command("rates_rollup", "--tick")
    assert "新生成汇总" in capsys.readouterr().out
    assert RateRollupMonth.objects.filter(month=current_month()).exists()


# Scope ---------------------------------------------------------------------------------------


def test_outsider_community_worker_sees_only_their_area(hotline: Any, spread: date) -> None:
    c = hotline.city
    carol_target = scope_target(c.carol)
    assert carol_target.paths == (c.comm_b1.path,)
    found, _ = cells(Period.month(spread), carol_target.slice)
    assert by_paths(found, [""])[""].rated == 6  # only the ratings of places in 通江社区
    assert list(units_visible(c.carol)) == []
    client = Client()
    client.force_login(c.carol)
    page = client.get(reverse("requests:rates"), {"node": c.sub_a.pk, "month": f"{spread:%Y-%m}"})
    assert page.status_code == 404
    page = client.get(reverse("requests:rates"), {"unit": hotline.sub_a_unit.pk})
    assert page.status_code == 404
    page = client.get(reverse("requests:ranking"), {"month": f"{spread:%Y-%m}"})
    assert page.status_code == 200 and "崇安寺街道办事处" not in page.content.decode()
    dave = Client()
    dave.force_login(c.dave)
    assert (
        "崇安寺街道办事处"
        in dave.get(reverse("requests:ranking"), {"month": f"{spread:%Y-%m}"}).content.decode()
    )


def test_weekly_report_is_cut_to_the_actor_scope(hotline: Any) -> None:
    c = hotline.city
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7)
    for node, unit in ((c.grid_a1_1, hotline.sub_a_unit), (c.grid_b1_1, hotline.sub_b_unit)):
        request = make_request(node, unit, at(monday + timedelta(days=1)))
        rate(request, at(monday + timedelta(days=2))).save()
    assert weekly_report(c.carol, monday).intake == 1
    assert weekly_report(c.carol, monday).rates.counts.rated == 1
    assert weekly_report(c.dave, monday).intake == 2


def test_weekly_report_counts_overdue_as_of_the_end_of_a_past_week(hotline: Any) -> None:
    """A past week's overdue figure is what was overdue when it ended, not today's count."""
    c = hotline.city
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 14)
    sunday_night = at(monday + timedelta(days=7), 0)

    def overdue_one(**times: Any) -> Request:
        request = make_request(c.grid_a1_1, hotline.sub_a_unit, at(monday))
        fields = {"status": Status.IN_PROGRESS, "dispatched_at": at(monday), **times}
        Request.objects.filter(pk=request.pk).update(**fields)
        return request

    overdue_one(due_resolution_at=at(monday + timedelta(days=2)))  # still open: counted
    for _ in range(2):  # replied late, in the following week: overdue at the week's end
        overdue_one(
            due_resolution_at=at(monday + timedelta(days=3)),
            replied_at=sunday_night + timedelta(days=2),
            status=Status.REPLIED,
        )
    overdue_one(  # replied in time
        due_resolution_at=at(monday + timedelta(days=4)),
        replied_at=at(monday + timedelta(days=3)),
        status=Status.REPLIED,
    )
    overdue_one(due_resolution_at=sunday_night + timedelta(days=1))  # due only after the week
    overdue_one(due_resolution_at=at(monday + timedelta(days=1)), status=Status.SUSPENDED)  # clock stopped
    report = weekly_report(c.dave, monday)
    assert report.overdue == 3 and not report.is_live  # today's count would be 2
    # The next week: the open one and the one due in it; the late ones were replied in it.
    assert weekly_report(c.dave, monday + timedelta(days=7)).overdue == 2
    assert weekly_report(c.dave, timezone.localdate()).is_live


def test_the_top_ten_categories_keep_every_one_tied_at_the_tenth(hotline: Any) -> None:
    """Nine categories with two requests and three with one: the three tied tenths all show
    (a cut at ten picked one of them by name)."""
    from civicgrid.requests.models import CatalogueVersion
    from civicgrid.requests.tests.conftest import leaf

    c = hotline.city
    version = CatalogueVersion.objects.get(is_current=True)
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7)
    for i in range(12):
        category = leaf(version, f"09{i:02d}01", ("测试", f"小类{i:02d}", f"事项{i:02d}"))
        for _ in range(2 if i < 9 else 1):
            Request.objects.filter(pk=make_request(c.grid_a1_1, None, at(monday, 10)).pk).update(
                category=category
            )
    report = weekly_report(c.dave, monday)
    assert [n for _, n in report.top_categories] == [2] * 9 + [1] * 3 and report.top_tied
    client = Client()
    client.force_login(c.dave)
    page = client.get(reverse("requests:weekly_report"), {"week": f"{monday:%Y-%m-%d}"}).content.decode()
    assert "测试/小类11/事项11" in page and "第十名有并列" in page


def test_a_week_not_yet_begun_is_refused(hotline: Any) -> None:
    client = Client()
    client.force_login(hotline.city.dave)
    next_week = timezone.localdate() + timedelta(days=7)
    response = client.get(reverse("requests:weekly_report"), {"week": f"{next_week:%Y-%m-%d}"})
    assert response.status_code == 422 and "尚未开始" in response.content.decode()


# Pages ---------------------------------------------------------------------------------------

PAGES = ["requests:rates", "requests:ranking", "requests:weekly_report"]


@pytest.mark.parametrize("who", ["olivia", "bob", "dave", "carol"])
def test_pages_render_for_roles_with_rates_view(hotline: Any, spread: date, who: str) -> None:
    client = Client()
    client.force_login(getattr(hotline.city, who))
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    assert "三率统计" in client.get(reverse("requests:rates")).content.decode()


def test_pages_render_for_a_handler(hotline: Any, spread: date) -> None:
    client = Client()
    client.force_login(hotline.hank)
    page = client.get(reverse("requests:rates"), {"unit": hotline.sub_a_unit.pk, "month": f"{spread:%Y-%m}"})
    assert page.status_code == 200
    assert "100.00%" in page.content.decode()  # all of sub A's ratings were contacted
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200


def test_weekly_report_opens_on_the_last_complete_week(hotline: Any) -> None:
    client = Client()
    client.force_login(hotline.city.dave)
    today = timezone.localdate()
    last_monday = today - timedelta(days=today.weekday() + 7)
    page = client.get(reverse("requests:weekly_report"))
    assert page.context["report"].period.start == last_monday
    assert page.context["has_next"] and not page.context["is_live"]
    assert "本周至今" in page.content.decode()
    current = client.get(reverse("requests:weekly_report"), {"week": f"{today:%Y-%m-%d}"})
    assert current.context["report"].period.start == last_monday + timedelta(days=7)
    assert current.context["is_live"] and not current.context["has_next"]  # no link to a week not begun
    assert "本周尚未结束" in current.content.decode()


@pytest.mark.parametrize("who", ["alice", "sysadmin"])
def test_pages_refuse_roles_without_rates_view(hotline: Any, who: str) -> None:
    client = Client()
    client.force_login(getattr(hotline.city, who))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("requests:weekly_report"), {"format": "xlsx"}).status_code == 403


def test_anonymous_is_sent_to_login(hotline: Any) -> None:
    response = Client().get(reverse("requests:rates"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_bad_parameters_name_the_field(hotline: Any) -> None:
    client = Client()
    client.force_login(hotline.city.dave)
    response = client.get(reverse("requests:rates"), {"month": "2026-13"})
    assert response.status_code == 422 and "month" in response.content.decode()
    response = client.get(reverse("requests:rates"), {"start": "2026-10-05", "end": "2026-10-01"})
    assert response.status_code == 422 and "end" in response.content.decode()
    response = client.get(
        reverse("requests:rates"), {"unit": hotline.sub_a_unit.pk, "node": hotline.city.sub_a.pk}
    )
    assert response.status_code == 422
    response = client.get(reverse("requests:ranking"), {"month": "abc"})
    assert response.status_code == 422
    response = client.get(reverse("requests:weekly_report"), {"week": "yesterday"})
    assert response.status_code == 422 and "week" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("requests:rates", {"month": "2026-13"}, 'name="month"'),
        ("requests:ranking", {"month": "abc"}, 'name="month"'),
        ("requests:weekly_report", {"week": "0001-99-01"}, 'name="week"'),
    ],
)
def test_a_bad_filter_keeps_the_page_and_its_form(
    hotline: Any, name: str, params: dict[str, str], field: str
) -> None:
    """Found by exploratory testing: a bad filter replaced the whole page with a generic error."""
    client = Client()
    client.force_login(hotline.city.dave)
    page = client.get(reverse(name), params).content.decode()
    assert "筛选条件有误" in page and field in page and "无法完成操作" not in page


def test_rates_page_ranks_a_date_range_and_a_node(hotline: Any, spread: date) -> None:
    client = Client()
    client.force_login(hotline.city.dave)
    response = client.get(
        reverse("requests:rates"),
        {
            "target": f"node:{hotline.city.sub_b.pk}",
            "start": f"{spread:%Y-%m-%d}",
            "end": f"{spread + timedelta(days=27):%Y-%m-%d}",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "通江街道" in body and "至" in body
    assert "100.00%" in body  # response rate: all contacted


def test_ranking_header_counts_only_what_the_reader_sees(board: Board, hotline: Any) -> None:
    """Found by exploratory testing: a handler saw 参与排名 20 个，先进类 2 … above 本月没有可排名的单位."""
    client = Client()
    client.force_login(hotline.city.dave)
    page = client.get(reverse("requests:ranking"), {"month": f"{board.month:%Y-%m}"}).content.decode()
    assert "（参与排名 20 个，先进类 2，进步类 1，整改类 1，治理类 1）" in page
    client.force_login(hotline.city.bob)  # a community worker of A1: no ranked unit in A1
    page = client.get(reverse("requests:ranking"), {"month": f"{board.month:%Y-%m}"}).content.decode()
    assert "（参与排名" not in page and "先进类 2" not in page
    # Not "none ranked this month" (an outside tester: 12 were, the reader sees none of them).
    assert "该月有 20 个单位参与排名，均不在您的统计范围内" in page
    assert "由原始记录重算核对" not in page  # the recount covers units beyond the reader's scope
    assert "测试街道00" not in page


@pytest.mark.parametrize(
    ("name", "params", "reason"),
    [
        ("requests:ranking", {"month": "2030-01"}, "所选月份尚未开始"),
        ("requests:ranking", {"month": "9999-12"}, "日期应在"),
        ("requests:ranking", {"month": "0001-01"}, "日期应在"),
        ("requests:rates", {"month": "9999-12"}, "日期应在"),
        ("requests:rates", {"month": "2099-12"}, "所选月份尚未开始"),
        ("requests:rates", {"start": "2099-01-01", "end": "2099-02-01"}, "开始日期晚于今天"),
        ("requests:rates", {"start": "0001-01-01", "end": "2026-01-01"}, "日期应在"),
        ("requests:weekly_report", {"week": "0001-01-01"}, "日期应在"),
        ("requests:weekly_report", {"week": "9999-12-31"}, "日期应在"),
    ],
)
def test_a_month_not_begun_or_off_the_calendar_keeps_the_page(
    hotline: Any, name: str, params: dict[str, str], reason: str
) -> None:
    """Found by exploratory testing: 2030-01 answered 200 with a live preview of zeros; 9999-12,
    0001-01 and week 0001-01-01 gave the generic error page without the form."""
    client = Client()
    client.force_login(hotline.city.dave)
    response = client.get(reverse(name), params)
    page = response.content.decode()
    assert response.status_code == 422
    assert "筛选条件有误" in page and reason in page and "<form" in page and "无法完成操作" not in page
    assert "实时预览" not in page or name != "requests:ranking"


def test_the_current_month_is_still_a_live_preview(hotline: Any) -> None:
    client = Client()
    client.force_login(hotline.city.dave)
    response = client.get(reverse("requests:ranking"), {"month": f"{timezone.localdate():%Y-%m}"})
    assert response.status_code == 200 and "实时预览" in response.content.decode()


def test_ranking_page_shows_the_check(board: Board, hotline: Any) -> None:
    client = Client()
    client.force_login(hotline.city.dave)
    response = client.get(reverse("requests:ranking"), {"month": f"{board.month:%Y-%m}", "check": "1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "核对一致" in body and "先进类" in body and "治理类" in body and "评价不足" in body
    # A community worker sees a few units at most: no recount of the whole district for him.
    client.force_login(hotline.city.bob)
    response = client.get(reverse("requests:ranking"), {"month": f"{board.month:%Y-%m}", "check": "1"})
    body = response.content.decode()
    assert "核对一致" not in body and "由原始记录重算核对" not in body


def test_weekly_report_excel_opens_and_contains_the_figures(hotline: Any) -> None:
    c = hotline.city
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7)
    for i, (resolution, satisfaction) in enumerate([("solved", "satisfied"), ("partly", "basic")]):
        request = make_request(c.grid_a1_1, hotline.sub_a_unit, at(monday + timedelta(days=i)))
        rate(request, at(monday + timedelta(days=3)), resolution=resolution, satisfaction=satisfaction).save()
        event(request, Action.CLOSE, at(monday + timedelta(days=3), 11))
    client = Client()
    client.force_login(c.dave)
    response = client.get(reverse("requests:weekly_report"), {"week": f"{monday:%Y-%m-%d}", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sunday = monday + timedelta(days=6)
    assert f"{monday:%Y-%m-%d}%E8%87%B3{sunday:%Y-%m-%d}.xlsx" in response["Content-Disposition"]  # 至
    assert "%E6%8E%A5%E8%AF%89%E5%8D%B3%E5%8A%9E" in response["Content-Disposition"]  # 接诉即办
    wb = load_workbook(BytesIO(response.content))
    assert {"概况", "渠道", "类型", "一级分类", "热点分类", "街道热点", "排名摘要"} <= set(wb.sheetnames)
    summary = {row[0].value: row[1] for row in wb["概况"].iter_rows(min_row=2)}
    assert summary["受理诉求（件）"].value == 2
    assert summary["办结诉求（件）"].value == 2
    # Numbers a leader can compute with, shown as the page shows them.
    for name, value in [("响应率", 1.0), ("解决率", 0.75), ("满意率", 0.9)]:  # (1 + 0.5) / 2, (1 + 0.8) / 2
        assert summary[name].data_type == "n" and summary[name].value == value
        assert summary[name].number_format == "0.00%"
    composite = summary["综合得分"]  # 100·(0.1·1 + 0.45·0.75 + 0.45·0.9)
    assert composite.value == 84.25 and composite.data_type == "n" and composite.number_format == "0.00"
    assert summary["重办率"].value == 0 and summary["重办率"].number_format == "0.00%"
    sheet = wb["街道热点"]
    assert [c.value for c in sheet[1]][4:6] == ["响应率", "解决率"]
    hot = list(sheet.iter_rows(min_row=2))
    assert hot[0][0].value == "崇安寺街道" and hot[0][1].value == 2
    assert hot[0][4].value == 1.0 and hot[0][4].number_format == "0.00%"
    assert hot[0][7].value == 84.25 and hot[0][7].number_format == "0.00"
    # The sheet says which month's ranking it is, as the page's heading does (outside tester).
    report = weekly_report(c.dave, monday)
    assert report.ranking_month is not None
    notes = [row[1].value for row in wb["排名摘要"].iter_rows(min_row=2) if row[0].value in ("", None)]
    month = report.ranking_month
    assert not report.excerpt  # nothing ranked last month: no "共 0 个街道参与排名" (test_ratesfix_weekly)
    assert notes == [f"{month:%Y}年{month.month}月街道排名：暂无排名"]
    page = client.get(reverse("requests:weekly_report"), {"week": f"{monday:%Y-%m-%d}"})
    assert page.status_code == 200 and "@media print" in page.content.decode()


# End to end through the services -------------------------------------------------------------


def test_a_rating_through_the_services_shows_on_the_rates(hotline: Any) -> None:
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new())
    services.request_sign(actor=hotline.hank, request=request)
    request = services.request_reply(actor=hotline.hank, request=request, reply="已修复")
    request = services.request_verify(actor=c.alice, request=request, confirmed=True, note="正常")
    services.request_rate_by_link(
        token=request.rating_token, contacted=True, resolution="partly", satisfaction="basic"
    )
    found, source = cells(Period.month(current_month()), Slice(unit_ids=frozenset({hotline.sub_a_unit.pk})))
    assert source == RAW
    r = rates_of(by_unit(found)[hotline.sub_a_unit.pk])
    assert (r.counts.rated, r.counts.received, r.counts.closed) == (1, 1, 1)
    assert r.display()["resolution"] == "50.00%" and r.display()["satisfaction"] == "80.00%"


def test_a_week_of_the_first_year_has_no_ranking_month_or_week_before_to_link(hotline: Any) -> None:
    """A week in January 1900 linked to the ranking of 1899-12 and to the week before, both refused."""
    client = Client()
    client.force_login(hotline.city.dave)
    page = client.get(reverse("requests:weekly_report"), {"week": "1900-01-03"})
    body = page.content.decode()
    assert page.status_code == 200
    assert page.context["report"].period.start == date(1900, 1, 1)
    assert "month=1899-12" not in body and "四、街道排名摘要" not in body
    assert "week=1899-12-25" not in body and "上一周" not in body
    second = client.get(reverse("requests:weekly_report"), {"week": "1900-02-05"}).content.decode()
    assert "month=1900-01" in second and "上一周" in second


def test_weekly_report_excel_notes_a_tie_at_the_tenth_hot_category(hotline: Any) -> None:
    report = weekly_report(hotline.city.dave, timezone.localdate() - timedelta(days=7))
    report.top_categories = [(f"分类{n}", 12 - n if n < 9 else 3) for n in range(12)]  # tenth to twelfth: 3
    wb = load_workbook(BytesIO(weekly_report_xlsx(report)))
    rows = [[c.value for c in row] for row in wb["热点分类"].iter_rows(min_row=2)]
    assert len(rows) == 13
    assert rows[-1][0] == "第十名有并列，并列的分类一并列出（共 12 项）。"
    report.top_categories = report.top_categories[:10]
    rows = [
        [c.value for c in row]
        for row in load_workbook(BytesIO(weekly_report_xlsx(report)))["热点分类"].iter_rows(min_row=2)
    ]
    assert len(rows) == 10 and not any("并列" in str(r[0]) for r in rows)
