"""Inspections (物业检查), the credit ledger (信用分) and the red and black board (红黑榜)."""

from datetime import timedelta

import pytest
from django.test import override_settings

from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.property import selectors, services
from civicgrid.property.constants import BoardList, CreditSource, Verb
from civicgrid.property.models import CreditEntry, Inspection, InspectionItem
from civicgrid.property.services import ItemIn
from civicgrid.property.tests.conftest import World, audit_count, today


def test_an_inspection_takes_the_serving_company_and_writes_its_ledger_row(world: World) -> None:
    c = world.city
    old = world.start(days_ago=300)
    services.contract_end(actor=c.bob, contract=old, ends_on=today() - timedelta(days=100), reason="expired")
    services.contract_start(
        actor=c.bob, compound=world.shengli, company=world.anju, starts_on=today() - timedelta(days=99)
    )
    world_audit = audit_count()
    day = today() - timedelta(days=150)  # lvcheng served then
    inspection = services.inspection_record(
        actor=c.bob,
        compound=world.shengli,
        inspected_on=day,
        items={"environment": ItemIn(2, "楼道堆物"), "fees": ItemIn("1", "未公示收费标准")},
    )
    assert inspection.company == world.lvcheng and inspection.contract == old
    assert inspection.inspector == c.bob and inspection.total_deduction == 3
    assert inspection.rectify_by == day + timedelta(days=15)
    assert InspectionItem.objects.filter(inspection=inspection).count() == 8
    entry = CreditEntry.objects.get()
    assert (entry.company, entry.year, entry.points, entry.source, entry.source_id) == (
        world.lvcheng,
        day.year,
        -3,
        CreditSource.INSPECTION,
        inspection.pk,
    )
    assert audit_count() == world_audit + 1
    row = AuditLog.objects.get(verb=Verb.INSPECTION_RECORDED)
    assert row.after is not None and row.after["items"] == {"environment": 2, "fees": 1}
    now = services.inspection_record(actor=c.bob, compound=world.shengli, inspected_on=today(), items={})
    assert now.company == world.anju and now.total_deduction == 0 and now.rectify_by is None


def test_an_inspection_refuses_bad_input_naming_the_field(world: World) -> None:
    c = world.city
    world.start()
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        services.inspection_record(
            actor=c.bob,
            compound=world.shengli,
            inspected_on=today() + timedelta(days=1),
            items={
                "environment": ItemIn(4),
                "greenery": ItemIn(1.5),
                "noise": ItemIn(1),
                "party": ItemIn(True),
            },
        )
    errors = exc.value.errors
    assert errors["inspected_on"] == ["检查日期不能晚于今天"]
    assert errors["items.environment"] == ["环境卫生扣分应为0到3之间的整数"]
    assert errors["items.greenery"] == ["绿化养护扣分应为0到2之间的整数"]
    assert errors["items.party"] == ["党建引领扣分应为0到2之间的整数"]
    assert errors["items"] == ["未知的检查项目：noise"]
    with pytest.raises(ValidationError) as exc:
        services.inspection_record(
            actor=c.bob,
            compound=world.shengli,
            inspected_on=today(),
            items={"safety": ItemIn(1)},
            rectify_by=today() - timedelta(days=1),
        )
    assert exc.value.errors == {"rectify_by": ["整改期限不能早于检查日期"]}
    with pytest.raises(ValidationError) as exc:
        services.inspection_record(
            actor=c.bob, compound=world.shengli, inspected_on=today(), items={}, rectify_by=today()
        )
    assert exc.value.errors == {"rectify_by": ["本次检查未扣分，无需填写整改期限"]}
    assert not Inspection.objects.exists() and not CreditEntry.objects.exists() and audit_count() == before


def test_no_inspection_of_a_compound_nobody_served_that_day(world: World) -> None:
    c = world.city
    world.start(days_ago=10)
    with pytest.raises(ValidationError) as exc:
        services.inspection_record(
            actor=c.bob, compound=world.shengli, inspected_on=today() - timedelta(days=11), items={}
        )
    assert (
        list(exc.value.errors) == ["inspected_on"]
        and "没有在管物业企业" in exc.value.errors["inspected_on"][0]
    )
    assert not Inspection.objects.exists() and not CreditEntry.objects.exists()


def test_an_outsider_cannot_inspect(world: World) -> None:
    world.start()
    before = audit_count()
    for actor in (world.city.carol, world.city.alice):
        with pytest.raises(PermissionDenied):
            services.inspection_record(actor=actor, compound=world.shengli, inspected_on=today(), items={})
    assert not Inspection.objects.exists() and audit_count() == before


def test_exit_cannot_precede_an_inspection_already_made(world: World) -> None:
    c = world.city
    contract = world.start(days_ago=30)
    services.inspection_record(
        actor=c.bob, compound=world.shengli, inspected_on=today() - timedelta(days=5), items={}
    )
    with pytest.raises(ValidationError) as exc:
        services.contract_end(
            actor=c.bob, contract=contract, ends_on=today() - timedelta(days=6), reason="expired"
        )
    assert "最近一次检查" in exc.value.errors["ends_on"][0]


def test_awards_and_deductions_are_made_by_the_subdistrict_or_district(world: World) -> None:
    c = world.city
    world.start()
    world.start(world.tongjiang, world.anju)
    year = today().year
    award = services.credit_adjust(
        actor=world.hank, company=world.lvcheng, node=c.sub_a, year=year, points=3, reason="市级示范点"
    )
    assert award.source == CreditSource.AWARD and award.node_path == c.sub_a.path
    cut = services.credit_adjust(
        actor=c.dave, company=world.anju, node=c.district, year=str(year), points="-5", reason="投诉未处理"
    )
    assert cut.source == CreditSource.DEDUCTION and cut.points == -5
    assert AuditLog.objects.filter(verb=Verb.CREDIT_AWARDED).count() == 1
    assert AuditLog.objects.filter(verb=Verb.CREDIT_DEDUCTED).count() == 1
    before = audit_count()
    with pytest.raises(PermissionDenied):  # a community worker does not award
        services.credit_adjust(
            actor=c.bob, company=world.lvcheng, node=c.sub_a, year=year, points=1, reason="x"
        )
    with pytest.raises(PermissionDenied):  # hank's subdistrict is A, not B
        services.credit_adjust(
            actor=world.hank, company=world.anju, node=c.sub_b, year=year, points=1, reason="x"
        )
    with pytest.raises(ValidationError) as exc:
        services.credit_adjust(
            actor=c.dave, company=world.lvcheng, node=c.comm_a1, year=year, points=1, reason="x"
        )
    assert exc.value.errors == {"node": ["加分或扣分须以区或街道的名义作出"]}
    with pytest.raises(ValidationError) as exc:
        services.credit_adjust(
            actor=c.dave, company=world.lvcheng, node=c.district, year=year + 1, points=0, reason=" "
        )
    assert exc.value.errors == {
        "year": [f"年度应为{year - 1}到{year}之间的整数"],
        "points": ["分值不能为0"],
        "reason": ["请填写事由"],
    }
    with pytest.raises(ValidationError) as exc:  # anju serves only in subdistrict B
        services.credit_adjust(
            actor=world.hank, company=world.anju, node=c.sub_a, year=year, points=2, reason="x"
        )
    assert "没有服务过小区" in exc.value.errors["company"][0]
    assert CreditEntry.objects.count() == 2 and audit_count() == before


@override_settings(PROPERTY_RED_MIN=95, PROPERTY_BLACK_BELOW=80)
def test_score_is_one_hundred_plus_the_years_points_and_the_board_ranks_them(world: World) -> None:
    c = world.city
    world.start()
    world.start(world.wuai, world.anju)
    year = today().year
    services.inspection_record(
        actor=c.bob,
        compound=world.shengli,
        inspected_on=today(),
        items={"environment": ItemIn(3), "safety": ItemIn(3)},
    )
    services.credit_adjust(
        actor=c.dave, company=world.lvcheng, node=c.district, year=year, points=-12, reason="x"
    )
    services.credit_adjust(
        actor=c.dave, company=world.anju, node=c.district, year=year, points=-5, reason="y"
    )
    services.credit_adjust(
        actor=c.dave, company=world.anju, node=c.district, year=year - 1, points=-20, reason="z"
    )
    assert selectors.score(world.lvcheng, year) == 82
    assert selectors.score(world.anju, year) == 95
    assert selectors.score(world.anju, year - 1) == 80
    rows = selectors.board(c.dave, year).rows
    assert [(r.rank, r.company.name, r.score, r.list) for r in rows] == [
        (1, "安居物业", 95, BoardList.RED),
        (2, "梁溪绿城物业", 82, BoardList.NONE),
    ]
    services.credit_adjust(
        actor=c.dave, company=world.lvcheng, node=c.district, year=year, points=-3, reason="w"
    )
    board = selectors.board(c.dave, year)
    assert [r.company.name for r in board.black] == ["梁溪绿城物业"] and board.black[0].score == 79
    assert [r.company.name for r in board.red] == ["安居物业"]
    # bob sees the companies serving his compounds only; carol sees none.
    assert [r.company.name for r in selectors.board(c.bob, year).rows] == ["梁溪绿城物业"]
    assert selectors.board(c.carol, year).rows == []


@override_settings(PROPERTY_RED_MIN=99, PROPERTY_BLACK_BELOW=100)
def test_the_board_thresholds_are_settings(world: World) -> None:
    world.start()
    rows = selectors.board(world.city.dave, today().year).rows
    assert [r.list for r in rows] == [BoardList.RED]
    services.credit_adjust(
        actor=world.city.dave,
        company=world.lvcheng,
        node=world.city.district,
        year=today().year,
        points=-2,
        reason="x",
    )
    assert [r.list for r in selectors.board(world.city.dave, today().year).rows] == [BoardList.BLACK]
