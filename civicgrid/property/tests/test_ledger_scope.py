"""A company's credit ledger lists only the rows in the reader's scope; the score still
counts every row, and the rest is one summary line (其他辖区 N 条，合计 X 分)."""

from django.urls import reverse

from civicgrid.property import services
from civicgrid.property.tests.conftest import World, today
from civicgrid.property.tests.test_api import Api
from civicgrid.property.tests.test_pages import client_for


def inspect(world: World) -> None:
    """lvcheng serves 胜利门花园 (bob's) and 通江苑 (carol's); each community inspects."""
    c = world.city
    world.start(world.shengli)
    world.start(world.tongjiang)
    services.inspection_record(
        actor=c.bob,
        compound=world.shengli,
        inspected_on=today(),
        items={"environment": services.ItemIn(deduction=2)},
    )
    services.inspection_record(
        actor=c.carol,
        compound=world.tongjiang,
        inspected_on=today(),
        items={"safety": services.ItemIn(deduction=3)},
    )


def test_the_company_page_lists_only_the_readers_rows(world: World) -> None:
    inspect(world)
    page = client_for(world.city.bob).get(reverse("property:company", args=[world.lvcheng.pk]))
    text = page.content.decode()
    assert "胜利门花园物业检查" in text
    assert "通江苑" not in text
    assert ">95<" in text  # 100 - 2 - 3: the score is the company's, whole
    assert "其他辖区 1 条，合计 -3 分" in text
    dave = client_for(world.city.dave).get(reverse("property:company", args=[world.lvcheng.pk]))
    assert "通江苑物业检查" in dave.content.decode() and "其他辖区" not in dave.content.decode()


def test_the_credit_api_lists_only_the_readers_rows(world: World) -> None:
    inspect(world)
    body = Api(world.city.bob).get("/credit", company=world.lvcheng.pk).json()
    assert body["score"] == 95 and body["count"] == 1
    assert [r["node"] for r in body["results"]] == ["胜利门花园"]
    assert (body["elsewhere_count"], body["elsewhere_points"]) == (1, -3)
    everything = Api(world.city.dave).get("/credit", company=world.lvcheng.pk).json()
    assert everything["count"] == 2 and everything["elsewhere_count"] == 0


def test_an_award_answers_with_the_summary_of_the_rows_elsewhere(world: World) -> None:
    inspect(world)
    answer = Api(world.hank).post(
        "/credit",
        {
            "company_id": world.lvcheng.pk,
            "node_id": world.city.sub_a.pk,
            "year": today().year,
            "points": 5,
            "reason": "示范点",
        },
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["score"] == 100 and body["count"] == 1 and body["results"][0]["reason"] == "示范点"
    assert (body["elsewhere_count"], body["elsewhere_points"]) == (1, -3)  # 通江苑 is subdistrict B
