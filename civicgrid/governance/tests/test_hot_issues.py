"""Hot issues of the product's requests: clusters by place, time and words; scope; bad input."""

from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from civicgrid.core.errors import NotFound, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.governance import selectors
from civicgrid.governance.hot import hot_issues_compute, hot_issues_preview
from civicgrid.governance.models import HotIssue, HotIssueRun
from civicgrid.requests.models import Request
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.figures import Period, add_months
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db

LIFT = [
    ("3号楼电梯坏了", "小区3号楼电梯停运三天了，老人上下楼很困难"),
    ("电梯停运没人修", "3号楼电梯又坏了，物业一直不修"),
    ("电梯故障困人", "3号楼电梯经常故障，昨天还困了人"),
    ("电梯坏了三天", "我们楼电梯坏了三天了，物业说在等配件"),
    ("3号楼电梯又停了", "电梯停运，物业不管，请督促维修电梯"),
]
VENDING = [
    ("门口占道经营", "小区门口早上有人占道摆摊卖菜，堵住人行道"),
    ("占道摆摊堵路", "小区门口摆摊占道经营，行人没法走"),
    ("早市占道经营", "门口早市摆摊占用人行道，垃圾也没人清理"),
]


def month_at(month_offset: int, day: int, hour: int = 10) -> datetime:
    month = add_months(current_month(), month_offset)
    return datetime.combine(month.replace(day=day), time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def september(hotline: Hotline, make: Callable[..., Request]) -> Period:
    """Two months ago: lifts in A1 (5, one caller twice), vending in A1 (3), lifts in B1 (3),
    one-off noise; a month before: one lift request in A1 (the previous period)."""
    for i, (title, content) in enumerate(LIFT):
        make(title, content, at=month_at(-2, 3 + i), grid="a1_1", phone="13900000001" if i < 2 else None)
    for i, (title, content) in enumerate(VENDING):
        make(title, content, at=month_at(-2, 5 + i), grid="a1_2", category=hotline.street_vending)
    for i, (title, content) in enumerate(LIFT[:3]):
        make(title, content, at=month_at(-2, 10 + i), grid="b1_1")
    make("楼下夜间施工", "晚上十一点还在施工，噪音很大", at=month_at(-2, 8), category=hotline.noise)
    make("家里暖气不热", "暖气片是凉的", at=month_at(-2, 9), category=hotline.noise)
    make(*LIFT[0], at=month_at(-3, 20), grid="a1_1")
    return Period.month(add_months(current_month(), -2))


def test_clusters_are_one_problem_in_one_place(hotline: Hotline, september: Period) -> None:
    city = hotline.city
    run = hot_issues_compute(actor=city.dave, node=city.district, period=september)
    issues = list(run.issues.order_by("rank"))
    assert [(i.node.name, i.count) for i in issues] == [
        ("胜利门社区", 5),
        ("胜利门二网格", 3),
        ("通江一网格", 3),
    ] or [(i.node.name, i.count) for i in issues] == [
        ("胜利门一网格", 5),
        ("胜利门二网格", 3),
        ("通江一网格", 3),
    ]
    lift = issues[0]
    assert lift.category_prefix == "0101"
    assert lift.requesters == 4  # one caller called twice
    assert lift.previous_count == 1
    assert lift.growth == pytest.approx(4.0)
    assert "电梯" in lift.keywords
    assert lift.members.count() == 5
    assert all("电梯" in r.title for r in selectors.issue_requests(lift))
    assert {r.title for r in selectors.issue_requests(issues[1])} == {t for t, _ in VENDING}
    assert lift.lon is not None and 120.30 < lift.lon < 120.31
    assert AuditLog.objects.filter(verb="governance.hot_computed", target_id=str(run.pk)).count() == 1


def test_heat_ranks_growth_and_people(hotline: Hotline, september: Period) -> None:
    run = hot_issues_compute(actor=hotline.city.dave, node=hotline.city.district, period=september)
    heats = list(run.issues.order_by("rank").values_list("heat", flat=True))
    assert heats == sorted(heats, reverse=True)
    # 5 requests, 4 people, grew from 1 to 5 (growth capped at 4): (5+4)/2 · (1 + 0.5·4) = 13.5
    assert heats[0] == pytest.approx(13.5)


def test_outsider_sees_no_hot_issue_of_another_community(hotline: Hotline, september: Period) -> None:
    city = hotline.city
    run = hot_issues_compute(actor=city.dave, node=city.district, period=september)
    with pytest.raises(NotFound):
        selectors.node_for(city.carol, city.district.pk)
    with pytest.raises(NotFound):
        selectors.node_for(city.carol, city.comm_a1.pk)
    assert not selectors.run_issues(city.carol, run).filter(node_path__startswith=city.comm_a1.path).exists()
    a1_issue = run.issues.get(rank=1)
    with pytest.raises(NotFound):
        selectors.hot_issue_get(city.carol, a1_issue.pk)
    before = AuditLog.objects.count()
    with pytest.raises(PermissionDenied):
        hot_issues_compute(actor=city.carol, node=city.comm_a1, period=september)
    assert AuditLog.objects.count() == before
    # Her own community she previews (saving a run takes TOPIC_MANAGE: leaders).
    _run, own = hot_issues_preview(actor=city.carol, node=city.comm_b1, period=september)
    assert [i.node_path.startswith(city.comm_b1.path) for i in own] == [True]
    with pytest.raises(PermissionDenied):
        hot_issues_compute(actor=city.carol, node=city.comm_b1, period=september)
    assert AuditLog.objects.count() == before


def test_empty_period_and_bad_period(hotline: Hotline) -> None:
    city = hotline.city
    run = hot_issues_compute(actor=city.dave, node=city.district, period=Period.month(current_month()))
    assert run.issues.count() == 0
    with pytest.raises(ValidationError):
        hot_issues_compute(
            actor=city.dave,
            node=city.district,
            period=Period(current_month(), current_month() - timedelta(days=3)),
        )
    assert HotIssueRun.objects.count() == 1
    assert HotIssue.objects.count() == 0
