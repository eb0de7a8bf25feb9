"""What an outside analyst found recounting the district's rates by hand: a garbled chart axis
(纵轴自 %85 起), the weights of the composite shown nowhere, a handler's ranking header that
counted only his units, a ranking Excel without its month, the area/unit difference
unexplained, no Excel of the ratings list, and the score hidden behind a sideways scroll on a
phone. (The ledger strip that did not add up: test_ratesfix_ledger_merged.py.)"""

from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from civicgrid.core.models import AuditLog
from civicgrid.requests.models import HandlingUnit
from civicgrid.requests.tests.test_rates import Board, board  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

WEIGHTS = (
    "综合得分 = 100 ×（响应率 × 0.1 + 解决率 × 0.45 + 满意率 × 0.45）；"
    "部分解决按 0.5 件计，基本满意按 0.8 件计。"
)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _book(response: Any) -> Any:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(BytesIO(content))


# 1. The chart axes -------------------------------------------------------------------------


def test_the_axis_labels_have_no_doubled_percent(board: Board, hotline: Any) -> None:  # noqa: F811
    client = _client(hotline.city.dave)
    month = {"month": f"{board.month:%Y-%m}"}
    rates = client.get(reverse("requests:rates"), month).content.decode()
    ranking = client.get(reverse("requests:ranking"), month).content.decode()
    assert "%%" not in rates and "%%" not in ranking
    assert "纵轴自 __n__ 起" in rates and '.replace("__n__", data.axis_min)' in rates
    assert "横轴自 __n__ 起" in ranking and '.replace("__n__", data.axis_min)' in ranking


# 2. The weights ----------------------------------------------------------------------------


def test_the_weights_are_said_on_every_page_file_and_answer(
    board: Board,  # noqa: F811
    hotline: Any,
    settings: Any,
) -> None:
    client = _client(hotline.city.dave)
    month = {"month": f"{board.month:%Y-%m}"}
    for name in ("requests:rates", "requests:ranking", "requests:weekly_report"):
        assert (
            WEIGHTS
            in client.get(reverse(name), month if name != "requests:weekly_report" else {}).content.decode()
        )
    summary = _book(client.get(reverse("requests:rates"), {**month, "format": "xlsx"}))["概况"]
    assert ["计算口径", "计算口径：" + WEIGHTS] in [[c.value for c in row] for row in summary.iter_rows()]
    weekly = _book(client.get(reverse("requests:weekly_report"), {"format": "xlsx"}))["概况"]
    assert "计算口径：" + WEIGHTS in [row[1].value for row in weekly.iter_rows()]
    ranking = _book(client.get(reverse("requests:ranking"), {**month, "format": "xlsx"}))["街道（乡镇）"]
    assert ranking["A2"].value == "计算口径：" + WEIGHTS
    expected = {
        "response": "0.1",
        "resolution": "0.45",
        "satisfaction": "0.45",
        "partly": "0.5",
        "basic": "0.8",
    }
    for path in ("/api/v1/rates/figures", "/api/v1/rates/ranking", "/api/v1/rates/weekly"):
        assert client.get(path, month if "weekly" not in path else {}).json()["weights"] == expected
    settings.RATES_WEIGHTS = {"response": 0.2, "resolution": 0.4, "satisfaction": 0.4}
    settings.RATES_PARTLY_SOLVED_WEIGHT = 0.6
    body = client.get(reverse("requests:rates"), month).content.decode()
    assert "响应率 × 0.2 + 解决率 × 0.4 + 满意率 × 0.4）；部分解决按 0.6 件计" in body


# 3. The handler's ranking header -----------------------------------------------------------


def test_a_handler_reads_how_many_take_part_and_how_many_he_sees(board: Board, hotline: Any) -> None:  # noqa: F811
    c = hotline.city
    moved = [u.pk for u in board.units[10:]]  # ten of the twenty serve subdistrict B
    HandlingUnit.objects.filter(pk__in=moved).update(node=c.sub_b, node_path=c.sub_b.path)
    page = _client(hotline.hank).get(reverse("requests:ranking"), {"month": f"{board.month:%Y-%m}"})
    subdistricts = next(b for b in page.context["boards"] if b["ranking"].kind == "subdistrict")
    assert subdistricts["hidden"] > 0 and subdistricts["ranked"], "the handler sees some, not all"
    shown = len(subdistricts["ranked"])
    assert shown == 10
    assert f"（参与排名 20 个，您可查看其中 {shown} 个" in page.content.decode()
    # The district leader sees them all: the header says so once.
    page = _client(hotline.city.dave).get(reverse("requests:ranking"), {"month": f"{board.month:%Y-%m}"})
    assert "（参与排名 20 个，先进类 2" in page.content.decode()


# 4. The ranking's Excel --------------------------------------------------------------------


def test_the_ranking_excel_says_its_month_and_leaves_last_month_empty(board: Board, hotline: Any) -> None:  # noqa: F811
    response = _client(hotline.city.dave).get(
        reverse("requests:ranking"), {"month": f"{board.month:%Y-%m}", "format": "xlsx"}
    )
    sheet = _book(response)["街道（乡镇）"]
    assert sheet["A1"].value == f"接诉即办月度排名 · {board.month.year}年{board.month.month}月 · 街道（乡镇）"
    assert sheet["A3"].value.startswith("分类口径：先进类为前 10%")
    assert sheet["A4"].value.startswith("参与排名 20 个")
    # The page's columns in its order: 上月 and 升降 after 重办率 (test_ratesfix_excel_columns.py).
    header = [c.value for c in sheet[5]]
    assert header[:2] == ["名次", "单位"] and header[10:12] == ["上月", "升降"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=6)]
    assert all(
        isinstance(r[10], int) for r in rows if r[0] is not None
    )  # every ranked unit was ranked before
    thin = next(r for r in rows if r[1] == "评价不足街道")
    assert thin[10] is None and thin[11] in (None, "")
    assert not any(r[10] == "—" or r[11] == "—" for r in rows)


def test_a_unit_new_to_the_ranking_has_an_empty_last_month(board: Board, hotline: Any) -> None:  # noqa: F811
    from civicgrid.requests.models import Rating

    Rating.objects.filter(unit=board.units[5], month__lt=board.month).delete()
    sheet = _book(
        _client(hotline.city.dave).get(
            reverse("requests:ranking"), {"month": f"{board.month:%Y-%m}", "format": "xlsx"}
        )
    )["街道（乡镇）"]
    row = next([c.value for c in r] for r in sheet.iter_rows(min_row=6) if r[1].value == board.units[5].name)
    assert row[0] is not None and row[10] is None and row[11] in (None, "")


# 6. Area and unit composites ---------------------------------------------------------------


def test_the_area_and_unit_difference_is_explained(board: Board, hotline: Any) -> None:  # noqa: F811
    client = _client(hotline.city.dave)
    month = f"{board.month:%Y-%m}"
    area = client.get(
        reverse("requests:rates"), {"node": str(hotline.city.sub_a.pk), "month": month}
    ).content.decode()
    unit = client.get(
        reverse("requests:rates"), {"unit": str(board.units[0].pk), "month": month}
    ).content.decode()
    ranking = client.get(reverse("requests:ranking"), {"month": month}).content.decode()
    assert "area-note" in area and "与月度排名中按承办单位" in area
    assert "area-note" not in unit
    assert "排名按承办单位统计" in ranking


# 7. The ratings list's Excel ---------------------------------------------------------------


def test_the_ratings_list_exports_what_it_lists(board: Board, hotline: Any) -> None:  # noqa: F811
    client = _client(hotline.city.dave)
    params = {"unit": str(board.units[3].pk), "month": f"{board.month:%Y-%m}", "outcome": "unsatisfied"}
    page = client.get(reverse("requests:rates_ratings"), params)
    assert "format=xlsx" in page.content.decode()
    response = client.get(reverse("requests:rates_ratings"), {**params, "format": "xlsx"})
    assert response.status_code == 200
    sheet = _book(response).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header, data = rows[0], rows[1:]
    # The page's columns in its order, then what a recount wants (test_ratesfix_excel_columns.py).
    names = "评价时间 诉求编号 标题 分类 承办单位 轮次 联系 解决情况 满意度 考核月份 诉求人 街道 社区"
    assert header == names.split()
    assert len(data) == page.context["page"].paginator.count == 3
    assert {r[4] for r in data} == {board.units[3].name}
    assert {r[11] for r in data} == {hotline.city.sub_a.name} and {r[12] for r in data} == {
        hotline.city.comm_a1.name
    }
    assert {r[8] for r in data} == {"不满意"} and {r[6] for r in data} == {"否"}
    assert AuditLog.objects.filter(verb="exchange.exported").exists()


def test_the_ratings_export_is_refused_without_the_export_capability(board: Board, hotline: Any) -> None:  # noqa: F811
    client = _client(hotline.hank)
    params = {"unit": hotline.sub_a_unit.pk, "month": f"{board.month:%Y-%m}", "format": "xlsx"}
    response = client.get(reverse("requests:rates_ratings"), params)
    assert response.status_code in (200, 403)
    if response.status_code == 200:  # a handler with EXPORT: only his scope, as the page
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# 8. The ranking on a phone -----------------------------------------------------------------


def test_score_and_class_follow_the_name(board: Board, hotline: Any) -> None:  # noqa: F811
    body = _client(hotline.city.dave).get(reverse("requests:ranking"), {"month": f"{board.month:%Y-%m}"})
    html = body.content.decode()
    table = html[html.index('<table class="ranking">') :]
    head = table[: table.index("</thead>")]
    order = [head.index(f">{name}<") for name in ("名次", "单位", "综合得分", "类别", "评价", "上月")]
    assert order == sorted(order)
